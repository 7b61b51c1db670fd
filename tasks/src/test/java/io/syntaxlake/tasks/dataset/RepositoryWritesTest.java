package io.syntaxlake.tasks.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
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
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Writes of one repository into a Parquet dataset of two: the other repository's data files are
 * carried into each new generation as the same files (hard links), never rewritten, and an
 * incremental write replaces only the file that holds the changed path.
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
        session.execute("DROP TABLE IF EXISTS staging");
        session.registerListingTable(extracted.stagingTable("staging", CONTRACT));
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
            byte[] known = SourceIndexes.ofGeneration(session, lake, CONTRACT, "alpha").orElseThrow();
            Path knownFile = Files.write(tmp.resolve("known-alpha.arrow"), known);
            ExtractResult a2 = extract(alpha, "alpha", "a2", Optional.of(knownFile));
            assertEquals(1, a2.files(), "only the edited file is extracted");
            Path index = tmp.resolve("index-a2.arrow");
            MaterializeResult merged = write(session, lake, a2, "a2",
                    RepositoryWrite.changing("alpha", SourceIndex.droppedPaths(index, session.allocator()), index));
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
}
