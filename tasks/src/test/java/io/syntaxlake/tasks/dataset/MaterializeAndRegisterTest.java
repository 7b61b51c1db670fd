package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scopes 1, 4 and 9 on real extracted rows: write, register, replace, append, and their failures. */
class MaterializeAndRegisterTest {
    @TempDir
    static Path tmp;
    static ExtractedFixture fixture;

    @BeforeAll
    static void extract() throws Exception {
        fixture = ExtractedFixture.create(tmp);
    }

    private static Lake lake(String name) {
        return new Lake(LakeLocation.local(tmp.resolve(name), List.of(tmp)));
    }

    @Test
    void replaceWritesOneGenerationAndRegistrationReadsItWithTheContractSchema() {
        Lake dataset = lake("lake-main");
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            MaterializeTask materialize = new MaterializeTask(session);
            TaskResult<MaterializeResult> first = materialize.run(
                    MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING, dataset, "run1"));
            assertEquals(3, first.value().rows());
            assertTrue(first.value().files() >= 1 && first.value().bytes() > 0);
            var writes = first.artifact("datafusion_ast_output_writes_v1").orElseThrow();
            assertEquals("copy", writes.payload().get("mode"));
            assertEquals(fixture.contract.identityHash(), writes.schemaIdentityHash());
            assertEquals(EngineSession.engineVersion(), writes.engineVersion());

            // a rerun replaces: still 3 rows, one generation on disk
            TaskResult<MaterializeResult> second = materialize.run(
                    MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING, dataset, "run2"));
            assertEquals(List.of(first.value().generation()), second.value().replacedGenerations());
            DatasetGenerations generations = new DatasetGenerations(session, dataset, "ast_files_v1");
            assertEquals(List.of(second.value().generation()), generations.generations());

            TaskResult<String> registered = new RegisterDatasetTask(session).run(RegisterRequest.of(fixture.contract, dataset));
            assertEquals(3L, session.collect("SELECT count(*) FROM ast_files_v1").single());
            assertEquals(List.of("fixture"), session.collect("SELECT DISTINCT repo FROM ast_files_v1").column("repo"));
            // the same rows as the staging table, node for node
            assertEquals(session.collect("SELECT path, cardinality(nodes) AS n FROM " + ExtractedFixture.STAGING + " ORDER BY path").rows(),
                    session.collect("SELECT path, cardinality(nodes) AS n FROM ast_files_v1 ORDER BY path").rows());
            var artifact = registered.artifact("datafusion_ast_dataset_v1").orElseThrow();
            assertEquals(true, artifact.payload().get("file_schema_matches_contract"));
            assertEquals(List.of("repo", "path"), artifact.payload().get("file_sort_order"));
            assertEquals(false, artifact.payload().get("collect_statistics"));
            assertTrue(artifact.payload().get("equivalent_ddl").toString().contains("PARTITIONED BY (\"repo\" VARCHAR)"));
            assertEquals("false", session.collect("SELECT value FROM information_schema.df_settings"
                    + " WHERE name = 'datafusion.execution.collect_statistics'").single());
            // the per-column options are in the written files, and a contract asking for more is caught
            var options = new ParquetOptionsTask(session).run(fixture.contract, dataset).value();
            @SuppressWarnings("unchecked")
            Map<String, Map<String, String>> effective = (Map<String, Map<String, String>>) options.get("effective");
            assertEquals("true", effective.get("file_id").get("bloom_filter_enabled"));
            assertEquals("page", effective.get("path").get("statistics_enabled"));
            Map<String, String> more = new java.util.HashMap<>(fixture.contract.table().parquetOptions());
            more.put("format.bloom_filter_enabled::path", "true");
            var table = fixture.contract.table();
            DatasetContract demanding = new DatasetContract(fixture.contract.name(), fixture.contract.version(),
                    fixture.contract.description(), fixture.contract.schema(), new DatasetContract.TableSpec(table.format(),
                    table.layouts(), table.defaultLayout(), more, table.scanProjections(), table.listingCache(),
                    table.collectStatistics(), table.segmentRows()), fixture.contract.requiredFunctions(), fixture.contract.featureMinVersions(),
                    fixture.contract.views());
            TaskFailedException missing = assertThrows(TaskFailedException.class,
                    () -> new ParquetOptionsTask(session).run(demanding, dataset));
            assertTrue(missing.getMessage().contains("path bloom_filter_enabled: true expected"), missing.getMessage());

            // metadata survives Parquet: the span ABI is readable from the registered table
            assertEquals("byte", session.collect("SELECT arrow_metadata(nodes[1]['span'], 'col_unit') AS u"
                    + " FROM ast_files_v1 WHERE cardinality(nodes) > 0 LIMIT 1").single());
        }
    }

    @Test
    void appendInsertsIntoTheRegisteredGeneration() {
        Lake dataset = lake("lake-appended");
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            MaterializeTask materialize = new MaterializeTask(session);
            materialize.run(MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING, dataset, "base"));
            new RegisterDatasetTask(session).run(RegisterRequest.of(fixture.contract, dataset).withTable("appended"));
            TaskResult<MaterializeResult> appended = materialize.run(
                    MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING, dataset, "more").appendingTo("appended"));
            assertEquals("insert", appended.artifact("datafusion_ast_output_writes_v1").orElseThrow().payload().get("mode"));
            assertEquals(3, appended.value().rows());
            assertTrue(appended.value().files() >= 1);
            assertEquals(6L, session.collect("SELECT count(*) FROM appended").single());
        }
    }

    @Test
    void nullIdentityIsRejectedWithItsSourceNamedAndNothingIsWritten() {
        Lake dataset = lake("lake-nulls");
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            String columns = String.join(", ", fixture.contract.schema().getFields().stream().map(f -> f.getName())
                    .map(n -> n.equals("file_id") ? "CASE WHEN path LIKE '%b.py' THEN NULL ELSE file_id END AS file_id" : '"' + n + '"')
                    .toList());
            session.execute("CREATE VIEW bad AS SELECT " + columns + " FROM " + ExtractedFixture.STAGING);
            TaskFailedException failure = assertThrows(TaskFailedException.class, () -> new MaterializeTask(session)
                    .run(MaterializeRequest.replace(fixture.contract, "bad", dataset, "r")));
            assertTrue(failure.getMessage().contains("path=pkg/b.py"), failure.getMessage());
            assertTrue(failure.getMessage().contains("[file_id]"), failure.getMessage());
            assertEquals(1L, failure.artifacts().get(0).payload().get("violations"));
            assertTrue(new DatasetGenerations(session, dataset, "ast_files_v1").generations().isEmpty());
            assertFalse(Files.exists(tmp.resolve("lake-nulls/tables/ast_files_v1")));
        }
    }

    @Test
    void driftedFilesFailRegistrationWithAPreciseDiff() {
        Lake dataset = lake("lake-drifted");
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            DatasetGenerations generations = new DatasetGenerations(session, dataset, "ast_files_v1");
            session.collect("COPY (SELECT path, file_id, arrow_cast(1, 'Int64') AS file_sha256 FROM "
                    + ExtractedFixture.STAGING + ") TO '" + generations.location("g1").url() + "' STORED AS PARQUET");
            generations.commit("g1", "r", 3, "repo");
            TaskFailedException failure = assertThrows(TaskFailedException.class,
                    () -> new RegisterDatasetTask(session).run(RegisterRequest.of(fixture.contract, dataset)));
            assertTrue(failure.getMessage().contains("nodes: missing"), failure.getMessage());
            assertTrue(failure.getMessage().contains("file_sha256: type Utf8 expected, found Int(64, true)"), failure.getMessage());
            assertEquals(false, failure.artifacts().get(0).payload().get("file_schema_matches_contract"));
        }
    }

    @Test
    void anUnwritableLocationFailsNamingIt() throws Exception {
        Path notADirectory = Files.writeString(tmp.resolve("plain-file"), "x");
        Lake dataset = new Lake(LakeLocation.local(notADirectory.resolve("ds"), List.of(tmp)));
        try (EngineSession session = EngineSession.open()) {
            fixture.registerStaging(session);
            EngineException failure = assertThrows(EngineException.class, () -> new MaterializeTask(session)
                    .run(MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING, dataset, "r")));
            assertTrue(failure.getMessage().contains("plain-file"), failure.getMessage());
        }
    }

    @Test
    void malformedAndEscapingLocationsAreRejected() {
        for (String bad : List.of("s3:/bucket/x", "http://host/x", "s3://B/x", "s3://bucket/../x", "file://host/x", "")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LakeLocation.parse(bad, List.of(tmp)));
            assertTrue(e.getMessage().contains("malformed location URL"), e.getMessage());
        }
        assertThrows(IllegalArgumentException.class, () -> LakeLocation.parse("/etc", List.of(tmp)));
        assertEquals("s3://bucket/lake/", LakeLocation.parse("s3://bucket/lake", List.of()).url());
    }
}
