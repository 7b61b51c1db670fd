package io.syntaxlake.tasks.delta;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One data file of a Delta snapshot: absolute URL, size, partition values (a value may be null),
 * whether a deletion vector hides some of its rows, and its record count when the log has stats.
 */
public record DeltaFile(String url, long size, Map<String, String> partitionValues, boolean hasDeletionVector,
                        OptionalLong numRecords) {
    public DeltaFile {
        partitionValues = Collections.unmodifiableMap(new HashMap<>(partitionValues));
    }
}
