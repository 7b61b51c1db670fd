package io.syntaxlake.tasks.extract;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * The JVM's side of Arrow staging: the schema file the extractor's writer decodes rows into, and
 * the check that the part files, read in name order, hold their rows in (repo, path) order.
 *
 * <p>The writer (tasks/native {@code ArrowPartWriter}) refuses a row that is not after the one
 * before it in its part, and records the part's first and last (repo, path) in the file footer's
 * custom metadata; {@link #checkOrder} compares neighbouring parts, so the order the materialize
 * step relies on (it copies without a sort) is checked on the files themselves.
 */
public final class ArrowStaging {
    static final String FIRST_KEY = "syntaxlake.first_key";
    static final String LAST_KEY = "syntaxlake.last_key";
    static final String EXTENSION = ".arrow";
    private static final ObjectMapper JSON = new ObjectMapper();

    private ArrowStaging() {
    }

    /** Writes {@code schema} as an Arrow IPC stream of no batches (schema message, end of stream). */
    public static void writeSchema(Schema schema, Path file) {
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot empty = VectorSchemaRoot.create(schema, allocator);
             var out = Files.newOutputStream(file);
             ArrowStreamWriter writer = new ArrowStreamWriter(empty, null, Channels.newChannel(out))) {
            writer.start();
            writer.end();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the staging schema " + file, e);
        }
    }

    /**
     * Fails, naming both parts, when a part's first row is not after the previous part's last,
     * or when a part carries no order keys although it has rows.
     */
    public static void checkOrder(Path directory) {
        List<Path> parts;
        try (Stream<Path> files = Files.list(directory)) {
            parts = files.filter(p -> p.getFileName().toString().endsWith(EXTENSION)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the staging " + directory, e);
        }
        List<String> previous = null;
        Path previousPart = null;
        try (BufferAllocator allocator = new RootAllocator()) {
            for (Path part : parts) {
                Map<String, String> footer = footer(part, allocator);
                if (!footer.containsKey(FIRST_KEY) || !footer.containsKey(LAST_KEY)) {
                    throw new ExtractFailedException("the staging part " + part + " has no order keys in its footer"
                            + " (not written by the extractor's Arrow writer)");
                }
                List<String> first = key(part, footer.get(FIRST_KEY));
                if (previous != null && compare(previous, first) >= 0) {
                    throw new ExtractFailedException("the staging parts are out of (repo, path) order: " + part
                            + " starts at " + first + ", not after " + previousPart + ", which ends at " + previous);
                }
                previous = key(part, footer.get(LAST_KEY));
                previousPart = part;
            }
        }
    }

    private static Map<String, String> footer(Path part, BufferAllocator allocator) {
        try (FileChannel channel = FileChannel.open(part, StandardOpenOption.READ);
             ArrowFileReader reader = new ArrowFileReader(channel, allocator)) {
            // the reader reads the footer lazily: until the schema is asked for, getMetaData() is empty
            reader.getVectorSchemaRoot();
            Map<String, String> metadata = reader.getMetaData();
            return metadata == null ? Map.of() : metadata;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the footer of the staging part " + part, e);
        }
    }

    /** A footer key: a JSON array [repo or null, path]. */
    private static List<String> key(Path part, String text) {
        try {
            JsonNode node = JSON.readTree(text);
            if (!node.isArray() || node.size() != 2 || !node.get(1).isTextual()) {
                throw new ExtractFailedException("the staging part " + part + " has a malformed order key: " + text);
            }
            List<String> key = new ArrayList<>(2);
            key.add(node.get(0).isNull() ? null : node.get(0).asText());
            key.add(node.get(1).asText());
            return key;
        } catch (IOException e) {
            throw new ExtractFailedException("the staging part " + part + " has a malformed order key: " + text, e);
        }
    }

    /** (repo, path) order as the tables compare strings: null first, then UTF-8 bytes. */
    static int compare(List<String> a, List<String> b) {
        for (int i = 0; i < 2; i++) {
            String x = a.get(i);
            String y = b.get(i);
            if (x == null || y == null) {
                if (x != y) {
                    return x == null ? -1 : 1;
                }
                continue;
            }
            int c = java.util.Arrays.compareUnsigned(x.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    y.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }
}
