package io.syntaxlake.tasks.manifest;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks every manifest record applies to its values, so that both stores refuse the same
 * input and a value read back equals the one written.
 *
 * <p>Ids (run ids, task ids) are letters, digits and {@code _ . : @ + = -}, starting with a letter
 * or digit, at most 200 characters: they become SQL literals, Delta output keys and log
 * transaction ids, so nothing that needs quoting or escaping gets in.
 *
 * <p>Timestamps are kept at microsecond precision, what Delta, Parquet and PostgreSQL store: the
 * records truncate on construction, so a record read back from either store equals the record
 * that was written, {@code Instant} for {@code Instant}.
 */
final class ManifestValues {
    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.:@+=-]{0,199}");

    private ManifestValues() {
    }

    static String id(String what, String id) {
        Objects.requireNonNull(id, what);
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException(what + " '" + id + "' must be 1-200 letters, digits and _ . : @ + = -"
                    + " starting with a letter or digit");
        }
        return id;
    }

    /** Text that must be present and free of control characters (it is compared in SQL). */
    static String text(String what, String value) {
        Objects.requireNonNull(value, what);
        if (value.isEmpty() || value.chars().anyMatch(Character::isISOControl)) {
            throw new IllegalArgumentException(what + " must be non-empty and free of control characters: '"
                    + value.replace("\n", "\\n") + "'");
        }
        return value;
    }

    /** A schema name that goes into SQL unquoted: lowercase letters, digits and {@code _}, at most 63 (PostgreSQL's limit). */
    static String schemaName(String schema) {
        Objects.requireNonNull(schema, "schema");
        if (!SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("schema name '" + schema + "' must be 1-63 lowercase letters, digits and _,"
                    + " not starting with a digit");
        }
        return schema;
    }

    /** The artifacts of one attempt: each stamped with that attempt, no name twice (the name is part of the key). */
    static void artifactsOf(TaskAttempt attempt, List<ArtifactRecord> artifacts) {
        Set<String> names = new HashSet<>();
        for (ArtifactRecord artifact : artifacts) {
            if (!artifact.runId().equals(attempt.runId()) || !artifact.taskId().equals(attempt.taskId())
                    || artifact.attempt() != attempt.attempt()) {
                throw new IllegalArgumentException("artifact " + artifact.name() + " belongs to " + artifact.runId() + "/"
                        + artifact.taskId() + "/" + artifact.attempt() + ", not to the attempt recorded with it, "
                        + attempt.runId() + "/" + attempt.taskId() + "/" + attempt.attempt());
            }
            if (!names.add(artifact.name())) {
                throw new IllegalArgumentException("attempt " + attempt.runId() + "/" + attempt.taskId() + "/"
                        + attempt.attempt() + " has two artifacts named " + artifact.name());
            }
        }
    }

    static Instant micros(Instant instant) {
        return instant == null ? null : instant.truncatedTo(ChronoUnit.MICROS);
    }

    /** {@code run}, checked to be what startRun records: a run that is still running. */
    static RunRecord starting(RunRecord run) {
        if (run.status() != RunStatus.RUNNING) {
            throw new IllegalArgumentException("startRun(" + run.runId() + "): status is " + run.status().text() + ", not running");
        }
        return run;
    }
}
