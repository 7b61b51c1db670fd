package io.syntaxlake.tasks.core;

import java.util.List;
import java.util.Optional;

/** What a task returns: its typed value and the artifacts it recorded. */
public record TaskResult<T>(T value, List<Artifact> artifacts) {

    public TaskResult {
        artifacts = List.copyOf(artifacts);
    }

    public Optional<Artifact> artifact(String name) {
        return artifacts.stream().filter(a -> a.name().equals(name)).findFirst();
    }
}
