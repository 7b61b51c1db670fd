package io.syntaxlake.routes.run;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.routes.pipeline.PipelineRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * The identities that make reruns idempotent. The configuration hash covers what shapes a run's
 * output besides its parameters: the engine version and the contracts' schema identity hashes.
 * The run key adds the parameters and a fingerprint of the source tree (every {@code *.py}
 * file's path, size and modification time), so a rerun over unchanged inputs is recognised while
 * an edited file makes a new run.
 */
public final class RunKeys {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RunKeys() {
    }

    public static String configHash() {
        StringBuilder text = new StringBuilder("engine=").append(EngineSession.engineVersion()).append('\n');
        for (ExtractKind kind : ExtractKind.values()) {
            text.append(kind.dataset()).append('=').append(ContractLoader.load(kind.dataset()).identityHash()).append('\n');
        }
        return sha256(text.toString());
    }

    public static String parametersJson(PipelineRequest request) {
        try {
            return JSON.writeValueAsString(request.parameters());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("run parameters are not JSON: " + e.getMessage(), e);
        }
    }

    public static String runKey(PipelineRequest request, String configHash) {
        String fingerprint = request.source().map(RunKeys::sourceFingerprint).orElse("");
        return sha256(parametersJson(request) + '\n' + configHash + '\n' + fingerprint);
    }

    /** Paths, sizes and modification times of the {@code *.py} files; "missing" when there is no such directory. */
    static String sourceFingerprint(Path source) {
        if (!Files.isDirectory(source)) {
            return "missing";
        }
        StringBuilder text = new StringBuilder();
        try (Stream<Path> files = Files.walk(source)) {
            List<Path> python = files.filter(p -> p.toString().endsWith(".py") && Files.isRegularFile(p)).sorted().toList();
            for (Path file : python) {
                text.append(source.relativize(file)).append('\t').append(Files.size(file)).append('\t')
                        .append(Files.getLastModifiedTime(file).toMillis()).append('\n');
            }
        } catch (IOException | UncheckedIOException e) {
            // an unreadable tree cannot be recognised as unchanged: make the key unique so the run goes ahead
            return "unreadable:" + System.nanoTime();
        }
        return sha256(text.toString());
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** A new run id: sortable by start time, unique, and a valid Delta output key. */
    public static String newRunId() {
        String time = java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC).format(java.time.Instant.now());
        byte[] random = new byte[4];
        new java.security.SecureRandom().nextBytes(random);
        return time + "-" + HexFormat.of().formatHex(random);
    }
}
