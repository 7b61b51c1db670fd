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

    /**
     * The files of {@code dir} hold at most the contract's segment rows each, every file's rows in
     * path order, and the files consecutive, non-overlapping path ranges (read one file at a time,
     * in one partition, as written).
     */
    private static void assertSegmented(EngineSession session, java.nio.file.Path dir) throws java.io.IOException {
        int segment = CONTRACT.table().segmentRows();
        List<java.nio.file.Path> files;
        try (var listed = Files.list(dir)) {
            files = listed.sorted().toList();
        }
        assertEquals((FILES + segment - 1) / segment, files.size(), "files of at most " + segment + " consecutive rows");
        List<List<Object>> ranges = new java.util.ArrayList<>();
        session.execute("SET datafusion.execution.target_partitions = 1");
        for (java.nio.file.Path file : files) {
            session.execute("DROP TABLE IF EXISTS one_file");
            session.execute("CREATE EXTERNAL TABLE one_file STORED AS PARQUET LOCATION "
                    + SqlIdentifiers.literal(file.toUri().toString()));
            assertEquals(0L, session.collect("SELECT count(*) FROM (SELECT path, lag(path) OVER () AS before FROM one_file)"
                    + " WHERE before > path").single(), file + ": each row's path sorts after the one before it");
            ranges.add(session.collect("SELECT min(path) AS lo, max(path) AS hi, count(*) AS n FROM one_file").rows().get(0));
        }
        session.execute("DROP TABLE IF EXISTS one_file");
        ranges.sort(java.util.Comparator.comparing(r -> (String) r.get(0)));
        for (int i = 0; i < ranges.size(); i++) {
            assertTrue(((Number) ranges.get(i).get(2)).longValue() <= segment, ranges.get(i).toString());
            if (i > 0) {
                assertTrue(((String) ranges.get(i - 1).get(1)).compareTo((String) ranges.get(i).get(0)) < 0,
                        "file ranges overlap: " + ranges.get(i - 1) + " and " + ranges.get(i));
            }
        }
    }

    @Test
    void stagingIsCopiedInPathOrderWithoutASortAndTheSessionIsLeftAsItWas() throws Exception {
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
            assertSegmented(session, tmp.resolve("copied/repo=fixture"));
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
            session.execute("SET datafusion.execution.target_partitions = 1");
            assertSegmented(session, tmp.resolve("direct/repo=fixture"));
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
            // the rows keep the source's order file by file: assertSegmented above
            assertEquals((long) FILES, session.collect("SELECT count(*) FROM direct WHERE repo = 'fixture'").single());
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
