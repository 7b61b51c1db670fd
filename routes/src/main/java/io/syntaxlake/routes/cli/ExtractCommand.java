package io.syntaxlake.routes.cli;

import io.syntaxlake.tasks.extract.ExtractFailedException;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import io.syntaxlake.tasks.extract.StagingFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code ./syntaxlake extract ast|cst --source DIR --out DIR [--repo NAME] [--exclude GLOB]... [--format arrow|ndjson]
 * [--known FILE] [--index FILE]}: extracts a Python source tree into the dataset ast_files_v1 or
 * libcst_files_v1, as Arrow IPC part files (the contract's schema) or, when asked for, NDJSON;
 * with {@code --known} (a source index, or a table's path and file_sha256 as Arrow IPC) only the
 * files added or changed since.
 */
@Command(name = "extract", description = "Extract a Python source tree into ast_files_v1 (ast) or libcst_files_v1 (cst).")
public class ExtractCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "ast|cst", description = "which parser: ast (stdlib) or cst (LibCST)")
    String kind;

    @Option(names = "--source", required = true, paramLabel = "DIR", description = "the tree of *.py files")
    Path source;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "the dataset directory (replaced on success)")
    Path out;

    @Option(names = "--repo", paramLabel = "NAME", description = "repository name recorded in every row")
    String repo;

    @Option(names = "--exclude", paramLabel = "GLOB", description = "skip repo-relative paths matching this glob (repeatable)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--workers", paramLabel = "N", description = "extractor processes (default: all cores)")
    Integer workers;

    @Option(names = "--format", paramLabel = "arrow|ndjson", defaultValue = "arrow",
            description = "part file format: Arrow IPC files (default) or NDJSON text")
    String format;

    @Option(names = "--known", paramLabel = "FILE",
            description = "Arrow IPC file of the sources already extracted (a source index, or path and file_sha256):"
                    + " extract only added and changed files")
    Path known;

    @Option(names = "--index", paramLabel = "FILE",
            description = "write the source index (every file's path, size, mtime_ns, file_sha256 and status) here")
    Path index;

    @Override
    public Integer call() {
        try {
            ExtractRequest request = ExtractRequest.of(ExtractKind.parse(kind), source, out).withExcludes(excludes)
                    .withStaging(StagingFormat.parse(format));
            if (repo != null) {
                request = request.withRepo(repo);
            }
            if (workers != null) {
                request = request.withWorkers(workers);
            }
            if (known != null) {
                request = request.withKnownSources(known);
            }
            if (index != null) {
                request = request.withSourceIndex(index);
            }
            ExtractResult result = new ExtractTask().run(request);
            System.out.printf("%s: %d files, %d rows, %d error rows in %d files, %d bytes, %d %s part files (%d bytes),"
                            + " %.1f s -> %s%n",
                    result.kind().dataset(), result.files(), result.rows(), result.errorRows(), result.errorFiles(),
                    result.bytes(), result.parts(), result.staging().option(), result.stagingBytes(), result.seconds(),
                    result.output());
            result.revision().ifPresent(r -> System.out.printf("revision: %s%s%n", r.commit(), r.dirty() ? " (dirty)" : ""));
            result.changes().ifPresent(c -> System.out.printf("sources: %d added, %d changed, %d unchanged, %d deleted%n",
                    c.added(), c.changed(), c.unchanged(), c.deleted()));
            return 0;
        } catch (ExtractFailedException | IllegalArgumentException e) {
            System.err.println("syntaxlake extract: " + e.getMessage());
            return 1;
        }
    }
}
