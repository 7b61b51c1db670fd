package io.syntaxlake.routes.app;

import io.quarkus.runtime.StartupEvent;
import io.syntaxlake.routes.config.SyntaxLakeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.quarkus.core.CamelRuntime;

/**
 * Starts Camel when the application starts, in every mode (a command, serve, tests). Camel Quarkus
 * starts it by itself only when the application has no {@code @QuarkusMain}; ours has one
 * ({@link SyntaxLakeMain}), so this does what its bootstrap would. Camel's own shutdown task
 * stops it. {@link SyntaxLakeMain} turns it off ({@value #ENABLED}{@code =false}) for the
 * commands that call no route.
 */
@ApplicationScoped
public class CamelStartup {

    static final String ENABLED = "syntaxlake.routes-enabled";

    void start(@Observes StartupEvent event, CamelRuntime camel, SyntaxLakeConfig config) {
        if (config.routesEnabled()) {
            camel.start(new String[0]);
        }
    }
}
