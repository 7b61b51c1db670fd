package io.syntaxlake.tasks.delta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local log store: a commit never replaces an existing version, an overwrite does, nothing partial is left. */
class LocalFileLogStoreTest {

    @Test
    void aVersionIsWrittenOnceAndAnOverwriteReplacesWhole(@TempDir Path tmp) throws Exception {
        Configuration conf = DeltaLog.localConfiguration();
        LocalFileLogStore store = new LocalFileLogStore(conf);
        Path log = tmp.resolve("t/_delta_log");
        org.apache.hadoop.fs.Path commit = new org.apache.hadoop.fs.Path(log.resolve("00000000000000000001.json").toUri());
        store.write(commit, List.of("{\"a\":1}", "{\"b\":2}").iterator(), false, conf);
        assertEquals("{\"a\":1}\n{\"b\":2}\n", Files.readString(log.resolve("00000000000000000001.json")));
        FileAlreadyExistsException again = assertThrows(FileAlreadyExistsException.class,
                () -> store.write(commit, List.of("{\"other\":1}").iterator(), false, conf));
        assertEquals(commit.toString(), again.getFile());
        assertEquals("{\"a\":1}\n{\"b\":2}\n", Files.readString(log.resolve("00000000000000000001.json")), "untouched");

        org.apache.hadoop.fs.Path pointer = new org.apache.hadoop.fs.Path(log.resolve("_last_checkpoint").toUri());
        store.write(pointer, List.of("{\"version\":10}").iterator(), true, conf);
        store.write(pointer, List.of("{\"version\":20}").iterator(), true, conf);
        assertEquals("{\"version\":20}\n", Files.readString(log.resolve("_last_checkpoint")));
        try (var files = Files.list(log)) {
            assertEquals(List.of("00000000000000000001.json", "_last_checkpoint"),
                    files.map(f -> f.getFileName().toString()).sorted().toList(), "no temporary file is left");
        }
        assertFalse(store.isPartialWriteVisible(commit, conf));
        assertEquals(List.of("{\"a\":1}", "{\"b\":2}"), readAll(store, commit, conf));
    }

    private static List<String> readAll(LocalFileLogStore store, org.apache.hadoop.fs.Path path, Configuration conf)
            throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (var lines = store.read(path, conf)) {
            lines.forEachRemaining(out::add);
        }
        return out;
    }
}
