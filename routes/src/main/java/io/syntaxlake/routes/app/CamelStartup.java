package io.syntaxlake.routes.app;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.apache.camel.quarkus.core.CamelRuntime;

/**
 * Starts Camel when the application starts, in every mode (a command, serve, tests). Camel Quarkus
 * starts it by itself only when the application has no {@code @QuarkusMain}; ours has one
 * ({@link SyntaxLakeMain}), so this does what its bootstrap would. Camel's own shutdown task
 * stops it.
 */
@ApplicationScoped
public class CamelStartup {

    void start(@Observes StartupEvent event, CamelRuntime camel) {
        camel.start(new String[0]);
    }
}
