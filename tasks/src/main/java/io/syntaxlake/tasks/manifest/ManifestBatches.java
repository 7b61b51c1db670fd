package io.syntaxlake.tasks.manifest;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.TimeStampMicroTZVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * Rows of plain values ({@link ManifestRows}) as one Arrow batch of a manifest table's schema,
 * for the engine to take in through {@code registerTable}. The manifest uses four column types
 * only: Utf8, Int32, Int64 and UTC microsecond timestamps.
 */
final class ManifestBatches {
    private ManifestBatches() {
    }

    /** A batch the caller closes; a null in a non-null column is refused with the column named. */
    static VectorSchemaRoot of(Schema schema, List<List<Object>> rows, BufferAllocator allocator) {
        VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
        try {
            root.allocateNew();
            for (int column = 0; column < schema.getFields().size(); column++) {
                FieldVector vector = root.getVector(column);
                for (int row = 0; row < rows.size(); row++) {
                    set(vector, row, rows.get(row).get(column));
                }
                vector.setValueCount(rows.size());
            }
            root.setRowCount(rows.size());
            return root;
        } catch (RuntimeException e) {
            root.close();
            throw e;
        }
    }

    private static void set(FieldVector vector, int index, Object value) {
        if (value == null) {
            // a fresh vector's validity bits are clear: leaving the slot unset makes it null
            if (!vector.getField().isNullable()) {
                throw new IllegalArgumentException("column " + vector.getField().getName() + " must not be null");
            }
            return;
        }
        if (vector instanceof VarCharVector text) {
            text.setSafe(index, ((String) value).getBytes(StandardCharsets.UTF_8));
        } else if (vector instanceof IntVector ints) {
            ints.setSafe(index, (Integer) value);
        } else if (vector instanceof BigIntVector longs) {
            longs.setSafe(index, (Long) value);
        } else if (vector instanceof TimeStampMicroTZVector timestamps) {
            timestamps.setSafe(index, epochMicros((Instant) value));
        } else {
            throw new IllegalArgumentException("column " + vector.getField().getName() + ": type "
                    + vector.getField().getType() + " is not one the manifest uses");
        }
    }

    static long epochMicros(Instant instant) {
        return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L), instant.getNano() / 1_000);
    }
}
