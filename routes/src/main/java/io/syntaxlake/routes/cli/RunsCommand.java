package io.syntaxlake.routes.cli;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code ./syntaxlake runs [--lake DIR]}: the runs the lake's manifest holds, newest first. */
@Command(name = "runs", description = "List the runs recorded in a lake's manifest, newest first.")
public class RunsCommand implements Callable<Integer> {

    @Mixin
    ManifestOptions manifest;

    @Option(names = "--limit", defaultValue = "50", description = "at most this many runs (default: ${DEFAULT-VALUE})")
    int limit;

    @Inject
    ManifestQueries queries;

    @Inject
    SyntaxLakeConfig config;

    @Override
    public Integer call() {
        try {
            queries.print(manifest.lake(config), manifest.format, System.out, new String[] {null},
                    "SELECT run_id, route, status, trigger, started_at,"
                            + " round(date_part('epoch', ended_at) - date_part('epoch', started_at), 1) AS seconds, error"
                            + " FROM manifest.runs ORDER BY started_at DESC LIMIT " + Math.max(0, limit));
            return 0;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("syntaxlake runs: " + e.getMessage());
            return 1;
        }
    }
}
