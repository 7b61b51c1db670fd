package io.syntaxlake.routes.testing;

import static org.junit.jupiter.api.Assertions.fail;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;

/**
 * The application with its manifest in PostgreSQL: a container where a Docker engine exists,
 * otherwise the server named by SYNTAXLAKE_TEST_PG_URL, _USER and _PASSWORD, which
 * deploy/local/postgres.sh starts for the test command. Neither: the test fails, never skips.
 */
public class PostgresManifestProfile extends PipelineTestProfile {

    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(Database.class));
    }

    public static class Database implements QuarkusTestResourceLifecycleManager {
        private PostgreSQLContainer<?> container;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>();
            config.put("syntaxlake.manifest.kind", "postgresql");
            if (DockerClientFactory.instance().isDockerAvailable()) {
                container = new PostgreSQLContainer<>("postgres:15-alpine");
                container.start();
                config.put("syntaxlake.manifest.jdbc-url", container.getJdbcUrl());
                config.put("syntaxlake.manifest.user", container.getUsername());
                config.put("syntaxlake.manifest.password", container.getPassword());
                return config;
            }
            String url = System.getenv("SYNTAXLAKE_TEST_PG_URL");
            String user = System.getenv("SYNTAXLAKE_TEST_PG_USER");
            String password = System.getenv("SYNTAXLAKE_TEST_PG_PASSWORD");
            if (url == null || url.isBlank() || user == null || user.isBlank() || password == null) {
                fail("the PostgreSQL manifest test needs a database: no Docker engine for Testcontainers, and"
                        + " SYNTAXLAKE_TEST_PG_URL/_USER/_PASSWORD are not set (source deploy/local/postgres.sh)");
            }
            config.put("syntaxlake.manifest.jdbc-url", url);
            config.put("syntaxlake.manifest.user", user);
            config.put("syntaxlake.manifest.password", password);
            return config;
        }

        @Override
        public void stop() {
            if (container != null) {
                container.stop();
            }
        }
    }
}
