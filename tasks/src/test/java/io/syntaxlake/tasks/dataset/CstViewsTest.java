package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
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
            session.execute("CREATE TABLE no_defaults AS SELECT * FROM staging");
            TaskFailedException noDefault = assertThrows(TaskFailedException.class,
                    () -> new ColumnDefaultsTask(session).run(contract, "no_defaults"));
            assertTrue(noDefault.getMessage().contains("no column default for [attrs]"), noDefault.getMessage());
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
            // scope 5: the provider's own file schema and partitions match the contract's default layout
            var layout = new VerifyPartitionsTask(session).run(contract, "libcst_files_v1", contract.table().defaultLayout());
            assertEquals(java.util.Map.of("repo", "Utf8"), layout.value().partitionColumns());
            // the staging files registered without partitions: repo sits in the file schema instead
            session.registerListingTable(extract.stagingTable("unpartitioned", contract));
            TaskFailedException wrongLayout = assertThrows(TaskFailedException.class,
                    () -> new VerifyPartitionsTask(session).run(contract, "unpartitioned", contract.table().defaultLayout()));
            assertTrue(wrongLayout.getMessage().contains("repo: unexpected field"), wrongLayout.getMessage());
            assertTrue(wrongLayout.getMessage().contains("partition columns {repo=Utf8} expected, the provider has {}"),
                    wrongLayout.getMessage());

            // scope 2: attrs' default_value is the provider's default, and an INSERT that omits attrs gets {}
            assertEquals(List.of("attrs"), List.copyOf(new ColumnDefaultsTask(session).run(contract, "libcst_files_v1")
                    .value().keySet()));
            session.registerListingTable(extract.stagingTable("staging", contract));
            String columns = contract.fileSchema(contract.table().layout()).getFields().stream().map(f -> '"' + f.getName() + '"')
                    .filter(c -> !c.equals("\"attrs\"")).collect(java.util.stream.Collectors.joining(", "));
            session.collect("INSERT INTO libcst_files_v1 (" + columns + ", repo) SELECT " + columns
                    + ", 'inserted' FROM staging");
            assertEquals(List.of(0L, 0L), session.collect("SELECT CAST(cardinality(map_keys(attrs)) AS BIGINT) AS n FROM libcst_files_v1"
                    + " WHERE repo = 'inserted'").column("n"));
            assertEquals(2L, session.collect("SELECT count(*) FROM libcst_files_v1 WHERE repo = 'inserted'"
                    + " AND attrs IS NOT NULL").single());

            // LibCST attrs are empty maps (their contract default): the attr views exist, validated above, and are empty
            assertEquals(0L, session.collect("SELECT count(*) FROM cst_def_attrs").single());
            assertEquals(List.of(2L, 4L), List.of(session.collect("SELECT count(*) FROM cst_callsites").single(),
                    session.collect("SELECT count(*) FROM cst_imports").single()), "the inserted copy doubles them");
        }
    }
}
