package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A schema backed by the dataset registry: its tables are visible in information_schema as soon
 * as they are declared, each is built (and its storage listed) only when a query uses it, and
 * publishing again replaces the whole schema at once.
 */
class RegistrySchemaTest {
    private static final Schema FILE_SCHEMA = new Schema(List.of(
            new Field("path", FieldType.notNullable(ArrowType.Utf8.INSTANCE), List.of()),
            new Field("n", FieldType.nullable(new ArrowType.Int(64, true)), List.of())));

    @TempDir
    Path dir;
    private String events;
    private String files;

    @BeforeEach
    void writeDatasets() {
        events = dir.resolve("events").toUri().toString();
        files = dir.resolve("files").toUri().toString();
        try (EngineSession session = EngineSession.open()) {
            session.execute("COPY (SELECT * FROM (VALUES ('a.py', 1, 'r1'), ('b.py', 2, 'r1'), ('c.py', 3, 'r2'))"
                    + " AS t(path, n, repo)) TO '" + events + "' STORED AS PARQUET PARTITIONED BY (repo)");
            session.execute("COPY (SELECT 'x.py' AS path, CAST(7 AS BIGINT) AS n) TO '" + files + "/part.parquet'");
        }
    }

    private ListingTableSpec events() {
        return new ListingTableSpec("events", events, ListingTableSpec.Format.PARQUET, FILE_SCHEMA, List.of("repo"),
                List.of("path"), Map.of(), null);
    }

    private ListingTableSpec files() {
        return ListingTableSpec.plain("files", files, ListingTableSpec.Format.PARQUET, FILE_SCHEMA);
    }

    @Test
    void declaredTablesAreListedAndQueryableThroughTheCatalog() {
        try (EngineSession session = EngineSession.open()) {
            session.registerRegistrySchema("lake", "datasets", List.of(events(), files()));

            assertEquals(List.of("events", "files"), session.collect("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_catalog = 'lake' AND table_schema = 'datasets' ORDER BY table_name").column("table_name"));
            assertEquals(List.of("path", "n", "repo"), session.collect("SELECT column_name FROM information_schema.columns"
                    + " WHERE table_catalog = 'lake' AND table_name = 'events' ORDER BY ordinal_position").column("column_name"));
            assertEquals(6L, session.collect("SELECT sum(n) FROM lake.datasets.events").single());
            assertEquals(List.of("c.py"), session.collect("SELECT path FROM lake.datasets.events WHERE repo = 'r2'").column("path"));
            assertEquals(7L, session.collect("SELECT n FROM lake.datasets.files").single());

            // views made beside the datasets live in the same schema
            session.execute("CREATE VIEW lake.datasets.big AS SELECT path FROM lake.datasets.events WHERE n > 1");
            assertEquals("VIEW", session.collect("SELECT table_type FROM information_schema.tables"
                    + " WHERE table_catalog = 'lake' AND table_name = 'big'").single());
            assertEquals(2L, session.collect("SELECT count(*) FROM lake.datasets.big").single());
        }
    }

    @Test
    void aTableIsBuiltOnlyWhenUsedAndItsErrorNamesIt() {
        ListingTableSpec broken = new ListingTableSpec("broken", files, ListingTableSpec.Format.PARQUET, FILE_SCHEMA,
                List.of(), List.of(), Map.of("format.no_such_option", "1"), null);
        try (EngineSession session = EngineSession.open()) {
            session.registerRegistrySchema("lake", "datasets", List.of(files(), broken));
            // listing the schema builds nothing, so the broken table does not disturb it
            assertEquals(2L, session.collect("SELECT count(*) FROM information_schema.tables"
                    + " WHERE table_catalog = 'lake' AND table_type = 'BASE TABLE'").single());
            assertEquals(7L, session.collect("SELECT n FROM lake.datasets.files").single());
            EngineException error = assertThrows(EngineException.class,
                    () -> session.collect("SELECT * FROM lake.datasets.broken"));
            assertTrue(error.getMessage().contains("lake.datasets.broken"), error.getMessage());
            assertTrue(error.getMessage().contains("no_such_option"), error.getMessage());
        }
    }

    @Test
    void publishingAgainReplacesTheWholeSchema() {
        try (EngineSession session = EngineSession.open()) {
            session.registerRegistrySchema("lake", "datasets", List.of(events(), files()));
            assertEquals(6L, session.collect("SELECT sum(n) FROM lake.datasets.events").single());

            session.registerRegistrySchema("lake", "datasets", List.of(files()));
            assertEquals(List.of("files"), session.collect("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_catalog = 'lake' AND table_schema = 'datasets'").column("table_name"));
            assertThrows(EnginePlanException.class, () -> session.collect("SELECT * FROM lake.datasets.events"));
        }
    }

    @Test
    void aNameDeclaredTwiceIsRefusedAndNothingIsPublished() {
        try (EngineSession session = EngineSession.open()) {
            EngineException error = assertThrows(EngineException.class,
                    () -> session.registerRegistrySchema("lake", "datasets", List.of(files(), files())));
            assertTrue(error.getMessage().contains("'files' is already in schema 'lake.datasets'"), error.getMessage());
            assertEquals(0L, session.collect("SELECT count(*) FROM information_schema.schemata"
                    + " WHERE catalog_name = 'lake'").single());
        }
    }
}
