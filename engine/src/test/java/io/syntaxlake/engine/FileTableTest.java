package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A table over an explicit file list: exactly the listed files are read (another file in the same
 * directory is not), and partition values come from the spec, not from the paths.
 */
class FileTableTest {
    private static final Schema SCHEMA = new Schema(List.of(
            new Field("n", FieldType.nullable(new ArrowType.Int(64, true)), List.of())));

    private static FileTableSpec.DataFile file(Path path, String repo) throws Exception {
        Map<String, String> values = new HashMap<>();
        values.put("repo", repo);
        return new FileTableSpec.DataFile(path.toUri().toString(), Files.size(path), values);
    }

    @Test
    void exactlyTheListedFilesAreReadWithTheirOwnPartitionValues(@TempDir Path dir) throws Exception {
        Path a = dir.resolve("repo=a/one.parquet");
        Path b = dir.resolve("repo=a/two file.parquet");
        Path stray = dir.resolve("repo=a/stray.parquet");
        try (EngineSession session = EngineSession.open()) {
            for (var target : List.of(Map.entry(a, 1), Map.entry(b, 2), Map.entry(stray, 100))) {
                session.execute("COPY (SELECT CAST(" + target.getValue() + " AS BIGINT) AS n) TO '"
                        + target.getKey().toUri() + "' STORED AS PARQUET");
            }
            // the partition value is the spec's (x, and a null), not the directory's a
            session.registerFiles(new FileTableSpec("t", SCHEMA, List.of("repo"), List.of(file(a, "x"), file(b, null)),
                    Map.of()));
            ResultTable rows = session.collect("SELECT n, repo FROM t ORDER BY n");
            assertEquals(List.of(1L, 2L), rows.column("n"));
            assertEquals(Arrays.asList("x", null), rows.column("repo"));
            assertEquals(List.of(1L), session.collect("SELECT n FROM t WHERE repo = 'x'").column("n"));
            // a filter on a file column reaches the Parquet scan (row group and page pruning)
            assertEquals(List.of(2L), session.collect("SELECT n FROM t WHERE n > 1").column("n"));
            String physical = session.plans("SELECT n FROM t WHERE n > 1").physical();
            assertTrue(physical.contains("predicate=n@0 > 1"), physical);

            session.registerFiles(new FileTableSpec("empty", SCHEMA, List.of("repo"), List.of(), Map.of()));
            assertEquals(0L, session.collect("SELECT count(*) FROM empty").single());
        }
    }

    @Test
    void aFileThatIsNotThereFailsTheQueryNamingIt(@TempDir Path dir) {
        try (EngineSession session = EngineSession.open()) {
            Path missing = dir.resolve("gone.parquet");
            session.registerFiles(new FileTableSpec("t", SCHEMA, List.of(),
                    List.of(new FileTableSpec.DataFile(missing.toUri().toString(), 10, Map.of())), Map.of()));
            EngineException error = assertThrows(EngineException.class, () -> session.collect("SELECT * FROM t"));
            assertTrue(error.getMessage().contains("gone.parquet"), error.getMessage());
            assertThrows(IllegalArgumentException.class, () -> new FileTableSpec("u", SCHEMA, List.of("repo"),
                    List.of(new FileTableSpec.DataFile(missing.toUri().toString(), 10, Map.of())), Map.of()));
        }
    }
}
