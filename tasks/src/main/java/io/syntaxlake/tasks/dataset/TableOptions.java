package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.SqlIdentifiers;
import io.syntaxlake.engine.contract.DatasetContract;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/** A contract's Parquet table options, as a map for the engine and as an SQL OPTIONS clause. */
public final class TableOptions {

    private TableOptions() {
    }

    /** The contract's options, with {@code skip_metadata = false}: span ABI checks need the metadata. */
    public static Map<String, String> of(DatasetContract contract) {
        Map<String, String> options = new LinkedHashMap<>(new java.util.TreeMap<>(contract.table().parquetOptions()));
        options.put("format.skip_metadata", "false");
        return options;
    }

    /** Only the options that apply when writing (COPY accepts reader keys too, but they mean nothing there). */
    static Map<String, String> writeOptions(DatasetContract contract) {
        Map<String, String> options = of(contract);
        options.remove("format.skip_metadata");
        return options;
    }

    static String sql(Map<String, String> options) {
        if (options.isEmpty()) {
            return "";
        }
        return options.entrySet().stream()
                .map(e -> SqlIdentifiers.literal(e.getKey()) + " " + SqlIdentifiers.literal(e.getValue()))
                .collect(Collectors.joining(", ", " OPTIONS (", ")"));
    }
}
