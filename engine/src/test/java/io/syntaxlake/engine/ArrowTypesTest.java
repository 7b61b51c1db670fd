package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every Arrow type DataFusion returns arrives in Java with the same type and value. */
class ArrowTypesTest {
    private static EngineSession session;

    @BeforeAll
    static void open() {
        session = EngineSession.open();
    }

    @AfterAll
    static void close() {
        session.close();
    }

    private static ResultTable one(String expression) {
        return session.collect("SELECT " + expression + " AS v");
    }

    private static void assertValue(String expression, ArrowType expectedType, Object expectedValue) {
        ResultTable result = one(expression);
        assertEquals(expectedType, result.fields().get(0).getType(), expression);
        Object actual = result.single();
        if (expectedValue instanceof byte[] bytes) {
            assertArrayEquals(bytes, (byte[]) actual, expression);
        } else {
            assertEquals(expectedValue, actual, expression);
        }
    }

    @Test
    void integers() {
        assertValue("arrow_cast(-8, 'Int8')", new ArrowType.Int(8, true), (byte) -8);
        assertValue("arrow_cast(-16, 'Int16')", new ArrowType.Int(16, true), (short) -16);
        assertValue("arrow_cast(-32, 'Int32')", new ArrowType.Int(32, true), -32);
        assertValue("arrow_cast(-9007199254740993, 'Int64')", new ArrowType.Int(64, true), -9007199254740993L);
        assertValue("arrow_cast(200, 'UInt8')", new ArrowType.Int(8, false), (short) 200);
        assertValue("arrow_cast(65000, 'UInt16')", new ArrowType.Int(16, false), 65000);
        assertValue("arrow_cast(4000000000, 'UInt32')", new ArrowType.Int(32, false), 4_000_000_000L);
        assertValue("arrow_cast(18446744073709551615, 'UInt64')", new ArrowType.Int(64, false),
                new BigInteger("18446744073709551615"));
    }

    @Test
    void floatsAndDecimals() {
        assertValue("arrow_cast(1.5, 'Float32')", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE), 1.5f);
        assertValue("arrow_cast(2.25, 'Float64')", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE), 2.25d);
        assertValue("arrow_cast(-123.45, 'Decimal128(10, 2)')", new ArrowType.Decimal(10, 2, 128), new BigDecimal("-123.45"));
        assertValue("arrow_cast(98765.4321, 'Decimal256(50, 4)')", new ArrowType.Decimal(50, 4, 256), new BigDecimal("98765.4321"));
    }

    @Test
    void stringsOfEveryWidthKeepUnicode() {
        String text = "héllo wörld ✓ 𝔘";
        assertValue("arrow_cast('" + text + "', 'Utf8')", ArrowType.Utf8.INSTANCE, text);
        assertValue("arrow_cast('" + text + "', 'LargeUtf8')", ArrowType.LargeUtf8.INSTANCE, text);
        assertValue("arrow_cast('" + text + "', 'Utf8View')", ArrowType.Utf8View.INSTANCE, text);
        // Longer than 12 bytes and shorter: views store the two cases differently.
        assertValue("arrow_cast('short', 'Utf8View')", ArrowType.Utf8View.INSTANCE, "short");
    }

    @Test
    void binariesAndBooleans() {
        byte[] bytes = "bin\u0000ary".getBytes(StandardCharsets.UTF_8);
        assertValue("arrow_cast(X'62696E00617279', 'Binary')", ArrowType.Binary.INSTANCE, bytes);
        assertValue("arrow_cast(X'62696E00617279', 'LargeBinary')", ArrowType.LargeBinary.INSTANCE, bytes);
        assertValue("arrow_cast(X'62696E00617279', 'BinaryView')", ArrowType.BinaryView.INSTANCE, bytes);
        assertValue("true", ArrowType.Bool.INSTANCE, true);
        assertValue("1 > 2", ArrowType.Bool.INSTANCE, false);
    }

    @Test
    void datesAndTimestamps() {
        assertValue("arrow_cast('2024-02-29', 'Date32')", new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY),
                LocalDate.of(2024, 2, 29));
        assertValue("arrow_cast(arrow_cast('1969-07-20', 'Date32'), 'Date64')",
                new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.MILLISECOND), LocalDate.of(1969, 7, 20));
        assertValue("arrow_cast('2024-02-29T12:34:56.789', 'Timestamp(Millisecond, None)')",
                new ArrowType.Timestamp(TimeUnit.MILLISECOND, null), LocalDateTime.parse("2024-02-29T12:34:56.789"));
        assertValue("arrow_cast('1960-01-01T00:00:00.123456789', 'Timestamp(Nanosecond, None)')",
                new ArrowType.Timestamp(TimeUnit.NANOSECOND, null), LocalDateTime.parse("1960-01-01T00:00:00.123456789"));
        assertValue("arrow_cast('2024-02-29T12:34:56.123456Z', 'Timestamp(Microsecond, Some(\"+00:00\"))')",
                new ArrowType.Timestamp(TimeUnit.MICROSECOND, "+00:00"), Instant.parse("2024-02-29T12:34:56.123456Z"));
        assertValue("arrow_cast('2024-02-29T12:34:56Z', 'Timestamp(Second, None)')",
                new ArrowType.Timestamp(TimeUnit.SECOND, null), LocalDateTime.parse("2024-02-29T12:34:56"));
    }

    @Test
    void nullsOfAnyTypeArriveAsNull() {
        ResultTable result = session.collect("SELECT CAST(NULL AS INT) a, CAST(NULL AS VARCHAR) b, "
                + "arrow_cast(NULL, 'Date32') c, arrow_cast(NULL, 'List(Int64)') d");
        assertEquals(Arrays.asList(null, null, null, null), result.rows().get(0));
    }

    @Test
    void listsStructsAndMaps() {
        ResultTable result = session.collect("SELECT [1, NULL, 3] AS l, arrow_cast([1, 2], 'LargeList(Int64)') AS ll, "
                + "arrow_cast([1, 2, 3], 'FixedSizeList(3, Int64)') AS fl, "
                + "named_struct('a', 1, 'b', 'x', 'c', named_struct('d', [true])) AS s, "
                + "map(['k1', 'k2'], [10, 20]) AS m");
        List<Object> row = result.rows().get(0);
        assertEquals(Arrays.asList(1L, null, 3L), row.get(0));
        assertEquals(List.of(1L, 2L), row.get(1));
        assertEquals(List.of(1L, 2L, 3L), row.get(2));
        Map<String, Object> struct = new LinkedHashMap<>();
        struct.put("a", 1L);
        struct.put("b", "x");
        struct.put("c", Map.of("d", List.of(true)));
        assertEquals(struct, row.get(3));
        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("k1", 10L);
        map.put("k2", 20L);
        assertEquals(map, row.get(4));

        Field mapField = result.fields().get(4);
        assertInstanceOf(ArrowType.Map.class, mapField.getType());
        assertEquals(ArrowType.Struct.INSTANCE, mapField.getChildren().get(0).getType());
        assertInstanceOf(ArrowType.LargeList.class, result.fields().get(1).getType());
        assertEquals(new ArrowType.FixedSizeList(3), result.fields().get(2).getType());
    }

    @Test
    void dictionaryEncodedPartitionColumnsAreDecoded(@TempDir Path dir) {
        String location = dir.resolve("parts").toUri().toString();
        long written = session.execute("COPY (SELECT * FROM (VALUES (1, 'alpha'), (2, 'beta'), (3, 'alpha')) AS t(id, repo)) "
                + "TO " + SqlIdentifiers.literal(location) + " STORED AS PARQUET PARTITIONED BY (repo)");
        assertEquals(3, written);
        session.execute("CREATE EXTERNAL TABLE parts STORED AS PARQUET PARTITIONED BY (repo) LOCATION "
                + SqlIdentifiers.literal(location + "/"));
        ResultTable result = session.collect("SELECT id, repo FROM parts ORDER BY id");
        Field repo = result.fields().get(1);
        assertNotNull(repo.getDictionary(), "partition column is dictionary-encoded");
        assertEquals(new ArrowType.Int(16, false), repo.getDictionary().getIndexType());
        assertEquals(List.of("alpha", "beta", "alpha"), result.column("repo"));
        assertEquals(List.of(1L, 2L, 3L), result.column("id"));
        assertNull(session.collect("SELECT max(id) FILTER (WHERE repo = 'gamma') AS m FROM parts").single());
    }
}
