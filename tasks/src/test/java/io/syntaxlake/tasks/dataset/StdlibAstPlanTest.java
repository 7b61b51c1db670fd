package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The AST plan's scopes, one after the other, over the standard library of the python3 in use. */
class StdlibAstPlanTest {

    @Test
    void everyScopeSucceedsOverTheStandardLibrary(@TempDir Path tmp) throws Exception {
        Path stdlib = io.syntaxlake.tasks.extract.PythonOracle.stdlib();
        ExtractResult extract = new ExtractTask().run(ExtractRequest.of(ExtractKind.AST, stdlib, tmp.resolve("staging"))
                .withExcludes(List.of("site-packages/*")).withRepo("cpython"));
        DatasetContract contract = ContractLoader.load("ast_files_v1");
        Lake lake = new Lake(LakeLocation.local(tmp.resolve("lake"), List.of(tmp)));
        long nodes;
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(extract.stagingTable("staging", contract));
            nodes = ((Number) session.collect("SELECT sum(cardinality(nodes)) FROM staging").single()).longValue();
            MaterializeResult written = new MaterializeTask(session)
                    .run(MaterializeRequest.replace(contract, "staging", lake, "stdlib")).value();
            assertEquals(extract.files(), written.rows());
        }
        try (EngineSession session = EngineSession.open()) {
            new RegisterDatasetTask(session).run(RegisterRequest.of(contract, lake));
            FeatureGates.Decision gates = new FeatureGates(session).run(contract).value();
            var views = new CreateViewsTask(session).run(contract, "ast_files_v1", gates).value();
            assertEquals(12, new ValidateViewsTask(session).run(contract, views).value());
            new SpanAbiTask(session).run(contract, "ast_files_v1", gates);

            assertEquals(extract.files(), session.collect("SELECT count(*) FROM ast_files_v1").single());
            assertEquals(nodes, session.collect("SELECT count(*) FROM ast_nodes").single());
            // every file's node count (from the extractor, after ast.walk) equals its rows in the view
            assertEquals(0L, session.collect("SELECT count(*) FROM (SELECT f.path, f.attrs['node_count'] AS expected,"
                    + " count(n.ast_id) AS actual FROM ast_files_v1 f LEFT JOIN ast_nodes n ON n.file_id = f.file_id"
                    + " WHERE f.attrs['node_count'] IS NOT NULL GROUP BY f.path, f.attrs['node_count'])"
                    + " WHERE CAST(expected AS BIGINT) <> actual").single());
            assertEquals(extract.errorFiles(), session.collect("SELECT count(DISTINCT file_id) FROM ast_errors").single());
            assertTrue(((Number) session.collect("SELECT count(*) FROM ast_defs WHERE kind = 'ClassDef'").single()).longValue() > 1000);
        }
        var autoload = new CatalogAutoloadTask().run(lake, SessionOptions.defaults());
        try (EngineSession session = autoload.value()) {
            assertEquals(extract.files(), session.collect("SELECT count(*) FROM \"default\".ast_files_v1").single());
        }
    }
}
