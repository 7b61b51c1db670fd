package io.syntaxlake.tasks.extract;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.contract.ContractLoader;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The schema file handed to the extractor and the check of the parts' order across files. */
class ArrowStagingTest {
    private static final Schema SCHEMA = ContractLoader.load("ast_files_v1").schema();

    @Test
    void theSchemaFileHoldsTheContractSchemaWithItsMetadata(@TempDir Path tmp) throws IOException {
        Path file = tmp.resolve("s.arrows");
        ArrowStaging.writeSchema(SCHEMA, file);
        try (BufferAllocator allocator = new RootAllocator();
             ArrowStreamReader reader = new ArrowStreamReader(Files.newInputStream(file), allocator)) {
            assertEquals(SCHEMA, reader.getVectorSchemaRoot().getSchema());
            assertEquals(false, reader.loadNextBatch(), "no batches");
        }
    }

    @Test
    void partsInPathOrderPass(@TempDir Path tmp) throws IOException {
        part(tmp, "part-00000.arrow", "[\"r\",\"a.py\"]", "[\"r\",\"b.py\"]");
        part(tmp, "part-00001.arrow", "[\"r\",\"b0.py\"]", "[\"r\",\"z.py\"]");
        Files.writeString(tmp.resolve("other.txt"), "not a part");
        assertDoesNotThrow(() -> ArrowStaging.checkOrder(tmp));
    }

    @Test
    void overlappingPartsAreRefusedWithBothNamed(@TempDir Path tmp) throws IOException {
        part(tmp, "part-00000.arrow", "[\"r\",\"a.py\"]", "[\"r\",\"m.py\"]");
        part(tmp, "part-00001.arrow", "[\"r\",\"c.py\"]", "[\"r\",\"z.py\"]");
        ExtractFailedException e = assertThrows(ExtractFailedException.class, () -> ArrowStaging.checkOrder(tmp));
        assertTrue(e.getMessage().contains("part-00001.arrow starts at [r, c.py]"), e.getMessage());
        assertTrue(e.getMessage().contains("part-00000.arrow, which ends at [r, m.py]"), e.getMessage());
    }

    @Test
    void aPartWithoutOrderKeysIsRefused(@TempDir Path tmp) throws IOException {
        part(tmp, "part-00000.arrow", null, null);
        ExtractFailedException e = assertThrows(ExtractFailedException.class, () -> ArrowStaging.checkOrder(tmp));
        assertTrue(e.getMessage().contains("part-00000.arrow has no order keys"), e.getMessage());
    }

    @Test
    void keysCompareAsUtf8BytesWithNullRepoFirst() {
        // U+FF61 is one UTF-16 unit above the emoji's surrogates, but below it in UTF-8 (EF.. < F0..)
        assertTrue(ArrowStaging.compare(Arrays.asList("r", "\uFF61.py"), Arrays.asList("r", "\uD83D\uDE00.py")) < 0);
        assertTrue("\uFF61.py".compareTo("\uD83D\uDE00.py") > 0, "String.compareTo would say the opposite");
        assertTrue(ArrowStaging.compare(Arrays.asList(null, "z.py"), Arrays.asList("a", "a.py")) < 0);
        assertEquals(0, ArrowStaging.compare(List.of("r", "a.py"), List.of("r", "a.py")));
    }

    /** An empty Arrow file with the contract's schema and, unless null, order keys in its footer. */
    private static void part(Path dir, String name, String first, String last) throws IOException {
        Map<String, String> footer = first == null ? Map.of()
                : Map.of(ArrowStaging.FIRST_KEY, first, ArrowStaging.LAST_KEY, last);
        try (BufferAllocator allocator = new RootAllocator();
             VectorSchemaRoot root = VectorSchemaRoot.create(SCHEMA, allocator);
             FileChannel channel = FileChannel.open(dir.resolve(name), StandardOpenOption.CREATE_NEW,
                     StandardOpenOption.WRITE);
             ArrowFileWriter writer = new ArrowFileWriter(root, null, channel, footer)) {
            writer.start();
            writer.end();
        }
    }
}
