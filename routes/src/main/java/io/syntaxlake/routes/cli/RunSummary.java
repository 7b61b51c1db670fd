package io.syntaxlake.routes.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.routes.run.RunOutcome;
import io.syntaxlake.tasks.manifest.ArtifactRecord;
import io.syntaxlake.tasks.manifest.RunRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What `run` prints when a run ends: on success the datasets it published (files, rows, error
 * rows, where), the tables to query, the run id, where the manifest is and a query to try; on
 * failure the failed task and its error, on stderr.
 */
final class RunSummary {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RunOutcome outcome;

    RunSummary(RunOutcome outcome) {
        this.outcome = outcome;
    }

    void print(PrintStream out, PrintStream err) {
        RunRecord run = outcome.run();
        if (!outcome.succeeded()) {
            err.printf("run %s (%s) FAILED at task %s: %s%n", run.runId(), run.route(),
                    outcome.failedTask().orElse("?"), run.error());
            err.printf("manifest: %s (./syntaxlake artifacts %s)%n", outcome.manifestLocation(), run.runId());
            return;
        }
        if (outcome.reused()) {
            out.printf("run %s (%s) already succeeded with these parameters and unchanged inputs; nothing ran"
                    + " (--force runs it again)%n", run.runId(), run.route());
        } else {
            out.printf("run %s (%s) succeeded in %.1f s%n", run.runId(), run.route(),
                    Duration.between(run.startedAt(), run.endedAt()).toMillis() / 1000.0);
        }
        List<String> tables = new ArrayList<>();
        String sample = null;
        String lake = null;
        for (ArtifactRecord artifact : outcome.artifacts()) {
            if (!artifact.name().endsWith("_publish_v1")) {
                continue;
            }
            JsonNode p = json(artifact);
            out.printf("  %s: %,d files -> %,d rows, %,d error rows in %,d files; %s at %s%n",
                    p.path("dataset").asText(), p.path("source_files").asLong(), p.path("rows").asLong(),
                    p.path("error_rows").asLong(), p.path("error_files").asLong(), p.path("format").asText(),
                    p.path("location").asText());
            tables.add(p.path("table").asText());
            p.path("views").forEach(v -> tables.add(v.asText()));
            lake = outcome.lake();
            sample = p.path("dataset").asText().startsWith("ast")
                    ? "SELECT kind, count(*) AS defs FROM ast_defs GROUP BY kind ORDER BY defs DESC"
                    : "SELECT module, count(*) AS imports FROM cst_imports GROUP BY module ORDER BY imports DESC LIMIT 10";
        }
        if (!tables.isEmpty()) {
            out.printf("  tables: %s%n", String.join(", ", tables));
        }
        out.printf("  artifacts: %d recorded%n", outcome.artifacts().size());
        out.printf("  manifest: %s (manifest.runs, manifest.tasks, manifest.artifacts)%n", outcome.manifestLocation());
        if (sample != null) {
            out.printf("  try: ./syntaxlake sql --lake %s \"%s\"%n", lake, sample);
        }
    }

    private static JsonNode json(ArtifactRecord artifact) {
        try {
            return JSON.readTree(artifact.payloadJson());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
