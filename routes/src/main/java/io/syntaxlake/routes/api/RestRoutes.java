package io.syntaxlake.routes.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.routes.run.ManifestStores;
import io.syntaxlake.routes.run.RunRequests;
import io.syntaxlake.routes.run.RunService;
import io.syntaxlake.tasks.manifest.ManifestStore;
import io.syntaxlake.tasks.manifest.RunRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

/**
 * The REST trigger, under {@code /api} on Quarkus' HTTP server, every call authenticated with the
 * bearer token ({@link ApiToken}; 401 without it):
 * <ul>
 * <li>{@code POST /api/runs} {"route", "source", "lake", "repo", "format", "excludes", "force", "full"}:
 * 202 with the new run (it executes in the background), or 200 with the earlier run that already
 * did the same work; 400 for a bad request (unknown route, a location outside the roots).</li>
 * <li>{@code GET /api/runs[?lake=]}, {@code GET /api/runs/{runId}[?lake=]} (with its task attempts),
 * {@code GET /api/runs/{runId}/artifacts[?lake=]}: the manifest; 404 for an unknown run.</li>
 * </ul>
 */
@ApplicationScoped
public class RestRoutes extends RouteBuilder {
    @Inject
    ApiToken token;

    @Inject
    RunService runs;

    @Inject
    RunLauncher launcher;

    @Inject
    RunRequests requests;

    @Inject
    ManifestStores stores;

    @Inject
    ObjectMapper json;

    @Override
    public void configure() {
        restConfiguration().component("platform-http").bindingMode(RestBindingMode.off);
        onException(IllegalArgumentException.class, JsonProcessingException.class).handled(true)
                .process(e -> respond(e, 400, Map.of("error", e.getProperty(Exchange.EXCEPTION_CAUGHT, Exception.class).getMessage())));

        rest("/api")
                .post("/runs").to("direct:rest-start-run")
                .get("/runs").to("direct:rest-list-runs")
                .get("/runs/{runId}").to("direct:rest-get-run")
                .get("/runs/{runId}/artifacts").to("direct:rest-run-artifacts");

        from("direct:rest-start-run").routeId("rest-start-run").process(this::authenticate).process(this::startRun);
        from("direct:rest-list-runs").routeId("rest-list-runs").process(this::authenticate).process(e ->
                respond(e, 200, manifest(e).runs().stream().map(r -> RunJson.run(r, json)).toList()));
        from("direct:rest-get-run").routeId("rest-get-run").process(this::authenticate).process(this::getRun);
        from("direct:rest-run-artifacts").routeId("rest-run-artifacts").process(this::authenticate).process(e -> {
            ManifestStore manifest = manifest(e);
            String runId = e.getMessage().getHeader("runId", String.class);
            if (manifest.run(runId).isEmpty()) {
                respond(e, 404, Map.of("error", "no run " + runId + " in " + manifest.location()));
            } else {
                respond(e, 200, manifest.artifacts(runId).stream().map(a -> RunJson.artifact(a, json)).toList());
            }
        });
    }

    private void authenticate(Exchange exchange) throws Exception {
        if (!token.accepts(exchange.getMessage().getHeader("Authorization", String.class))) {
            exchange.getMessage().setHeader("WWW-Authenticate", "Bearer");
            respond(exchange, 401, Map.of("error", token.configured()
                    ? "missing or wrong bearer token" : "the API is closed: no syntaxlake.api.token is configured"));
            exchange.setRouteStop(true);
        }
    }

    private void startRun(Exchange exchange) throws Exception {
        RunRequestBody body = json.readValue(exchange.getMessage().getBody(String.class), RunRequestBody.class);
        if (body.route() == null) {
            throw new IllegalArgumentException("the body needs a route");
        }
        RunService.Prepared prepared = runs.prepare(requests.request(body.route(), body.source(), body.lake(), body.repo(),
                body.format(), body.excludes(), "rest", Boolean.TRUE.equals(body.force()),
                Boolean.TRUE.equals(body.full())));
        Map<String, Object> out = new LinkedHashMap<>(RunJson.run(prepared.record(), json));
        out.put("reused", prepared.reused());
        if (!prepared.reused()) {
            launcher.launch(prepared);
            exchange.getMessage().setHeader("Location", "/api/runs/" + prepared.record().runId());
        }
        respond(exchange, prepared.reused() ? 200 : 202, out);
    }

    private void getRun(Exchange exchange) throws Exception {
        ManifestStore manifest = manifest(exchange);
        String runId = exchange.getMessage().getHeader("runId", String.class);
        Optional<RunRecord> run = manifest.run(runId);
        if (run.isEmpty()) {
            respond(exchange, 404, Map.of("error", "no run " + runId + " in " + manifest.location()));
            return;
        }
        Map<String, Object> out = new LinkedHashMap<>(RunJson.run(run.get(), json));
        out.put("tasks", manifest.attempts(runId).stream().map(RunJson::task).toList());
        respond(exchange, 200, out);
    }

    private ManifestStore manifest(Exchange exchange) {
        return stores.forLake(requests.lake(exchange.getMessage().getHeader("lake", String.class)));
    }

    private void respond(Exchange exchange, int status, Object body) throws Exception {
        exchange.getMessage().setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        exchange.getMessage().setHeader(Exchange.CONTENT_TYPE, "application/json");
        exchange.getMessage().setBody(json.writeValueAsString(body));
    }
}
