package io.syntaxlake.tasks.manifest;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One finished attempt of a task in a run (attempts count from the route's first try; a retry is
 * a new attempt). {@code error} is null when there is none. Timestamps are microsecond-precise.
 */
public record TaskAttempt(String runId, String taskId, int attempt, TaskStatus status, Instant startedAt,
                          Instant endedAt, String error) {

    public TaskAttempt {
        ManifestValues.id("run id", runId);
        ManifestValues.id("task id", taskId);
        if (attempt < 0) {
            throw new IllegalArgumentException("task " + taskId + ": attempt " + attempt + " is negative");
        }
        Objects.requireNonNull(status, "status");
        startedAt = ManifestValues.micros(Objects.requireNonNull(startedAt, "startedAt"));
        endedAt = ManifestValues.micros(Objects.requireNonNull(endedAt, "endedAt"));
        if (endedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("task " + taskId + " attempt " + attempt + " ends (" + endedAt
                    + ") before it starts (" + startedAt + ")");
        }
    }

    /** Wall time of the attempt in whole milliseconds (stored as {@code duration_ms}). */
    public long durationMillis() {
        return Duration.between(startedAt, endedAt).toMillis();
    }
}
