package io.syntaxlake.tasks.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.testing.S3TestEndpoint;
import io.syntaxlake.tasks.extract.PythonOracle;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The manifest store on Delta tables under a temporary local lake, plus what only Delta has. */
class DeltaManifestStoreTest extends ManifestStoreContract {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private Lake lake() {
        return new Lake(LakeLocation.local(tmp.resolve("lake"), List.of(tmp)));
    }

    @Override
    protected ManifestStore openStore() {
        return DeltaManifestStore.open(lake(), SessionOptions.defaults());
    }

    @Test
    void aSecondStoreOverTheSameLakeReadsWhatTheFirstWroteAndTheOtherWayRound() {
        RunRecord run = running("run-1", "key-a", T0);
        store.startRun(run);
        TaskAttempt a = attempt("run-1", "extract", 1, T0, TaskStatus.SUCCEEDED);
        store.recordAttempt(a, threeArtifacts(a));
        // the attempt is written in the background; the store's own reads wait for it
        assertEquals(List.of(a), store.attempts("run-1"));
        try (ManifestStore second = openStore()) {
            assertEquals(store.location(), second.location());
            assertEquals(List.of(run), second.runs());
            assertEquals(List.of(a), second.attempts("run-1"));
            assertEquals(threeArtifacts(a), second.artifacts("run-1"));
            RunRecord done = run.finished(RunStatus.SUCCEEDED, T0.plusSeconds(3), null);
            second.finishRun(done);
            assertEquals(List.of(done), store.runs());
        }
        assertEquals(lake().root().url() + "manifest/", store.location());
    }

    private static final String READ_WITH_DELTA_RS = """
            import sys, json, datetime
            from deltalake import DeltaTable
            t = DeltaTable(sys.argv[1])
            epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
            def plain(v):
                return (v - epoch) // datetime.timedelta(microseconds=1) if isinstance(v, datetime.datetime) else v
            rows = [{k: plain(v) for k, v in r.items()} for r in t.to_pyarrow_table().to_pylist()]
            print(json.dumps({"version": t.version(), "columns": [f.name for f in t.schema().fields],
                              "types": [str(f.type) for f in t.schema().fields],
                              "rows": sorted(rows, key=lambda r: r["run_id"])}))
            %s""".formatted("import os; sys.stdout.flush(); os._exit(0)");

    @Test
    void deltaRsReadsTheRunsTableWithTheSameRows() throws Exception {
        List<RunRecord> runs = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            RunRecord run = running("run-" + i, "key-" + (i % 2), T0.plusSeconds(i));
            store.startRun(run);
            runs.add(i == 2 ? run : run.finished(i == 1 ? RunStatus.SUCCEEDED : RunStatus.FAILED,
                    T0.plusSeconds(10 + i), i == 1 ? null : "failed: ü 'x'"));
            store.finishRun(runs.get(runs.size() - 1));
        }
        Path table = lake().manifest("runs").localPath().orElseThrow();
        var read = JSON.readTree(PythonOracle.run(READ_WITH_DELTA_RS, table.toString()).get(0));
        assertEquals(ManifestTable.RUNS.columns(), JSON.convertValue(read.get("columns"), List.class));
        List<Map<String, Object>> expected = new ArrayList<>();
        for (RunRecord run : runs) {
            Map<String, Object> row = new LinkedHashMap<>();
            List<Object> values = ManifestRows.of(run);
            for (int c = 0; c < values.size(); c++) {
                Object value = values.get(c);
                row.put(ManifestTable.RUNS.columns().get(c),
                        value instanceof Instant instant ? ManifestBatches.epochMicros(instant) : value);
            }
            expected.add(row);
        }
        List<Map<String, Object>> theirs = new ArrayList<>();
        for (var row : read.get("rows")) {
            Map<String, Object> values = JSON.convertValue(row, LinkedHashMap.class);
            values.replaceAll((k, v) -> v instanceof Integer n ? n.longValue() : v);
            theirs.add(values);
        }
        assertEquals(expected, theirs, read.toString());
        assertEquals(store.runs().stream().map(RunRecord::runId).sorted().toList(),
                theirs.stream().map(r -> r.get("run_id")).toList());
    }

    @Test
    void theLogIsCheckpointedSoItStaysFastToRead() throws Exception {
        RunRecord run = running("run-1", "key-a", T0);
        for (int i = 0; i < 12; i++) {
            store.startRun(run);
        }
        Path log = lake().manifest("runs").localPath().orElseThrow().resolve("_delta_log");
        assertTrue(Files.exists(log.resolve("_last_checkpoint")), "DeltaWriter's post-commit hooks write checkpoints");
        try (var files = Files.list(log)) {
            assertTrue(files.anyMatch(f -> f.getFileName().toString().endsWith(".checkpoint.parquet")));
        }
        assertEquals(List.of(run), store.runs());
    }

    @Test
    void aBrokenTableFailsReadsAndWritesWithTheStoreNamed() throws Exception {
        Path log = lake().manifest("runs").localPath().orElseThrow().resolve("_delta_log");
        Files.createDirectories(log);
        Files.writeString(log.resolve("00000000000000000000.json"), "{\"not\": \"a delta action\"\n");
        ManifestStoreException read = assertThrows(ManifestStoreException.class, () -> store.runs());
        assertTrue(read.getMessage().startsWith("manifest store " + store.location() + ": cannot read runs"),
                read.getMessage());
        assertThrows(ManifestStoreException.class, () -> store.startRun(running("run-1", "key-a", T0)));
        assertEquals(List.of(), store.attempts("run-1"), "the other tables are unaffected");
    }

    @Test
    void anAttemptThatCouldNotBeWrittenInTheBackgroundFailsTheRunThatFinishes() throws Exception {
        RunRecord run = running("run-1", "key-a", T0);
        store.startRun(run);
        Path log = lake().manifest("tasks").localPath().orElseThrow().resolve("_delta_log");
        Files.createDirectories(log);
        Files.writeString(log.resolve("00000000000000000000.json"), "{\"not\": \"a delta action\"\n");
        TaskAttempt a = attempt("run-1", "extract", 1, T0, TaskStatus.SUCCEEDED);
        store.recordAttempt(a, threeArtifacts(a));  // queued: the broken table is found by the write, later

        RunRecord done = run.finished(RunStatus.SUCCEEDED, T0.plusSeconds(3), null);
        ManifestStoreException failed = assertThrows(ManifestStoreException.class, () -> store.finishRun(done));
        assertTrue(failed.getMessage().contains("run run-1: the manifest store could not record attempt 1 of extract"),
                failed.getMessage());
        RunRecord recorded = store.run("run-1").orElseThrow();
        assertEquals(RunStatus.FAILED, recorded.status(), "the run says its record is incomplete");
        assertTrue(recorded.error().startsWith("the manifest store could not record attempt 1 of extract: "),
                recorded.error());
        assertEquals(threeArtifacts(a), store.artifacts("run-1"), "the write before the failed one landed");

        RunRecord other = running("run-2", "key-b", T0);
        store.startRun(other);
        store.finishRun(other.finished(RunStatus.SUCCEEDED, T0.plusSeconds(1), null));  // its failure was run-1's only
    }

    @Test
    void onAnS3LakeTheStoreWritesReadsAndRegisters() throws Exception {
        try (S3TestEndpoint endpoint = S3TestEndpoint.start("manifest-lake")) {
            Lake s3 = new Lake(LakeLocation.parse("s3://manifest-lake/prod", List.of()));
            assertThrows(IllegalArgumentException.class, () -> DeltaManifestStore.open(s3, SessionOptions.defaults()),
                    "an S3 lake needs its bucket's store");
            try (ManifestStore onS3 = DeltaManifestStore.open(s3, SessionOptions.defaults().withS3Store(endpoint.store()));
                 EngineSession session = EngineSession.open()) {
                assertEquals("s3://manifest-lake/prod/manifest/", onS3.location());
                RunRecord run = running("run-1", "key-a", T0);
                onS3.startRun(run);
                TaskAttempt a = attempt("run-1", "extract", 1, T0, TaskStatus.SUCCEEDED);
                onS3.recordAttempt(a, threeArtifacts(a));
                onS3.recordAttempt(a, threeArtifacts(a));
                assertEquals(List.of(run), onS3.runs());
                assertEquals(List.of(a), onS3.attempts("run-1"));
                assertEquals(threeArtifacts(a), onS3.artifacts("run-1"));
                session.registerS3(endpoint.store());
                onS3.registerInto(session, "manifest");
                assertEquals(3L, session.collect("SELECT count(*) FROM manifest.artifacts").single());
            }
        }
    }
}
