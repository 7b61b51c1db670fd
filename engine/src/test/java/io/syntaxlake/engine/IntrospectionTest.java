package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plans, schemas, defaults, versions, settings, limits and catalog auto-loading. */
class IntrospectionTest {

    @Test
    void engineVersionMatchesSqlVersion() {
        String version = EngineSession.engineVersion();
        assertTrue(version.matches("55\\.\\d+\\.\\d+"), version);
        try (EngineSession session = EngineSession.open()) {
            String sqlVersion = (String) session.collect("SELECT version()").single();
            assertTrue(sqlVersion.contains("DataFusion " + version), sqlVersion);
        }
    }

    @Test
    void plansOfQueriesAndViewsWithoutRunningThem(@TempDir Path dir) {
        try (EngineSession session = EngineSession.open()) {
            session.execute("CREATE TABLE base AS SELECT value AS n, 'x' || value AS label FROM generate_series(1, 10)");
            session.execute("CREATE VIEW evens AS SELECT n, label FROM base WHERE n % 2 = 0");
            PlanSnapshot plans = session.tablePlans("evens");
            assertTrue(plans.logical().contains("SubqueryAlias: evens"), plans.logical());
            assertTrue(plans.logical().contains("Filter: base.n % Int64(2) = Int64(0)"), plans.logical());
            assertTrue(plans.optimized().contains("TableScan: base"), plans.optimized());
            assertTrue(plans.physical().contains("FilterExec"), plans.physical());

            // Planning a write must not perform it.
            String target = SqlIdentifiers.literal(dir.toUri() + "never/");
            PlanSnapshot copy = session.plans("COPY (SELECT * FROM base) TO " + target + " STORED AS PARQUET");
            assertTrue(copy.logical().contains("CopyTo"), copy.logical());
            assertTrue(Files.notExists(dir.resolve("never")), "planning COPY wrote files");
        }
    }

    @Test
    void dfSchemaTreeShowsNestingAndNullability() {
        try (EngineSession session = EngineSession.open()) {
            session.execute("CREATE TABLE nested AS SELECT 1 AS id, named_struct('start', 0, 'tags', ['a']) AS span");
            String tree = session.tableDfSchemaTree("nested");
            assertTrue(tree.startsWith("root"), tree);
            assertTrue(tree.contains("nested.id: int64 (nullable = false)"), tree);
            assertTrue(tree.contains("|-- nested.span: struct"), tree);
            assertTrue(tree.contains("|-- start: int64"), tree);
            assertTrue(tree.contains("|-- tags: list"), tree);
        }
    }

    @Test
    void columnDefaultsComeFromTheProvider(@TempDir Path dir) {
        try (EngineSession session = EngineSession.open()) {
            session.execute("CREATE EXTERNAL TABLE with_defaults (id BIGINT NOT NULL, kind VARCHAR DEFAULT 'module', "
                    + "weight DOUBLE DEFAULT 1.5, note VARCHAR) STORED AS PARQUET LOCATION "
                    + SqlIdentifiers.literal(dir.toUri() + "d/"));
            Map<String, String> defaults = session.columnDefaults("with_defaults");
            assertEquals(List.of("kind", "weight"), List.copyOf(defaults.keySet()));
            assertTrue(defaults.get("kind").contains("module"), defaults.toString());
            assertTrue(defaults.get("weight").contains("1.5"), defaults.toString());
            // information_schema has no defaults: the provider is the only source.
            assertEquals(null, session.collect("SELECT column_default FROM information_schema.columns "
                    + "WHERE table_name = 'with_defaults' AND column_name = 'kind'").single());
            session.execute("INSERT INTO with_defaults (id) VALUES (7)");
            assertEquals(java.util.Arrays.asList(7L, "module", 1.5, null), session.collect("SELECT * FROM with_defaults").rows().get(0));
        }
    }

    @Test
    void settingsIncludingRuntimeKeysApplyAtBuildTime() {
        SessionOptions options = SessionOptions.defaults()
                .with("datafusion.execution.batch_size", "1024")
                .with("datafusion.runtime.list_files_cache_ttl", "30s");
        try (EngineSession session = EngineSession.open(options)) {
            assertEquals("1024", session.collect("SELECT value FROM information_schema.df_settings "
                    + "WHERE name = 'datafusion.execution.batch_size'").single());
            String ttl = (String) session.collect("SELECT value FROM information_schema.df_settings "
                    + "WHERE name = 'datafusion.runtime.list_files_cache_ttl'").single();
            assertTrue(ttl != null && ttl.contains("30"), ttl);
        }
    }

    @Test
    void memoryLimitStopsAQueryThatNeedsMore(@TempDir Path spill) {
        RuntimeLimits limits = RuntimeLimits.NONE.withMemoryLimit(4L << 20, RuntimeLimits.MemoryPool.GREEDY)
                .withSpill(spill, 1L << 20);
        try (EngineSession session = EngineSession.open(SessionOptions.defaults().withLimits(limits))) {
            EngineResourcesExhaustedException e = assertThrows(EngineResourcesExhaustedException.class,
                    () -> session.execute("SELECT value, repeat('x', 200) AS pad FROM generate_series(1, 2000000) "
                            + "ORDER BY pad, value DESC"));
            assertTrue(e.getMessage().contains("memory"), e.getMessage());
            assertEquals(10L, session.collect("SELECT count(*) FROM generate_series(1, 10)").single());
        }
    }

    @Test
    void catalogAutoloadRegistersDatasetsAndRefreshAddsNewOnes(@TempDir Path lake) {
        try (EngineSession writer = EngineSession.open()) {
            writer.execute("COPY (SELECT 1 AS a) TO " + SqlIdentifiers.literal(lake.toUri() + "first/") + " STORED AS PARQUET");
        }
        SessionOptions options = SessionOptions.defaults().withCatalogAutoload(lake.toUri().toString(), "parquet");
        try (EngineSession session = EngineSession.open(options)) {
            assertEquals(1L, session.collect("SELECT count(*) FROM \"default\".first").single());
            assertThrows(EnginePlanException.class, () -> session.execute("SELECT * FROM \"default\".second"));
            session.execute("COPY (SELECT 2 AS b UNION ALL SELECT 3) TO " + SqlIdentifiers.literal(lake.toUri() + "second/")
                    + " STORED AS PARQUET");
            session.refreshCatalogs();
            assertEquals(5L, session.collect("SELECT sum(b) FROM \"default\".second").single());
            assertEquals(List.of("first", "second"), session.collect("SELECT table_name FROM information_schema.tables "
                    + "WHERE table_schema = 'default' ORDER BY table_name").column("table_name"));
        }
    }
}
