package io.syntaxlake.routes.pipeline;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A route's DAG as data: its tasks and their dependencies. {@link #layers()} orders them for
 * execution: every task comes after all it depends on, and the tasks of one layer are
 * independent of each other, so they may run in parallel.
 *
 * @param needsSource whether a run needs {@code --source} (the extracting pipelines do)
 */
public record PipelineDefinition(String route, String description, boolean needsSource, List<TaskStep> steps) {

    public PipelineDefinition {
        if (!route.matches("[a-z][a-z0-9-]{0,40}")) {
            throw new IllegalArgumentException("route id '" + route + "' must be lowercase letters, digits and '-'");
        }
        steps = List.copyOf(steps);
        Set<String> ids = new LinkedHashSet<>();
        for (TaskStep step : steps) {
            if (!ids.add(step.id())) {
                throw new IllegalArgumentException(route + ": task '" + step.id() + "' is defined twice");
            }
        }
        for (TaskStep step : steps) {
            for (String dependency : step.dependsOn()) {
                if (!ids.contains(dependency)) {
                    throw new IllegalArgumentException(route + ": task '" + step.id() + "' depends on unknown task '"
                            + dependency + "'");
                }
            }
        }
        layersOf(route, steps);
    }

    public List<List<TaskStep>> layers() {
        return layersOf(route, steps);
    }

    /** Kahn's algorithm by levels; the order inside a layer is the definition order. */
    private static List<List<TaskStep>> layersOf(String route, List<TaskStep> steps) {
        Map<String, TaskStep> pending = new LinkedHashMap<>();
        steps.forEach(step -> pending.put(step.id(), step));
        Set<String> done = new LinkedHashSet<>();
        List<List<TaskStep>> layers = new ArrayList<>();
        while (!pending.isEmpty()) {
            List<TaskStep> layer = pending.values().stream().filter(s -> done.containsAll(s.dependsOn())).toList();
            if (layer.isEmpty()) {
                throw new IllegalArgumentException(route + ": the tasks " + pending.keySet() + " depend on each other in a cycle");
            }
            layer.forEach(step -> {
                pending.remove(step.id());
                done.add(step.id());
            });
            layers.add(layer);
        }
        return layers;
    }

    public List<String> taskIds() {
        return steps.stream().map(TaskStep::id).toList();
    }
}
