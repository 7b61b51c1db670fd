package io.syntaxlake.tasks.manifest;

import java.time.Instant;
import java.util.Objects;

/**
 * One run of a route as the manifest records it. {@code endedAt} is null while the run is
 * {@link RunStatus#RUNNING} and set once it finished; {@code error} is null unless it failed.
 * {@code runKey} identifies the work (route and parameters): a rerun with the key of a succeeded
 * run may reuse it ({@link ManifestStore#latestSucceeded}). Timestamps are microsecond-precise.
 */
public record RunRecord(String runId, String route, String trigger, String parametersJson, String runKey,
                        Instant startedAt, Instant endedAt, RunStatus status, String engineVersion, String configHash,
                        String error) {

    public RunRecord {
        ManifestValues.id("run id", runId);
        ManifestValues.text("route", route);
        ManifestValues.text("trigger", trigger);
        Objects.requireNonNull(parametersJson, "parametersJson");
        ManifestValues.text("run key", runKey);
        startedAt = ManifestValues.micros(Objects.requireNonNull(startedAt, "startedAt"));
        endedAt = ManifestValues.micros(endedAt);
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(engineVersion, "engineVersion");
        Objects.requireNonNull(configHash, "configHash");
        if ((status == RunStatus.RUNNING) != (endedAt == null)) {
            throw new IllegalArgumentException("run " + runId + ": a running run has no end time, a finished one has one"
                    + " (status " + status.text() + ", endedAt " + endedAt + ")");
        }
        if (endedAt != null && endedAt.isBefore(startedAt)) {
            throw new IllegalArgumentException("run " + runId + " ends (" + endedAt + ") before it starts (" + startedAt + ")");
        }
        if (error != null && status != RunStatus.FAILED) {
            throw new IllegalArgumentException("run " + runId + ": only a failed run has an error (status " + status.text() + ")");
        }
    }

    /** This run, finished with {@code status} at {@code endedAt}; {@code error} only for a failure. */
    public RunRecord finished(RunStatus status, Instant endedAt, String error) {
        return new RunRecord(runId, route, trigger, parametersJson, runKey, startedAt, endedAt, status, engineVersion,
                configHash, error);
    }
}
