package io.syntaxlake.tasks.extract;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;

/**
 * A run's source index as the extractor writes it (an Arrow IPC file: every discovered file's
 * {@code path}, {@code size}, {@code mtime_ns}, {@code file_sha256} and {@code status}, the
 * deleted ones included), read for what an incremental write needs: the paths whose rows go.
 */
public final class SourceIndex {
    private SourceIndex() {
    }

    /** The paths of changed and deleted files: the table's rows of these go (the changed come back). */
    public static Set<String> droppedPaths(Path index, BufferAllocator allocator) {
        Set<String> out = new HashSet<>();
        try (FileChannel channel = FileChannel.open(index, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            while (reader.loadNextBatch()) {
                VarCharVector paths = (VarCharVector) root.getVector("path");
                VarCharVector statuses = (VarCharVector) root.getVector("status");
                if (paths == null || statuses == null) {
                    throw new IllegalArgumentException("the source index " + index + " has no path or status column");
                }
                for (int i = 0; i < root.getRowCount(); i++) {
                    String status = new String(statuses.get(i), java.nio.charset.StandardCharsets.UTF_8);
                    if (status.equals("changed") || status.equals("deleted")) {
                        out.add(new String(paths.get(i), java.nio.charset.StandardCharsets.UTF_8));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the source index " + index, e);
        }
        return out;
    }
}
