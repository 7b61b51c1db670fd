package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ListingTableSpec;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scopes 2, 5, 6, 7, 8 and 10 over a materialized, registered fixture dataset. */
class ViewsValidationAndGatesTest {
    @TempDir
    static Path tmp;
    static ExtractedFixture fixture;
    static Lake lake;

    @BeforeAll
    static void materialize() throws Exception {
        fixture = ExtractedFixture.create(tmp);
        lake = new Lake(LakeLocation.local(tmp.resolve("lake"), List.of(tmp)));
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            new MaterializeTask(session).run(MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING,
                    lake, "views"));
        }
    }

    private static EngineSession registered() {
        EngineSession session = EngineSession.open();
        new RegisterDatasetTask(session).run(RegisterRequest.of(fixture.contract, lake));
        return session;
    }

    @Test
    void viewsAreCreatedValidatedAndAgreeWithTheNestedData() {
        try (EngineSession session = registered()) {
            FeatureGates.Decision gates = new FeatureGates(session).run(fixture.contract).value();
            assertTrue(gates.allows("map_entries") && gates.allows("arrow_metadata"));
            var views = new CreateViewsTask(session).run(fixture.contract, "ast_files_v1", gates);
            TaskResult<Integer> validation = new ValidateViewsTask(session).run(fixture.contract, views.value());
            assertEquals(12, validation.value());
            assertEquals(true, validation.artifact("datafusion_ast_view_validation_v1").orElseThrow().payload().get("ok"));

            long nodes = ((Number) session.collect("SELECT sum(cardinality(nodes)) FROM ast_files_v1").single()).longValue();
            assertEquals(nodes, session.collect("SELECT count(*) FROM ast_nodes").single());
            // byte spans from the view slice the def: "def run" starts at the decorator's line + 1
            assertEquals(List.of("run", "Helper", "helper"),
                    session.collect("SELECT name FROM ast_defs ORDER BY path, ast_id").column("name"));
            assertEquals(List.of(1, 0), session.collect("SELECT decorator_count FROM ast_defs WHERE name IN ('run', 'helper')"
                    + " ORDER BY name DESC").column("decorator_count"));
            assertEquals(List.of(1), session.collect("SELECT kwonly_count FROM ast_defs WHERE name = 'run'").column("kwonly_count"));
            assertEquals(1L, session.collect("SELECT count(*) FROM ast_errors").single());
            assertEquals(List.of("byte"), session.collect("SELECT DISTINCT ast_record['span']['col_unit'] AS u FROM ast_nodes"
                    + " WHERE lineno IS NOT NULL").column("u"));
            // attrs as key/value rows, and the lookup fragment
            assertEquals(List.of("h"), session.collect("SELECT attr_value FROM ast_node_attrs WHERE kind = 'alias'"
                    + " AND attr_key = 'asname'").column("attr_value"));
            assertEquals(List.of("helper"), session.collect("SELECT map_extract(attrs, 'name')[1] AS v FROM ast_nodes"
                    + " WHERE kind = 'alias' AND name = 'helper'").column("v"));

            var span = new SpanAbiTask(session).run(fixture.contract, "ast_files_v1", gates);
            assertTrue(((List<?>) span.value().get("mismatches")).isEmpty());
            @SuppressWarnings("unchecked")
            Map<String, Object> nodesAbi = (Map<String, Object>) ((Map<String, Object>) span.value().get("metadata")).get("nodes");
            assertEquals("0", nodesAbi.get("nodes_line_base"));
            assertEquals("true", nodesAbi.get("nodes_end_exclusive"));
        }
    }

    @Test
    void aDriftedTableFailsViewValidationWithADiffAndAnUnfitTableFailsViewCreation() {
        // the same rows read with path nullable (the contract says non-null): views build, validation sees it
        Schema loose = new Schema(fixture.contract.schema().getFields().stream()
                .map(f -> f.getName().equals("path") ? new Field("path", FieldType.nullable(f.getType()), List.of()) : f)
                .toList(), fixture.contract.schema().getCustomMetadata());
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(ListingTableSpec.plain("loose", fixture.extract.output().toUri().toString(),
                    fixture.extract.staging().listingFormat(), loose));
            FeatureGates.Decision gates = new FeatureGates(session).run(fixture.contract).value();
            var views = new CreateViewsTask(session).run(fixture.contract, "loose", gates);
            TaskFailedException failure = assertThrows(TaskFailedException.class,
                    () -> new ValidateViewsTask(session).run(fixture.contract, views.value()));
            assertTrue(failure.getMessage().contains("ast_nodes.path: is_nullable NO expected, found YES"), failure.getMessage());

            fixture.registerStaging(session);
            session.execute("CREATE VIEW drifted AS SELECT repo, path, file_id, file_sha256, edges AS nodes, edges, errors,"
                    + " docstrings, imports, defs, calls, type_ignores, attrs FROM " + ExtractedFixture.STAGING);
            TaskFailedException unfit = assertThrows(TaskFailedException.class,
                    () -> new CreateViewsTask(session).run(fixture.contract, "drifted", gates));
            assertTrue(unfit.getMessage().contains("view ast_nodes cannot be created over drifted"), unfit.getMessage());
        }
    }

    @Test
    void aWrongFunctionSignatureFailsNamingTheFunction() {
        DatasetContract wrong = new DatasetContract(fixture.contract.name(), fixture.contract.version(),
                fixture.contract.description(), fixture.contract.schema(), fixture.contract.table(),
                List.of(new DatasetContract.RequiredFunction("strpos", "SCALAR", List.of("Int64", "Int64")),
                        new DatasetContract.RequiredFunction("no_such_function", "SCALAR", List.of())),
                fixture.contract.featureMinVersions(), fixture.contract.views());
        try (EngineSession session = registered()) {
            FeatureGates.Decision gates = new FeatureGates(session).run(wrong).value();
            var views = new CreateViewsTask(session).run(wrong, "ast_files_v1", gates);
            TaskFailedException failure = assertThrows(TaskFailedException.class,
                    () -> new ValidateViewsTask(session).run(wrong, views.value()));
            assertTrue(failure.getMessage().contains("function strpos: no signature with IN parameters [Int64, Int64]"),
                    failure.getMessage());
            assertTrue(failure.getMessage().contains("function no_such_function: not found"), failure.getMessage());
        }
    }

    @Test
    void missingSpanMetadataFailsTheSpanAbiCheck() {
        Schema stripped = new Schema(fixture.contract.schema().getFields().stream().map(ViewsValidationAndGatesTest::strip).toList());
        try (EngineSession session = EngineSession.open()) {
            // NDJSON carries no schema of its own, so the stripped one is what the table reports
            ExtractResult ndjson = fixture.extractAsNdjson(tmp.resolve("ndjson"));
            session.registerListingTable(ListingTableSpec.plain("bare", ndjson.output().toUri().toString(),
                    ndjson.staging().listingFormat(), stripped));
            FeatureGates.Decision gates = new FeatureGates(session).run(fixture.contract).value();
            TaskFailedException failure = assertThrows(TaskFailedException.class,
                    () -> new SpanAbiTask(session).run(fixture.contract, "bare", gates));
            assertTrue(failure.getMessage().contains("nodes.span line_base: 0 expected, found missing"), failure.getMessage());
        }
    }

    @Test
    void featuresAboveTheEngineVersionAreDisabledAndRecorded() {
        Map<String, String> features = new HashMap<>(fixture.contract.featureMinVersions());
        features.put("map_entries", "99.0.0");
        DatasetContract future = new DatasetContract(fixture.contract.name(), fixture.contract.version(),
                fixture.contract.description(), fixture.contract.schema(), fixture.contract.table(),
                fixture.contract.requiredFunctions(), features, fixture.contract.views());
        try (EngineSession session = registered()) {
            var gates = new FeatureGates(session).run(future);
            assertFalse(gates.value().allows("map_entries"));
            assertTrue(gates.value().allows("arrow_metadata"));
            assertEquals(55, gates.artifacts().get(0).payload().get("datafusion_version_major"));
            assertEquals(List.of("map_entries"), gates.artifacts().get(0).payload().get("disabled_features"));
            var views = new CreateViewsTask(session).run(future, "ast_files_v1", gates.value());
            assertTrue(views.value().stream().noneMatch(DatasetViews.View::attrView));
            assertEquals(0L, session.collect("SELECT count(*) FROM information_schema.tables WHERE table_name = 'ast_node_attrs'").single());
        }
    }

    @Test
    void catalogAutoloadRegistersEveryDatasetDirectory() {
        var result = new CatalogAutoloadTask().run(lake, SessionOptions.defaults());
        try (EngineSession session = result.value()) {
            assertEquals(3L, session.collect("SELECT count(*) FROM \"default\".ast_files_v1").single());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> tables = (List<Map<String, Object>>) result.artifacts().get(0).payload().get("tables");
            Map<String, Object> table = tables.stream().filter(t -> "ast_files_v1".equals(t.get("table_name"))).findFirst().orElseThrow();
            assertEquals("default", table.get("table_schema"));
            assertTrue(((List<?>) table.get("columns")).containsAll(List.of("path", "file_id", "generation", "repo")));
        }
        TaskFailedException failure = assertThrows(TaskFailedException.class,
                () -> new CatalogAutoloadTask().run(new Lake(new LakeLocation("not a url/")), SessionOptions.defaults()));
        assertTrue(failure.getMessage().contains("not a url"), failure.getMessage());
    }

    private static Field strip(Field field) {
        List<Field> children = new ArrayList<>(field.getChildren().stream().map(ViewsValidationAndGatesTest::strip).toList());
        return new Field(field.getName(), new FieldType(field.isNullable(), field.getType(), field.getDictionary(), null), children);
    }
}
