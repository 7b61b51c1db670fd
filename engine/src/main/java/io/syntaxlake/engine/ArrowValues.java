package io.syntaxlake.engine;

import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DateMilliVector;
import org.apache.arrow.vector.TimeStampVector;
import org.apache.arrow.vector.UInt1Vector;
import org.apache.arrow.vector.UInt2Vector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.LargeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.util.Text;

/**
 * Reads one Arrow value as a plain Java value: strings of every width as {@link String}, dates as
 * {@link LocalDate}, timestamps as {@link LocalDateTime} (no zone) or {@link Instant} (with zone),
 * lists as {@link List}, structs and maps as insertion-ordered {@link Map}s, dictionary-encoded
 * values decoded, unsigned integers widened (UInt64 as {@link BigInteger}). Meant for small results (the collect helper, the CLI); bulk code reads vectors.
 */
public final class ArrowValues {
    private ArrowValues() {
    }

    public static Object read(ValueVector vector, int index, DictionaryProvider dictionaries) {
        if (vector.isNull(index)) {
            return null;
        }
        DictionaryEncoding encoding = vector.getField().getDictionary();
        if (encoding != null) {
            Dictionary dictionary = dictionaries == null ? null : dictionaries.lookup(encoding.getId());
            if (dictionary == null) {
                throw new IllegalStateException("no dictionary " + encoding.getId() + " for column "
                        + vector.getField().getName());
            }
            int key = Math.toIntExact(((BaseIntVector) vector).getValueAsLong(index));
            return read(dictionary.getVector(), key, dictionaries);
        }
        if (vector instanceof MapVector map) {
            return readMap(map, index, dictionaries);
        }
        if (vector instanceof ListVector list) {
            return readElements(list.getDataVector(), list.getElementStartIndex(index),
                    list.getElementEndIndex(index), dictionaries);
        }
        if (vector instanceof LargeListVector list) {
            return readElements(list.getDataVector(), Math.toIntExact(list.getElementStartIndex(index)),
                    Math.toIntExact(list.getElementEndIndex(index)), dictionaries);
        }
        if (vector instanceof FixedSizeListVector list) {
            int start = index * list.getListSize();
            return readElements(list.getDataVector(), start, start + list.getListSize(), dictionaries);
        }
        if (vector instanceof StructVector struct) {
            Map<String, Object> fields = new LinkedHashMap<>();
            for (String name : struct.getChildFieldNames()) {
                fields.put(name, read(struct.getChild(name), index, dictionaries));
            }
            return fields;
        }
        if (vector instanceof DateDayVector days) {
            return LocalDate.ofEpochDay(days.get(index));
        }
        if (vector instanceof DateMilliVector millis) {
            return LocalDate.ofEpochDay(Math.floorDiv(millis.get(index), 86_400_000L));
        }
        if (vector instanceof TimeStampVector timestamps) {
            return readTimestamp(timestamps, index);
        }
        // Unsigned integers widen to the next signed type so that their values stay equal.
        if (vector instanceof UInt1Vector u8) {
            return (short) Byte.toUnsignedInt(u8.get(index));
        }
        if (vector instanceof UInt2Vector u16) {
            return (int) u16.get(index);
        }
        if (vector instanceof UInt4Vector u32) {
            return Integer.toUnsignedLong(u32.get(index));
        }
        if (vector instanceof UInt8Vector u64) {
            return new BigInteger(Long.toUnsignedString(u64.get(index)));
        }
        Object value = vector.getObject(index);
        return value instanceof Text text ? text.toString() : value;
    }

    private static List<Object> readElements(ValueVector elements, int start, int end,
                                             DictionaryProvider dictionaries) {
        List<Object> out = new ArrayList<>(end - start);
        for (int i = start; i < end; i++) {
            out.add(read(elements, i, dictionaries));
        }
        return out;
    }

    private static Map<Object, Object> readMap(MapVector map, int index, DictionaryProvider dictionaries) {
        StructVector entries = (StructVector) map.getDataVector();
        ValueVector keys = entries.getChildByOrdinal(0);
        ValueVector values = entries.getChildByOrdinal(1);
        Map<Object, Object> out = new LinkedHashMap<>();
        for (int i = map.getElementStartIndex(index); i < map.getElementEndIndex(index); i++) {
            out.put(read(keys, i, dictionaries), read(values, i, dictionaries));
        }
        return out;
    }

    private static Object readTimestamp(TimeStampVector vector, int index) {
        ArrowType.Timestamp type = (ArrowType.Timestamp) vector.getField().getType();
        long raw = vector.get(index);
        Instant instant = switch (type.getUnit()) {
            case SECOND -> Instant.ofEpochSecond(raw);
            case MILLISECOND -> Instant.ofEpochMilli(raw);
            case MICROSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000L), Math.floorMod(raw, 1_000_000L) * 1_000L);
            case NANOSECOND -> Instant.ofEpochSecond(Math.floorDiv(raw, 1_000_000_000L), Math.floorMod(raw, 1_000_000_000L));
        };
        return type.getTimezone() == null ? LocalDateTime.ofInstant(instant, ZoneOffset.UTC) : instant;
    }
}
