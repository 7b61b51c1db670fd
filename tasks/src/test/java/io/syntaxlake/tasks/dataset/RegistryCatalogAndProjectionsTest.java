package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.catalog.RegistryCatalogTask;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.DeltaWriter;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LibCST plan scopes 6 and 7 over real extracted code: the registry-backed catalog (both datasets
 * through the lake's pointers, in the layout each was written in) and the contract's scan-time
 * projections.
 */
class RegistryCatalogAndProjectionsTest {
    private final DatasetContract ast = ContractLoader.load("ast_files_v1");
    private final DatasetContract cst = ContractLoader.load("libcst_files_v1");
    private final DeltaLog deltaLog = new DeltaLog();

    @TempDir
    Path tmp;
    private Path source;
    private Lake lake;

    @BeforeEach
    void sourceTree() throws Exception {
        source = Files.createDirectories(tmp.resolve("src/pkg"));
        Files.writeString(source.resolve("m.py"), """
                import os

                def f(a):
                    return os.sep + g(a)
                """, StandardCharsets.UTF_8);
        Files.writeString(source.resolve("bad.py"), "def (:\n", StandardCharsets.UTF_8);
        lake = new Lake(LakeLocation.local(tmp.resolve("lake"), List.of(tmp)));
    }

    /** Extracts the tree and materializes it into the lake; returns the rows written. */
    private long materialize(DatasetContract contract, ExtractKind kind, String layout, String runId) {
        ExtractResult extract = new ExtractTask().run(ExtractRequest.of(kind, tmp.resolve("src"),
                tmp.resolve("staging/" + runId + "/" + kind)).withRepo("fixture"));
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(extract.stagingTable("staging", contract));
            return new MaterializeTask(session).run(MaterializeRequest.replace(contract, "staging", lake, runId)
                    .withLayout(layout)).value().rows();
        }
    }

    @Test
    void theRegistryCatalogServesEveryMaterializedDatasetInItsOwnLayout() throws Exception {
        assertEquals(2, materialize(ast, ExtractKind.AST, "repo_path", "r1"));
        try (EngineSession session = EngineSession.open()) {
            var first = new RegistryCatalogTask(session, deltaLog).run(lake, List.of(ast, cst), "syntaxlake", "lake");
            assertEquals(List.of("syntaxlake.lake.ast_files_v1"), first.value());
            var payload = first.artifact(RegistryCatalogTask.ARTIFACT).orElseThrow().payload();
            assertEquals(List.of("libcst_files_v1"), payload.get("not_materialized"));
            // the pointer's layout, not the contract's default: both partition columns at the end
            List<Object> columns = session.collect("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_catalog = 'syntaxlake' AND table_name = 'ast_files_v1' ORDER BY ordinal_position")
                    .column("column_name");
            assertEquals(List.of("repo", "path"), columns.subList(columns.size() - 2, columns.size()));
            assertEquals(2L, session.collect("SELECT count(*) FROM syntaxlake.lake.ast_files_v1").single());
            assertEquals(1L, session.collect("SELECT count(*) FROM syntaxlake.lake.ast_files_v1"
                    + " WHERE cardinality(errors) > 0").single());

            // a new generation of one dataset and the first of the other: publishing again serves both
            Files.writeString(source.resolve("n.py"), "x = 1\n", StandardCharsets.UTF_8);
            assertEquals(3, materialize(ast, ExtractKind.AST, "repo", "r2"));
            assertEquals(3, materialize(cst, ExtractKind.CST, "repo", "r2"));
            var second = new RegistryCatalogTask(session, deltaLog).run(lake, List.of(ast, cst), "syntaxlake", "lake");
            assertEquals(List.of("syntaxlake.lake.ast_files_v1", "syntaxlake.lake.libcst_files_v1"), second.value());
            assertEquals(3L, session.collect("SELECT count(*) FROM syntaxlake.lake.ast_files_v1").single());
            assertEquals(List.of("pkg/bad.py"), session.collect("SELECT path FROM syntaxlake.lake.libcst_files_v1"
                    + " WHERE cardinality(parse_errors) > 0").column("path"));

            // kept as Delta instead: the registry serves the selected snapshot (time travel)
            ExtractResult extract = new ExtractTask().run(ExtractRequest.of(ExtractKind.AST, tmp.resolve("src"),
                    tmp.resolve("staging/delta")).withRepo("fixture"));
            session.registerListingTable(extract.stagingTable("ast_staging", ast));
            DeltaWriter writer = new DeltaWriter(session, deltaLog);
            writer.write(ast, ast.table().layout(), "ast_staging", lake.delta(ast.name()), "first", true, "d1");
            writer.write(ast, ast.table().layout(), "ast_staging", lake.delta(ast.name()), "second", true, "d2");
            var delta = new RegistryCatalogTask(session, deltaLog).run(lake, List.of(ast, cst), "syntaxlake", "lake",
                    java.util.Map.of(ast.name(), DeltaSelector.version(1)));
            assertEquals(3L, session.collect("SELECT count(*) FROM syntaxlake.lake.ast_files_v1").single(),
                    "version 1 holds the first output only");
            @SuppressWarnings("unchecked")
            var tables = (List<Map<String, Object>>) delta.artifacts().get(0).payload().get("tables");
            assertEquals("delta", tables.get(0).get("format"));
            assertEquals("version 1", tables.get(0).get("selector"));
            new RegistryCatalogTask(session, deltaLog).run(lake, List.of(ast), "syntaxlake", "lake");
            assertEquals(6L, session.collect("SELECT count(*) FROM syntaxlake.lake.ast_files_v1").single(), "latest");
        }
    }

    @Test
    void aCatalogNameThatIsNotAPlainWordIsRefused() {
        try (EngineSession session = EngineSession.open()) {
            TaskFailedException error = assertThrows(TaskFailedException.class,
                    () -> new RegistryCatalogTask(session, deltaLog).run(lake, List.of(ast), "lake\"; DROP", "lake"));
            assertTrue(error.getMessage().contains("is not a valid catalog or schema name"), error.getMessage());
            assertEquals(0L, session.collect("SELECT count(*) FROM information_schema.schemata"
                    + " WHERE schema_name = 'lake'").single());
        }
    }

    @Test
    void plainColumnProjectionsArePushedIntoTheScanAndExpressionsBecomeViews() {
        materialize(cst, ExtractKind.CST, "repo", "r1");
        try (EngineSession session = EngineSession.open()) {
            new RegisterDatasetTask(session).run(RegisterRequest.of(cst, lake));
            var result = new ScanProjectionsTask(session).run(cst, "libcst_files_v1");
            assertEquals(List.copyOf(cst.table().scanProjections().keySet()), result.value());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> records = (List<Map<String, Object>>) result
                    .artifact("datafusion_cst_scan_projections_v1").orElseThrow().payload().get("projections");
            for (Map<String, Object> record : records) {
                assertEquals("scan", record.get("mode"), record.toString());
                assertEquals(record.get("projection_exprs"), record.get("columns"));
                assertEquals(record.get("columns"), record.get("scan_columns"));
            }
            assertEquals(2L, session.collect("SELECT count(DISTINCT file_sha256) FROM cst_files").single());
            assertEquals(List.of("pkg/bad.py"), session.collect("SELECT path FROM cst_parse_status"
                    + " WHERE cardinality(parse_errors) > 0").column("path"));

            DatasetContract tagged = withProjections(cst, Map.of("cst_tagged", List.of("*", "upper(path) AS path_tag")));
            var view = new ScanProjectionsTask(session).run(tagged, "libcst_files_v1");
            @SuppressWarnings("unchecked")
            var record = ((List<Map<String, Object>>) view.artifacts().get(0).payload().get("projections")).get(0);
            assertEquals("view", record.get("mode"));
            assertTrue(((String) record.get("reason")).contains("'*' is not a column"), record.toString());
            assertEquals(List.of("PKG/BAD.PY", "PKG/M.PY"), session.collect("SELECT path_tag FROM cst_tagged ORDER BY 1")
                    .column("path_tag"));

            DatasetContract broken = withProjections(cst, Map.of("cst_broken", List.of("path", "size")));
            TaskFailedException error = assertThrows(TaskFailedException.class,
                    () -> new ScanProjectionsTask(session).run(broken, "libcst_files_v1"));
            assertTrue(error.getMessage().contains("cst_broken [path, size]"), error.getMessage());
            assertTrue(error.getMessage().contains("size"), error.getMessage());
        }
    }

    private static DatasetContract withProjections(DatasetContract contract, Map<String, List<String>> projections) {
        var table = contract.table();
        return new DatasetContract(contract.name(), contract.version(), contract.description(), contract.schema(),
                new DatasetContract.TableSpec(table.format(), table.layouts(), table.defaultLayout(), table.parquetOptions(),
                        projections, table.listingCache(), table.collectStatistics(), table.segmentRows()),
                contract.requiredFunctions(), contract.featureMinVersions(), contract.views());
    }
}
