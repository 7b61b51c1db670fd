package io.syntaxlake.routes.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.syntaxlake.routes.testing.PipelineTestProfile;
import io.syntaxlake.routes.testing.PythonTrees;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The REST trigger (authenticated), health and metrics, against the running application. */
@QuarkusTest
@TestProfile(PipelineTestProfile.class)
class RestApiTest {
    private static final String BEARER = "Bearer " + PipelineTestProfile.TOKEN;

    @Test
    void withoutTheTokenEveryCallIs401() {
        given().when().get("/api/runs").then().statusCode(401).header("WWW-Authenticate", "Bearer");
        given().header("Authorization", "Bearer wrong").when().get("/api/runs").then().statusCode(401);
        given().contentType(ContentType.JSON).body(Map.of("route", "catalog-refresh"))
                .when().post("/api/runs").then().statusCode(401);
    }

    @Test
    void aRunStartedOverHttpExecutesAndIsReadBack() throws Exception {
        Path source = Files.createDirectories(PipelineTestProfile.ROOT.resolve("rest-source"));
        PythonTrees.write(source);
        String lake = PipelineTestProfile.ROOT.resolve("rest-lake").toString();
        Map<String, Object> body = Map.of("route", "ast-pipeline", "source", source.toString(), "lake", lake, "repo", "rest");

        JsonPath started = given().header("Authorization", BEARER).contentType(ContentType.JSON).body(body)
                .when().post("/api/runs")
                .then().statusCode(202).header("Location", containsString("/api/runs/")).body("status", equalTo("running"))
                .extract().jsonPath();
        String runId = started.getString("run_id");

        JsonPath run = awaitEnd(runId, lake);
        assertEquals("succeeded", run.getString("status"), run.prettify());
        assertEquals(7, run.getList("tasks").size());
        assertEquals("rest", run.getString("trigger"));

        List<String> names = given().header("Authorization", BEARER).queryParam("lake", lake)
                .when().get("/api/runs/" + runId + "/artifacts")
                .then().statusCode(200).extract().jsonPath().getList("name");
        assertTrue(names.contains("syntaxlake_ast_publish_v1"), names::toString);

        List<String> listed = given().header("Authorization", BEARER).queryParam("lake", lake)
                .when().get("/api/runs").then().statusCode(200).extract().jsonPath().getList("run_id");
        assertTrue(listed.contains(runId));

        // the same request again: already done, answered with the earlier run
        given().header("Authorization", BEARER).contentType(ContentType.JSON).body(body)
                .when().post("/api/runs")
                .then().statusCode(200).body("run_id", equalTo(runId)).body("reused", equalTo(true));

        // metrics per route and per task
        String metrics = given().when().get("/q/metrics").then().statusCode(200).extract().asString();
        assertTrue(metrics.contains("syntaxlake_task_duration_seconds_count{outcome=\"succeeded\",route=\"ast-pipeline\",task=\"extract\"}"),
                "task timer missing");
        assertTrue(metrics.contains("syntaxlake_runs_total{route=\"ast-pipeline\",status=\"succeeded\"}"), "run counter missing");
        assertTrue(metrics.contains("routeId=\"ast-pipeline.materialize\""), "Camel's per-route series missing");
    }

    @Test
    void badRequestsAreRefusedWithTheReason() {
        given().header("Authorization", BEARER).contentType(ContentType.JSON)
                .body(Map.of("route", "ast-pipeline", "source", "/etc", "lake", PipelineTestProfile.ROOT.resolve("x").toString()))
                .when().post("/api/runs")
                .then().statusCode(400).body("error", containsString("outside the configured"));
        given().header("Authorization", BEARER).contentType(ContentType.JSON).body(Map.of("route", "no-such-route"))
                .when().post("/api/runs")
                .then().statusCode(400).body("error", containsString("unknown route"));
        given().header("Authorization", BEARER).when().get("/api/runs/20260101T000000Z-00000000")
                .then().statusCode(404);
    }

    @Test
    void healthIsUpWithTheManifest() {
        given().when().get("/q/health/ready").then().statusCode(200)
                .body(containsString("syntaxlake-manifest")).body(containsString("\"status\": \"UP\""));
        given().when().get("/q/health/live").then().statusCode(200);
    }

    private static JsonPath awaitEnd(String runId, String lake) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
        while (true) {
            JsonPath run = given().header("Authorization", BEARER).queryParam("lake", lake)
                    .when().get("/api/runs/" + runId).then().statusCode(200).extract().jsonPath();
            if (!run.getString("status").equals("running")) {
                return run;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("run " + runId + " still running after 3 minutes: " + run.prettify());
            }
            Thread.sleep(200);
        }
    }
}
