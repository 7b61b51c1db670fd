package io.syntaxlake.routes.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.QueryResult;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Prints a result batch by batch. CSV and JSON stream (memory stays at one batch); the table
 * format needs every row to size its columns, so it holds the rendered cells.
 */
final class ResultPrinter {
    private final ResultFormat format;
    private final ObjectMapper json;
    private final PrintStream out;

    ResultPrinter(ResultFormat format, ObjectMapper json, PrintStream out) {
        this.format = format;
        this.json = json;
        this.out = out;
    }

    /** Prints the result; returns how many rows it had. */
    long print(QueryResult result) {
        List<String> names = result.schema().getFields().stream().map(Field::getName).toList();
        return switch (format) {
            case csv -> printCsv(result, names);
            case json -> printJson(result, names);
            case table -> printTable(result, names);
        };
    }

    private long printCsv(QueryResult result, List<String> names) {
        out.println(String.join(",", names.stream().map(ResultPrinter::csvField).toList()));
        long[] rows = {0};
        result.forEachRow(row -> {
            rows[0]++;
            out.println(String.join(",", row.stream().map(v -> csvField(text(v))).toList()));
        });
        return rows[0];
    }

    private long printJson(QueryResult result, List<String> names) {
        out.print("[");
        boolean[] first = {true};
        long[] rows = {0};
        result.forEachRow(row -> {
            rows[0]++;
            Map<String, Object> object = new LinkedHashMap<>();
            for (int i = 0; i < names.size(); i++) {
                object.put(names.get(i), row.get(i));
            }
            out.print(first[0] ? "\n" : ",\n");
            first[0] = false;
            out.print(toJson(object));
        });
        out.println(first[0] ? "]" : "\n]");
        return rows[0];
    }

    private long printTable(QueryResult result, List<String> names) {
        List<List<String>> cells = new ArrayList<>();
        result.forEachRow(row -> cells.add(row.stream().map(v -> v == null ? "NULL" : text(v)).toList()));
        int[] widths = names.stream().mapToInt(String::length).toArray();
        for (List<String> row : cells) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        String rule = rule(widths);
        out.println(rule);
        out.println(line(names, widths));
        out.println(rule);
        cells.forEach(row -> out.println(line(row, widths)));
        if (!cells.isEmpty()) {
            out.println(rule);
        }
        return cells.size();
    }

    /** Scalars print as themselves, bytes as hex, nested values (lists, structs, maps) as JSON. */
    private String text(Object value) {
        if (value == null) {
            return "";
        }
        if (value instanceof byte[] bytes) {
            return HexFormat.of().formatHex(bytes);
        }
        if (value instanceof List<?> || value instanceof Map<?, ?>) {
            return toJson(value);
        }
        return value.toString();
    }

    private String toJson(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String csvField(String value) {
        if (value.contains(",") || value.contains("\"") || value.contains("\n") || value.contains("\r")) {
            return '"' + value.replace("\"", "\"\"") + '"';
        }
        return value;
    }

    private static String rule(int[] widths) {
        StringBuilder sb = new StringBuilder("+");
        for (int width : widths) {
            sb.append("-".repeat(width + 2)).append('+');
        }
        return sb.toString();
    }

    private static String line(List<String> cells, int[] widths) {
        StringBuilder sb = new StringBuilder("|");
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            sb.append(' ').append(cell).append(" ".repeat(widths[i] - cell.length())).append(" |");
        }
        return sb.toString();
    }
}
