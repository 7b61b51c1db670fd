package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaWriter;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.extract.ExtractRequest;
import io.syntaxlake.tasks.extract.ExtractResult;
import io.syntaxlake.tasks.extract.ExtractTask;
import io.syntaxlake.tasks.extract.SourceIndex;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes of one repository into a Parquet dataset of two: the other repository's data files are
 * carried into each new generation as the same files (hard links), never rewritten, and an
 * incremental write replaces only the file that holds the changed path, and only in the version
 * whose source index it compared the tree with.
 */
class RepositoryWritesTest {
    private static final DatasetContract CONTRACT = ContractLoader.load("ast_files_v1");
    private static final int FILES = 40;

    @TempDir
    Path tmp;

    private Path tree(String name) throws Exception {
        Path root = Files.createDirectories(tmp.resolve(name));
        for (int i = 0; i < FILES; i++) {
            Files.writeString(root.resolve(String.format("m%02d.py", i)), "def f" + i + "(x):\n    return x + " + i + "\n",
                    StandardCharsets.UTF_8);
        }
        return root;
    }

    private ExtractResult extract(Path source, String repo, String run, Optional<Path> known) {
        ExtractRequest request = ExtractRequest.of(ExtractKind.AST, source, tmp.resolve("staging-" + run))
                .withRepo(repo).withWorkers(1).withSourceIndex(tmp.resolve("index-" + run + ".arrow"));
        return new ExtractTask().run(known.map(request::withKnownSources).orElse(request));
    }

    private static MaterializeResult write(EngineSession session, Lake lake, ExtractResult extracted, String run,
                                           RepositoryWrite write) {
        stage(session, extracted);
        return new MaterializeTask(session).run(MaterializeRequest.replace(CONTRACT, "staging", lake, run)
                .withSourceInLayoutOrder().forRepository(write)).value();
    }

    /** The data files of a repository in the current generation: name to its inode (what a hard link shares). */
    private static Map<String, Object> files(EngineSession session, Lake lake, String repo) throws Exception {
        DatasetGenerations generations = new DatasetGenerations(session, lake, CONTRACT.name());
        Path dir = generations.location(generations.current().orElseThrow().generation()).localPath().orElseThrow()
                .resolve("repo=" + repo);
        try (Stream<Path> list = Files.list(dir)) {
            Map<String, Object> out = new TreeMap<>();
            for (Path p : list.toList()) {
                out.put(p.getFileName().toString(), Files.readAttributes(p, BasicFileAttributes.class).fileKey());
            }
            return out;
        }
    }

    private static long rows(EngineSession session, Lake lake, String where) {
        new RegisterDatasetTask(session).run(RegisterRequest.of(CONTRACT, lake).withTable("t"));
        return ((Number) session.collect("SELECT count(*) FROM t WHERE " + where).single()).longValue();
    }

    @Test
    void anIncrementalWriteOfOneRepositoryLeavesTheOtherOnesFilesAndRewritesOnlyTheChangedFile() throws Exception {
        Lake lake = new Lake(LakeLocation.local(tmp.resolve("lake"), List.of(tmp)));
        Path alpha = tree("alpha");
        Path beta = tree("beta");
        try (EngineSession session = EngineSession.open()) {
            ExtractResult a1 = extract(alpha, "alpha", "a1", Optional.empty());
            write(session, lake, a1, "a1", RepositoryWrite.replacing("alpha", Optional.of(tmp.resolve("index-a1.arrow"))));
            MaterializeResult b1 = write(session, lake, extract(beta, "beta", "b1", Optional.empty()), "b1",
                    RepositoryWrite.replacing("beta", Optional.of(tmp.resolve("index-b1.arrow"))));
            int segments = (FILES + CONTRACT.table().segmentRows() - 1) / CONTRACT.table().segmentRows();
            assertEquals(segments, b1.carriedFiles(), "alpha's files are carried into beta's generation");
            assertEquals(2L * FILES, rows(session, lake, "true"));
            Map<String, Object> alphaBefore = files(session, lake, "alpha");
            Map<String, Object> betaBefore = files(session, lake, "beta");
            assertEquals(segments, alphaBefore.size());

            Files.writeString(alpha.resolve("m20.py"), "\nEDITED = 1\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            CommittedIndex known = SourceIndexes.ofGeneration(session, lake, CONTRACT, "alpha").orElseThrow();
            assertEquals(b1.generation(), known.version());
            Path knownFile = Files.write(tmp.resolve("known-alpha.arrow"), known.bytes());
            ExtractResult a2 = extract(alpha, "alpha", "a2", Optional.of(knownFile));
            assertEquals(1, a2.files(), "only the edited file is extracted");
            Path index = tmp.resolve("index-a2.arrow");
            Set<String> dropped = SourceIndex.droppedPaths(index, session.allocator());
            // compared with another generation than the current one: refused, nothing committed
            TaskFailedException stale = assertThrows(TaskFailedException.class, () -> write(session, lake, a2, "a2",
                    RepositoryWrite.changing("alpha", dropped, index, "an-older-generation")));
            assertTrue(stale.getMessage().contains("compared the tree with version an-older-generation"),
                    stale.getMessage());
            assertEquals(b1.generation(), new DatasetGenerations(session, lake, CONTRACT.name()).current()
                    .orElseThrow().generation());
            MaterializeResult merged = write(session, lake, a2, "a2",
                    RepositoryWrite.changing("alpha", dropped, index, known.version()));
            assertEquals("merge", merged.mode());
            assertEquals(2L * FILES, merged.rows());
            // the touched file's 15 other rows and the new row: two files written, the rest carried
            assertEquals(2, merged.files());
            assertEquals(2L * segments - 1, merged.carriedFiles());

            Map<String, Object> betaAfter = files(session, lake, "beta");
            assertEquals(betaBefore.keySet(), betaAfter.keySet());
            for (String name : betaBefore.keySet()) {
                assertEquals(betaBefore.get(name), betaAfter.get(name), "beta's " + name + " was rewritten");
            }
            Map<String, Object> alphaAfter = files(session, lake, "alpha");
            long same = alphaBefore.keySet().stream().filter(alphaAfter::containsKey).count();
            assertEquals(segments - 1, same, "every alpha file but the one holding m20.py is kept");
            for (String name : alphaBefore.keySet()) {
                if (alphaAfter.containsKey(name)) {
                    assertEquals(alphaBefore.get(name), alphaAfter.get(name), "alpha's " + name + " was rewritten");
                }
            }
            assertEquals(2L * FILES, rows(session, lake, "true"));
            assertEquals(1L, rows(session, lake, "repo = 'alpha' AND path = 'm20.py'"));
            assertEquals(List.of(merged.generation()),
                    new DatasetGenerations(session, lake, CONTRACT.name()).generations(), "the replaced generations are gone");
        }
    }

    @Test
    void aDeltaMergeIntoAnotherVersionThanTheOneItsIndexDescribesIsRefused() throws Exception {
        Path alpha = tree("alpha");
        LakeLocation table = LakeLocation.local(tmp.resolve("lake/delta/ast_files_v1"), List.of(tmp));
        DeltaLog log = new DeltaLog();
        try (EngineSession session = EngineSession.open()) {
            DeltaWriter writer = new DeltaWriter(session, log).sourceInLayoutOrder();
            ExtractResult a1 = extract(alpha, "alpha", "a1", Optional.empty());
            stage(session, a1);
            writer.writeRepository(CONTRACT, CONTRACT.table().layout(), "staging", table,
                    RepositoryWrite.replacing("alpha", Optional.of(tmp.resolve("index-a1.arrow"))), "a1");
            CommittedIndex known = writer.committedIndex(table, "alpha").orElseThrow();
            assertEquals("0", known.version(), "the key's first transaction");
            Path knownFile = Files.write(tmp.resolve("known-alpha.arrow"), known.bytes());
            // another run of alpha commits meanwhile
            writer.writeRepository(CONTRACT, CONTRACT.table().layout(), "staging", table,
                    RepositoryWrite.replacing("alpha", Optional.of(tmp.resolve("index-a1.arrow"))), "a1b");
            long version = log.latestIfExists(table).orElseThrow().getVersion();

            Files.writeString(alpha.resolve("m03.py"), "\nEDITED = 1\n", StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            ExtractResult a2 = extract(alpha, "alpha", "a2", Optional.of(knownFile));
            assertEquals(1, a2.files());
            stage(session, a2);
            Path index = tmp.resolve("index-a2.arrow");
            RepositoryWrite stale = RepositoryWrite.changing("alpha", SourceIndex.droppedPaths(index, session.allocator()),
                    index, known.version());
            TaskFailedException refused = assertThrows(TaskFailedException.class, () -> writer.writeRepository(CONTRACT,
                    CONTRACT.table().layout(), "staging", table, stale, "a2"));
            assertTrue(refused.getMessage().contains("another write committed version 1 since"), refused.getMessage());
            assertEquals(version, log.latestIfExists(table).orElseThrow().getVersion(), "nothing was committed");
            assertEquals("1", writer.committedIndex(table, "alpha").orElseThrow().version());
        }
    }

    private static void stage(EngineSession session, ExtractResult extracted) {
        session.execute("DROP TABLE IF EXISTS staging");
        session.registerListingTable(extracted.stagingTable("staging", CONTRACT));
    }
}
