package io.syntaxlake.routes.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.routes.run.RunOutcome;
import io.syntaxlake.routes.run.RunService;
import io.syntaxlake.routes.testing.PipelineTestProfile;
import io.syntaxlake.routes.testing.SourceEdits;
import io.syntaxlake.tasks.dataset.RegisterDatasetTask;
import io.syntaxlake.tasks.dataset.RegisterRequest;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.extract.FileTrees;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import io.syntaxlake.tasks.manifest.ArtifactRecord;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Incremental runs against full runs, through the routes: a real tree (standard-library packages)
 * edited at random, each edit followed by an incremental run into one lake and a full run of the
 * same tree into a fresh lake; the two tables are equal row for row, and so are the validation,
 * view, snapshot and partition artifacts.
 */
@QuarkusTest
@TestProfile(PipelineTestProfile.class)
class IncrementalRunsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Artifacts that describe the published data, not where it went: equal after equal runs. */
    private static final List<String> COMPARED = List.of("view_validation_v1", "dfschema_v1", "view_plans_v1",
            "views_v1", "span_metadata_v1", "schema_diagnostics_v1", "partition_verification_v1", "scan_projections_v1",
            "constraints_v1", "feature_gates_v1", "parquet_options_v1", "prepared_statements_v1");

    @Inject
    RunService runs;

    @Test
    void astEditsFollowedByIncrementalRunsEqualFullRunsInParquet() throws Exception {
        editAndCompare("ast-pipeline", "ast_files_v1", OutputFormat.PARQUET, List.of("email", "json", "wsgiref"), 32);
    }

    @Test
    void astEditsFollowedByIncrementalRunsEqualFullRunsInDelta() throws Exception {
        editAndCompare("ast-pipeline", "ast_files_v1", OutputFormat.DELTA, List.of("email", "json", "wsgiref"), 31);
    }

    @Test
    void cstEditsFollowedByIncrementalRunsEqualFullRunsInParquet() throws Exception {
        editAndCompare("cst-pipeline", "libcst_files_v1", OutputFormat.PARQUET, List.of("json", "wsgiref"), 30);
    }

    @Test
    void cstEditsFollowedByIncrementalRunsEqualFullRunsInDelta() throws Exception {
        editAndCompare("cst-pipeline", "libcst_files_v1", OutputFormat.DELTA, List.of("json", "wsgiref"), 30);
    }

    private void editAndCompare(String route, String dataset, OutputFormat format, List<String> packages, int steps)
            throws Exception {
        String name = route + "-" + format.label();
        DatasetContract contract = ContractLoader.load(dataset);
        Path source = Files.createDirectories(PipelineTestProfile.ROOT.resolve(name + "-edited-tree"));
        SourceEdits edits = new SourceEdits(source, SourceEdits.copyStdlib(source, packages), 20261207L);
        Lake lake = lake(name + "-incremental");
        RunOutcome first = runs.run(request(route, source, lake, format, false), RunProgress.NONE);
        assertTrue(first.succeeded(), () -> "first run failed: " + first.run().error());
        assertEquals("full", sources(first, contract).path("mode").asText());
        int incremental = 0;
        for (int i = 0; i < steps; i++) {
            String edit = edits.next();
            RunOutcome run = runs.run(request(route, source, lake, format, false), RunProgress.NONE);
            assertTrue(run.succeeded(), () -> edit + ": the incremental run failed: " + run.run().error());
            Lake fresh = lake(name + "-full-" + i);
            RunOutcome full = runs.run(request(route, source, fresh, format, true), RunProgress.NONE);
            assertTrue(full.succeeded(), () -> edit + ": the full run failed: " + full.run().error());
            if (!run.reused()) {
                JsonNode counts = sources(run, contract);
                assertEquals("incremental", counts.path("mode").asText(), edit);
                incremental++;
                List<String> differences = new java.util.ArrayList<>();
                differ("", JSON.valueToTree(artifacts(full, contract)), JSON.valueToTree(artifacts(run, contract)),
                        differences);
                assertEquals(List.of(), differences, edit);
            }
            assertEquals(rows(fresh, contract, format), rows(lake, contract, format), edit);
            FileTrees.delete(fresh.root().localPath().orElseThrow());
        }
        assertTrue(incremental >= steps - 5, "only " + incremental + " of " + steps + " edits ran incrementally");
    }

    /** Where two JSON trees differ (JSON pointers with both values), at most a few. */
    private static void differ(String at, JsonNode full, JsonNode incremental, List<String> out) {
        if (out.size() >= 5 || full.equals(incremental)) {
            return;
        }
        if (full.isObject() && incremental.isObject()) {
            java.util.Set<String> names = new java.util.TreeSet<>();
            full.fieldNames().forEachRemaining(names::add);
            incremental.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                differ(at + "/" + name, full.path(name), incremental.path(name), out);
            }
        } else if (full.isArray() && incremental.isArray() && full.size() == incremental.size()) {
            for (int i = 0; i < full.size(); i++) {
                differ(at + "/" + i, full.get(i), incremental.get(i), out);
            }
        } else {
            String a = full.toString();
            String b = incremental.toString();
            out.add(at + ": full " + a.substring(0, Math.min(300, a.length())) + " incremental "
                    + b.substring(0, Math.min(300, b.length())));
        }
    }

    private static Lake lake(String name) throws Exception {
        return new Lake(LakeLocation.local(Files.createDirectories(PipelineTestProfile.ROOT.resolve(name)), List.of()));
    }

    private static PipelineRequest request(String route, Path source, Lake lake, OutputFormat format, boolean full) {
        return new PipelineRequest(route, Optional.of(source), lake, "stdlib", format, List.of(), "test", false, full);
    }

    /** The table's rows ordered by (repo, path), every column. */
    private static List<List<Object>> rows(Lake lake, DatasetContract contract, OutputFormat format) {
        try (EngineSession session = EngineSession.open()) {
            if (format == OutputFormat.DELTA) {
                new RegisterDeltaTask(session, new DeltaLog(session)).run(contract, lake.delta(contract.name()),
                        DeltaSelector.latest(), "t");
            } else {
                new RegisterDatasetTask(session).run(RegisterRequest.of(contract, lake).withTable("t"));
            }
            return session.collect("SELECT * FROM t ORDER BY repo, path").rows();
        }
    }

    private static JsonNode sources(RunOutcome outcome, DatasetContract contract) throws Exception {
        String name = "syntaxlake_" + contract.views().prefix() + "_extract_v1";
        for (ArtifactRecord artifact : outcome.artifacts()) {
            if (artifact.name().equals(name)) {
                return JSON.readTree(artifact.payloadJson()).path("sources");
            }
        }
        throw new AssertionError("run " + outcome.run().runId() + " recorded no " + name);
    }

    /** The compared artifacts by name, without what depends on the run's history. */
    private static Map<String, JsonNode> artifacts(RunOutcome outcome, DatasetContract contract) throws Exception {
        Map<String, JsonNode> out = new TreeMap<>();
        for (ArtifactRecord artifact : outcome.artifacts()) {
            for (String suffix : COMPARED) {
                if (artifact.name().equals("datafusion_" + contract.views().prefix() + "_" + suffix)
                        || artifact.name().equals("datafusion_" + suffix) && suffix.startsWith("prepared")) {
                    ObjectNode payload = (ObjectNode) JSON.readTree(artifact.payloadJson());
                    payload.remove("compared_with_previous");
                    // how many files a generation has, and which, is the layout's business
                    payload.remove(List.of("files", "generation"));
                    out.put(artifact.name(), payload);
                }
            }
        }
        return out;
    }
}
