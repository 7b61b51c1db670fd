package io.syntaxlake.routes.health;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.routes.run.ManifestStores;
import io.syntaxlake.routes.run.RunRequests;
import io.syntaxlake.tasks.manifest.ManifestStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready when the engine library is loaded and the default lake's manifest can be read: without
 * either no run can be started or recorded. (Camel adds its own checks of the routes.)
 */
@Readiness
@ApplicationScoped
public class ManifestHealthCheck implements HealthCheck {
    @Inject
    ManifestStores stores;

    @Inject
    RunRequests requests;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("syntaxlake-manifest");
        try {
            ManifestStore manifest = stores.forLake(requests.lake(null));
            int runs = manifest.runs().size();
            return response.up().withData("engine", EngineSession.engineVersion())
                    .withData("manifest", manifest.location()).withData("runs", runs).build();
        } catch (RuntimeException | LinkageError e) {
            return response.down().withData("error", String.valueOf(e.getMessage())).build();
        }
    }
}
