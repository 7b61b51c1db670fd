package io.syntaxlake.tasks.extract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * How a source tree differs from the sources a table already holds, as the extractor's source
 * index counts it: files added, changed (other bytes, or an error row made again), unchanged
 * (not extracted) and deleted. {@code known} says what became of the known sources: {@code none}
 * (none were given: every file is added), {@code used}, or {@code ignored: <why>} (recorded under
 * another extraction configuration: every file is added again).
 */
public record SourceChanges(long added, long changed, long unchanged, long deleted, String known) {
    public static final String NONE = "none";
    public static final String USED = "used";

    /** Counts of a run given no known sources. */
    public SourceChanges(long added, long changed, long unchanged, long deleted) {
        this(added, changed, unchanged, deleted, NONE);
    }

    /** Whether the run extracted only what changed against known sources it could use. */
    public boolean incremental() {
        return USED.equals(known);
    }

    /** The counts of an extractor summary, empty when the run kept no source index. */
    static Optional<SourceChanges> of(JsonNode summary) {
        if (!summary.has("unchanged")) {
            return Optional.empty();
        }
        return Optional.of(new SourceChanges(summary.path("added").asLong(), summary.path("changed").asLong(),
                summary.path("unchanged").asLong(), summary.path("deleted").asLong(),
                summary.path("known").asText(NONE)));
    }
}
