package io.syntaxlake.tasks.extract;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to extract: every {@code *.py} under {@code source} (minus the exclude globs, matched
 * against repo-relative paths) into part files under {@code output} (Arrow IPC unless
 * {@code staging} says NDJSON), which is replaced as a whole when the extraction succeeds.
 * {@code known}, an Arrow IPC file of the sources a table already holds ({@code path},
 * {@code file_sha256}; {@code size} and {@code mtime_ns} as a fast pre-check, as a source index
 * has them), limits the extraction to added and changed files; {@code index} is where the run's
 * source index goes (every file's path, size, mtime_ns, file_sha256 and status).
 */
public record ExtractRequest(ExtractKind kind, Path source, Path output, Optional<String> repo, List<String> excludes,
                             int workers, long maxFileBytes, String python, StagingFormat staging,
                             Optional<Path> known, Optional<Path> index, boolean indexOptional) {

    public static final long DEFAULT_MAX_FILE_BYTES = 50_000_000L;

    public ExtractRequest {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(staging, "staging");
        Objects.requireNonNull(known, "known");
        Objects.requireNonNull(index, "index");
        index.ifPresent(file -> {
            if (file.toAbsolutePath().normalize().startsWith(output.toAbsolutePath().normalize())) {
                throw new IllegalArgumentException("the source index " + file + " must not be inside the output directory "
                        + output + ", which an extraction replaces whole");
            }
        });
        excludes = List.copyOf(excludes);
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be at least 1, got " + workers);
        }
        if (maxFileBytes < 0) {
            throw new IllegalArgumentException("maxFileBytes must not be negative, got " + maxFileBytes);
        }
    }

    /** A request that extracts every file and writes no source index. */
    public ExtractRequest(ExtractKind kind, Path source, Path output, Optional<String> repo, List<String> excludes,
                          int workers, long maxFileBytes, String python, StagingFormat staging) {
        this(kind, source, output, repo, excludes, workers, maxFileBytes, python, staging, Optional.empty(),
                Optional.empty(), false);
    }

    /** Defaults: all cores, 50 MB per file, the interpreter of {@code $SYNTAXLAKE_PYTHON} or python3. */
    public static ExtractRequest of(ExtractKind kind, Path source, Path output) {
        String python = Optional.ofNullable(System.getenv("SYNTAXLAKE_PYTHON")).filter(p -> !p.isBlank()).orElse("python3");
        return new ExtractRequest(kind, source, output, Optional.empty(), List.of(),
                Runtime.getRuntime().availableProcessors(), DEFAULT_MAX_FILE_BYTES, python, StagingFormat.ARROW);
    }

    public ExtractRequest withRepo(String name) {
        return new ExtractRequest(kind, source, output, Optional.of(name), excludes, workers, maxFileBytes,
                python, staging, known, index, indexOptional);
    }

    public ExtractRequest withExcludes(List<String> globs) {
        return new ExtractRequest(kind, source, output, repo, globs, workers, maxFileBytes,
                python, staging, known, index, indexOptional);
    }

    public ExtractRequest withWorkers(int count) {
        return new ExtractRequest(kind, source, output, repo, excludes, count, maxFileBytes,
                python, staging, known, index, indexOptional);
    }

    public ExtractRequest withMaxFileBytes(long bytes) {
        return new ExtractRequest(kind, source, output, repo, excludes, workers, bytes,
                python, staging, known, index, indexOptional);
    }

    public ExtractRequest withStaging(StagingFormat format) {
        return new ExtractRequest(kind, source, output, repo, excludes, workers, maxFileBytes,
                python, format, known, index, indexOptional);
    }

    /** Extracts only the files that are not among the {@code sources} already known, or differ from them. */
    public ExtractRequest withKnownSources(Path sources) {
        return new ExtractRequest(kind, source, output, repo, excludes, workers, maxFileBytes, python, staging,
                Optional.of(sources), index, indexOptional);
    }

    /** Writes the run's source index to {@code file}. */
    public ExtractRequest withSourceIndex(Path file) {
        return new ExtractRequest(kind, source, output, repo, excludes, workers, maxFileBytes, python, staging,
                known, Optional.of(file), false);
    }

    /**
     * Writes the run's source index to {@code file} where the interpreter can (it needs pyarrow);
     * where it cannot, the known sources are not used and no index is written: every file is
     * extracted, and the summary says why.
     */
    public ExtractRequest withSourceIndexIfPossible(Path file) {
        return new ExtractRequest(kind, source, output, repo, excludes, workers, maxFileBytes, python, staging,
                known, Optional.of(file), true);
    }
}
