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
    private static final String SORT_MERGE_RESERVATION = "datafusion.execution.sort_spill_reservation_bytes";
    private static final String TARGET_PARTITIONS = "datafusion.execution.target_partitions";
    /** DataFusion's own default of {@link #SORT_MERGE_RESERVATION}, kept wherever the pool has room for it. */
    private static final long DEFAULT_SORT_MERGE_RESERVATION = 10L << 20;

    @Inject
    SyntaxLakeConfig config;

    public EngineSession open(Path runWorkDir) {
        return EngineSession.open(options(config.engine(), runWorkDir));
    }

    /**
     * The memory a sorter sets aside, outside its fair share, to merge what it spilled: at most a
     * share of the pool that the other spilling consumers cannot take from it.
     *
     * <p>While a sorter spills it gives that memory back, and the fair pool then lets each of the
     * other spilling consumers (a repartition buffer per partition) hold pool / consumers. When the
     * sorter asks for its merge memory again, only about pool / (partitions + 1) may be left. The
     * DataFusion default of 10 MiB did not fit a 16 MiB pool when the buffers had filled during a
     * slow spill ("Failed to allocate additional 10.0 MB for ExternalSorterMerge[0] ... 6.1 MB
     * remain available"): the sort failed or not depending on disk speed. Half of that share
     * leaves room for the buffers' rounding and one more consumer.
     */
    static long sortMergeReservation(long poolBytes, int partitions) {
        return Math.min(DEFAULT_SORT_MERGE_RESERVATION, poolBytes / (2L * (partitions + 1)));
    }

    /** The partitions DataFusion will plan with: the configured target, else one per core as DataFusion does. */
    private static int partitions(Map<String, String> settings) {
        String configured = settings.get(TARGET_PARTITIONS);
        int cores = Runtime.getRuntime().availableProcessors();
        if (configured == null) {
            return cores;
        }
        try {
            int partitions = Integer.parseInt(configured.trim());
            return partitions > 0 ? partitions : cores; // DataFusion reads 0 as "one per core"
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("syntaxlake.engine.settings.\"" + TARGET_PARTITIONS
                    + "\" must be a whole number, got '" + configured + "'", e);
        }
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
        SessionOptions options = SessionOptions.defaults()
                .with("datafusion.execution.batch_size", Integer.toString(engine.batchRows()))
                // One sorter over all partitions gets the whole pool, spills, and merges its own runs.
                // With a sorter per partition the fair pool went to the sorters, and the merge of their
                // outputs found no memory left: the materialize step failed.
                .with("datafusion.optimizer.repartition_sorts", "false");
        if (engine.memoryLimit().isPresent()) {
            long poolBytes = RuntimeLimits.parseBytes("syntaxlake.engine.memory-limit", engine.memoryLimit().get());
            limits = limits.withMemoryLimit(poolBytes, RuntimeLimits.MemoryPool.FAIR);
            options = options.with(SORT_MERGE_RESERVATION,
                    Long.toString(sortMergeReservation(poolBytes, partitions(engine.settings()))));
        }
        options = options.withLimits(limits);
        for (Map.Entry<String, String> setting : engine.settings().entrySet()) {
            options = options.with(setting.getKey(), setting.getValue());
        }
        return options;
    }
}
