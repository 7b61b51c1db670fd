package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ParquetColumnChunk;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * LibCST plan scope 8, for either dataset: the contract's per-column Parquet options are table
 * options of each write (COPY ... OPTIONS), never session-wide SETs where the last table wins;
 * this task reads what the committed files really carry, from every column chunk's footer entry,
 * and checks each per-column option: {@code statistics_enabled::c} page (a page index) or chunk
 * (statistics), {@code bloom_filter_enabled::c}, {@code dictionary_enabled::c}, and the codec of
 * {@code compression}. Recorded as {@code datafusion_<p>_parquet_options_v1}; a difference fails.
 */
public final class ParquetOptionsTask {
    private final EngineSession session;

    public ParquetOptionsTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<Map<String, Object>> run(DatasetContract contract, Lake lake) {
        DatasetGenerations generations = new DatasetGenerations(session, lake, contract.name());
        DatasetGenerations.Committed committed = generations.current().orElseThrow(() -> new TaskFailedException(
                "parquet options of " + contract.name() + ": nothing committed in " + lake.dataset(contract.name()),
                List.of()));
        String generation = committed.generation();
        // a partition column lives in the directory names, so the files hold no chunk of it to check
        List<String> partitions = MaterializeTask.layout(contract, committed.layoutOr(contract.table().defaultLayout()))
                .partitionBy();
        List<ParquetColumnChunk> chunks = session.parquetColumns(generations.location(generation).url());
        Map<String, Map<String, Object>> effective = new TreeMap<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, String> option : new TreeMap<>(contract.table().parquetOptions()).entrySet()) {
            String key = option.getKey().replaceFirst("^format\\.", "");
            String want = option.getValue().toLowerCase(Locale.ROOT);
            int split = key.indexOf("::");
            String name = split < 0 ? key : key.substring(0, split);
            String column = split < 0 ? null : key.substring(split + 2);
            if (column != null && partitions.contains(column)) {
                continue;
            }
            for (ParquetColumnChunk chunk : chunks) {
                if (column != null && !chunk.column().equals(column)) {
                    continue;
                }
                String found = switch (name) {
                    case "statistics_enabled" -> chunk.pageIndex() ? "page" : chunk.statistics() ? "chunk" : "none";
                    case "bloom_filter_enabled" -> String.valueOf(chunk.bloomFilter());
                    case "dictionary_enabled" -> String.valueOf(chunk.dictionary());
                    case "compression" -> chunk.compression().toLowerCase(Locale.ROOT);
                    default -> null;
                };
                if (found == null) {
                    break; // not a per-column property a footer records (max_row_group_size, skip_metadata, ...)
                }
                effective.computeIfAbsent(chunk.column(), c -> new TreeMap<>()).put(name, found);
                // codecs compare by name: the footer says zstd(zstdlevel(3)) where the option says zstd(3)
                boolean matches = name.equals("compression") ? found.split("\\(")[0].equals(want.split("\\(")[0])
                        : found.equals(want);
                if (!matches) {
                    problems.add(chunk.column() + " " + name + ": " + want + " expected, file " + chunk.file()
                            + " row group " + chunk.rowGroup() + " has " + found);
                    break;
                }
            }
            if (column != null && chunks.stream().noneMatch(c -> c.column().equals(column))) {
                problems.add(key + ": the files have no column " + column);
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("generation", generation);
        payload.put("files", chunks.stream().map(ParquetColumnChunk::file).distinct().count());
        payload.put("parquet_column_options", new TreeMap<>(contract.table().parquetOptions()));
        payload.put("effective", effective);
        payload.put("applied_as", "table OPTIONS of each COPY, per column (::column keys), not session SETs");
        payload.put("mismatches", problems);
        Artifact artifact = Artifact.of("datafusion_" + contract.views().prefix() + "_parquet_options_v1", contract, payload);
        if (!problems.isEmpty()) {
            throw new TaskFailedException("the files of " + contract.name() + " do not carry their Parquet options: "
                    + String.join("; ", problems), List.of(artifact));
        }
        return new TaskResult<>(payload, List.of(artifact));
    }
}
