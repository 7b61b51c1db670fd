package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;

/** Java batches registered as a table through the C stream come back unchanged. */
class RegisterTableTest {

    private static Schema schema() {
        Field id = new Field("id", FieldType.notNullable(new ArrowType.Int(64, true)), null);
        Field path = new Field("path", new FieldType(true, ArrowType.Utf8.INSTANCE, null,
                Map.of("line_base", "0", "col_unit", "byte")), null);
        Field score = Field.nullable("score", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE));
        Field flag = Field.nullable("flag", ArrowType.Bool.INSTANCE);
        Field tags = new Field("tags", FieldType.nullable(new ArrowType.List()),
                List.of(Field.nullable("item", new ArrowType.Int(64, true))));
        Field span = new Field("span", FieldType.nullable(ArrowType.Struct.INSTANCE),
                List.of(Field.notNullable("start", new ArrowType.Int(64, true)),
                        Field.notNullable("end", new ArrowType.Int(64, true))));
        return new Schema(List.of(id, path, score, flag, tags, span), Map.of("schema_name", "roundtrip_v1"));
    }

    private static VectorSchemaRoot batch(BufferAllocator allocator, Schema schema, int offset, int rows) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        root.allocateNew();
        BigIntVector id = (BigIntVector) root.getVector("id");
        VarCharVector path = (VarCharVector) root.getVector("path");
        Float8Vector score = (Float8Vector) root.getVector("score");
        BitVector flag = (BitVector) root.getVector("flag");
        ListVector tags = (ListVector) root.getVector("tags");
        StructVector span = (StructVector) root.getVector("span");
        UnionListWriter tagWriter = tags.getWriter();
        for (int i = 0; i < rows; i++) {
            int n = offset + i;
            id.setSafe(i, n);
            if (n % 7 == 0) {
                path.setNull(i);
            } else {
                path.setSafe(i, ("pkg/ünï_" + n + ".py").getBytes(StandardCharsets.UTF_8));
            }
            score.setSafe(i, n * 0.5);
            flag.setSafe(i, n % 2);
            tagWriter.setPosition(i);
            tagWriter.startList();
            for (int t = 0; t < n % 4; t++) {
                tagWriter.bigInt().writeBigInt(n * 10L + t);
            }
            tagWriter.endList();
            ((BigIntVector) span.getChild("start")).setSafe(i, n);
            ((BigIntVector) span.getChild("end")).setSafe(i, n + 3L);
            span.setIndexDefined(i);
        }
        root.setRowCount(rows);
        return root;
    }

    @Test
    void batchesRoundTripUnchanged() {
        Schema schema = schema();
        try (BufferAllocator allocator = new RootAllocator();
             EngineSession session = EngineSession.open()) {
            List<VectorSchemaRoot> batches = new ArrayList<>();
            try {
                batches.add(batch(allocator, schema, 0, 1000));
                batches.add(batch(allocator, schema, 1000, 37));
                batches.add(batch(allocator, schema, 1037, 2048));
                long ownBatches = allocator.getAllocatedMemory();
                session.registerTable("java_rows", new BatchListReader(allocator, schema, batches), allocator);
                assertEquals(ownBatches, allocator.getAllocatedMemory(), "the engine keeps copies, not Java's buffers");

                StringBuilder expected = new StringBuilder();
                batches.forEach(b -> expected.append(b.contentToTSVString()));
                StringBuilder actual = new StringBuilder();
                try (QueryResult result = session.sql("SELECT * FROM java_rows ORDER BY id", allocator)) {
                    assertEquals(schema.getFields(), result.schema().getFields(), "fields, types, nullability, field metadata");
                    while (result.next()) {
                        actual.append(result.batch().contentToTSVString());
                    }
                }
                // Batch boundaries differ, so compare the rows without the per-batch header lines.
                assertEquals(rowsOf(expected.toString()), rowsOf(actual.toString()));
                assertEquals(3085L, session.collect("SELECT count(*) FROM java_rows").single());
            } finally {
                batches.forEach(VectorSchemaRoot::close);
            }
            assertEquals(0, allocator.getAllocatedMemory(), "every exported and imported buffer is released");
        }
    }

    private static List<String> rowsOf(String tsv) {
        return tsv.lines().filter(line -> !line.startsWith("id\t")).toList();
    }
}
