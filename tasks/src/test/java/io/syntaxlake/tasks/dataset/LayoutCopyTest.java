package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.SqlIdentifiers;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The extractor's staging is copied in its own order, without a sort: numbered part files of
 * consecutive paths, read as one stream, come out in the layout's (repo, path) order.
 */
class LayoutCopyTest {
    private static final int FILES = 300; // above the extractor's 64 files per part: several parts
    private static final DatasetContract CONTRACT = ContractLoader.load("ast_files_v1");

    @TempDir
    static Path tmp;
    static ExtractResult staging;

    @BeforeAll
    static void extract() throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < FILES; i++) {
            // sizes vary, so the extractor's largest-first schedule finishes parts out of name order
            Path dir = Files.createDirectories(source.resolve("pkg" + (i % 7)));
            Files.writeString(dir.resolve("m" + i + ".py"), "x = 1\n".repeat(1 + (i * 37) % 200));
        }
        staging = new ExtractTask().run(ExtractRequest.of(ExtractKind.AST, source, tmp.resolve("staging"))
                .withRepo("fixture"));
        assertTrue(staging.parts() > 2, "several part files: " + staging.parts());
    }

    private static EngineSession session() {
        // small batches over several partitions: any scan that is not one ordered stream interleaves
        EngineSession session = EngineSession.open(SessionOptions.defaults()
                .with("datafusion.execution.target_partitions", "4")
                .with("datafusion.execution.batch_size", "4"));
        session.registerListingTable(staging.stagingTable("staging", CONTRACT));
        return session;
    }

    @Test
    void stagingIsCopiedInPathOrderWithoutASortAndTheSessionIsLeftAsItWas() {
        DatasetContract.Layout layout = CONTRACT.table().layout();
        LayoutCopy copy = LayoutCopy.inSourceOrder(CONTRACT, layout, "staging");
        String out = tmp.resolve("copied").toUri() + "/";
        try (EngineSession session = session()) {
            assertEquals(FILES, copy.run(session, out));
            assertEquals("4", session.collect("SELECT value FROM information_schema.df_settings"
                    + " WHERE name = 'datafusion.execution.target_partitions'").single());
            assertEquals("4", session.collect("SELECT value FROM information_schema.df_settings"
                    + " WHERE name = 'datafusion.execution.batch_size'").single());

            // the plan the copy relies on: one partition, nothing sorts or repartitions it
            session.execute("SET datafusion.execution.target_partitions = 1");
            String plan = session.plans(copy.statement(tmp.resolve("plan-only").toUri() + "/")).physical();
            assertFalse(plan.contains("SortExec") || plan.contains("RepartitionExec") || plan.contains("Coalesce"), plan);
            assertTrue(plan.contains("1 group"), plan);

            session.execute("CREATE EXTERNAL TABLE copied STORED AS PARQUET LOCATION " + SqlIdentifiers.literal(out));
            assertEquals((long) FILES, session.collect("SELECT count(DISTINCT path) FROM copied").single());
            assertEquals(0L, session.collect("SELECT count(*) FROM (SELECT path, lag(path) OVER () AS before FROM copied)"
                    + " WHERE before > path").single(), "each row's path sorts after the one before it");
        }
    }

    @Test
    void aSourceOfOnePartitionIsWrittenIntoItsDirectoryWithTheRowsThePartitionedCopyWrites() throws Exception {
        LayoutCopy copy = LayoutCopy.inSourceOrder(CONTRACT, CONTRACT.table().layout(), "staging");
        String direct = tmp.resolve("direct").toUri() + "/";
        String hive = tmp.resolve("hive").toUri() + "/";
        try (EngineSession session = session()) {
            assertEquals(Optional.of("repo=fixture"), copy.onePartition(session));
            assertEquals(FILES, copy.run(session, direct));
            copy.readingSource(session, () -> session.collect(copy.statement(hive)));
            try (var files = Files.list(tmp.resolve("direct"))) {
                assertEquals(List.of("repo=fixture"), files.map(f -> f.getFileName().toString()).toList());
            }
            try (var files = Files.list(tmp.resolve("direct/repo=fixture"))) {
                assertEquals(1L, files.count(), "one file of consecutive rows");
            }
            session.execute("SET datafusion.execution.target_partitions = 1");
            for (String table : new String[] {"direct", "hive"}) {
                session.execute("CREATE EXTERNAL TABLE " + table + " STORED AS PARQUET PARTITIONED BY (repo) LOCATION "
                        + SqlIdentifiers.literal(table.equals("direct") ? direct : hive));
            }
            String columns = LayoutCopy.columnList(CONTRACT.schema().getFields().stream()
                    .map(Field::getName).toList());
            for (String[] pair : new String[][] {{"direct", "hive"}, {"hive", "direct"}}) {
                assertEquals(0L, session.collect("SELECT count(*) FROM (SELECT " + columns + " FROM " + pair[0]
                        + " EXCEPT ALL SELECT " + columns + " FROM " + pair[1] + ")").single(), pair[0] + " - " + pair[1]);
            }
            assertEquals((long) FILES, session.collect("SELECT count(*) FROM direct WHERE repo = 'fixture'").single());
            assertEquals(0L, session.collect("SELECT count(*) FROM (SELECT path, lag(path) OVER () AS before FROM direct)"
                    + " WHERE before > path").single(), "the rows keep the source's order");
        }
    }

    @Test
    void sourcesOfSeveralPartitionsOrOfValuesThatAreNoPlainNameKeepThePartitionedCopy() {
        LayoutCopy copy = LayoutCopy.inSourceOrder(CONTRACT, CONTRACT.table().layout(), "mixed");
        try (EngineSession session = session()) {
            String columns = LayoutCopy.columnList(CONTRACT.schema().getFields().stream()
                    .map(Field::getName).filter(name -> !name.equals("repo")).toList());
            // two repositories; a value that is a path, a parent directory; a null
            for (String repos : new String[] {"('a'), ('b')", "('a/b')", "('..')", "(CAST(NULL AS VARCHAR))"}) {
                session.execute("DROP VIEW IF EXISTS mixed");
                session.execute("CREATE VIEW mixed AS SELECT r.column1 AS repo, " + columns
                        + " FROM staging CROSS JOIN (VALUES " + repos + ") AS r");
                assertEquals(Optional.empty(), copy.onePartition(session), repos);
            }
            assertEquals(Optional.empty(),
                    LayoutCopy.sorting(CONTRACT, CONTRACT.table().layout(), "staging").onePartition(session),
                    "a sorting copy keeps its ORDER BY and partitions");
        }
    }

    @Test
    void aSortingCopyOrdersTheSameRowsItself() {
        LayoutCopy copy = LayoutCopy.sorting(CONTRACT, CONTRACT.table().layout(), "staging");
        String out = tmp.resolve("sorted").toUri() + "/";
        try (EngineSession session = session()) {
            assertTrue(session.plans(copy.statement(out)).physical().contains("SortExec"));
            assertEquals(FILES, copy.run(session, out));
            session.execute("SET datafusion.execution.target_partitions = 1");
            session.execute("CREATE EXTERNAL TABLE sorted STORED AS PARQUET LOCATION " + SqlIdentifiers.literal(out));
            assertEquals(0L, session.collect("SELECT count(*) FROM (SELECT path, lag(path) OVER () AS before FROM sorted)"
                    + " WHERE before > path").single());
        }
    }
}
