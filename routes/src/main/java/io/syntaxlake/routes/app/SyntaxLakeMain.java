package io.syntaxlake.routes.app;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.QuarkusApplication;
import io.quarkus.runtime.annotations.QuarkusMain;
import io.syntaxlake.routes.camel.CamelStartup;
import io.syntaxlake.routes.cli.SyntaxLakeCommand;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/**
 * The entry point of {@code ./syntaxlake}. Only {@code serve} opens the HTTP port and fires the
 * schedules: a one-shot command (run, sql, ...) must neither collide with a running server's port
 * nor start a scheduled run of its own. Only {@code serve} starts the Camel routes as it starts:
 * the other commands (extract, sql, runs, artifacts) call no route, and starting 26 routes cost
 * them about 0.9 s of a 2.3 s start; {@code run} starts them once it has work ({@link CamelStartup}).
 * These settings are runtime configuration, so they are set
 * here, before Quarkus reads its configuration; {@code serve} keeps what the configuration says.
 */
@QuarkusMain
public class SyntaxLakeMain implements QuarkusApplication {

    @Inject
    CommandLine.IFactory factory;

    /**
     * The system property listing the settings main() overrode, so that a later main() in the same
     * JVM can undo them; outside the syntaxlake.* root, whose unknown keys fail validation.
     */
    private static final String OVERRIDDEN = "io.syntaxlake.main.overridden";

    public static void main(String... args) {
        boolean serve = args.length > 0 && args[0].equals("serve");
        // Tests launch several commands in one JVM: an earlier extract's "no routes" must not reach a run.
        for (String key : System.getProperty(OVERRIDDEN, "").split(",")) {
            if (!key.isEmpty()) {
                System.clearProperty(key);
            }
        }
        List<String> overridden = new ArrayList<>();
        if (!serve) {
            overridden.addAll(List.of("quarkus.http.host-enabled", "syntaxlake.schedules.enabled", CamelStartup.ENABLED));
        }
        overridden.forEach(key -> System.setProperty(key, "false"));
        System.setProperty(OVERRIDDEN, String.join(",", overridden));
        Quarkus.run(SyntaxLakeMain.class, args);
    }

    @Override
    public int run(String... args) {
        return new CommandLine(SyntaxLakeCommand.class, factory).execute(args);
    }
}
