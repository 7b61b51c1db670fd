package io.syntaxlake.routes.pipeline;

import io.syntaxlake.tasks.extract.ExtractKind;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Every route the application runs, by id. */
@ApplicationScoped
public class Pipelines {
    private final Map<String, PipelineDefinition> byRoute = new LinkedHashMap<>();

    public Pipelines() {
        for (PipelineDefinition definition : new PipelineDefinition[] {
                DatasetPipeline.of(ExtractKind.AST), DatasetPipeline.of(ExtractKind.CST),
                CatalogRefreshPipeline.definition(), SnapshotDiffPipeline.definition()}) {
            byRoute.put(definition.route(), definition);
        }
    }

    public Collection<PipelineDefinition> all() {
        return byRoute.values();
    }

    public Optional<PipelineDefinition> find(String route) {
        return Optional.ofNullable(byRoute.get(route));
    }

    public PipelineDefinition require(String route) {
        return find(route).orElseThrow(() -> new IllegalArgumentException(
                "unknown route '" + route + "'; the routes are " + byRoute.keySet()));
    }
}
