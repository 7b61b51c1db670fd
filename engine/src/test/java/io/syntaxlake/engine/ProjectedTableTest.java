package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scan-time projections: the projected table exposes only its columns, in its order, and the
 * source's Parquet scan receives the projection and the filters directly (no view, no extra
 * projection step in the plan).
 */
class ProjectedTableTest {
    private static final Schema SCHEMA = new Schema(List.of(
            new Field("path", FieldType.notNullable(ArrowType.Utf8.INSTANCE), List.of()),
            new Field("n", FieldType.nullable(new ArrowType.Int(64, true)), List.of()),
            new Field("body", FieldType.nullable(ArrowType.Utf8.INSTANCE), List.of())));

    private static EngineSession sessionWithSource(Path dir) {
        String location = dir.toUri().toString();
        EngineSession session = EngineSession.open();
        session.execute("COPY (SELECT * FROM (VALUES ('a.py', 1, 'x'), ('b.py', 2, 'yy'), ('c.py', 3, 'zzz'))"
                + " AS t(path, n, body)) TO '" + dir.resolve("part.parquet").toUri() + "'");
        session.registerListingTable(ListingTableSpec.plain("source", location, ListingTableSpec.Format.PARQUET, SCHEMA));
        return session;
    }

    @Test
    void theProjectionReachesTheScanAndNothingElseIsVisible(@TempDir Path dir) {
        try (EngineSession session = sessionWithSource(dir)) {
            session.registerProjection("hot", "source", List.of("n", "path"));

            ResultTable all = session.collect("SELECT * FROM hot ORDER BY n");
            assertEquals(List.of("n", "path"), all.columnNames());
            assertEquals(List.of("a.py", "b.py", "c.py"), all.column("path"));
            assertEquals(List.of("b.py"), session.collect("SELECT path FROM hot WHERE n = 2").column("path"));
            assertThrows(EnginePlanException.class, () -> session.collect("SELECT body FROM hot"));

            String physical = session.plans("SELECT * FROM hot WHERE n > 1").physical();
            assertTrue(physical.contains("projection=[n, path]"), physical);
            assertTrue(physical.contains("predicate=n@"), physical);
            assertFalse(physical.contains("ProjectionExec"), physical);
        }
    }

    @Test
    void anUnknownOrRepeatedColumnIsRefusedWithItsName(@TempDir Path dir) {
        try (EngineSession session = sessionWithSource(dir)) {
            EngineException unknown = assertThrows(EngineException.class,
                    () -> session.registerProjection("hot", "source", List.of("path", "size")));
            assertTrue(unknown.getMessage().contains("projection of '\"source\"': no column 'size'"), unknown.getMessage());
            EngineException repeated = assertThrows(EngineException.class,
                    () -> session.registerProjection("hot", "source", List.of("path", "path")));
            assertTrue(repeated.getMessage().contains("'path' is listed twice"), repeated.getMessage());
            assertThrows(EnginePlanException.class, () -> session.collect("SELECT * FROM hot"));
        }
    }
}
