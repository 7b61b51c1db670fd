package io.syntaxlake.routes.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineResourcesExhaustedException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.SqlIdentifiers;
import io.syntaxlake.routes.config.SyntaxLakeConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's session: its batch size, a memory pool that is enforced, and sorts that spill instead of failing. */
class RunSessionsTest {

    private record Engine(Optional<String> memoryLimit, int batchRows, String maxSpill, Map<String, String> settings)
            implements SyntaxLakeConfig.Engine {
    }

    /** About 60 MB of rows in Arrow (2M rows of a 24-byte string), more than the 16 MB pools below. */
    private static final String BIG = "(SELECT value AS n, concat('row-', lpad(CAST(value AS VARCHAR), 20, '0')) AS s"
            + " FROM generate_series(1, 2000000))";

    @Test
    void settingsComeFromConfigurationAndExtraSettingsWin(@TempDir Path work) {
        SessionOptions options = RunSessions.options(
                new Engine(Optional.of("512M"), 16, "1G", Map.of("datafusion.execution.target_partitions", "3")), work);
        assertEquals("16", options.settings().get("datafusion.execution.batch_size"));
        assertEquals("3", options.settings().get("datafusion.execution.target_partitions"));
        assertEquals(512L << 20, options.limits().memoryLimitBytes().getAsLong());
        assertEquals(1L << 30, options.limits().maxSpillBytes().getAsLong());
        assertEquals(work.resolve("spill"), options.limits().spillDirectory().orElseThrow());
        assertTrue(Files.isDirectory(work.resolve("spill")));
        assertTrue(RunSessions.options(new Engine(Optional.empty(), 16, "1G", Map.of()), work)
                .limits().memoryLimitBytes().isEmpty(), "no pool unless one is configured");
        try (EngineSession session = EngineSession.open(options)) {
            assertEquals("16", session.collect("SELECT value FROM information_schema.df_settings"
                    + " WHERE name = 'datafusion.execution.batch_size'").single());
        }
    }

    @Test
    void aSmallPoolKeepsTheSortersMergeMemoryToTheShareNoOtherConsumerCanTake(@TempDir Path work) {
        String key = "datafusion.execution.sort_spill_reservation_bytes";
        Map<String, String> threePartitions = Map.of("datafusion.execution.target_partitions", "3");
        // 16 MiB over a sorter and three repartition buffers: half of a quarter
        assertEquals(Long.toString(2L << 20), RunSessions.options(
                new Engine(Optional.of("16M"), 16, "1G", threePartitions), work).settings().get(key));
        assertEquals(Long.toString(4L << 20), RunSessions.options(new Engine(Optional.of("16M"), 16, "1G",
                Map.of("datafusion.execution.target_partitions", "1")), work).settings().get(key));
        // a large pool keeps DataFusion's 10 MiB; no pool, no reservation of ours; a configured one wins
        assertEquals(Long.toString(10L << 20), RunSessions.options(
                new Engine(Optional.of("512M"), 16, "1G", threePartitions), work).settings().get(key));
        assertEquals(null, RunSessions.options(new Engine(Optional.empty(), 16, "1G", Map.of()), work)
                .settings().get(key));
        assertEquals("12345", RunSessions.options(new Engine(Optional.of("16M"), 16, "1G",
                Map.of(key, "12345")), work).settings().get(key));
        // one partition per core when the target is DataFusion's default
        long perCore = (16L << 20) / (2L * (Runtime.getRuntime().availableProcessors() + 1));
        assertEquals(Long.toString(Math.min(10L << 20, perCore)), RunSessions.options(
                new Engine(Optional.of("16M"), 16, "1G", Map.of()), work).settings().get(key));
    }

    @Test
    void badValuesAreRefusedWithTheKeyNamed(@TempDir Path work) {
        IllegalArgumentException size = assertThrows(IllegalArgumentException.class,
                () -> RunSessions.options(new Engine(Optional.of("lots"), 16, "1G", Map.of()), work));
        assertTrue(size.getMessage().contains("syntaxlake.engine.memory-limit"), size.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class,
                () -> RunSessions.options(new Engine(Optional.of("512M"), 16, "999999999T", Map.of()), work));
        assertTrue(huge.getMessage().contains("syntaxlake.engine.max-spill"), huge.getMessage());
        IllegalArgumentException rows = assertThrows(IllegalArgumentException.class,
                () -> RunSessions.options(new Engine(Optional.of("512M"), 0, "1G", Map.of()), work));
        assertTrue(rows.getMessage().contains("syntaxlake.engine.batch-rows"), rows.getMessage());
        IllegalArgumentException partitions = assertThrows(IllegalArgumentException.class,
                () -> RunSessions.options(new Engine(Optional.of("512M"), 16, "1G",
                        Map.of("datafusion.execution.target_partitions", "many")), work));
        assertTrue(partitions.getMessage().contains("datafusion.execution.target_partitions"), partitions.getMessage());
    }

    @Test
    void theMemoryPoolIsEnforcedAndASortLargerThanItSpills(@TempDir Path work) {
        SessionOptions options = RunSessions.options(new Engine(Optional.of("16M"), 4096, "1G", Map.of()), work);
        String out = work.resolve("sorted.parquet").toUri().toString();
        try (EngineSession session = EngineSession.open(options)) {
            // an aggregate that cannot spill proves the pool's limit is real
            assertThrows(EngineResourcesExhaustedException.class,
                    () -> session.collect("SELECT cardinality(array_agg(s)) FROM " + BIG).single());
            // a full sort of the same rows (a COPY keeps its ORDER BY) spills and completes, in order
            session.execute("COPY (SELECT n, s FROM " + BIG + " ORDER BY s DESC) TO " + SqlIdentifiers.literal(out)
                    + " STORED AS PARQUET");
            session.execute("CREATE EXTERNAL TABLE sorted STORED AS PARQUET LOCATION " + SqlIdentifiers.literal(out));
            assertEquals(2000000L, session.collect("SELECT count(*) FROM sorted").single());
            session.execute("SET datafusion.execution.target_partitions = 1"); // read the file in its own order
            assertEquals(0L, session.collect("SELECT count(*) FROM (SELECT s, lag(s) OVER () AS before FROM sorted)"
                    + " WHERE before < s").single(), "every row sorts at or after the next one");
        }
    }
}
