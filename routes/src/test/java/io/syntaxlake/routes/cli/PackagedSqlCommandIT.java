package io.syntaxlake.routes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainIntegrationTest;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The packaged application (what ./syntaxlake runs), in its own JVM with its production class
 * loading: the engine jar's native library is extracted and loaded there.
 */
@QuarkusMainIntegrationTest
class PackagedSqlCommandIT {

    @Test
    void printsTheEngineVersion(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("sql", "--format", "csv", "select version() AS v");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertEquals("v", result.getOutputStream().get(0));
        // The version text has a comma, so CSV quotes it.
        assertTrue(result.getOutputStream().get(1).startsWith("\"Apache DataFusion 55."), result.getOutput());
    }

    @Test
    void writesAndReadsParquet(QuarkusMainLauncher launcher) {
        String dir = System.getProperty("java.io.tmpdir") + "/syntaxlake-it-" + ProcessHandle.current().pid() + "/";
        LaunchResult result = launcher.launch("sql", "--format", "csv",
                "COPY (SELECT value AS v FROM generate_series(1, 10)) TO '" + dir + "' STORED AS PARQUET",
                "CREATE EXTERNAL TABLE t STORED AS PARQUET LOCATION '" + dir + "'",
                "SELECT sum(v) AS total FROM t");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertEquals(List.of("count", "10", "total", "55"), result.getOutputStream());
    }

    @Test
    void failsWithTheEngineMessage(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("sql", "SELEC 1");
        assertNotEquals(0, result.exitCode());
        assertTrue(result.getErrorOutput().contains("EnginePlanException"), result.getErrorOutput());
    }
}
