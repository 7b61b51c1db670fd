package io.syntaxlake.routes.cli;

import static io.syntaxlake.engine.SqlIdentifiers.literal;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import jakarta.inject.Inject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./syntaxlake artifacts <run-id> [--lake DIR] [--name NAME]}: a run's task attempts and
 * the artifacts they recorded; with {@code --name}, that artifact's whole JSON payload.
 */
@Command(name = "artifacts", description = "Show a run's task attempts and artifacts.")
public class ArtifactsCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "RUN_ID")
    String runId;

    @Mixin
    ManifestOptions manifest;

    @Option(names = "--name", paramLabel = "NAME", description = "print this artifact's payload")
    String name;

    @Inject
    ManifestQueries queries;

    @Inject
    SyntaxLakeConfig config;

    @Override
    public Integer call() {
        String run = literal(runId);
        try {
            long tasks;
            if (name != null) {
                tasks = queries.print(manifest.lake(config), manifest.format, System.out, new String[] {null},
                        "SELECT task_id, attempt, payload FROM manifest.artifacts WHERE run_id = " + run
                                + " AND name = " + literal(name) + " ORDER BY recorded_at");
            } else {
                tasks = queries.print(manifest.lake(config), manifest.format, System.out,
                        new String[] {"tasks of run " + runId + ":", "artifacts:"},
                        "SELECT task_id, attempt, status, duration_ms, error FROM manifest.tasks WHERE run_id = " + run
                                + " ORDER BY started_at, attempt",
                        "SELECT task_id, attempt, name, schema_identity_hash, length(payload) AS payload_chars"
                                + " FROM manifest.artifacts WHERE run_id = " + run + " ORDER BY recorded_at, name");
            }
            if (tasks == 0) {
                System.err.println("syntaxlake artifacts: the manifest holds no " + (name == null ? "task of run "
                        : "artifact " + name + " of run ") + runId);
                return 1;
            }
            return 0;
        } catch (IllegalArgumentException | IllegalStateException e) {
            System.err.println("syntaxlake artifacts: " + e.getMessage());
            return 1;
        }
    }
}
