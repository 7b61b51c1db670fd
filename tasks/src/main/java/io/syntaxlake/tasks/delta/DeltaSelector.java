package io.syntaxlake.tasks.delta;

import java.time.Instant;

/** Which snapshot of a Delta table: the latest, a version, or the one current at a time. */
public record DeltaSelector(Long version, Instant timestamp) {

    public DeltaSelector {
        if (version != null && timestamp != null) {
            throw new IllegalArgumentException("select a Delta snapshot by version or by timestamp, not both");
        }
        if (version != null && version < 0) {
            throw new IllegalArgumentException("a Delta version is never negative: " + version);
        }
    }

    public static DeltaSelector latest() {
        return new DeltaSelector(null, null);
    }

    public static DeltaSelector version(long version) {
        return new DeltaSelector(version, null);
    }

    public static DeltaSelector asOf(Instant timestamp) {
        return new DeltaSelector(null, timestamp);
    }

    @Override
    public String toString() {
        return version != null ? "version " + version : timestamp != null ? "as of " + timestamp : "latest";
    }
}
