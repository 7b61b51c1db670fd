package io.syntaxlake.routes.pipeline;

import io.syntaxlake.tasks.lake.Lake;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one run is asked to do. {@link #parameters()} is what the manifest records and what makes
 * two runs "the same" for an idempotent rerun; the trigger and {@code force} are not part of it.
 *
 * @param repo    the repository name recorded in every row and used as the Delta output key
 * @param trigger who started the run: {@code cli}, {@code rest}, {@code schedule:<name>}
 * @param force   run even when a run with the same parameters and inputs already succeeded
 * @param full    extract every file and rewrite all of the repository's rows, even when the table
 *                holds the rows of unchanged files (a full run implies {@code force})
 */
public record PipelineRequest(String route, Optional<Path> source, Lake lake, String repo, OutputFormat format,
                              List<String> excludes, String trigger, boolean force, boolean full) {

    /** A request that runs incrementally where the table allows it. */
    public PipelineRequest(String route, Optional<Path> source, Lake lake, String repo, OutputFormat format,
                           List<String> excludes, String trigger, boolean force) {
        this(route, source, lake, repo, format, excludes, trigger, force, false);
    }

    public PipelineRequest {
        source = source.map(p -> p.toAbsolutePath().normalize());
        force = force || full;
        excludes = List.copyOf(excludes);
        if (!repo.matches("[A-Za-z0-9_.=-]{1,100}") || repo.contains("..")) {
            throw new IllegalArgumentException("repo name '" + repo + "' must be 1 to 100 letters, digits and _ . = -");
        }
    }

    /** The repository name a source directory gives when none is named: its last path segment, cleaned. */
    public static String defaultRepo(Optional<Path> source) {
        String name = source.map(p -> p.toAbsolutePath().normalize().getFileName())
                .map(Path::toString).orElse("lake");
        String cleaned = name.replaceAll("[^A-Za-z0-9_.=-]", "_").replace("..", "_");
        return cleaned.isEmpty() ? "repo" : cleaned;
    }

    public Map<String, Object> parameters() {
        Map<String, Object> parameters = new LinkedHashMap<>();
        parameters.put("route", route);
        parameters.put("source", source.map(Path::toString).orElse(null));
        parameters.put("lake", lake.root().url());
        parameters.put("repo", repo);
        parameters.put("format", format.label());
        parameters.put("excludes", excludes);
        return parameters;
    }

    public PipelineRequest forced() {
        return new PipelineRequest(route, source, lake, repo, format, excludes, trigger, true, full);
    }

    /** The same request as a full run. */
    public PipelineRequest asFull() {
        return new PipelineRequest(route, source, lake, repo, format, excludes, trigger, true, true);
    }
}
