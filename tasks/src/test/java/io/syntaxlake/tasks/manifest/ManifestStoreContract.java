package io.syntaxlake.tasks.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.tasks.core.Artifact;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every manifest store does, run against each implementation on a real backend (Delta
 * tables under a temporary lake, a real PostgreSQL). Records are compared whole with
 * {@code equals}: the records keep microsecond precision, which both stores store exactly, so a
 * record read back equals the one written (T0 has nanoseconds to prove the truncation).
 */
abstract class ManifestStoreContract {
    static final Instant T0 = Instant.parse("2025-03-04T05:06:07.123456789Z");

    /** A new, empty store for one test. */
    protected abstract ManifestStore openStore() throws Exception;

    protected ManifestStore store;

    @BeforeEach
    void openTheStore() throws Exception {
        store = openStore();
    }

    @AfterEach
    void closeTheStore() {
        store.close();
    }

    static RunRecord running(String runId, String runKey, Instant startedAt) {
        return new RunRecord(runId, "ast-pipeline", "cli", "{\"repo\":\"cpython\",\"limit\":3}", runKey, startedAt, null,
                RunStatus.RUNNING, "55.2.0", "cfg-" + runKey, null);
    }

    static TaskAttempt attempt(String runId, String taskId, int attempt, Instant startedAt, TaskStatus status) {
        return new TaskAttempt(runId, taskId, attempt, status, startedAt, startedAt.plusMillis(1234).plusNanos(5_000),
                status == TaskStatus.FAILED ? "task " + taskId + " failed: it's \"broken\"" : null);
    }

    static ArtifactRecord artifact(TaskAttempt attempt, String name, Instant recordedAt) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("task", attempt.taskId());
        payload.put("rows", 42);
        payload.put("text", "ü ' \" \\ ✓");
        return ArtifactRecord.of(attempt.runId(), attempt.taskId(), attempt.attempt(),
                new Artifact(name, payload, recordedAt, "55.2.0", name.endsWith("_v1") ? "abc123" : null));
    }

    static List<ArtifactRecord> threeArtifacts(TaskAttempt attempt) {
        Instant t = attempt.endedAt();
        return List.of(artifact(attempt, "datafusion_ast_dataset_v1", t.plusMillis(1)),
                artifact(attempt, "datafusion_ast_views_v1", t.plusMillis(2)),
                artifact(attempt, "notes", t.plusMillis(3)));
    }

    @Test
    void aRunStartsAndFinishesAndReadsBackEqual() {
        RunRecord run = running("run-1", "key-a", T0);
        assertEquals(T0.truncatedTo(ChronoUnit.MICROS), run.startedAt(), "records keep microseconds");
        store.startRun(run);
        assertEquals(Optional.of(run), store.run("run-1"));
        assertEquals(List.of(run), store.runs());

        RunRecord failed = run.finished(RunStatus.FAILED, T0.plusSeconds(5).plusNanos(999), "boom: ü 'quoted' \"x\"");
        store.finishRun(failed);
        assertEquals(Optional.of(failed), store.run("run-1"));
        assertEquals(Optional.empty(), store.run("run-2"));
        assertEquals(List.of(), store.attempts("run-1"));
        assertEquals(List.of(), store.artifacts("run-1"));
    }

    @Test
    void finishRunReplacesTheRunsRowAndStartRunIsIdempotent() {
        RunRecord run = running("run-1", "key-a", T0);
        store.startRun(run);
        store.startRun(run);
        assertEquals(List.of(run), store.runs());
        RunRecord succeeded = run.finished(RunStatus.SUCCEEDED, T0.plusSeconds(1), null);
        store.finishRun(succeeded);
        store.finishRun(succeeded);
        assertEquals(List.of(succeeded), store.runs());
        try (EngineSession session = EngineSession.open()) {
            store.registerInto(session, "manifest");
            assertEquals(1L, session.collect("SELECT count(*) FROM manifest.runs").single(), "one row per run id");
        }
        assertThrows(IllegalArgumentException.class, () -> store.startRun(succeeded), "startRun takes a running run");
    }

    @Test
    void recordingAnAttemptAgainReplacesItAndItsArtifacts() {
        store.startRun(running("run-1", "key-a", T0));
        TaskAttempt first = attempt("run-1", "extract", 1, T0.plusSeconds(1), TaskStatus.SUCCEEDED);
        List<ArtifactRecord> artifacts = threeArtifacts(first);
        store.recordAttempt(first, artifacts);
        store.recordAttempt(first, artifacts);
        assertEquals(List.of(first), store.attempts("run-1"));
        assertEquals(artifacts, store.artifacts("run-1"));

        // recorded once more with fewer artifacts and another outcome: exactly the new state
        TaskAttempt again = new TaskAttempt("run-1", "extract", 1, TaskStatus.FAILED, first.startedAt(),
                first.endedAt().plusMillis(1), "second thoughts");
        store.recordAttempt(again, artifacts.subList(0, 1));
        assertEquals(List.of(again), store.attempts("run-1"));
        assertEquals(artifacts.subList(0, 1), store.artifacts("run-1"));
        store.recordAttempt(again, List.of());
        assertEquals(List.of(), store.artifacts("run-1"));
        assertEquals(1235, store.attempts("run-1").get(0).durationMillis());
    }

    @Test
    void attemptsAndArtifactsComeInTimeOrderPerRun() {
        store.startRun(running("run-1", "key-a", T0));
        store.startRun(running("run-2", "key-b", T0));
        TaskAttempt late = attempt("run-1", "a-validate", 1, T0.plusSeconds(30), TaskStatus.SUCCEEDED);
        TaskAttempt retry = attempt("run-1", "z-extract", 2, T0.plusSeconds(10), TaskStatus.SUCCEEDED);
        TaskAttempt early = attempt("run-1", "z-extract", 1, T0.plusSeconds(1), TaskStatus.FAILED);
        TaskAttempt sameStartHigherAttempt = attempt("run-1", "b-register", 3, T0.plusSeconds(10), TaskStatus.SKIPPED);
        TaskAttempt otherRun = attempt("run-2", "z-extract", 1, T0, TaskStatus.SUCCEEDED);
        for (TaskAttempt a : List.of(late, retry, early, sameStartHigherAttempt, otherRun)) {
            store.recordAttempt(a, threeArtifacts(a));
        }
        assertEquals(List.of(early, retry, sameStartHigherAttempt, late), store.attempts("run-1"));
        List<ArtifactRecord> expected = new ArrayList<>();
        for (TaskAttempt a : List.of(early, retry, sameStartHigherAttempt, late)) {
            expected.addAll(threeArtifacts(a));
        }
        expected.sort(Comparator.comparing(ArtifactRecord::recordedAt).thenComparing(ArtifactRecord::taskId)
                .thenComparingInt(ArtifactRecord::attempt).thenComparing(ArtifactRecord::name));
        assertEquals(expected, store.artifacts("run-1"));
        assertEquals(List.of(otherRun), store.attempts("run-2"));
        assertEquals(3, store.artifacts("run-2").size());
        assertEquals(List.of(), store.attempts("run-3"));
    }

    @Test
    void runsAreNewestFirstAndLatestSucceededIgnoresFailedAndRunningRuns() {
        RunRecord old = running("run-old", "key-a", T0).finished(RunStatus.SUCCEEDED, T0.plusSeconds(1), null);
        RunRecord newer = running("run-newer", "key-a", T0.plusSeconds(10)).finished(RunStatus.SUCCEEDED,
                T0.plusSeconds(11), null);
        RunRecord failed = running("run-failed", "key-a", T0.plusSeconds(20)).finished(RunStatus.FAILED,
                T0.plusSeconds(21), "no");
        RunRecord stillRunning = running("run-running", "key-a", T0.plusSeconds(30));
        RunRecord otherKey = running("run-other", "key-b", T0.plusSeconds(40)).finished(RunStatus.SUCCEEDED,
                T0.plusSeconds(41), null);
        for (RunRecord run : List.of(old, newer, failed, stillRunning, otherKey)) {
            store.startRun(running(run.runId(), run.runKey(), run.startedAt()));
            if (run.status() != RunStatus.RUNNING) {
                store.finishRun(run);
            }
        }
        assertEquals(List.of(otherKey, stillRunning, failed, newer, old), store.runs());
        assertEquals(Optional.of(newer), store.latestSucceeded("key-a"));
        assertEquals(Optional.of(otherKey), store.latestSucceeded("key-b"));
        assertEquals(Optional.empty(), store.latestSucceeded("key-c"));
        // a run key is a literal, never SQL
        assertEquals(Optional.empty(), store.latestSucceeded("key-a' OR '1'='1"));
    }

    /** The columns of {@code <schema>.<table>} as "name type nullable" through information_schema. */
    private static List<String> columns(EngineSession session, String schema, String table) {
        return session.collect("SELECT column_name, data_type, is_nullable FROM information_schema.columns"
                        + " WHERE table_schema = '" + schema + "' AND table_name = '" + table + "' ORDER BY ordinal_position")
                .rows().stream().map(r -> r.get(0) + " " + r.get(1) + " " + r.get(2)).toList();
    }

    static final String TS = "Timestamp(µs, \"UTC\")";
    static final Map<String, List<String>> COLUMNS = Map.of(
            "runs", List.of("run_id Utf8 NO", "route Utf8 NO", "trigger Utf8 NO", "parameters Utf8 NO", "run_key Utf8 NO",
                    "started_at " + TS + " NO", "ended_at " + TS + " YES", "status Utf8 NO", "engine_version Utf8 NO",
                    "config_hash Utf8 NO", "error Utf8 YES"),
            "tasks", List.of("run_id Utf8 NO", "task_id Utf8 NO", "attempt Int32 NO", "status Utf8 NO",
                    "started_at " + TS + " NO", "ended_at " + TS + " NO", "duration_ms Int64 NO", "error Utf8 YES"),
            "artifacts", List.of("run_id Utf8 NO", "task_id Utf8 NO", "attempt Int32 NO", "name Utf8 NO", "payload Utf8 NO",
                    "schema_identity_hash Utf8 YES", "engine_version Utf8 NO", "recorded_at " + TS + " NO"));

    @Test
    void registerIntoMakesTheThreeTablesQueryableWithTheContractsColumns() {
        try (EngineSession session = EngineSession.open()) {
            store.registerInto(session, "manifest");
            for (String table : List.of("runs", "tasks", "artifacts")) {
                assertEquals(COLUMNS.get(table), columns(session, "manifest", table), table + " before any write");
                assertEquals(0L, session.collect("SELECT count(*) FROM manifest." + table).single(), table);
            }

            RunRecord run = running("run-1", "key-a", T0);
            store.startRun(run);
            store.finishRun(run.finished(RunStatus.SUCCEEDED, T0.plusSeconds(9), null));
            store.startRun(running("run-2", "key-a", T0.plusSeconds(1)));
            TaskAttempt a = attempt("run-1", "extract", 1, T0, TaskStatus.SUCCEEDED);
            TaskAttempt b = attempt("run-1", "register", 1, T0.plusSeconds(2), TaskStatus.SUCCEEDED);
            store.recordAttempt(a, threeArtifacts(a));
            store.recordAttempt(b, threeArtifacts(b).subList(0, 2));
            store.registerInto(session, "manifest");
            for (String table : List.of("runs", "tasks", "artifacts")) {
                assertEquals(COLUMNS.get(table), columns(session, "manifest", table), table + " after writes");
            }
            assertEquals(2L, session.collect("SELECT count(*) FROM manifest.runs").single());
            assertEquals(2L, session.collect("SELECT count(*) FROM manifest.tasks").single());
            assertEquals(5L, session.collect("SELECT count(*) FROM manifest.artifacts").single());
            assertEquals(List.of(List.of("run-1", "succeeded", 2L, 5L)), session.collect(
                    "SELECT r.run_id, r.status, count(DISTINCT t.task_id), count(*) FROM manifest.runs r"
                            + " JOIN manifest.tasks t ON t.run_id = r.run_id JOIN manifest.artifacts x"
                            + " ON x.run_id = t.run_id AND x.task_id = t.task_id AND x.attempt = t.attempt"
                            + " GROUP BY r.run_id, r.status").rows());
            assertEquals(1234L + 1234L, ((Number) session.collect("SELECT sum(duration_ms) FROM manifest.tasks").single())
                    .longValue());
            assertEquals(List.of(run.startedAt()), session.collect(
                    "SELECT started_at FROM manifest.runs WHERE run_id = 'run-1'").column("started_at"));
            assertThrows(IllegalArgumentException.class, () -> store.registerInto(session, "Bad-Schema"));
        }
    }

    @Test
    void attemptsRecordedFromFourThreadsAtOnceAreAllKept() throws Exception {
        store.startRun(running("run-1", "key-a", T0));
        int threads = 4;
        int perThread = 3;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String task = "task-" + t;
            futures.add(pool.submit(() -> {
                go.await();
                for (int n = 1; n <= perThread; n++) {
                    TaskAttempt a = attempt("run-1", task, n, T0.plusSeconds(n), TaskStatus.SUCCEEDED);
                    store.recordAttempt(a, threeArtifacts(a));
                }
                return null;
            }));
        }
        go.countDown();
        try {
            for (Future<?> future : futures) {
                future.get(5, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(threads * perThread, store.attempts("run-1").size());
        assertEquals(threads * perThread * 3, store.artifacts("run-1").size());
    }

    @Test
    void inputThatCouldEscapeIsRefusedBeforeAnythingIsWritten() {
        assertThrows(IllegalArgumentException.class, () -> running("run'1", "k", T0));
        assertThrows(IllegalArgumentException.class, () -> running("run 1", "k", T0));
        assertThrows(IllegalArgumentException.class, () -> running("run-1", "line\nbreak", T0));
        assertThrows(IllegalArgumentException.class, () -> store.run("x' OR '1'='1"));
        TaskAttempt a = attempt("run-1", "extract", 1, T0, TaskStatus.SUCCEEDED);
        TaskAttempt other = attempt("run-1", "extract", 2, T0, TaskStatus.SUCCEEDED);
        assertThrows(IllegalArgumentException.class, () -> store.recordAttempt(a, threeArtifacts(other)),
                "artifacts of another attempt");
        List<ArtifactRecord> twice = List.of(artifact(a, "same", T0), artifact(a, "same", T0.plusMillis(1)));
        assertThrows(IllegalArgumentException.class, () -> store.recordAttempt(a, twice), "one name twice");
        assertEquals(List.of(), store.attempts("run-1"));
        // ids with characters a Delta output key cannot hold still get rows of their own
        RunRecord colon = running("2025-03-04T05:06:07Z@ast", "k", T0);
        RunRecord underscore = running("2025-03-04T05_06_07Z_ast", "k", T0.plusSeconds(1));
        store.startRun(colon);
        store.startRun(underscore);
        assertEquals(List.of(underscore, colon), store.runs());
        assertNotEquals(OutputKeys.run(colon.runId()), OutputKeys.run(underscore.runId()));
        assertTrue(store.location().length() > 0);
    }
}
