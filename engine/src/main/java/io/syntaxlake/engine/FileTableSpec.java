package io.syntaxlake.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A table over exactly these Parquet files (never a directory listing): {@code fileSchema} is
 * what the files hold, {@code partitionColumns} are Utf8 columns appended after it whose values
 * each file carries, {@code options} amend the session's Parquet options. This is how a Delta
 * snapshot is registered: its log, not the storage, says which files make the table.
 */
public record FileTableSpec(String table, Schema fileSchema, List<String> partitionColumns, List<DataFile> files,
                            Map<String, String> options) {

    public FileTableSpec {
        partitionColumns = List.copyOf(partitionColumns);
        files = List.copyOf(files);
        options = Map.copyOf(options);
        for (DataFile file : files) {
            if (!file.partitionValues().keySet().equals(new java.util.HashSet<>(partitionColumns))) {
                throw new IllegalArgumentException("table " + table + ": file " + file.url() + " has partition values for "
                        + file.partitionValues().keySet() + ", the table's partition columns are " + partitionColumns);
            }
        }
    }

    /** One data file: an absolute URL, its size in bytes, its value (possibly null) per partition column. */
    public record DataFile(String url, long size, Map<String, String> partitionValues) {
        public DataFile {
            // values may be null (a null partition), which Map.copyOf refuses
            partitionValues = Collections.unmodifiableMap(new HashMap<>(partitionValues));
        }
    }

    String[] urls() {
        return files.stream().map(DataFile::url).toArray(String[]::new);
    }

    long[] sizes() {
        return files.stream().mapToLong(DataFile::size).toArray();
    }

    /** The partition values of every file, file by file in partition-column order. */
    String[] flatPartitionValues() {
        List<String> out = new ArrayList<>(files.size() * partitionColumns.size());
        for (DataFile file : files) {
            for (String column : partitionColumns) {
                out.add(file.partitionValues().get(column));
            }
        }
        return out.toArray(String[]::new);
    }
}
