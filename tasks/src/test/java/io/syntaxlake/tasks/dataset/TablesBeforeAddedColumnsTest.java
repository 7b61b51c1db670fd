package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.DeltaWriter;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import io.syntaxlake.tasks.extract.Git;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lake written before the contracts gained {@code source_revision}: its tables hold the
 * contract without its added columns (the same schema and schema identity the older version
 * wrote). They stay readable, with nulls in the added column, and take new writes: a Parquet
 * generation carries their files beside files that have the column; a Delta table keeps its
 * schema (kernel cannot add a column to a table without column mapping) and new rows go in
 * without the column, while a new table has it.
 */
class TablesBeforeAddedColumnsTest {
    private static final DatasetContract CONTRACT = ContractLoader.load("ast_files_v1");
    private static final DatasetContract OLDER = CONTRACT.withoutAddedColumns();
    private static final int FILES = 20;

    @TempDir
    Path tmp;
    private Path tree;
    private String head;

    @BeforeEach
    void gitTree() throws Exception {
        tree = Files.createDirectories(tmp.resolve("src"));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(tree.resolve(String.format("m%02d.py", i)), "V = " + i + "\n", StandardCharsets.UTF_8);
        }
        git("init", "-q");
        git("add", ".");
        git("commit", "-q", "-m", "fixture");
        head = git("rev-parse", "HEAD");
    }

    private String git(String... arguments) throws Exception {
        return Git.git(tree, arguments);
    }

    /** The tree extracted as {@code repo}, registered as {@code staging} with {@code contract}'s columns. */
    private void stage(EngineSession session, String repo, DatasetContract contract, String staging) {
        ExtractResult extracted = new ExtractTask().run(ExtractRequest.of(ExtractKind.AST, tree,
                tmp.resolve("staging-" + repo + "-" + staging)).withRepo(repo).withWorkers(1));
        assertEquals(Optional.of(head), extracted.revision().map(r -> r.label()));
        session.execute("DROP TABLE IF EXISTS " + staging);
        session.registerListingTable(extracted.stagingTable(staging, contract));
    }

    private static List<List<Object>> revisionsByRepo(EngineSession session, String table) {
        return session.collect("SELECT repo, count(*), count(source_revision), min(source_revision), "
                + "max(source_revision) FROM " + table + " GROUP BY repo ORDER BY repo").rows();
    }

    @Test
    void parquetFilesOfTheOlderContractAreReadWithNullsAndCarriedBesideFilesWithTheColumn() {
        Lake lake = new Lake(LakeLocation.local(tmp.resolve("lake"), List.of(tmp)));
        try (EngineSession session = EngineSession.open()) {
            stage(session, "alpha", OLDER, "older_staging");
            new MaterializeTask(session).run(MaterializeRequest.replace(OLDER, "older_staging", lake, "a1")
                    .withSourceInLayoutOrder().forRepository(RepositoryWrite.replacing("alpha", Optional.empty())));
            DatasetGenerations generations = new DatasetGenerations(session, lake, CONTRACT.name());
            String written = generations.location(generations.current().orElseThrow().generation()).url();
            assertEquals(List.of("source_revision: missing (expected Utf8)"), new WrittenFiles(session, written)
                    .schemaDrift(CONTRACT.fileSchema(CONTRACT.table().layout()), List.of("repo")),
                    "the files are as the older contract wrote them");

            var registered = new RegisterDatasetTask(session).run(RegisterRequest.of(CONTRACT, lake).withTable("t"));
            assertEquals(List.of("source_revision"), registered.artifacts().get(0).payload().get("added_columns_absent"));
            assertEquals(List.of(Arrays.asList("alpha", (long) FILES, 0L, null, null)).toString(),
                    revisionsByRepo(session, "t").toString());

            stage(session, "beta", CONTRACT, "staging");
            MaterializeResult beta = new MaterializeTask(session).run(MaterializeRequest.replace(CONTRACT, "staging",
                    lake, "b1").withSourceInLayoutOrder().forRepository(RepositoryWrite.replacing("beta",
                    Optional.empty()))).value();
            assertTrue(beta.carriedFiles() > 0, "alpha's older files are carried as they are");
            registered = new RegisterDatasetTask(session).run(RegisterRequest.of(CONTRACT, lake).withTable("t"));
            assertEquals(List.of(), registered.artifacts().get(0).payload().get("added_columns_absent"));
            assertEquals(List.of(Arrays.asList("alpha", (long) FILES, 0L, null, null),
                    Arrays.asList("beta", (long) FILES, (long) FILES, head, head)).toString(),
                    revisionsByRepo(session, "t").toString());
        }
    }

    @Test
    void deltaTablesOfTheOlderContractKeepTheirSchemaAndTakeNewWrites() {
        DeltaLog log = new DeltaLog();
        LakeLocation older = LakeLocation.local(tmp.resolve("lake/delta/older"), List.of(tmp));
        LakeLocation newer = LakeLocation.local(tmp.resolve("lake/delta/newer"), List.of(tmp));
        DatasetContract.Layout layout = CONTRACT.table().layout();
        try (EngineSession session = EngineSession.open()) {
            DeltaWriter writer = new DeltaWriter(session, log).sourceInLayoutOrder();
            stage(session, "alpha", OLDER, "older_staging");
            writer.writeRepository(OLDER, layout, "older_staging", older,
                    RepositoryWrite.replacing("alpha", Optional.empty()), "a1");
            assertEquals(OLDER.identityHash(), log.latestIfExists(older).orElseThrow().getTableProperties()
                    .get(DeltaWriter.IDENTITY_PROPERTY));

            stage(session, "beta", CONTRACT, "staging");
            var committed = writer.writeRepository(CONTRACT, layout, "staging", older,
                    RepositoryWrite.replacing("beta", Optional.empty()), "b1");
            assertEquals(FILES, committed.rows());
            assertFalse(log.latestIfExists(older).orElseThrow().getSchema().fieldNames().contains("source_revision"),
                    "the table keeps the schema it was created with");

            RegisterDeltaTask register = new RegisterDeltaTask(session, log);
            var registered = register.run(CONTRACT, older, DeltaSelector.latest(), "t");
            assertEquals(List.of("source_revision"), registered.artifacts().get(0).payload().get("added_columns_absent"));
            assertEquals(List.of(Arrays.asList("alpha", (long) FILES, 0L, null, null),
                    Arrays.asList("beta", (long) FILES, 0L, null, null)).toString(), revisionsByRepo(session, "t").toString());

            writer.writeRepository(CONTRACT, layout, "staging", newer,
                    RepositoryWrite.replacing("beta", Optional.empty()), "b2");
            assertEquals(CONTRACT.identityHash(), log.latestIfExists(newer).orElseThrow().getTableProperties()
                    .get(DeltaWriter.IDENTITY_PROPERTY));
            registered = register.run(CONTRACT, newer, DeltaSelector.latest(), "n");
            assertEquals(List.of(), registered.artifacts().get(0).payload().get("added_columns_absent"));
            assertEquals(List.of(Arrays.asList("beta", (long) FILES, (long) FILES, head, head)).toString(),
                    revisionsByRepo(session, "n").toString());
        }
    }
}
