package io.syntaxlake.tasks.core;

import java.util.List;

/**
 * A task that ran and found its input wrong (a drifted schema, a null identity, a bad location):
 * the message says what and where, the artifacts record what was seen, for the manifest.
 */
public class TaskFailedException extends RuntimeException {
    private final transient List<Artifact> artifacts;

    public TaskFailedException(String message, List<Artifact> artifacts) {
        super(message);
        this.artifacts = List.copyOf(artifacts);
    }

    public TaskFailedException(String message, List<Artifact> artifacts, Throwable cause) {
        super(message, cause);
        this.artifacts = List.copyOf(artifacts);
    }

    public List<Artifact> artifacts() {
        return artifacts;
    }
}
