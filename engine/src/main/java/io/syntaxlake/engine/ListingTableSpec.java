package io.syntaxlake.engine;

import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A listing table: the files under {@code location} (a directory ending in {@code /}, local or
 * {@code s3://}) read with {@code fileSchema}; Hive partition columns (Utf8) follow the file
 * columns; {@code sortOrder} is the WITH ORDER promise (ascending, nulls last, not checked);
 * {@code options} are table options with {@code format.} keys (parquet only); {@code listingTtl}
 * is how long this table's file listing may be cached (null: the session's cache policy, which
 * in DataFusion 55 never expires).
 */
public record ListingTableSpec(String table, String location, Format format, Schema fileSchema,
                               List<String> partitionColumns, List<String> sortOrder, Map<String, String> options,
                               java.time.Duration listingTtl) {

    /** File formats a listing table can read with an explicit schema (ARROW: Arrow IPC files, {@code .arrow}). */
    public enum Format { JSON, ARROW, PARQUET }

    public ListingTableSpec {
        partitionColumns = List.copyOf(partitionColumns);
        sortOrder = List.copyOf(sortOrder);
        options = Map.copyOf(options);
    }

    /** A table over files with no partitions, ordering or options. */
    public static ListingTableSpec plain(String table, String location, Format format, Schema fileSchema) {
        return new ListingTableSpec(table, location, format, fileSchema, List.of(), List.of(), Map.of(), null);
    }

    public ListingTableSpec withListingTtl(java.time.Duration ttl) {
        return new ListingTableSpec(table, location, format, fileSchema, partitionColumns, sortOrder, options, ttl);
    }
}
