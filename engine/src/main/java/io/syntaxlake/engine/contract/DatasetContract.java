package io.syntaxlake.engine.contract;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A dataset's contract, loaded from config/contracts/&lt;name&gt;.json: its Arrow schema (with field
 * and schema metadata), how its lake table is laid out and written, the functions its views need
 * and the minimum engine version of each optional feature.
 */
public record DatasetContract(String name, int version, String description, Schema schema, TableSpec table,
                              List<RequiredFunction> requiredFunctions, Map<String, String> featureMinVersions,
                              ViewSpec views) {

    public DatasetContract {
        requiredFunctions = List.copyOf(requiredFunctions);
        featureMinVersions = Map.copyOf(featureMinVersions);
        for (String added : table.addedColumns()) {
            Field field = schema.getFields().stream().filter(f -> f.getName().equals(added)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("added column '" + added + "' is not a column of "
                            + name));
            if (!field.isNullable()) {
                throw new IllegalArgumentException("added column '" + added + "' of " + name
                        + " must be nullable: the tables written before it hold nulls there");
            }
        }
    }

    /** The schema identity hash of the contract's schema (see {@link SchemaIdentity}). */
    public String identityHash() {
        return SchemaIdentity.hash(schema);
    }

    /**
     * The contract as tables written before its added columns ({@code table.added_columns}) hold
     * it: the schema without them, everything else the same. This contract when it has none.
     */
    public DatasetContract withoutAddedColumns() {
        if (table.addedColumns().isEmpty()) {
            return this;
        }
        Set<String> added = Set.copyOf(table.addedColumns());
        Schema before = new Schema(schema.getFields().stream().filter(f -> !added.contains(f.getName())).toList(),
                schema.getCustomMetadata());
        return new DatasetContract(name, version, description, before, table.withoutAddedColumns(), requiredFunctions,
                featureMinVersions, views);
    }

    /**
     * The columns stored in the data files of a layout: DataFusion keeps partition columns in the
     * directory names only and appends them after the file columns.
     */
    public Schema fileSchema(Layout layout) {
        Set<String> partitions = Set.copyOf(layout.partitionBy());
        List<Field> fields = schema.getFields().stream().filter(f -> !partitions.contains(f.getName())).toList();
        return new Schema(fields, schema.getCustomMetadata());
    }

    public Field field(String name) {
        return schema.findField(name);
    }

    /**
     * How a lake table of the dataset is stored and scanned. {@code segmentRows} bounds the rows
     * of one data file (0: unbounded), so that a change rewrites only the files that hold it.
     * {@code addedColumns} are nullable columns added to the contract after tables of it were
     * written (e.g. {@code source_revision}): such tables and their files are read with nulls
     * there, and a Delta table without them keeps its schema (see {@link #withoutAddedColumns}).
     */
    public record TableSpec(String format, Map<String, Layout> layouts, String defaultLayout,
                            Map<String, String> parquetOptions, Map<String, List<String>> scanProjections,
                            ListingCachePolicy listingCache, boolean collectStatistics, int segmentRows,
                            List<String> addedColumns) {
        public TableSpec(String format, Map<String, Layout> layouts, String defaultLayout,
                         Map<String, String> parquetOptions, Map<String, List<String>> scanProjections,
                         ListingCachePolicy listingCache, boolean collectStatistics, int segmentRows) {
            this(format, layouts, defaultLayout, parquetOptions, scanProjections, listingCache, collectStatistics,
                    segmentRows, List.of());
        }

        TableSpec withoutAddedColumns() {
            return new TableSpec(format, layouts, defaultLayout, parquetOptions, scanProjections, listingCache,
                    collectStatistics, segmentRows, List.of());
        }

        public TableSpec {
            addedColumns = List.copyOf(addedColumns);
            if (segmentRows < 0) {
                throw new IllegalArgumentException("segment_rows must be >= 0, is " + segmentRows);
            }
            layouts = Map.copyOf(layouts);
            parquetOptions = Map.copyOf(parquetOptions);
            // insertion order kept: the contract's order is the order they are registered in
            var copied = new java.util.LinkedHashMap<String, List<String>>();
            scanProjections.forEach((name, columns) -> copied.put(name, List.copyOf(columns)));
            scanProjections = java.util.Collections.unmodifiableMap(copied);
            if (!layouts.containsKey(defaultLayout)) {
                throw new IllegalArgumentException("default layout '" + defaultLayout + "' is not among " + layouts.keySet());
            }
        }

        public Layout layout() {
            return layouts.get(defaultLayout);
        }
    }

    /** Hive partition columns and the ordering promised to the engine (WITH ORDER). */
    public record Layout(List<String> partitionBy, List<String> orderBy) {
        public Layout {
            partitionBy = List.copyOf(partitionBy);
            orderBy = List.copyOf(orderBy);
        }
    }

    /** How long a table's file listing may be cached, and how much listing memory it may use. */
    public record ListingCachePolicy(String ttl, String limit) {

        /** The TTL as a duration: {@code 500ms}, {@code 30s}, {@code 2m}, {@code 1h}; empty when unset. */
        public java.util.Optional<java.time.Duration> ttlDuration() {
            if (ttl == null || ttl.isBlank()) {
                return java.util.Optional.empty();
            }
            var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m|h)").matcher(ttl.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("listing cache ttl '" + ttl + "' is not <number>(ms|s|m|h)");
            }
            long n = Long.parseLong(m.group(1));
            return java.util.Optional.of(switch (m.group(2)) {
                case "ms" -> java.time.Duration.ofMillis(n);
                case "s" -> java.time.Duration.ofSeconds(n);
                case "m" -> java.time.Duration.ofMinutes(n);
                default -> java.time.Duration.ofHours(n);
            });
        }
    }

    /** A function the dataset's views need; parameters are information_schema logical type names. */
    public record RequiredFunction(String name, String functionType, List<String> parameters) {
        public RequiredFunction {
            parameters = List.copyOf(parameters);
        }
    }

    /**
     * The standard views of the dataset: one per nested list ({@code lists}: list column to view
     * name) with the root's {@code identity} columns in front, typed columns parsed out of the
     * attrs map ({@code typedAttrs}: view to attr key to Arrow type), key/value views over attrs
     * ({@code attrViews}: view to the view it unnests) and the name of the span + attrs record
     * column. {@code prefix} names the dataset in artifact names ({@code datafusion_<prefix>_...});
     * {@code prepared} are the typed lookups prepared with the views (statement name to lookup).
     */
    public record ViewSpec(String prefix, List<String> identity, Map<String, String> lists,
                           Map<String, Map<String, String>> typedAttrs, Map<String, String> attrViews,
                           String recordColumn, Map<String, PreparedLookup> prepared) {
        public ViewSpec {
            identity = List.copyOf(identity);
            lists = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(lists));
            typedAttrs = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(typedAttrs));
            attrViews = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(attrViews));
            prepared = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(prepared));
        }
    }

    /** {@code SELECT * FROM view WHERE column = $1}, its one parameter of Arrow type {@code type}. */
    public record PreparedLookup(String view, String column, String type) {
    }
}
