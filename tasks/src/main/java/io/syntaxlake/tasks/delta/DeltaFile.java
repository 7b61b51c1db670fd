package io.syntaxlake.tasks.delta;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One data file of a Delta snapshot: absolute URL, size, partition values (a value may be null),
 * whether a deletion vector hides some of its rows, its record count when the log has stats, and
 * its path as the log records it (relative to the table root, URL-encoded), which a remove
 * action must repeat exactly.
 */
public record DeltaFile(String url, long size, Map<String, String> partitionValues, boolean hasDeletionVector,
                        OptionalLong numRecords, String logPath) {
    public DeltaFile {
        partitionValues = Collections.unmodifiableMap(new HashMap<>(partitionValues));
    }
}
