package io.syntaxlake.routes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import io.syntaxlake.engine.EngineSession;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code syntaxlake sql}: the first subcommand, in every output format and on failure. */
@QuarkusMainTest
class SqlCommandTest {

    @Test
    @Launch({"sql", "select version()"})
    void printsTheEngineVersion(LaunchResult result) {
        assertEquals(0, result.exitCode());
        assertTrue(result.getOutput().contains("Apache DataFusion " + EngineSession.engineVersion()), result.getOutput());
    }

    @Test
    void csvHasOneHeaderLineThenOneLinePerRow(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("sql", "--format", "csv",
                "SELECT value AS n, 'a,b' AS quoted, CASE WHEN value = 2 THEN NULL ELSE value * 1.5 END AS x "
                        + "FROM generate_series(1, 3) ORDER BY n");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertEquals(List.of("n,quoted,x", "1,\"a,b\",1.5", "2,\"a,b\",", "3,\"a,b\",4.5"), result.getOutputStream());
    }

    @Test
    void jsonIsAnArrayOfRowObjects(QuarkusMainLauncher launcher) throws Exception {
        LaunchResult result = launcher.launch("sql", "--format", "json",
                "SELECT 1 AS id, named_struct('start', 0, 'tags', ['x']) AS span, CAST(NULL AS VARCHAR) AS missing");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        JsonNode rows = new ObjectMapper().readTree(result.getOutput());
        assertEquals(1, rows.size());
        assertEquals(1, rows.get(0).get("id").asInt());
        assertEquals("x", rows.get(0).get("span").get("tags").get(0).asText());
        assertTrue(rows.get(0).get("missing").isNull());
    }

    @Test
    void statementsRunInOrderOnOneSession(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("sql", "--format", "csv",
                "CREATE TABLE t AS SELECT value AS v FROM generate_series(1, 4)", "SELECT sum(v) AS total FROM t");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertEquals(List.of("total", "10"), result.getOutputStream());
    }

    @Test
    void errorsGoToStderrWithANonZeroExitCode(QuarkusMainLauncher launcher) {
        LaunchResult result = launcher.launch("sql", "SELECT * FROM missing_table");
        assertNotEquals(0, result.exitCode());
        assertTrue(result.getErrorOutput().contains("missing_table"), result.getErrorOutput());
        assertTrue(result.getOutput().isBlank(), result.getOutput());
    }
}
