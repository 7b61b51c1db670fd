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
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same dataset mechanisms over libcst_files_v1: write, register, views, validation. */
class CstViewsTest {

    @Test
    void theSharedMechanismsServeTheCstDataset(@TempDir Path tmp) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/pkg"));
        Files.writeString(source.resolve("m.py"), """
                import os
                from typing import List

                @cache
                def f(a: int, *rest: str) -> List[int]:
                    \"\"\"Doc.\"\"\"
                    return [os.sep, g(a, key=1)]
                """, StandardCharsets.UTF_8);
        Files.writeString(source.resolve("bad.py"), "def (:\n", StandardCharsets.UTF_8);
        ExtractResult extract = new ExtractTask().run(ExtractRequest.of(ExtractKind.CST, tmp.resolve("src"),
                tmp.resolve("staging")).withRepo("fixture"));
        DatasetContract contract = ContractLoader.load("libcst_files_v1");
        Lake lake = new Lake(LakeLocation.local(tmp.resolve("lake"), List.of(tmp)));
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(extract.stagingTable("staging", contract));
            var written = new MaterializeTask(session).run(MaterializeRequest.replace(contract, "staging", lake, "cst"));
            assertEquals(2, written.value().rows());
            assertTrue(written.artifact("datafusion_cst_output_writes_v1").isPresent());
        }
        try (EngineSession session = EngineSession.open()) {
            new RegisterDatasetTask(session).run(RegisterRequest.of(contract, lake));
            FeatureGates.Decision gates = new FeatureGates(session).run(contract).value();
            var views = new CreateViewsTask(session).run(contract, "libcst_files_v1", gates).value();
            assertEquals(contract.views().lists().size() + contract.views().attrViews().size(),
                    new ValidateViewsTask(session).run(contract, views).value());
            assertEquals(List.of("f"), session.collect("SELECT name FROM cst_defs").column("name"));
            assertEquals(1L, session.collect("SELECT count(*) FROM cst_parse_errors").single());
            // LibCST attrs are empty maps (their contract default): the attr views exist, validated above, and are empty
            assertEquals(0L, session.collect("SELECT count(*) FROM cst_def_attrs").single());
            assertEquals(List.of(1L, 2L), List.of(session.collect("SELECT count(*) FROM cst_callsites").single(),
                    session.collect("SELECT count(*) FROM cst_imports").single()));
        }
    }
}
