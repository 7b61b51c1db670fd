package io.syntaxlake.engine.contract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Reads a dataset contract from its JSON form (config/contracts, packaged into the engine jar
 * under {@code contracts/}). Types are written as names ({@code utf8}, {@code int32},
 * {@code bool}, {@code timestamp_us_utc}, ...), {@code {"list": type}}, {@code {"struct": [fields]}},
 * {@code {"map": {"key": type, "value": type}}} or {@code "@name"} for a named type; field
 * metadata as an object or {@code "@name"} of a metadata set. Fields are nullable unless they say
 * {@code "nullable": false}; list items are nullable and named {@code item}; maps follow
 * DataFusion's shape (non-null {@code entries} struct with a non-null {@code key}).
 */
public final class ContractLoader {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ContractLoader() {
    }

    /** The contract named {@code name} from the engine's packaged contracts. */
    public static DatasetContract load(String name) {
        if (!name.matches("[a-z][a-z0-9_]*")) {
            throw new IllegalArgumentException("invalid dataset name: '" + name + "'");
        }
        String resource = "/contracts/" + name + ".json";
        try (InputStream in = ContractLoader.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no contract for dataset '" + name + "' (" + resource + ")");
            }
            return parse(in, resource);
        } catch (IOException e) {
            throw new UncheckedIOException("could not read contract " + resource, e);
        }
    }

    public static DatasetContract parse(InputStream json, String source) throws IOException {
        JsonNode root = JSON.readTree(json);
        try {
            return new Reader(root).contract();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("invalid contract " + source + ": " + e.getMessage(), e);
        }
    }

    /** One contract document: resolves named types and metadata sets while building fields. */
    private record Reader(JsonNode root) {

        DatasetContract contract() {
            List<Field> fields = new ArrayList<>();
            for (JsonNode field : required(root, "fields")) {
                fields.add(field(field));
            }
            Schema schema = new Schema(fields, strings(root.path("schema_metadata")));
            List<DatasetContract.RequiredFunction> functions = new ArrayList<>();
            for (JsonNode function : root.path("required_functions")) {
                functions.add(new DatasetContract.RequiredFunction(text(function, "name"),
                        function.path("function_type").asText("SCALAR"), stringList(function.path("parameters"))));
            }
            return new DatasetContract(text(root, "name"), required(root, "version").asInt(),
                    root.path("description").asText(""), schema, table(required(root, "table")), functions,
                    strings(root.path("features")), views(required(root, "views")));
        }

        private DatasetContract.ViewSpec views(JsonNode views) {
            // a flat dataset (the manifest tables) has no nested lists, hence no list views and no record column
            Map<String, String> lists = new LinkedHashMap<>();
            views.path("lists").fields().forEachRemaining(e -> lists.put(e.getKey(), e.getValue().asText()));
            Map<String, Map<String, String>> typedAttrs = new LinkedHashMap<>();
            views.path("typed_attrs").fields().forEachRemaining(e -> typedAttrs.put(e.getKey(), strings(e.getValue())));
            Map<String, String> attrViews = new LinkedHashMap<>();
            views.path("attr_views").fields().forEachRemaining(e -> attrViews.put(e.getKey(), e.getValue().asText()));
            Map<String, DatasetContract.PreparedLookup> prepared = new LinkedHashMap<>();
            views.path("prepared").fields().forEachRemaining(e -> prepared.put(e.getKey(), new DatasetContract.PreparedLookup(
                    text(e.getValue(), "view"), text(e.getValue(), "column"), text(e.getValue(), "type"))));
            return new DatasetContract.ViewSpec(text(views, "prefix"), stringList(views.path("identity")), lists,
                    typedAttrs, attrViews, views.path("record_column").asText(null), prepared);
        }

        private DatasetContract.TableSpec table(JsonNode table) {
            Map<String, DatasetContract.Layout> layouts = new LinkedHashMap<>();
            required(table, "layouts").fields().forEachRemaining(entry -> layouts.put(entry.getKey(),
                    new DatasetContract.Layout(stringList(entry.getValue().path("partition_by")),
                            stringList(entry.getValue().path("order_by")))));
            JsonNode cache = table.path("listing_cache");
            Map<String, List<String>> projections = new LinkedHashMap<>();
            table.path("scan_projections").fields().forEachRemaining(entry ->
                    projections.put(entry.getKey(), stringList(entry.getValue())));
            return new DatasetContract.TableSpec(text(table, "format"), layouts, text(table, "default_layout"),
                    strings(table.path("parquet_options")), projections,
                    new DatasetContract.ListingCachePolicy(cache.path("ttl").asText(null), cache.path("limit").asText(null)),
                    table.path("collect_statistics").asBoolean(false), table.path("segment_rows").asInt(0),
                    stringList(table.path("added_columns")));
        }

        private Field field(JsonNode node) {
            String name = text(node, "name");
            boolean nullable = node.path("nullable").asBoolean(true);
            return typedField(name, nullable, required(node, "type"), metadata(node.get("metadata")));
        }

        private Field typedField(String name, boolean nullable, JsonNode type, Map<String, String> metadata) {
            if (type.isTextual() && type.asText().startsWith("@")) {
                return typedField(name, nullable, named("types", type.asText()), metadata);
            }
            if (type.isTextual()) {
                return new Field(name, new FieldType(nullable, primitive(type.asText()), null, metadata), null);
            }
            if (type.has("list")) {
                Field item = typedField("item", true, type.get("list"), null);
                return new Field(name, new FieldType(nullable, ArrowType.List.INSTANCE, null, metadata), List.of(item));
            }
            if (type.has("struct")) {
                List<Field> children = new ArrayList<>();
                for (JsonNode child : type.get("struct")) {
                    children.add(field(child));
                }
                return new Field(name, new FieldType(nullable, ArrowType.Struct.INSTANCE, null, metadata), children);
            }
            if (type.has("map")) {
                Field key = typedField("key", false, required(type.get("map"), "key"), null);
                Field value = typedField("value", true, required(type.get("map"), "value"), null);
                Field entries = new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, value));
                return new Field(name, new FieldType(nullable, new ArrowType.Map(false), null, metadata), List.of(entries));
            }
            throw new IllegalArgumentException("field '" + name + "' has an unknown type " + type);
        }

        private Map<String, String> metadata(JsonNode node) {
            if (node == null) {
                return null;
            }
            return strings(node.isTextual() ? named("metadata_sets", node.asText()) : node);
        }

        private JsonNode named(String section, String reference) {
            JsonNode target = root.path(section).get(reference.substring(1));
            if (target == null) {
                throw new IllegalArgumentException("unknown reference " + reference + " in " + section);
            }
            return target;
        }

        private static ArrowType primitive(String name) {
            return switch (name) {
                case "utf8" -> ArrowType.Utf8.INSTANCE;
                case "bool" -> ArrowType.Bool.INSTANCE;
                case "int8" -> new ArrowType.Int(8, true);
                case "int16" -> new ArrowType.Int(16, true);
                case "int32" -> new ArrowType.Int(32, true);
                case "int64" -> new ArrowType.Int(64, true);
                case "float64" -> new ArrowType.FloatingPoint(org.apache.arrow.vector.types.FloatingPointPrecision.DOUBLE);
                case "binary" -> ArrowType.Binary.INSTANCE;
                // what Delta calls timestamp and Parquet TIMESTAMP(MICROS, adjusted to UTC)
                case "timestamp_us_utc" -> new ArrowType.Timestamp(org.apache.arrow.vector.types.TimeUnit.MICROSECOND, "UTC");
                default -> throw new IllegalArgumentException("unknown type name '" + name + "'");
            };
        }

        private static JsonNode required(JsonNode node, String key) {
            JsonNode value = node.get(key);
            if (value == null || value.isNull()) {
                throw new IllegalArgumentException("missing '" + key + "'");
            }
            return value;
        }

        private static String text(JsonNode node, String key) {
            return required(node, key).asText();
        }

        private static List<String> stringList(JsonNode node) {
            List<String> out = new ArrayList<>();
            node.forEach(item -> out.add(item.asText()));
            return out;
        }

        private static Map<String, String> strings(JsonNode node) {
            Map<String, String> out = new LinkedHashMap<>();
            node.fields().forEachRemaining(entry -> out.put(entry.getKey(), entry.getValue().asText()));
            return out;
        }
    }
}
