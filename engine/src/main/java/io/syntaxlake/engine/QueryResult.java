package io.syntaxlake.engine;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The result of one statement: an Arrow stream that Java pulls batch by batch (the engine
 * computes batches as they are read). Each {@link #next()} replaces the contents of
 * {@link #batch()}. Dictionary-encoded columns (partition columns) are decoded through
 * {@link #dictionaries()}. Close it to release the native buffers.
 */
public final class QueryResult implements AutoCloseable {
    private final ArrowReader reader;
    private final String sql;

    QueryResult(ArrowReader reader, String sql) {
        this.reader = reader;
        this.sql = sql;
    }

    public Schema schema() {
        try {
            return reader.getVectorSchemaRoot().getSchema();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** Loads the next batch; false at the end of the result. */
    public boolean next() {
        try {
            return reader.loadNextBatch();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    public VectorSchemaRoot batch() {
        try {
            return reader.getVectorSchemaRoot();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    public DictionaryProvider dictionaries() {
        return reader;
    }

    /** The underlying Arrow reader, for code that consumes {@link ArrowReader}s. */
    public ArrowReader reader() {
        return reader;
    }

    /**
     * Reads the rest of the result row by row as plain Java values ({@link ArrowValues}); for
     * small results and printing, not for bulk work.
     */
    public void forEachRow(Consumer<List<Object>> consumer) {
        while (next()) {
            VectorSchemaRoot root = batch();
            List<FieldVector> vectors = root.getFieldVectors();
            for (int row = 0; row < root.getRowCount(); row++) {
                List<Object> values = new ArrayList<>(vectors.size());
                for (FieldVector vector : vectors) {
                    values.add(ArrowValues.read(vector, row, reader));
                }
                consumer.accept(values);
            }
        }
    }

    /** Reads the rest of the result, returning how many rows it had. */
    public long drain() {
        long rows = 0;
        while (next()) {
            rows += batch().getRowCount();
        }
        return rows;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private EngineException failure(IOException e) {
        return StreamErrors.toEngineException(e, " [while reading the result of: " + sql + "]");
    }
}
