package io.syntaxlake.tasks.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.dataset.ExtractedFixture;
import io.syntaxlake.tasks.extract.PythonOracle;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Delta tables written and read by SyntaxLake (kernel for the log, the engine for the data),
 * with deltalake (delta-rs, an independent implementation) as the oracle in both directions.
 */
class DeltaTablesTest {
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final DeltaLog log = new DeltaLog();

    private static final String READ_WITH_DELTA_RS = """
            import sys, json
            from deltalake import DeltaTable
            t = DeltaTable(sys.argv[1], version=int(sys.argv[2]) if len(sys.argv) > 2 else None)
            data = t.to_pyarrow_table()
            print(json.dumps({"version": t.version(), "rows": data.num_rows,
                              "columns": data.schema.names, "partitions": t.metadata().partition_columns,
                              "paths": sorted(data.column("path").to_pylist())}))
            %s""".formatted(DeltaRsTablesTest.EXIT);

    @Test
    void writesReplacesAndAppendsByOutputKeyAndDeltaRsReadsEveryVersion(@TempDir Path tmp) throws Exception {
        ExtractedFixture fixture = ExtractedFixture.create(tmp);
        DatasetContract contract = fixture.contract;
        LakeLocation table = LakeLocation.local(tmp.resolve("lake/delta/ast_files_v1"), List.of(tmp));
        DatasetContract.Layout layout = contract.table().layout();
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            DeltaWriter writer = new DeltaWriter(session, log);
            var first = writer.write(contract, layout, ExtractedFixture.STAGING, table, "fixture", true, "r1-1");
            assertEquals(1, first.version(), "version 0 creates the table, version 1 adds the files");
            assertTrue(first.created());
            assertEquals(3, first.rows());
            // a rerun of the same output replaces it in one commit: no duplicates
            var rerun = writer.write(contract, layout, ExtractedFixture.STAGING, table, "fixture", true, "r2-1");
            assertEquals(2, rerun.version());
            assertEquals(first.files(), rerun.removedFiles());
            // another output key appends beside it
            var other = writer.write(contract, layout, ExtractedFixture.STAGING, table, "other", true, "r3-1");
            assertEquals(0, other.removedFiles());

            RegisterDeltaTask register = new RegisterDeltaTask(session, log);
            assertEquals(3L, register.run(contract, table, DeltaSelector.latest(), "ast_delta").value());
            assertEquals(6L, session.collect("SELECT count(*) FROM ast_delta").single());
            // one broken file in each key's output
            assertEquals(2L, session.collect("SELECT count(*) FROM ast_delta WHERE cardinality(errors) > 0").single());
            for (long version = 1; version <= 3; version++) {
                var registered = register.run(contract, table, DeltaSelector.version(version), "v");
                long ours = (Long) session.collect("SELECT count(*) FROM v").single();
                String theirs = PythonOracle.run(READ_WITH_DELTA_RS, table.localPath().orElseThrow().toString(),
                        Long.toString(version)).get(0);
                var read = JSON.readTree(theirs);
                assertEquals(ours, read.get("rows").asLong(), "version " + version + ": " + theirs);
                assertEquals(List.of("repo"), JSON.convertValue(read.get("partitions"), List.class));
                // delta-rs reads the contract's columns in the contract's order; the engine has the
                // same columns with the partition column last
                List<String> theirColumns = JSON.convertValue(read.get("columns"), List.class);
                assertEquals(contract.schema().getFields().stream().map(f -> f.getName()).toList(), theirColumns);
                assertEquals(new java.util.TreeSet<>(theirColumns),
                        new java.util.TreeSet<>(session.collect("SELECT * FROM v LIMIT 0").columnNames()));
                assertEquals(session.collect("SELECT path FROM v ORDER BY path").column("path"),
                        JSON.convertValue(read.get("paths"), List.class));
                assertEquals(version, registered.value());
            }
            var artifact = register.run(contract, table, DeltaSelector.latest(), "ast_delta")
                    .artifact(RegisterDeltaTask.ARTIFACT).orElseThrow().payload();
            assertEquals(contract.identityHash(), artifact.get("schema_identity_hash"));
            assertEquals(6L, artifact.get("rows_in_log_stats"));
        }
    }

    @Test
    void aTableOfAnotherContractIsNeitherRegisteredNorAppendedTo(@TempDir Path tmp) throws Exception {
        ExtractedFixture fixture = ExtractedFixture.create(tmp);
        LakeLocation table = LakeLocation.local(tmp.resolve("lake/delta/t"), List.of(tmp));
        DatasetContract cst = ContractLoader.load("libcst_files_v1");
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            new DeltaWriter(session, log).write(fixture.contract, fixture.contract.table().layout(),
                    ExtractedFixture.STAGING, table, "fixture", true, "r1-1");
            TaskFailedException register = assertThrows(TaskFailedException.class,
                    () -> new RegisterDeltaTask(session, log).run(cst, table, DeltaSelector.latest(), "t"));
            assertTrue(register.getMessage().contains("written under schema identity " + fixture.contract.identityHash()),
                    register.getMessage());
            TaskFailedException missing = assertThrows(TaskFailedException.class,
                    () -> new RegisterDeltaTask(session, log).run(null, table, DeltaSelector.version(9), "t"));
            assertTrue(missing.getMessage().contains("version 9"), missing.getMessage());
        }
    }
}
