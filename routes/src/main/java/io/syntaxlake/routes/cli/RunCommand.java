package io.syntaxlake.routes.cli;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.routes.pipeline.OutputFormat;
import io.syntaxlake.routes.pipeline.PipelineRequest;
import io.syntaxlake.routes.run.RunOutcome;
import io.syntaxlake.routes.run.RunService;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./syntaxlake run <route> --source DIR --lake DIR [--repo NAME] [--format parquet|delta]}:
 * runs one route once, shows its tasks as they finish, then prints a summary. Exit code 0 when
 * the run succeeded (or an identical run already had), 1 when it failed, 2 for a bad request.
 */
@Command(name = "run", description = "Run a route once: ast-pipeline, cst-pipeline, catalog-refresh or snapshot-diff.")
public class RunCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ROUTE", description = "ast-pipeline, cst-pipeline, catalog-refresh or snapshot-diff")
    String route;

    @Option(names = "--source", paramLabel = "DIR", description = "the tree of *.py files (the pipelines need one)")
    Path source;

    @Option(names = "--lake", paramLabel = "DIR", description = "the lake: a directory or s3://bucket/prefix (default: syntaxlake.lake)")
    String lake;

    @Option(names = "--repo", paramLabel = "NAME", description = "repository name recorded in every row (default: the source directory's name)")
    String repo;

    @Option(names = "--format", defaultValue = "parquet", paramLabel = "parquet|delta",
            description = "how the lake keeps the dataset (default: ${DEFAULT-VALUE})")
    String format;

    @Option(names = "--exclude", paramLabel = "GLOB", description = "skip repo-relative paths matching this glob (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--force", description = "run even if a run with the same parameters and inputs already succeeded")
    boolean force;

    @Option(names = "--full", description = "extract every file and rewrite all of the repository's rows,"
            + " even where the table holds the rows of unchanged files (implies --force)")
    boolean full;

    @Inject
    RunService runs;

    @Inject
    SyntaxLakeConfig config;

    @Override
    public Integer call() {
        PipelineRequest request;
        try {
            Optional<Path> sourceDir = Optional.ofNullable(source);
            request = new PipelineRequest(route, sourceDir, Lakes.parse(lake == null ? config.lake() : lake),
                    repo == null ? PipelineRequest.defaultRepo(sourceDir) : repo, OutputFormat.parse(format),
                    excludes, "cli", force, full);
        } catch (IllegalArgumentException e) {
            System.err.println("syntaxlake run: " + e.getMessage());
            return 2;
        }
        System.err.println("syntaxlake run " + route + (source == null ? "" : " over " + request.source().orElseThrow())
                + " into " + request.lake().root());
        RunOutcome outcome;
        try {
            outcome = runs.run(request, new ConsoleProgress(System.err, System.console() != null));
        } catch (IllegalArgumentException e) {
            System.err.println("syntaxlake run: " + e.getMessage());
            return 2;
        }
        new RunSummary(outcome).print(System.out, System.err);
        return outcome.succeeded() ? 0 : 1;
    }
}
