package io.syntaxlake.tasks.manifest;

import io.syntaxlake.tasks.core.Artifact;
import java.time.Instant;
import java.util.Objects;

/**
 * A task attempt's artifact as the manifest records it: the artifact's name and JSON payload,
 * stamped with the attempt it belongs to. {@code schemaIdentityHash} is null for an artifact
 * about no dataset. A name is unique within its attempt. Timestamps are microsecond-precise.
 */
public record ArtifactRecord(String runId, String taskId, int attempt, String name, String payloadJson,
                             String schemaIdentityHash, String engineVersion, Instant recordedAt) {

    public ArtifactRecord {
        ManifestValues.id("run id", runId);
        ManifestValues.id("task id", taskId);
        ManifestValues.text("artifact name", name);
        Objects.requireNonNull(payloadJson, "payloadJson");
        Objects.requireNonNull(engineVersion, "engineVersion");
        recordedAt = ManifestValues.micros(Objects.requireNonNull(recordedAt, "recordedAt"));
    }

    /** The record of artifact {@code a} of attempt {@code attempt} of task {@code taskId} in run {@code runId}. */
    public static ArtifactRecord of(String runId, String taskId, int attempt, Artifact a) {
        return new ArtifactRecord(runId, taskId, attempt, a.name(), a.payloadJson(), a.schemaIdentityHash(),
                a.engineVersion(), a.time());
    }
}
