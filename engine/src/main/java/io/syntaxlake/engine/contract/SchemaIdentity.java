package io.syntaxlake.engine.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The schema identity hash: lowercase hex SHA-256 of the UTF-8 bytes of a canonical text of the
 * schema, so it is the same on every run and JVM and changes with any name, type, nullability,
 * metadata entry or nested field. The canonical text (documented in config/contracts/README.md):
 *
 * <pre>
 * schema   := "schema{" fields "}meta" metadata
 * fields   := field ("," field)*            in declaration order
 * field    := quoted(name) ":" type ":" ("null" | "notnull") ":meta" metadata ("{" fields "}")?
 * metadata := "{" (quoted(key) "=" quoted(value) ("," ...)*)? "}"   keys sorted by UTF-16 code unit
 * quoted(s):= '"' s with '\' → '\\' and '"' → '\"' '"'
 * type     := int8|int16|int32|int64|uint8|...|float16|float32|float64|bool|utf8|large_utf8|
 *             utf8_view|binary|large_binary|binary_view|list|large_list|fixed_size_list(n)|struct|
 *             map(sorted|unsorted)|date(day|millisecond)|timestamp(unit,tz)|decimal(p,s,bits)|...
 *             and dictionary(index_type,value_type) for dictionary-encoded fields
 * </pre>
 */
public final class SchemaIdentity {
    private SchemaIdentity() {
    }

    public static String hash(Schema schema) {
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(sha256.digest(canonicalText(schema).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    public static String canonicalText(Schema schema) {
        StringBuilder out = new StringBuilder("schema{");
        appendFields(out, schema.getFields());
        out.append("}meta");
        appendMetadata(out, schema.getCustomMetadata());
        return out.toString();
    }

    private static void appendFields(StringBuilder out, List<Field> fields) {
        for (int i = 0; i < fields.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            Field field = fields.get(i);
            quote(out, field.getName());
            String type = typeName(field.getType());
            if (field.getDictionary() != null) {
                type = "dictionary(" + typeName(field.getDictionary().getIndexType()) + "," + type + ")";
            }
            out.append(':').append(type).append(':')
                    .append(field.isNullable() ? "null" : "notnull").append(":meta");
            appendMetadata(out, field.getMetadata());
            if (!field.getChildren().isEmpty()) {
                out.append('{');
                appendFields(out, field.getChildren());
                out.append('}');
            }
        }
    }

    private static void appendMetadata(StringBuilder out, Map<String, String> metadata) {
        out.append('{');
        boolean first = true;
        for (Map.Entry<String, String> entry : new TreeMap<>(metadata == null ? Map.of() : metadata).entrySet()) {
            if (!first) {
                out.append(',');
            }
            first = false;
            quote(out, entry.getKey());
            out.append('=');
            quote(out, entry.getValue());
        }
        out.append('}');
    }

    private static void quote(StringBuilder out, String text) {
        out.append('"').append(text.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }

    /** A stable spelling per Arrow type, independent of any library's toString. */
    static String typeName(ArrowType type) {
        return switch (type.getTypeID()) {
            case Int -> {
                ArrowType.Int t = (ArrowType.Int) type;
                yield (t.getIsSigned() ? "int" : "uint") + t.getBitWidth();
            }
            case FloatingPoint -> switch (((ArrowType.FloatingPoint) type).getPrecision()) {
                case HALF -> "float16";
                case SINGLE -> "float32";
                case DOUBLE -> "float64";
            };
            case Bool -> "bool";
            case Utf8 -> "utf8";
            case LargeUtf8 -> "large_utf8";
            case Utf8View -> "utf8_view";
            case Binary -> "binary";
            case LargeBinary -> "large_binary";
            case BinaryView -> "binary_view";
            case FixedSizeBinary -> "fixed_size_binary(" + ((ArrowType.FixedSizeBinary) type).getByteWidth() + ")";
            case List -> "list";
            case LargeList -> "large_list";
            case FixedSizeList -> "fixed_size_list(" + ((ArrowType.FixedSizeList) type).getListSize() + ")";
            case Struct -> "struct";
            case Map -> "map(" + (((ArrowType.Map) type).getKeysSorted() ? "sorted" : "unsorted") + ")";
            case Date -> "date(" + ((ArrowType.Date) type).getUnit().name().toLowerCase() + ")";
            case Timestamp -> {
                ArrowType.Timestamp t = (ArrowType.Timestamp) type;
                yield "timestamp(" + t.getUnit().name().toLowerCase() + "," + t.getTimezone() + ")";
            }
            case Decimal -> {
                ArrowType.Decimal t = (ArrowType.Decimal) type;
                yield "decimal(" + t.getPrecision() + "," + t.getScale() + "," + t.getBitWidth() + ")";
            }
            case Null -> "null";
            default -> type.getTypeID().name().toLowerCase() + type;
        };
    }
}
