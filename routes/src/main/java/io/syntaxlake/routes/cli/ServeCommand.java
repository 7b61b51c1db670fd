package io.syntaxlake.routes.cli;

import io.quarkus.runtime.Quarkus;
import java.util.concurrent.Callable;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import picocli.CommandLine.Command;

/**
 * {@code ./syntaxlake serve}: keeps the application up: the REST API under /api, health at
 * /q/health, metrics at /q/metrics, and the configured schedules. Stops on SIGTERM.
 */
@Command(name = "serve", description = "Serve the REST API, health, metrics and the schedules until stopped.")
public class ServeCommand implements Callable<Integer> {

    @ConfigProperty(name = "quarkus.http.port")
    int port;

    @Override
    public Integer call() {
        System.err.println("syntaxlake serve: listening on port " + port + " (REST /api, /q/health, /q/metrics)");
        Quarkus.waitForExit();
        return 0;
    }
}
