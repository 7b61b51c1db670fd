package io.syntaxlake.routes.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.routes.testing.SourceEdits;
import io.syntaxlake.tasks.dataset.RegisterDatasetTask;
import io.syntaxlake.tasks.dataset.RegisterRequest;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.extract.FileTrees;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Incremental runs of the packaged application killed with SIGKILL at random points: after each
 * kill the table is exactly the version before the run or the one after it (what a full run of
 * the edited tree writes into a fresh lake), and the next run completes it.
 */
class KilledIncrementalRunIT {
    private static final Path LAUNCHER = Path.of("..", "syntaxlake").toAbsolutePath().normalize();
    private static final DatasetContract CONTRACT = ContractLoader.load("ast_files_v1");
    private static final int KILLS = 10;

    @Test
    void parquetTablesSurviveKilledRuns(@TempDir Path tmp) throws Exception {
        killRuns(tmp, "parquet", 20261207L);
    }

    @Test
    void deltaTablesSurviveKilledRuns(@TempDir Path tmp) throws Exception {
        killRuns(tmp, "delta", 20261208L);
    }

    private void killRuns(Path tmp, String format, long seed) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        SourceEdits edits = new SourceEdits(source, SourceEdits.copyStdlib(source, List.of("email", "json")), seed);
        Path lake = tmp.resolve("lake");
        long started = System.nanoTime();
        assertEquals(0, run(tmp, source, lake, format, false, -1), "the first run failed");
        long runMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        Random random = new Random(seed);
        int landed = 0;
        for (int i = 0; i < KILLS; i++) {
            String edit = edits.next();
            List<List<Object>> before = rows(lake, format);
            Path fresh = tmp.resolve("full-" + i);
            assertEquals(0, run(tmp, source, fresh, format, true, -1), edit + ": the full run failed");
            List<List<Object>> after = rows(fresh, format);
            FileTrees.delete(fresh);
            // anywhere from the JVM's start to the run's end
            long killAt = (long) (random.nextDouble() * runMillis);
            int exit = run(tmp, source, lake, format, false, killAt);
            List<List<Object>> killed = rows(lake, format);
            assertTrue(killed.equals(before) || killed.equals(after),
                    edit + ": killed after " + killAt + " ms (exit " + exit + "), the table is neither the old version ("
                            + before.size() + " rows) nor the new (" + after.size() + " rows) but has " + killed.size());
            landed += killed.equals(after) && !before.equals(after) ? 1 : 0;
            assertEquals(0, run(tmp, source, lake, format, false, -1), edit + ": the run after the kill failed");
            assertEquals(after, rows(lake, format), edit + ": the run after the kill did not complete the table");
        }
        System.out.printf("%s: %d of %d killed runs had committed%n", format, landed, KILLS);
    }

    /** Runs the ast-pipeline in its own process; killed with SIGKILL (with its children) after {@code killAfterMillis} when >= 0. */
    private static int run(Path tmp, Path source, Path lake, String format, boolean full, long killAfterMillis)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString(), "run", "ast-pipeline", "--source",
                source.toString(), "--lake", lake.toString(), "--repo", "stdlib", "--format", format));
        if (full) {
            command.add("--full");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("run.log").toFile());
        builder.environment().put("SYNTAXLAKE_ROOTS", tmp.toString());
        Process process = builder.start();
        if (killAfterMillis >= 0 && !process.waitFor(killAfterMillis, TimeUnit.MILLISECONDS)) {
            List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
            process.destroyForcibly(); // SIGKILL: no shutdown hook, no finally
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        process.waitFor();
        return process.exitValue();
    }

    private static List<List<Object>> rows(Path lakeDir, String format) {
        if (!Files.isDirectory(lakeDir)) {
            return List.of();
        }
        Lake lake = new Lake(LakeLocation.local(lakeDir, List.of()));
        try (EngineSession session = EngineSession.open()) {
            if (format.equals("delta")) {
                new RegisterDeltaTask(session, new DeltaLog(session)).run(CONTRACT, lake.delta(CONTRACT.name()),
                        DeltaSelector.latest(), "t");
            } else {
                new RegisterDatasetTask(session).run(RegisterRequest.of(CONTRACT, lake).withTable("t"));
            }
            return session.collect("SELECT * FROM t ORDER BY repo, path").rows();
        }
    }
}
