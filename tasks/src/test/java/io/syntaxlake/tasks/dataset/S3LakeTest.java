package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.testing.S3TestEndpoint;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Scopes 1, 2 and 4 with the lake on a real S3-compatible endpoint. */
class S3LakeTest {
    @TempDir
    static Path tmp;
    static ExtractedFixture fixture;
    static S3TestEndpoint endpoint;

    @BeforeAll
    static void start() throws Exception {
        fixture = ExtractedFixture.create(tmp);
        endpoint = S3TestEndpoint.start("lake");
    }

    @AfterAll
    static void stop() throws Exception {
        endpoint.close();
    }

    @Test
    void writeReplaceRegisterAndAutoloadOnS3() {
        Lake lake = new Lake(LakeLocation.parse("s3://lake/warehouse", List.of()));
        try (EngineSession session = EngineSession.open()) {
            session.registerS3(endpoint.store());
            fixture.registerStaging(session);
            MaterializeTask materialize = new MaterializeTask(session);
            TaskResult<MaterializeResult> first = materialize.run(
                    MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING, lake, "s3a"));
            assertTrue(first.value().location().startsWith("s3://lake/warehouse/tables/ast_files_v1/generation=s3a-"));
            TaskResult<MaterializeResult> second = materialize.run(
                    MaterializeRequest.replace(fixture.contract, ExtractedFixture.STAGING, lake, "s3b"));
            assertEquals(List.of(first.value().generation()), second.value().replacedGenerations());
            assertEquals(List.of(second.value().generation()),
                    new DatasetGenerations(session, lake, "ast_files_v1").generations());
            assertTrue(session.listObjects(first.value().location()).isEmpty(), "the replaced generation is deleted");

            var registered = new RegisterDatasetTask(session).run(RegisterRequest.of(fixture.contract, lake));
            assertEquals(true, registered.artifacts().get(0).payload().get("file_schema_matches_contract"));
            assertEquals(3L, session.collect("SELECT count(*) FROM ast_files_v1").single());
            assertEquals(session.collect("SELECT path, cardinality(edges) AS n FROM " + ExtractedFixture.STAGING + " ORDER BY path").rows(),
                    session.collect("SELECT path, cardinality(edges) AS n FROM ast_files_v1 ORDER BY path").rows());
        }
        var autoload = new CatalogAutoloadTask().run(lake, SessionOptions.defaults().withS3Store(endpoint.store()));
        try (EngineSession session = autoload.value()) {
            assertEquals(3L, session.collect("SELECT count(*) FROM \"default\".ast_files_v1").single());
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> tables = (List<Map<String, Object>>) autoload.artifacts().get(0).payload().get("tables");
            assertEquals(List.of("ast_files_v1"), tables.stream().map(t -> t.get("table_name")).toList());
        }
    }
}
