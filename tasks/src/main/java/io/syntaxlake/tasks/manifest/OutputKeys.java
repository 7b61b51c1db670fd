package io.syntaxlake.tasks.manifest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * The Delta output keys of the manifest's rows ({@code DeltaWriter} replaces a key's files in one
 * commit, which is what makes each write idempotent). A key must be letters, digits and
 * {@code _ . = -}; ids allow a few more characters ({@link ManifestValues}), so keys are derived
 * deterministically: a run id that already is a valid key is its own key; anything else is its
 * text with the other characters replaced, plus a hash of the exact id(s), so two different
 * ids never share a key.
 */
final class OutputKeys {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.=-]{1,200}");

    private OutputKeys() {
    }

    static String run(String runId) {
        return KEY.matcher(runId).matches() && !runId.contains("..") ? runId
                : readable(runId) + "-" + hash(runId);
    }

    /** One key per (run, task, attempt): the task row and the attempt's artifacts are each replaced whole. */
    static String attempt(String runId, String taskId, int attempt) {
        return readable(runId + "." + taskId + "." + attempt) + "-" + hash(runId + '\u001f' + taskId + '\u001f' + attempt);
    }

    private static String readable(String text) {
        String replaced = text.replaceAll("[^A-Za-z0-9_-]", "_");
        return replaced.length() > 120 ? replaced.substring(0, 120) : replaced;
    }

    /** 128 bits of SHA-256: unique for any number of ids a manifest will see. */
    private static String hash(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }
}
