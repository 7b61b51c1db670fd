package io.syntaxlake.tasks.delta;

import io.delta.kernel.types.ArrayType;
import io.delta.kernel.types.BinaryType;
import io.delta.kernel.types.BooleanType;
import io.delta.kernel.types.ByteType;
import io.delta.kernel.types.DataType;
import io.delta.kernel.types.DateType;
import io.delta.kernel.types.DecimalType;
import io.delta.kernel.types.DoubleType;
import io.delta.kernel.types.FloatType;
import io.delta.kernel.types.IntegerType;
import io.delta.kernel.types.LongType;
import io.delta.kernel.types.MapType;
import io.delta.kernel.types.ShortType;
import io.delta.kernel.types.StringType;
import io.delta.kernel.types.StructField;
import io.delta.kernel.types.StructType;
import io.delta.kernel.types.TimestampNTZType;
import io.delta.kernel.types.TimestampType;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.vector.types.DateUnit;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Arrow schemas (the contracts, what DataFusion reads) to Delta schemas (what the log records)
 * and back. Maps take DataFusion's shape on the Arrow side: a non-null {@code entries} struct of
 * a non-null {@code key} and a {@code value}. Types Delta has no equivalent for (unsigned
 * integers, views, ...) are refused with the field's name.
 */
public final class DeltaSchemas {
    private DeltaSchemas() {
    }

    public static StructType toDelta(Schema schema) {
        StructType out = new StructType();
        for (Field field : schema.getFields()) {
            out = out.add(field.getName(), toDelta(field), field.isNullable());
        }
        return out;
    }

    public static Schema toArrow(StructType struct) {
        return new Schema(struct.fields().stream().map(f -> toArrow(f.getName(), f.getDataType(), f.isNullable())).toList());
    }

    private static DataType toDelta(Field field) {
        ArrowType type = field.getType();
        switch (type.getTypeID()) {
            case Utf8, LargeUtf8:
                return StringType.STRING;
            case Bool:
                return BooleanType.BOOLEAN;
            case Binary, LargeBinary:
                return BinaryType.BINARY;
            case Int: {
                ArrowType.Int integer = (ArrowType.Int) type;
                if (!integer.getIsSigned()) {
                    break;
                }
                return switch (integer.getBitWidth()) {
                    case 8 -> ByteType.BYTE;
                    case 16 -> ShortType.SHORT;
                    case 32 -> IntegerType.INTEGER;
                    default -> LongType.LONG;
                };
            }
            case FloatingPoint:
                return ((ArrowType.FloatingPoint) type).getPrecision() == FloatingPointPrecision.DOUBLE
                        ? DoubleType.DOUBLE : FloatType.FLOAT;
            case Date:
                return DateType.DATE;
            case Decimal: {
                ArrowType.Decimal decimal = (ArrowType.Decimal) type;
                return new DecimalType(decimal.getPrecision(), decimal.getScale());
            }
            case Timestamp:
                return ((ArrowType.Timestamp) type).getTimezone() == null ? TimestampNTZType.TIMESTAMP_NTZ : TimestampType.TIMESTAMP;
            case List, LargeList: {
                Field item = field.getChildren().get(0);
                return new ArrayType(toDelta(item), item.isNullable());
            }
            case Struct: {
                StructType struct = new StructType();
                for (Field child : field.getChildren()) {
                    struct = struct.add(child.getName(), toDelta(child), child.isNullable());
                }
                return struct;
            }
            case Map: {
                List<Field> entry = field.getChildren().get(0).getChildren();
                return new MapType(toDelta(entry.get(0)), toDelta(entry.get(1)), entry.get(1).isNullable());
            }
            default:
                break;
        }
        throw new IllegalArgumentException("field '" + field.getName() + "': Arrow type " + type + " has no Delta equivalent");
    }

    private static Field toArrow(String name, DataType type, boolean nullable) {
        List<Field> children = new ArrayList<>();
        ArrowType arrow;
        if (type instanceof StringType) {
            arrow = ArrowType.Utf8.INSTANCE;
        } else if (type instanceof BooleanType) {
            arrow = ArrowType.Bool.INSTANCE;
        } else if (type instanceof BinaryType) {
            arrow = ArrowType.Binary.INSTANCE;
        } else if (type instanceof ByteType) {
            arrow = new ArrowType.Int(8, true);
        } else if (type instanceof ShortType) {
            arrow = new ArrowType.Int(16, true);
        } else if (type instanceof IntegerType) {
            arrow = new ArrowType.Int(32, true);
        } else if (type instanceof LongType) {
            arrow = new ArrowType.Int(64, true);
        } else if (type instanceof FloatType) {
            arrow = new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE);
        } else if (type instanceof DoubleType) {
            arrow = new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE);
        } else if (type instanceof DateType) {
            arrow = new ArrowType.Date(DateUnit.DAY);
        } else if (type instanceof DecimalType decimal) {
            arrow = new ArrowType.Decimal(decimal.getPrecision(), decimal.getScale(), 128);
        } else if (type instanceof TimestampType) {
            arrow = new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC");
        } else if (type instanceof TimestampNTZType) {
            arrow = new ArrowType.Timestamp(TimeUnit.MICROSECOND, null);
        } else if (type instanceof ArrayType array) {
            arrow = ArrowType.List.INSTANCE;
            children.add(toArrow("item", array.getElementType(), array.containsNull()));
        } else if (type instanceof StructType struct) {
            arrow = ArrowType.Struct.INSTANCE;
            for (StructField child : struct.fields()) {
                children.add(toArrow(child.getName(), child.getDataType(), child.isNullable()));
            }
        } else if (type instanceof MapType map) {
            arrow = new ArrowType.Map(false);
            Field key = toArrow("key", map.getKeyType(), false);
            Field value = toArrow("value", map.getValueType(), map.isValueContainsNull());
            children.add(new Field("entries", FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(key, value)));
        } else {
            throw new IllegalArgumentException("field '" + name + "': Delta type " + type + " is not supported");
        }
        return new Field(name, new FieldType(nullable, arrow, null), children);
    }
}
