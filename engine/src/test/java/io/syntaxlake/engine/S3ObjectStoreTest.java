package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.testing.S3TestEndpoint;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** s3:// locations against a real S3-compatible endpoint (S3Proxy, in process, in-memory store). */
class S3ObjectStoreTest {
    private static final String BUCKET = "lake";
    private static S3TestEndpoint endpoint;
    private static S3Store store;

    @BeforeAll
    static void startEndpoint() throws Exception {
        endpoint = S3TestEndpoint.start(BUCKET);
        store = endpoint.store();
    }

    @AfterAll
    static void stopEndpoint() throws Exception {
        endpoint.close();
    }

    @Test
    void copyAndQueryThroughS3() {
        try (EngineSession session = EngineSession.open()) {
            session.registerS3(store);
            assertEquals(1000L, session.execute("COPY (SELECT value AS id, value % 3 AS bucket FROM generate_series(1, 1000)) "
                    + "TO 's3://lake/numbers/' STORED AS PARQUET PARTITIONED BY (bucket)"));
            session.execute("CREATE EXTERNAL TABLE numbers STORED AS PARQUET PARTITIONED BY (bucket) "
                    + "LOCATION 's3://lake/numbers/'");
            assertEquals(List.of(List.of("0", 333L), List.of("1", 334L), List.of("2", 333L)),
                    session.collect("SELECT bucket, count(*) FROM numbers GROUP BY bucket ORDER BY bucket").rows());
        }
    }

    @Test
    void catalogAutoloadListsAnS3Location() {
        try (EngineSession writer = EngineSession.open()) {
            writer.registerS3(store);
            writer.execute("COPY (SELECT 'x' AS v) TO 's3://lake/catalog/letters/' STORED AS PARQUET");
        }
        SessionOptions options = SessionOptions.defaults().withS3Store(store).withCatalogAutoload("s3://lake/catalog/", "PARQUET");
        try (EngineSession session = EngineSession.open(options)) {
            assertEquals("x", session.collect("SELECT v FROM \"default\".letters").single());
        }
    }

    @Test
    void anUnregisteredBucketIsAClearError() {
        try (EngineSession session = EngineSession.open()) {
            EngineException e = assertThrows(EngineException.class, () -> session.execute(
                    "CREATE EXTERNAL TABLE elsewhere STORED AS PARQUET LOCATION 's3://not-registered/data/'"));
            assertTrue(e.getMessage().contains("s3://not-registered"), e.getMessage());
        }
    }

    @Test
    void secretsStayOutOfToString() {
        assertTrue(!store.toString().contains("test-secret-key"), store.toString());
    }
}
