package io.syntaxlake.routes.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.routes.run.ManifestStores;
import io.syntaxlake.routes.run.QueryableLake;
import io.syntaxlake.routes.run.RunOutcome;
import io.syntaxlake.routes.run.RunService;
import io.syntaxlake.routes.testing.FaultInjector;
import io.syntaxlake.routes.testing.PipelineTestProfile;
import io.syntaxlake.routes.testing.PythonTrees;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import io.syntaxlake.tasks.manifest.ManifestStore;
import io.syntaxlake.tasks.manifest.RunStatus;
import io.syntaxlake.tasks.manifest.TaskAttempt;
import io.syntaxlake.tasks.manifest.TaskStatus;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Whole routes through Camel, each over real Python sources into a lake of its own, with the
 * manifest read back: success, a failing task, a retry, an idempotent rerun, Delta output.
 */
@QuarkusTest
@TestProfile(PipelineTestProfile.class)
class PipelineRunsTest {
    private static final List<String> DATASET_TASKS =
            List.of("extract", "register", "validate", "views", "materialize", "snapshot", "publish");

    @Inject
    RunService runs;

    @Inject
    ManifestStores stores;

    @Inject
    FaultInjector faults;

    private static Path dir(String name) throws Exception {
        return Files.createDirectories(PipelineTestProfile.ROOT.resolve(name));
    }

    private static Lake lake(String name) throws Exception {
        return new Lake(LakeLocation.local(dir(name), List.of()));
    }

    private static PipelineRequest request(String route, Path source, Lake lake, OutputFormat format) {
        return new PipelineRequest(route, Optional.ofNullable(source), lake, "fixture", format, List.of(), "test", false);
    }

    private static Map<String, TaskAttempt> lastAttempts(ManifestStore manifest, String runId) {
        return manifest.attempts(runId).stream().collect(Collectors.toMap(TaskAttempt::taskId, a -> a, (a, b) -> b));
    }

    private static List<String> generations(Lake lake) {
        try (EngineSession session = EngineSession.open()) {
            return new DatasetGenerations(session, lake, "ast_files_v1").generations();
        }
    }

    @Test
    void astPipelinePublishesTheDatasetItsViewsAndTheManifest() throws Exception {
        Path source = dir("ast-source");
        int files = PythonTrees.write(source);
        Lake lake = lake("ast-lake");

        RunOutcome outcome = runs.run(request("ast-pipeline", source, lake, OutputFormat.PARQUET), RunProgress.NONE);

        assertTrue(outcome.succeeded(), () -> "run failed: " + outcome.run().error());
        ManifestStore manifest = stores.forLake(lake);
        Map<String, TaskAttempt> attempts = lastAttempts(manifest, outcome.run().runId());
        assertEquals(DATASET_TASKS.stream().sorted().toList(), attempts.keySet().stream().sorted().toList());
        attempts.values().forEach(a -> assertEquals(TaskStatus.SUCCEEDED, a.status(), a.taskId()));
        assertTrue(outcome.artifacts().stream().anyMatch(a -> a.name().equals("syntaxlake_ast_publish_v1")));
        assertTrue(outcome.artifacts().stream().anyMatch(a -> a.name().equals("datafusion_ast_dfschema_v1")));

        try (EngineSession session = EngineSession.open()) {
            List<String> tables = QueryableLake.register(session, lake, manifest);
            assertTrue(tables.containsAll(List.of("ast_files_v1", "ast_nodes", "ast_defs", "ast_errors")), tables::toString);
            assertEquals((long) files, session.collect("SELECT count(*) FROM ast_files_v1").single());
            assertEquals(List.of("pkg/broken.py"), session.collect(
                    "SELECT DISTINCT f.path FROM ast_errors e JOIN ast_files_v1 f ON e.file_id = f.file_id").column("path"));
            assertTrue(session.collect("SELECT name FROM ast_defs").column("name").containsAll(List.of("Greeter", "greet", "größe")));
            assertEquals(List.of(outcome.run().runId()), session.collect(
                    "SELECT run_id FROM manifest.runs WHERE status = 'succeeded'").column("run_id"));
            assertEquals((long) DATASET_TASKS.size(), session.collect(
                    "SELECT count(*) FROM manifest.tasks WHERE run_id = '" + outcome.run().runId() + "'").single());
        }
    }

    @Test
    void aFailedTaskStopsItsDependantsAndIsRecordedWhileOtherRunsGoOn() throws Exception {
        Lake lake = lake("failing-lake");
        Path missing = PipelineTestProfile.ROOT.resolve("no-such-source");

        RunOutcome failed = runs.run(request("ast-pipeline", missing, lake, OutputFormat.PARQUET), RunProgress.NONE);

        assertFalse(failed.succeeded());
        assertEquals(Optional.of("extract"), failed.failedTask());
        assertTrue(failed.run().error().contains(missing.toString()), failed.run().error());
        ManifestStore manifest = stores.forLake(lake);
        assertEquals(RunStatus.FAILED, manifest.run(failed.run().runId()).orElseThrow().status());
        List<TaskAttempt> attempts = manifest.attempts(failed.run().runId());
        // not transient: one attempt, no retry
        assertEquals(1, attempts.stream().filter(a -> a.taskId().equals("extract")).count());
        TaskAttempt extract = attempts.stream().filter(a -> a.taskId().equals("extract")).findFirst().orElseThrow();
        assertEquals(TaskStatus.FAILED, extract.status());
        assertTrue(extract.error().contains("is not a directory"), extract.error());
        for (String dependant : DATASET_TASKS.subList(1, DATASET_TASKS.size())) {
            TaskAttempt skipped = attempts.stream().filter(a -> a.taskId().equals(dependant)).findFirst().orElseThrow();
            assertEquals(TaskStatus.SKIPPED, skipped.status(), dependant);
            assertEquals("not run: extract failed", skipped.error());
        }
        assertFalse(Files.exists(lake.dataset("ast_files_v1").localPath().orElseThrow()), "nothing was written");

        Path source = dir("after-failure-source");
        PythonTrees.write(source);
        RunOutcome next = runs.run(request("ast-pipeline", source, lake, OutputFormat.PARQUET), RunProgress.NONE);
        assertTrue(next.succeeded(), () -> "the next run failed: " + next.run().error());
        assertEquals(RunStatus.FAILED, manifest.run(failed.run().runId()).orElseThrow().status());
    }

    @Test
    void aTransientFaultIsRetriedAndTheRunSucceeds() throws Exception {
        Path source = dir("retry-source");
        PythonTrees.write(source);
        Lake lake = lake("retry-lake");
        faults.failFirstAttemptOf("ast-pipeline", "register");

        RunOutcome outcome = runs.run(request("ast-pipeline", source, lake, OutputFormat.PARQUET), RunProgress.NONE);

        assertTrue(outcome.succeeded(), () -> "run failed: " + outcome.run().error());
        List<TaskAttempt> register = stores.forLake(lake).attempts(outcome.run().runId()).stream()
                .filter(a -> a.taskId().equals("register")).toList();
        assertEquals(List.of(1, 2), register.stream().map(TaskAttempt::attempt).toList(),
                () -> "attempts: " + stores.forLake(lake).attempts(outcome.run().runId()));
        assertEquals(TaskStatus.FAILED, register.get(0).status());
        assertTrue(register.get(0).error().contains("injected transient fault"), register.get(0).error());
        assertEquals(TaskStatus.SUCCEEDED, register.get(1).status());
    }

    @Test
    void aRerunWithTheSameParametersAndInputsIsIdempotent() throws Exception {
        Path source = dir("rerun-source");
        int files = PythonTrees.write(source);
        Lake lake = lake("rerun-lake");
        PipelineRequest request = request("ast-pipeline", source, lake, OutputFormat.PARQUET);

        RunOutcome first = runs.run(request, RunProgress.NONE);
        assertTrue(first.succeeded(), () -> "run failed: " + first.run().error());
        String generation = generations(lake).get(0);
        ManifestStore manifest = stores.forLake(lake);
        int runsBefore = manifest.runs().size();

        RunOutcome again = runs.run(request, RunProgress.NONE);
        assertTrue(again.reused());
        assertEquals(first.run().runId(), again.run().runId());
        assertEquals(runsBefore, manifest.runs().size());
        assertEquals(List.of(generation), generations(lake));

        // an edited input is new work
        Files.writeString(source.resolve("added.py"), "x = 1\n");
        RunOutcome changed = runs.run(request, RunProgress.NONE);
        assertFalse(changed.reused());
        assertTrue(changed.succeeded(), () -> "run failed: " + changed.run().error());

        // forced: runs again and replaces, never duplicates
        RunOutcome forced = runs.run(request.forced(), RunProgress.NONE);
        assertTrue(forced.succeeded() && !forced.reused());
        try (EngineSession session = EngineSession.open()) {
            QueryableLake.register(session, lake, manifest);
            assertEquals((long) files + 1, session.collect("SELECT count(*) FROM ast_files_v1").single());
        }
    }

    @Test
    void cstPipelineWritesADeltaTable() throws Exception {
        Path source = dir("cst-source");
        int files = PythonTrees.write(source);
        Lake lake = lake("cst-lake");

        RunOutcome outcome = runs.run(request("cst-pipeline", source, lake, OutputFormat.DELTA), RunProgress.NONE);

        assertTrue(outcome.succeeded(), () -> "run failed: " + outcome.run().error());
        assertTrue(Files.isDirectory(lake.delta("libcst_files_v1").localPath().orElseThrow().resolve("_delta_log")));
        try (EngineSession session = EngineSession.open()) {
            List<String> tables = QueryableLake.register(session, lake, stores.forLake(lake));
            assertTrue(tables.containsAll(List.of("libcst_files_v1", "cst_defs", "cst_imports")), tables::toString);
            assertEquals((long) files, session.collect("SELECT count(*) FROM libcst_files_v1").single());
            assertTrue(session.collect("SELECT name FROM cst_defs").column("name").contains("Greeter"));
        }
    }

    @Test
    void snapshotDiffComparesTheLastTwoRuns() throws Exception {
        Path source = dir("diff-source");
        PythonTrees.write(source);
        Lake lake = lake("diff-lake");
        PipelineRequest ast = request("ast-pipeline", source, lake, OutputFormat.PARQUET);
        assertTrue(runs.run(ast, RunProgress.NONE).succeeded());
        assertTrue(runs.run(ast.forced(), RunProgress.NONE).succeeded());

        RunOutcome diff = runs.run(request("snapshot-diff", null, lake, OutputFormat.PARQUET), RunProgress.NONE);

        assertTrue(diff.succeeded(), () -> "run failed: " + diff.run().error());
        var astDiff = diff.artifacts().stream().filter(a -> a.name().equals("syntaxlake_ast_snapshot_diff_v1")).findFirst().orElseThrow();
        assertTrue(astDiff.payloadJson().contains("\"runs_compared\":2"), astDiff.payloadJson());
        assertTrue(astDiff.payloadJson().contains("\"changes\":[]"), astDiff.payloadJson());
        var cstDiff = diff.artifacts().stream().filter(a -> a.name().equals("syntaxlake_cst_snapshot_diff_v1")).findFirst().orElseThrow();
        assertTrue(cstDiff.payloadJson().contains("\"runs_compared\":0"), cstDiff.payloadJson());
    }
}
