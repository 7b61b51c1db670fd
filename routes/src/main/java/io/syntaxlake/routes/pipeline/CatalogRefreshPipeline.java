package io.syntaxlake.routes.pipeline;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.catalog.RegistryCatalogTask;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.dataset.CatalogAutoloadTask;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.extract.ExtractKind;
import java.util.Arrays;
import java.util.List;

/**
 * {@code catalog-refresh}: republishes the lake's catalogs from what the lake holds now. Two
 * independent tasks: {@code registry} (the contract-backed schema {@code syntaxlake.lake}, Parquet
 * and Delta datasets alike, checked through information_schema) and {@code autoload}
 * (DataFusion's own discovery over {@code tables/}).
 */
public final class CatalogRefreshPipeline {
    public static final String CATALOG = "syntaxlake";
    public static final String SCHEMA = "lake";

    private CatalogRefreshPipeline() {
    }

    public static PipelineDefinition definition() {
        return new PipelineDefinition("catalog-refresh", "republish the lake's catalogs from what it holds", false, List.of(
                TaskStep.of("registry", CatalogRefreshPipeline::registry),
                TaskStep.of("autoload", CatalogRefreshPipeline::autoload)));
    }

    private static List<Artifact> registry(RunContext run) {
        List<DatasetContract> contracts = Arrays.stream(ExtractKind.values())
                .map(kind -> ContractLoader.load(kind.dataset())).toList();
        EngineSession session = run.session();
        return new RegistryCatalogTask(session, new DeltaLog(session))
                .run(run.request().lake(), contracts, CATALOG, SCHEMA).artifacts();
    }

    private static List<Artifact> autoload(RunContext run) {
        TaskResult<EngineSession> autoload = new CatalogAutoloadTask().run(run.request().lake(), SessionOptions.defaults());
        autoload.value().close();
        return autoload.artifacts();
    }
}
