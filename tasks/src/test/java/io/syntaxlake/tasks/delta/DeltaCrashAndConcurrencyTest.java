package io.syntaxlake.tasks.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.dataset.ExtractedFixture;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crash safety and concurrency of Delta writes: a writer process killed at random points leaves
 * every version readable with exact row counts and only unreferenced files behind, which vacuum
 * removes; concurrent writers of different outputs both land, and concurrent replaces of one
 * output never duplicate it.
 */
class DeltaCrashAndConcurrencyTest {
    private static final int KILLS = 10;

    private final DeltaLog log = new DeltaLog();

    /** The fixture's rows as one Parquet file; returns how many rows a batch has. */
    private static long writeSource(Path tmp, Path file) throws Exception {
        ExtractedFixture fixture = ExtractedFixture.create(tmp);
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            return ((Number) session.collect("COPY (SELECT * FROM " + ExtractedFixture.STAGING + ") TO '"
                    + file.toUri() + "' STORED AS PARQUET").single()).longValue();
        }
    }

    private static Process writer(Path source, Path table, int rounds, Path stderr) throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, "--add-opens=java.base/java.nio=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), DeltaWriterProcess.class.getName(),
                source.toString(), table.toString(), Integer.toString(rounds))
                .redirectError(stderr.toFile()).start();
    }

    @Test
    void aWriterKilledAtRandomPointsLeavesEveryVersionExact(@TempDir Path tmp) throws Exception {
        Path source = tmp.resolve("source.parquet");
        long batch = writeSource(tmp, source);
        Path table = tmp.resolve("lake/delta/ast");
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int run = 0; run < KILLS; run++) {
            Process process = writer(source, table, 0, tmp.resolve("killed-" + run + ".err"));
            BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            assertEquals("ready", out.readLine(), "the writer process started");
            // the kill point: some commits in, at a random moment of the next write
            Thread.sleep(random.nextInt(2500));
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        }
        Path lastErr = tmp.resolve("last.err");
        Process last = writer(source, table, 1, lastErr);
        assertEquals(0, last.waitFor(), () -> "an undisturbed writer commits (seed " + seed + "): " + read(lastErr));

        LakeLocation location = LakeLocation.local(table, List.of(tmp));
        DatasetContract contract = ExtractedFixture.create(tmp.resolve("again")).contract;
        try (EngineSession session = EngineSession.open()) {
            RegisterDeltaTask register = new RegisterDeltaTask(session, log);
            long latest = log.snapshot(location, DeltaSelector.latest()).getVersion();
            for (long version = 0; version <= latest; version++) {
                register.run(contract, location, DeltaSelector.version(version), "t");
                // version 0 creates the table; every later commit is exactly one whole batch
                assertEquals(batch * version, session.collect("SELECT count(*) FROM t").single(),
                        "version " + version + " (seed " + seed + ")");
            }
            List<String> orphans = new DeltaVacuumTask(log).run(location, Duration.ZERO, true, false).value();
            assertEquals(latest, countParquet(table), "after vacuum only referenced files remain; removed " + orphans);
            register.run(contract, location, DeltaSelector.latest(), "t");
            assertEquals(batch * latest, session.collect("SELECT count(*) FROM t").single());
            assertThrows(TaskFailedException.class,
                    () -> new DeltaVacuumTask(log).run(location, Duration.ofMinutes(5), false, true));
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }

    private static long countParquet(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".parquet") && !p.toString().contains("_delta_log")).count();
        }
    }

    @Test
    void concurrentWritersOfDifferentOutputsBothLandAndOfOneOutputNeverDuplicate(@TempDir Path tmp) throws Exception {
        ExtractedFixture fixture = ExtractedFixture.create(tmp);
        LakeLocation location = LakeLocation.local(tmp.resolve("lake/delta/ast"), List.of(tmp));
        int writers = 2;
        int rounds = 3;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            for (boolean sameOutput : List.of(false, true)) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Long>> futures = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int id = w;
                    futures.add(pool.submit(() -> {
                        try (EngineSession session = EngineSession.open()) {
                            fixture.registerStaging(session);
                            DeltaWriter writer = new DeltaWriter(session, log);
                            start.await();
                            long rows = 0;
                            for (int r = 0; r < rounds; r++) {
                                String key = sameOutput ? "same" : "writer-" + id + "-" + r;
                                rows = writer.write(fixture.contract, fixture.contract.table().layout(),
                                        ExtractedFixture.STAGING, location, key, true, "w" + id + "-" + r).rows();
                            }
                            return rows;
                        }
                    }));
                }
                start.countDown();
                long batch = 0;
                for (Future<Long> future : futures) {
                    batch = future.get(5, TimeUnit.MINUTES);
                }
                try (EngineSession session = EngineSession.open()) {
                    new RegisterDeltaTask(session, log).run(fixture.contract, location, DeltaSelector.latest(), "t");
                    long expected = batch * writers * rounds + (sameOutput ? batch : 0);
                    assertEquals(expected, session.collect("SELECT count(*) FROM t").single(),
                            sameOutput ? "the one output is there once, beside the earlier ones" : "every append landed");
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
