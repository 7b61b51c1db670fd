package io.syntaxlake.tasks.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The manifest store on a real PostgreSQL: a container where a Docker engine exists, otherwise the
 * server named by SYNTAXLAKE_TEST_PG_URL, _USER and _PASSWORD (deploy/local/postgres.sh starts one
 * for deploy/local/test-all.sh). Without either the test fails: it is never skipped. Each test
 * works in a schema of its own, dropped afterwards.
 */
class PostgresManifestStoreTest extends ManifestStoreContract {
    private static String url;
    private static String user;
    private static String password;
    private static PostgreSQLContainer<?> container;

    private String schema;

    @BeforeAll
    static void database() {
        if (DockerClientFactory.instance().isDockerAvailable()) {
            container = new PostgreSQLContainer<>("postgres:15-alpine");
            container.start();
            url = container.getJdbcUrl();
            user = container.getUsername();
            password = container.getPassword();
            return;
        }
        url = System.getenv("SYNTAXLAKE_TEST_PG_URL");
        user = System.getenv("SYNTAXLAKE_TEST_PG_USER");
        password = System.getenv("SYNTAXLAKE_TEST_PG_PASSWORD");
        if (url == null || url.isBlank() || user == null || user.isBlank() || password == null) {
            fail("PostgresManifestStoreTest needs PostgreSQL: there is no Docker engine for Testcontainers, and"
                    + " SYNTAXLAKE_TEST_PG_URL, SYNTAXLAKE_TEST_PG_USER and SYNTAXLAKE_TEST_PG_PASSWORD are not all set."
                    + " deploy/local/test-all.sh sets them; for a single run, `source deploy/local/postgres.sh` first.");
        }
    }

    @AfterAll
    static void stopContainer() {
        if (container != null) {
            container.stop();
        }
    }

    @Override
    protected ManifestStore openStore() {
        schema = "manifest_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return JdbcManifestStore.open(url, user, password, schema);
    }

    @AfterEach
    void dropSchema() throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement drop = c.prepareStatement("DROP SCHEMA IF EXISTS \"" + schema + "\" CASCADE")) {
            drop.execute();
        }
    }

    private List<String> oneColumn(String sql, String... parameters) throws SQLException {
        try (Connection c = DriverManager.getConnection(url, user, password);
             PreparedStatement query = c.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                query.setString(i + 1, parameters[i]);
            }
            List<String> out = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    out.add(rows.getString(1));
                }
            }
            return out;
        }
    }

    @Test
    void theTablesHaveTheContractsPrimaryKeysAndAreSharedBetweenStores() throws Exception {
        Map<String, List<String>> keys = Map.of("runs", List.of("run_id"), "tasks", List.of("run_id", "task_id", "attempt"),
                "artifacts", List.of("run_id", "task_id", "attempt", "name"));
        for (var entry : keys.entrySet()) {
            assertEquals(entry.getValue(), oneColumn("SELECT k.column_name FROM information_schema.table_constraints t"
                    + " JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name"
                    + " AND k.table_schema = t.table_schema WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = ?"
                    + " AND t.table_name = ? ORDER BY k.ordinal_position", schema, entry.getKey()), entry.getKey());
        }
        assertEquals(List.of("timestamp with time zone"), oneColumn("SELECT data_type FROM information_schema.columns"
                + " WHERE table_schema = ? AND table_name = 'runs' AND column_name = 'started_at'", schema));
        RunRecord run = running("run-1", "key-a", T0);
        store.startRun(run);
        // a second store (as another process would open) over the same schema: creating is idempotent
        try (ManifestStore second = JdbcManifestStore.open(url, user, password, schema)) {
            assertEquals(List.of(run), second.runs());
            TaskAttempt a = attempt("run-1", "extract", 1, T0, TaskStatus.SUCCEEDED);
            second.recordAttempt(a, threeArtifacts(a));
            assertEquals(threeArtifacts(a), store.artifacts("run-1"));
        }
    }

    @Test
    void theLocationNeverShowsCredentials() {
        assertTrue(store.location().startsWith("jdbc:postgresql://"), store.location());
        assertFalse(store.location().contains(password), store.location());
        assertEquals("jdbc:postgresql://db.example:5432/manifest",
                JdbcManifestStore.publicLocation("jdbc:postgresql://db.example:5432/manifest?user=u&password=secret"));
        assertEquals("jdbc:postgresql://db.example/manifest",
                JdbcManifestStore.publicLocation("jdbc:postgresql://u:secret@db.example/manifest"));
        ManifestStoreException wrong = assertThrows(ManifestStoreException.class,
                () -> JdbcManifestStore.open(url + (url.contains("?") ? "&" : "?") + "password=not-it", user,
                        "not-the-password-either", schema));
        assertFalse(wrong.getMessage().contains("not-the-password-either"), wrong.getMessage());
        assertFalse(wrong.getMessage().contains("not-it"), wrong.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JdbcManifestStore.open("jdbc:mysql://x/y", user, password));
        assertThrows(IllegalArgumentException.class, () -> JdbcManifestStore.open(url, user, password, "x\"; DROP"));
    }

    @Test
    void aLostConnectionIsReplacedAndTheWriteDone() throws Exception {
        RunRecord run = running("run-1", "key-a", T0);
        store.startRun(run);
        List<String> terminated = oneColumn("SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity"
                + " WHERE application_name = ? AND datname = current_database()", JdbcManifestStore.APPLICATION_NAME);
        assertEquals(List.of("true"), terminated, "the store holds one connection");
        RunRecord done = run.finished(RunStatus.SUCCEEDED, T0.plusSeconds(1), null);
        store.finishRun(done);
        assertEquals(List.of(done), store.runs());
    }
}
