package io.syntaxlake.routes.pipeline;

import io.syntaxlake.tasks.core.Artifact;
import java.util.List;

/**
 * One task of a pipeline: its id (unique in the pipeline), the ids it depends on, and what it
 * does. The action reads what earlier tasks left in the {@link RunContext}, puts its own typed
 * output there, and returns the artifacts it recorded.
 */
public record TaskStep(String id, List<String> dependsOn, Action action) {

    public TaskStep {
        if (!id.matches("[a-z][a-z0-9-]{0,40}")) {
            throw new IllegalArgumentException("task id '" + id + "' must be lowercase letters, digits and '-'");
        }
        dependsOn = List.copyOf(dependsOn);
    }

    public static TaskStep of(String id, Action action, String... dependsOn) {
        return new TaskStep(id, List.of(dependsOn), action);
    }

    @FunctionalInterface
    public interface Action {
        List<Artifact> run(RunContext context) throws Exception;
    }
}
