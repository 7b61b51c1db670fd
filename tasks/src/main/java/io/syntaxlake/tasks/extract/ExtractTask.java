package io.syntaxlake.tasks.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.contract.ContractLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Extracts a Python source tree into a staging dataset (one row per file; Arrow IPC files with the
 * contract's schema, or NDJSON when asked for) by running python3 on the shipped extractor
 * package. The extractor writes into a fresh sibling directory; only a successful run replaces
 * the output directory, so a failed or killed run leaves the previous dataset in place and a
 * rerun never duplicates rows. Bad source files are not failures: they become error rows and are
 * counted. Arrow staging's part order is checked on the files before they replace the output.
 */
public final class ExtractTask {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The extractor's exit code when libcst is not importable. */
    private static final int MISSING_DEPENDENCY = 3;
    private static final String PROGRESS = "{\"progress\"";

    public ExtractResult run(ExtractRequest request) {
        return run(request, ExtractProgress.NONE);
    }

    /** As {@link #run(ExtractRequest)}, reporting files done after every batch to {@code progress}. */
    public ExtractResult run(ExtractRequest request, ExtractProgress progress) {
        if (!Files.isDirectory(request.source())) {
            throw new ExtractFailedException("the source " + request.source() + " is not a directory");
        }
        Path output = request.output().toAbsolutePath().normalize();
        Path staging = output.resolveSibling(output.getFileName() + ".extracting-" + UUID.randomUUID());
        try {
            Files.createDirectories(output.getParent());
            Path log = Files.createTempFile("syntaxlake-extract-", ".log");
            Path schema = Files.createTempFile("syntaxlake-extract-", ".schema.arrows");
            try {
                // before the extraction: the rows are of the files as they were when it started
                Optional<SourceRevision> revision = SourceRevision.of(request.source());
                if (request.staging() == StagingFormat.ARROW) {
                    ArrowStaging.writeSchema(ContractLoader.load(request.kind().dataset()).schema(), schema);
                }
                JsonNode summary = runExtractor(request, staging, schema, log, progress, revision);
                if (request.staging() == StagingFormat.ARROW) {
                    ArrowStaging.checkOrder(staging);
                }
                replace(output, staging);
                return new ExtractResult(request.kind(), output, summary.path("files").asLong(),
                        summary.path("rows").asLong(), summary.path("error_rows").asLong(),
                        summary.path("error_files").asLong(), summary.path("bytes").asLong(),
                        summary.path("parts").asInt(), request.staging(), summary.path("staging_bytes").asLong(),
                        summary.path("seconds").asDouble(), SourceChanges.of(summary), revision);
            } finally {
                Files.deleteIfExists(log);
                Files.deleteIfExists(schema);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("extraction of " + request.source() + " into " + output + " failed", e);
        } finally {
            FileTrees.delete(staging);
        }
    }

    private JsonNode runExtractor(ExtractRequest request, Path staging, Path schema, Path log,
                                  ExtractProgress progress, Optional<SourceRevision> revision) throws IOException {
        List<String> command = new ArrayList<>(List.of(request.python(), "-m", ExtractorPackage.PACKAGE,
                request.kind().command(), "--source", request.source().toAbsolutePath().toString(),
                "--out", staging.toString(), "--workers", Integer.toString(request.workers()),
                "--max-bytes", Long.toString(request.maxFileBytes()), "--progress",
                "--format", request.staging().option()));
        if (request.staging() == StagingFormat.ARROW) {
            command.addAll(List.of("--schema", schema.toString()));
        }
        request.repo().ifPresent(repo -> command.addAll(List.of("--repo", repo)));
        revision.ifPresent(r -> command.addAll(List.of("--source-revision", r.label())));
        request.known().ifPresent(known -> command.addAll(List.of("--known", known.toAbsolutePath().toString())));
        request.index().ifPresent(index -> command.addAll(List.of("--index-out", index.toAbsolutePath().toString())));
        if (request.indexOptional()) {
            command.add("--index-optional");
        }
        for (String glob : request.excludes()) {
            command.addAll(List.of("--exclude", glob));
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectError(log.toFile());
        builder.environment().put("PYTHONPATH", ExtractorPackage.pythonPath().toString());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new ExtractFailedException("could not start the Python interpreter '" + request.python()
                    + "' (set SYNTAXLAKE_PYTHON to another one): " + e.getMessage(), e);
        }
        // progress lines while it runs, the summary as the last line
        String last = "";
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith(PROGRESS)) {
                    JsonNode counts = JSON.readTree(line).path("progress");
                    progress.files(counts.path(0).asLong(), counts.path(1).asLong());
                } else if (!line.isBlank()) {
                    last = line;
                }
            }
        }
        int exit;
        try {
            exit = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ExtractFailedException("interrupted while extracting " + request.source(), e);
        }
        if (exit != 0) {
            String stderr = Files.readString(log, StandardCharsets.UTF_8).strip();
            String hint = exit == MISSING_DEPENDENCY ? " (a Python package is missing)" : "";
            throw new ExtractFailedException("the " + request.kind().command() + " extractor failed on "
                    + request.source() + " with exit code " + exit + hint + ": " + stderr);
        }
        return JSON.readTree(last);
    }

    /** Swaps the new dataset in: the old one is moved aside first and deleted only afterwards. */
    private static void replace(Path output, Path staging) throws IOException {
        Path previous = output.resolveSibling(output.getFileName() + ".previous-" + UUID.randomUUID());
        boolean hadPrevious = Files.exists(output);
        if (hadPrevious) {
            Files.move(output, previous, StandardCopyOption.ATOMIC_MOVE);
        }
        Files.move(staging, output, StandardCopyOption.ATOMIC_MOVE);
        if (hadPrevious) {
            FileTrees.delete(previous);
        }
    }
}
