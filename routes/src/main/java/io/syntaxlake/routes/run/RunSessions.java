package io.syntaxlake.routes.run;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.RuntimeLimits;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.routes.config.SyntaxLakeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens the engine session of one run from {@code syntaxlake.engine.*}: few file rows per batch,
 * a memory pool if one is configured, and spill files in the run's own scratch directory (deleted
 * with it).
 */
@ApplicationScoped
public class RunSessions {

    @Inject
    SyntaxLakeConfig config;

    public EngineSession open(Path runWorkDir) {
        return EngineSession.open(options(config.engine(), runWorkDir));
    }

    /** The session options of a run whose scratch directory is {@code runWorkDir} (its spill directory is created). */
    static SessionOptions options(SyntaxLakeConfig.Engine engine, Path runWorkDir) {
        if (engine.batchRows() < 1) {
            throw new IllegalArgumentException("syntaxlake.engine.batch-rows must be at least 1, got " + engine.batchRows());
        }
        Path spill = runWorkDir.resolve("spill");
        try {
            Files.createDirectories(spill);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the spill directory " + spill, e);
        }
        RuntimeLimits limits = RuntimeLimits.NONE
                .withSpill(spill, RuntimeLimits.parseBytes("syntaxlake.engine.max-spill", engine.maxSpill()));
        if (engine.memoryLimit().isPresent()) {
            limits = limits.withMemoryLimit(
                    RuntimeLimits.parseBytes("syntaxlake.engine.memory-limit", engine.memoryLimit().get()),
                    RuntimeLimits.MemoryPool.FAIR);
        }
        SessionOptions options = SessionOptions.defaults()
                .with("datafusion.execution.batch_size", Integer.toString(engine.batchRows()))
                // One sorter over all partitions gets the whole pool, spills, and merges its own runs.
                // With a sorter per partition the fair pool went to the sorters, and the merge of their
                // outputs found no memory left: the materialize step failed.
                .with("datafusion.optimizer.repartition_sorts", "false")
                .withLimits(limits);
        for (Map.Entry<String, String> setting : engine.settings().entrySet()) {
            options = options.with(setting.getKey(), setting.getValue());
        }
        return options;
    }
}
