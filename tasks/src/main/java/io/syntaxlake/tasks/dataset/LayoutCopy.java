package io.syntaxlake.tasks.dataset;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The COPY that writes {@code sourceTable} as a contract layout's Parquet files: the contract's
 * columns, the layout's order and Hive partitions, the contract's write options.
 *
 * <p>A source whose rows already come in the layout's order when its files are read one after
 * the other in name order ({@code sourceInLayoutOrder}, e.g. the extractor's staging: numbered
 * part files of consecutive paths) is copied as it comes, without an ORDER BY. DataFusion cannot
 * see that order itself (NDJSON files carry no statistics), so an ORDER BY would hold the whole
 * source in memory or in spill files; the stdlib's LibCST rows peaked at 5.4 GiB that way. The
 * source is read as one stream instead, one row at a time: the COPY is planned with one target
 * partition (the scan is one file group in name order and nothing repartitions it) and one-row
 * batches (a row is a whole source file; the standard library's largest LibCST row is 96 MB of
 * JSON, and decoding 16 such rows at once peaked at 1.7 GB, one at a time at 1.0 GB). Those two
 * settings are changed on the session for the COPY alone and restored after it; nothing else may
 * plan on the session meanwhile (a run's materialize step has its session to itself).
 *
 * <p>A source in layout order whose rows all share one partition (the extractor's staging: one
 * repository) is written straight into that partition's directory, without PARTITIONED BY:
 * DataFusion's hive writer copies every batch ({@code take}) to split it by partition, and a copy
 * of a 35 MB LibCST row is memory the main job does not have. The files and their rows are the
 * same; only the file names differ.
 */
public record LayoutCopy(DatasetContract contract, DatasetContract.Layout layout, String sourceTable,
                         boolean sourceInLayoutOrder) {
    /** The settings of a copy in source order: one ordered stream, one file row per batch. */
    static final Map<String, String> STREAMING = Map.of(
            "datafusion.execution.target_partitions", "1",
            "datafusion.execution.batch_size", "1",
            // an unpartitioned write is one file of consecutive rows, not four written in turns
            "datafusion.execution.minimum_parallel_output_files", "1",
            // each row goes into the file's column writers as it comes: the parallel writer queues
            // rows per column, and a 16-row file rolling over while the last one is still encoded
            // held two files' rows of large LibCST rows at once
            "datafusion.execution.parquet.allow_single_file_parallelism", "false");
    private static final String FILE_ROWS = "datafusion.execution.soft_max_rows_per_output_file";

    /** Partition values that are their own directory name: what the hive writer would write. */
    private static final Pattern PLAIN_VALUE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*");

    /** A COPY that sorts its source into the layout's order. */
    public static LayoutCopy sorting(DatasetContract contract, DatasetContract.Layout layout, String sourceTable) {
        return new LayoutCopy(contract, layout, sourceTable, false);
    }

    /** A COPY of a source already in the layout's order when read file after file in name order. */
    public static LayoutCopy inSourceOrder(DatasetContract contract, DatasetContract.Layout layout,
                                           String sourceTable) {
        return new LayoutCopy(contract, layout, sourceTable, true);
    }

    /** The statement that writes the files under {@code targetUrl}. */
    public String statement(String targetUrl) {
        String columns = columnList(contract.schema().getFields().stream().map(Field::getName).toList());
        String order = sourceInLayoutOrder ? "" : columnList(layout.orderBy());
        // COPY keeps quotes as part of a PARTITIONED BY name, so these go in bare, checked first
        String partitions = layout.partitionBy().isEmpty() ? ""
                : layout.partitionBy().stream().map(LayoutCopy::bareColumn)
                .collect(Collectors.joining(", ", " PARTITIONED BY (", ")"));
        return "COPY (SELECT " + columns + " FROM " + quote(sourceTable)
                + (order.isEmpty() ? "" : " ORDER BY " + order) + ") TO " + literal(targetUrl)
                + " STORED AS PARQUET" + partitions + TableOptions.sql(TableOptions.writeOptions(contract));
    }

    /**
     * The statement that writes the rows of the one partition {@code directory} (e.g.
     * {@code repo=cpython}) under {@code targetUrl}, without the partition columns, as the hive
     * writer would.
     */
    String onePartitionStatement(String targetUrl, String directory) {
        List<String> columns = contract.schema().getFields().stream().map(Field::getName)
                .filter(name -> !layout.partitionBy().contains(name)).toList();
        String base = targetUrl.endsWith("/") ? targetUrl : targetUrl + "/";
        return "COPY (SELECT " + columnList(columns) + " FROM " + quote(sourceTable) + ") TO "
                + literal(base + directory + "/") + " STORED AS PARQUET"
                + TableOptions.sql(TableOptions.writeOptions(contract));
    }

    /** Writes the files under {@code targetUrl}; returns the rows written. */
    public long run(EngineSession session, String targetUrl) {
        return readingSource(session, () -> rowsOf(session, onePartition(session)
                .map(directory -> onePartitionStatement(targetUrl, directory))
                .orElseGet(() -> statement(targetUrl))));
    }

    /**
     * Writes a source that holds the rows of the one partition {@code directory} without its
     * partition columns (e.g. the surviving rows of one data file of it) into that partition's
     * directory under {@code targetUrl}, in source order; returns the rows written.
     */
    public long runIntoPartition(EngineSession session, String targetUrl, String directory) {
        return readingSource(session, () -> rowsOf(session, onePartitionStatement(targetUrl, directory)));
    }

    /**
     * The directory of the only partition of a source in layout order, when every row has the
     * same non-null, plain text value in each partition column; empty otherwise (and for an
     * empty source). One aggregate over the partition columns alone decides.
     */
    Optional<String> onePartition(EngineSession session) {
        List<String> partitions = layout.partitionBy();
        boolean textOnly = partitions.stream()
                .allMatch(c -> contract.schema().findField(c).getType() instanceof ArrowType.Utf8);
        if (!sourceInLayoutOrder || partitions.isEmpty() || !textOnly) {
            return Optional.empty();
        }
        String aggregates = partitions.stream()
                .map(c -> "count(" + quote(c) + "), min(" + quote(c) + "), max(" + quote(c) + ")")
                .collect(Collectors.joining(", "));
        List<Object> row = session.collect("SELECT count(*), " + aggregates + " FROM " + quote(sourceTable))
                .rows().get(0);
        long rows = ((Number) row.get(0)).longValue();
        List<String> directories = new ArrayList<>();
        for (int i = 0; i < partitions.size(); i++) {
            long nonNull = ((Number) row.get(1 + 3 * i)).longValue();
            Object min = row.get(2 + 3 * i);
            Object max = row.get(3 + 3 * i);
            if (rows == 0 || nonNull != rows || min == null || !min.equals(max)
                    || !PLAIN_VALUE.matcher(min.toString()).matches()) {
                return Optional.empty();
            }
            directories.add(partitions.get(i) + "=" + min);
        }
        return Optional.of(String.join("/", directories));
    }

    /**
     * Runs {@code work}, the COPY and the other queries over the source that go with it (the
     * materialize step's null check), reading the source as the copy does: one ordered stream of
     * one row per batch when it is in layout order, the session as it is otherwise.
     */
    public <T> T readingSource(EngineSession session, Supplier<T> work) {
        if (!sourceInLayoutOrder) {
            return work.get();
        }
        Map<String, String> streaming = new LinkedHashMap<>(STREAMING);
        if (contract.table().segmentRows() > 0) {
            // one row per batch: every data file holds exactly this many consecutive rows (the last fewer)
            streaming.put(FILE_ROWS, String.valueOf(contract.table().segmentRows()));
        }
        Map<String, String> before = new LinkedHashMap<>();
        for (String name : streaming.keySet()) {
            before.put(name, String.valueOf(session.collect("SELECT value FROM information_schema.df_settings"
                    + " WHERE name = " + literal(name)).single()));
        }
        try {
            streaming.forEach((name, value) -> set(session, name, value));
            return work.get();
        } finally {
            before.forEach((name, value) -> set(session, name, value));
        }
    }

    private static void set(EngineSession session, String name, String value) {
        // integers or booleans, read back from df_settings or constants above
        String checked = value.equals("true") || value.equals("false") ? value : Long.toString(Long.parseLong(value));
        session.execute("SET " + name + " = " + checked);
    }

    private static long rowsOf(EngineSession session, String copy) {
        return ((Number) session.collect(copy).single()).longValue();
    }

    static String columnList(List<String> names) {
        return names.stream().map(c -> quote(c)).collect(Collectors.joining(", "));
    }

    private static String bareColumn(String name) {
        if (!name.matches("[a-z_][a-z0-9_]*")) {
            throw new IllegalArgumentException("partition column '" + name + "' is not a plain lower-case identifier");
        }
        return name;
    }
}
