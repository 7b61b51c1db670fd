package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The two parsers agree: for undecorated defs, LibCST's def byte span is the AST def's byte span. */
class CrossSourceSpansTest {

    @Test
    void undecoratedDefSpansAgreeAcrossAstAndCst(@TempDir Path tmp) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("plain.py"), """
                def top(a, b=1):
                    return a + b

                class Ünïcode:
                    \"\"\"héllo\"\"\"
                    def méthode(self):
                        def inner():
                            pass
                        return inner

                    async def fetch(self, *args, **kw):
                        await self.go()  # trailing comment
                """, StandardCharsets.UTF_8);
        Files.writeString(source.resolve("crlf.py"), "\ufeffdef f():\r\n    x = 'é'\r\n    return x\r\n\r\nclass K(object): pass\r\n");
        Files.writeString(source.resolve("decorated.py"), "@dec\ndef g():\n    pass\n\ndef h():\n    pass\n");
        ExtractTask task = new ExtractTask();
        ExtractResult ast = task.run(ExtractRequest.of(ExtractKind.AST, source, tmp.resolve("ast")).withRepo("r"));
        ExtractResult cst = task.run(ExtractRequest.of(ExtractKind.CST, source, tmp.resolve("cst")).withRepo("r"));
        DatasetContract astContract = ContractLoader.load("ast_files_v1");
        DatasetContract cstContract = ContractLoader.load("libcst_files_v1");
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(ast.stagingTable("ast_files_v1", astContract));
            session.registerListingTable(cst.stagingTable("libcst_files_v1", cstContract));
            for (DatasetContract contract : new DatasetContract[] {astContract, cstContract}) {
                FeatureGates.Decision gates = new FeatureGates(session).run(contract).value();
                new CreateViewsTask(session).run(contract, contract.name(), gates);
            }
            String undecorated = "FROM ast_defs a JOIN cst_defs c ON a.file_id = c.file_id AND a.name = c.name"
                    + " WHERE a.decorator_count = 0 AND c.decorator_count = 0";
            long pairs = (Long) session.collect("SELECT count(*) " + undecorated).single();
            assertEquals(8L, pairs, "top, Ünïcode, méthode, inner, fetch, f, K, h");
            assertEquals(0L, session.collect("SELECT count(*) " + undecorated
                    + " AND (a.bstart <> c.def_bstart OR a.bend <> c.def_bend)").single(),
                    () -> session.collect("SELECT a.path, a.name, a.bstart, a.bend, c.def_bstart, c.def_bend " + undecorated)
                            .rows().toString());
            assertTrue((Long) session.collect("SELECT count(*) FROM cst_defs WHERE decorator_count > 0").single() == 1L);
        }
    }
}
