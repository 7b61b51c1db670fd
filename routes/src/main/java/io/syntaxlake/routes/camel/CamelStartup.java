package io.syntaxlake.routes.camel;

import io.quarkus.runtime.StartupEvent;
import io.syntaxlake.routes.config.SyntaxLakeConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.apache.camel.CamelContext;
import org.apache.camel.quarkus.core.CamelRuntime;

/**
 * Starts Camel's routes: when the application starts, unless {@value #ENABLED}{@code =false}, and
 * otherwise when a run first needs them ({@link #ensureStarted}). Camel Quarkus starts Camel by
 * itself only when the application has no {@code @QuarkusMain}; ours has one
 * ({@code SyntaxLakeMain}), so this does what its bootstrap would. Camel's own shutdown task stops
 * it. {@code SyntaxLakeMain} turns the start at boot off for every command but {@code serve}: the
 * commands other than {@code run} call no route, and {@code run} starts them only once it knows it
 * has work (a run of an unchanged tree has none, and starting 26 routes is a third of its time).
 */
@ApplicationScoped
public class CamelStartup {

    public static final String ENABLED = "syntaxlake.routes-enabled";

    @Inject
    CamelRuntime camel;

    @Inject
    CamelContext context;

    void start(@Observes StartupEvent event, SyntaxLakeConfig config) {
        if (config.routesEnabled()) {
            ensureStarted();
        }
    }

    /** Starts the routes unless they already run. */
    public synchronized void ensureStarted() {
        if (!context.isStarted()) {
            camel.start(new String[0]);
        }
    }
}
