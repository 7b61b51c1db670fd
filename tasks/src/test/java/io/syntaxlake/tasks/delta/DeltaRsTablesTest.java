package io.syntaxlake.tasks.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.extract.PythonOracle;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tables written by deltalake (delta-rs, an independent implementation): partitioned, several
 * versions including an overwrite (remove actions) and a checkpoint. SyntaxLake registers every
 * version and must return exactly the rows deltalake returns for it.
 */
class DeltaRsTablesTest {
    /**
     * Ends a deltalake script: flushes its output and exits without interpreter teardown, where
     * pyarrow's and delta-rs's native threads sometimes abort the process ("terminate called
     * without an active exception") after the work is done.
     */
    static final String EXIT = "import os, sys; sys.stdout.flush(); os._exit(0)";

    private static final String WRITE_VERSIONS = """
            import sys, json
            import pyarrow as pa
            from deltalake import DeltaTable, write_deltalake
            path = sys.argv[1]
            def batch(ids, region):
                return pa.table({"id": pa.array(ids, pa.int64()), "name": [f"n{i}" for i in ids],
                                 "region": [region] * len(ids)})
            write_deltalake(path, batch([1, 2, 3], "eu"), partition_by=["region"])
            write_deltalake(path, batch([4, 5], "us"), mode="append")
            write_deltalake(path, batch([6], "eu"), mode="overwrite")
            write_deltalake(path, batch([7, 8], "us 1/ü"), mode="append")
            DeltaTable(path).create_checkpoint()
            for version in range(4):
                t = DeltaTable(path, version=version).to_pyarrow_table()
                rows = sorted(zip(t.column("id").to_pylist(), t.column("name").to_pylist(), t.column("region").to_pylist()))
                print(json.dumps([version, [list(r) for r in rows]], ensure_ascii=False))
            %s""".formatted(EXIT);

    private final DeltaLog log = new DeltaLog();

    @Test
    void everyVersionOfADeltaRsTableReadsAsDeltaRsReadsIt(@TempDir Path tmp) throws Exception {
        Path table = tmp.resolve("t");
        List<String> expected = PythonOracle.run(WRITE_VERSIONS, table.toString());
        assertEquals(4, expected.size());
        assertTrue(Files.list(table.resolve("_delta_log")).anyMatch(p -> p.toString().endsWith(".checkpoint.parquet")));
        LakeLocation location = LakeLocation.local(table, List.of(tmp));
        try (EngineSession session = EngineSession.open()) {
            RegisterDeltaTask register = new RegisterDeltaTask(session, log);
            for (int version = 0; version < 4; version++) {
                register.run(null, location, DeltaSelector.version(version), "t");
                String rows = session.collect("SELECT id, name, region FROM t ORDER BY id, name, region").rows().stream()
                        .map(r -> "[" + r.get(0) + ", \"" + r.get(1) + "\", \"" + r.get(2) + "\"]")
                        .collect(Collectors.joining(", ", "[" + version + ", [", "]]"));
                assertEquals(expected.get(version), rows, "version " + version);
            }
            var latest = register.run(null, location, DeltaSelector.latest(), "t");
            assertEquals(3L, latest.value());
            assertEquals(List.of("region"), latest.artifacts().get(0).payload().get("partition_columns"));
        }
    }

    @Test
    void aTableWithDeletionVectorsIsRefusedNamingThem(@TempDir Path tmp) throws Exception {
        Path table = tmp.resolve("t");
        // delta-rs writes no deletion vectors; this commit adds one to a file, as Spark's DELETE would
        PythonOracle.run("""
                import sys, json, os
                import pyarrow as pa
                from deltalake import DeltaTable, write_deltalake
                path = sys.argv[1]
                write_deltalake(path, pa.table({"id": pa.array([1, 2, 3], pa.int64())}))
                add = pa.table(DeltaTable(path).get_add_actions(flatten=True)).to_pylist()[0]
                dv = {"storageType": "i", "pathOrInlineDv": "wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L",
                      "sizeInBytes": 40, "cardinality": 1}
                actions = [
                    {"protocol": {"minReaderVersion": 3, "minWriterVersion": 7,
                                  "readerFeatures": ["deletionVectors"], "writerFeatures": ["deletionVectors"]}},
                    {"remove": {"path": add["path"], "dataChange": True, "deletionTimestamp": 1}},
                    {"add": {"path": add["path"], "size": add["size_bytes"], "partitionValues": {},
                             "modificationTime": 1, "dataChange": True, "deletionVector": dv}},
                ]
                with open(os.path.join(path, "_delta_log", "00000000000000000001.json"), "w") as f:
                    f.write("\\n".join(json.dumps(a) for a in actions) + "\\n")
                %s""".formatted(EXIT), table.toString());
        LakeLocation location = LakeLocation.local(table, List.of(tmp));
        try (EngineSession session = EngineSession.open()) {
            RegisterDeltaTask register = new RegisterDeltaTask(session, log);
            assertEquals(0L, register.run(null, location, DeltaSelector.version(0), "before").value());
            assertEquals(3L, session.collect("SELECT count(*) FROM before").single());
            TaskFailedException error = assertThrows(TaskFailedException.class,
                    () -> register.run(null, location, DeltaSelector.latest(), "after"));
            assertTrue(error.getMessage().contains("1 file(s) carry deletion vectors"), error.getMessage());
            assertTrue(error.getMessage().contains("version 1"), error.getMessage());
        }
    }
}
