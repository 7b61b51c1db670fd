package io.syntaxlake.tasks.manifest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.UncheckedIOException;
import java.sql.Types;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * The PostgreSQL form of a manifest table, derived from its contract so that the two stores
 * cannot drift apart: column types ({@code text}, {@code integer}, {@code bigint},
 * {@code timestamptz}), NOT NULL from the contract's nullability, the primary key from its
 * {@code key_fields}, and the upsert on that key. The schema name is validated
 * ({@link ManifestValues#schemaName}) before it gets here; every value goes in as a parameter.
 */
final class PostgresTables {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PostgresTables() {
    }

    static String qualified(String schema, ManifestTable table) {
        return '"' + schema + "\".\"" + table.table() + '"';
    }

    /** The key columns, from the contract's {@code key_fields} schema metadata. */
    static List<String> key(ManifestTable table) {
        String keys = table.contract().schema().getCustomMetadata().get("key_fields");
        try {
            return Arrays.asList(JSON.readValue(keys, String[].class));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("contract " + table.contract().name() + ": key_fields is not a JSON list", e);
        }
    }

    static String createTable(String schema, ManifestTable table) {
        String columns = table.contract().schema().getFields().stream()
                .map(f -> '"' + f.getName() + "\" " + sqlType(f) + (f.isNullable() ? "" : " NOT NULL"))
                .collect(Collectors.joining(", "));
        return "CREATE TABLE IF NOT EXISTS " + qualified(schema, table) + " (" + columns + ", PRIMARY KEY ("
                + columnList(key(table)) + "))";
    }

    static String upsert(String schema, ManifestTable table) {
        List<String> columns = table.columns();
        List<String> key = key(table);
        String updates = columns.stream().filter(c -> !key.contains(c))
                .map(c -> '"' + c + "\" = EXCLUDED.\"" + c + '"').collect(Collectors.joining(", "));
        return "INSERT INTO " + qualified(schema, table) + " (" + columnList(columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ") ON CONFLICT ("
                + columnList(key) + ") DO UPDATE SET " + updates;
    }

    /** {@code SELECT <all columns> FROM <table>}, for a WHERE and ORDER BY to follow. */
    static String select(String schema, ManifestTable table) {
        return "SELECT " + columnList(table.columns()) + " FROM " + qualified(schema, table);
    }

    /** The JDBC type to bind a null of this column as. */
    static int jdbcType(Field field) {
        return switch (field.getType().getTypeID()) {
            case Utf8 -> Types.VARCHAR;
            case Int -> ((ArrowType.Int) field.getType()).getBitWidth() == 64 ? Types.BIGINT : Types.INTEGER;
            case Timestamp -> Types.TIMESTAMP_WITH_TIMEZONE;
            default -> throw new IllegalArgumentException("column " + field.getName() + ": no PostgreSQL type for " + field.getType());
        };
    }

    private static String sqlType(Field field) {
        return switch (jdbcType(field)) {
            case Types.VARCHAR -> "text";
            case Types.BIGINT -> "bigint";
            case Types.INTEGER -> "integer";
            default -> "timestamptz";
        };
    }

    private static String columnList(List<String> columns) {
        return columns.stream().map(c -> '"' + c + '"').collect(Collectors.joining(", "));
    }
}
