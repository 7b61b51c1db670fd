package io.syntaxlake.tasks.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.testing.S3TestEndpoint;
import io.syntaxlake.tasks.dataset.ExtractedFixture;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta on a real S3-compatible endpoint, through the engine's object stores: commits are
 * conditional PUTs, so writers with separate sessions and logs (as separate processes would be)
 * never overwrite each other's commit.
 */
class DeltaS3Test {
    @TempDir
    static Path tmp;
    static ExtractedFixture fixture;
    static S3TestEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        fixture = ExtractedFixture.create(tmp);
        endpoint = S3TestEndpoint.start("lake");
    }

    @AfterAll
    static void stop() throws Exception {
        endpoint.close();
    }

    private static EngineSession session() {
        EngineSession session = EngineSession.open();
        session.registerS3(endpoint.store());
        fixture.registerStaging(session);
        return session;
    }

    @Test
    void aCommitNeverReplacesAnExistingLogFile() {
        try (EngineSession session = session()) {
            String file = "s3://lake/conditional/_delta_log/00000000000000000000.json";
            assertTrue(session.writeObjectIfAbsent(file, "{}\n".getBytes(StandardCharsets.UTF_8)));
            assertFalse(session.writeObjectIfAbsent(file, "{\"other\":1}\n".getBytes(StandardCharsets.UTF_8)));
            assertEquals("{}\n", new String(session.readObject(file).orElseThrow(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void writeReplaceTimeTravelAndConcurrentWritersOnS3() throws Exception {
        LakeLocation table = LakeLocation.parse("s3://lake/warehouse/delta/ast_files_v1", List.of());
        var layout = fixture.contract.table().layout();
        try (EngineSession session = session()) {
            DeltaLog log = new DeltaLog(session);
            DeltaWriter writer = new DeltaWriter(session, log);
            long batch = writer.write(fixture.contract, layout, ExtractedFixture.STAGING, table, "a", true, "r1").rows();
            var rerun = writer.write(fixture.contract, layout, ExtractedFixture.STAGING, table, "a", true, "r2");
            assertEquals(2, rerun.version());
            assertTrue(rerun.removedFiles() > 0);
            RegisterDeltaTask register = new RegisterDeltaTask(session, log);
            register.run(fixture.contract, table, DeltaSelector.latest(), "t");
            assertEquals(batch, session.collect("SELECT count(*) FROM t").single(), "the rerun replaced its output");
            register.run(fixture.contract, table, DeltaSelector.version(1), "t1");
            assertEquals(batch, session.collect("SELECT count(*) FROM t1").single());

            int writers = 2;
            int rounds = 3;
            ExecutorService pool = Executors.newFixedThreadPool(writers);
            try {
                CountDownLatch go = new CountDownLatch(1);
                List<Future<?>> futures = new ArrayList<>();
                for (int w = 0; w < writers; w++) {
                    int id = w;
                    futures.add(pool.submit(() -> {
                        // its own session, object stores and log: nothing shared but the bucket
                        try (EngineSession own = session()) {
                            DeltaWriter ownWriter = new DeltaWriter(own, new DeltaLog(own));
                            go.await();
                            for (int r = 0; r < rounds; r++) {
                                ownWriter.write(fixture.contract, layout, ExtractedFixture.STAGING, table,
                                        "w" + id + "-" + r, true, "c" + id + "-" + r);
                            }
                        }
                        return null;
                    }));
                }
                go.countDown();
                for (Future<?> future : futures) {
                    future.get(5, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            var latest = register.run(fixture.contract, table, DeltaSelector.latest(), "t");
            assertEquals(2L + writers * rounds, latest.value(), "one version per commit, none overwritten");
            assertEquals(batch * (1 + writers * rounds), session.collect("SELECT count(*) FROM t").single());
        }
    }
}
