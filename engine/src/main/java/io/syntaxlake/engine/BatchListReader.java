package io.syntaxlake.engine;

import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorLoader;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.VectorUnloader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An {@link ArrowReader} over batches that are already in memory, so that Java data can be
 * handed to the engine as a C stream. The caller keeps ownership of the given roots.
 */
public final class BatchListReader extends ArrowReader {
    private final Schema schema;
    private final Iterator<VectorSchemaRoot> batches;

    public BatchListReader(BufferAllocator allocator, Schema schema, List<VectorSchemaRoot> batches) {
        super(allocator);
        this.schema = schema;
        for (VectorSchemaRoot batch : batches) {
            if (!batch.getSchema().equals(schema)) {
                throw new IllegalArgumentException("batch schema " + batch.getSchema() + " differs from " + schema);
            }
        }
        this.batches = List.copyOf(batches).iterator();
    }

    @Override
    public boolean loadNextBatch() throws java.io.IOException {
        if (!batches.hasNext()) {
            return false;
        }
        try (ArrowRecordBatch batch = new VectorUnloader(batches.next()).getRecordBatch()) {
            new VectorLoader(getVectorSchemaRoot()).load(batch);
        }
        return true;
    }

    @Override
    public long bytesRead() {
        return 0;
    }

    @Override
    protected void closeReadSource() {
        // The batches belong to the caller.
    }

    @Override
    protected Schema readSchema() {
        return schema;
    }
}
