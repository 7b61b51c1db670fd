package io.syntaxlake.tasks.extract;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Optional;

/**
 * How a source tree differs from the sources a table already holds, as the extractor's source
 * index counts it: files added, changed (other bytes, or an error row made again), unchanged
 * (not extracted) and deleted.
 */
public record SourceChanges(long added, long changed, long unchanged, long deleted) {

    /** The counts of an extractor summary, empty when the run kept no source index. */
    static Optional<SourceChanges> of(JsonNode summary) {
        if (!summary.has("unchanged")) {
            return Optional.empty();
        }
        return Optional.of(new SourceChanges(summary.path("added").asLong(), summary.path("changed").asLong(),
                summary.path("unchanged").asLong(), summary.path("deleted").asLong()));
    }
}
