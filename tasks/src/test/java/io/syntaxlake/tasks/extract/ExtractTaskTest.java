package io.syntaxlake.tasks.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SqlIdentifiers;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The extract task on a fixture tree with every kind of bad input, read back through the engine. */
class ExtractTaskTest {

    static Path fixtureTree(Path root) throws Exception {
        Path src = Files.createDirectories(root.resolve("src/pkg"));
        Files.writeString(src.resolve("good.py"), """
                \"\"\"Module doc.\"\"\"
                import os as osmod
                from . import sibling
                from ..up import *

                @decorator
                async def fetch(url: str, *args, key=1, **kw) -> "Result":
                    \"\"\"Fetch it.\"\"\"
                    if (n := len(url)) > 3:
                        return f"{url!r}:{n}"
                    match url:
                        case "x": pass
                    return osmod.path.join(url, *args, key=key)

                class Ünïcode:
                    name = "héllo wörld"
                    x = 1  # type: ignore[attr-defined]
                """, StandardCharsets.UTF_8);
        Files.writeString(src.resolve("bad_syntax.py"), "def broken(:\n    pass\n");
        Files.write(src.resolve("nul_bytes.py"), "x = 1\u0000\n".getBytes(StandardCharsets.UTF_8));
        Files.write(src.resolve("undecodable.py"), new byte[] {'x', ' ', '=', ' ', '"', (byte) 0xff, (byte) 0xfe, '"', '\n'});
        Files.writeString(src.resolve("crlf_bom.py"), "\ufeffdef f():\r\n    return 1\r\n");
        Files.writeString(src.resolve("deep.py"), "x = " + "(".repeat(5000) + "1" + ")".repeat(5000) + "\n");
        Files.writeString(src.resolve("too_big.py"), "# " + "x".repeat(20_000) + "\n");
        Files.writeString(src.resolve("skipped_by_glob.py"), "y = 2\n");
        Files.createSymbolicLink(src.resolve("loop"), src);
        return root.resolve("src");
    }

    /** The fixture tree's request, into {@code out}: error rows of every kind, one file above the size limit. */
    private static ExtractRequest fixtureRequest(Path source, Path out) {
        return ExtractRequest.of(ExtractKind.AST, source, out).withRepo("fixture").withMaxFileBytes(10_000).withWorkers(2);
    }

    private static List<Object> stagedPaths(EngineSession session, ExtractResult result, String table) {
        session.registerListingTable(result.stagingTable(table, ContractLoader.load("ast_files_v1")));
        return session.collect("SELECT path FROM " + table + " ORDER BY path").column("path");
    }

    @Test
    void aRunGivenTheTablesSourcesExtractsOnlyWhatChanged(@TempDir Path tmp) throws Exception {
        Path source = fixtureTree(tmp);
        ExtractResult first = new ExtractTask().run(fixtureRequest(source, tmp.resolve("staging/first"))
                .withSourceIndex(tmp.resolve("first-index.arrow")));
        assertEquals(Optional.of(new SourceChanges(first.files(), 0, 0, 0)), first.changes());
        Path known = tmp.resolve("known.arrow");
        try (EngineSession session = EngineSession.open()) {
            assertEquals(first.files(), stagedPaths(session, first, "first").size());
            // what a table holds: its paths and digests, written by the engine as an Arrow IPC file
            session.collect("COPY (SELECT path, file_sha256 FROM first) TO "
                    + SqlIdentifiers.literal(known.toUri().toString()) + " STORED AS ARROW");
            List<Object> noDigest = session.collect("SELECT path FROM first WHERE file_sha256 IS NULL ORDER BY path")
                    .column("path");
            assertTrue(noDigest.contains("pkg/too_big.py"), noDigest.toString());

            Files.writeString(source.resolve("pkg/good.py"), "\nEDITED = 1\n", StandardOpenOption.APPEND);
            Files.delete(source.resolve("pkg/crlf_bom.py"));
            ExtractResult second = new ExtractTask().run(fixtureRequest(source, tmp.resolve("staging/second"))
                    .withKnownSources(known).withSourceIndex(tmp.resolve("second-index.arrow")));
            // error rows without a digest (the file above the limit, the symlink loop) are made again
            int again = noDigest.size();
            assertEquals(new SourceChanges(0, 1 + again, first.files() - 2 - again, 1, SourceChanges.USED), second.changes().orElseThrow());
            List<Object> expected = new java.util.ArrayList<>(noDigest);
            expected.add("pkg/good.py");
            expected.sort(java.util.Comparator.comparing(Object::toString));
            assertEquals(expected, stagedPaths(session, second, "second"));
            assertEquals(second.files(), expected.size());

            // the run's own index as the next run's known sources: nothing changed, nothing is read
            ExtractResult third = new ExtractTask().run(fixtureRequest(source, tmp.resolve("staging/third"))
                    .withKnownSources(tmp.resolve("second-index.arrow")));
            assertEquals(new SourceChanges(0, again, first.files() - 1 - again, 0, SourceChanges.USED), third.changes().orElseThrow());
        }
    }

    @Test
    void theSourceIndexMustNotBeInsideTheReplacedOutput(@TempDir Path tmp) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
                fixtureRequest(tmp, tmp.resolve("out")).withSourceIndex(tmp.resolve("out/index.arrow")));
        assertTrue(e.getMessage().contains("out/index.arrow"), e.getMessage());
    }

    @Test
    void everyFileGetsOneRowAndBadInputBecomesErrorRows(@TempDir Path tmp) throws Exception {
        Path source = fixtureTree(tmp);
        Path out = tmp.resolve("lake/staging/ast_files_v1");
        ExtractRequest request = ExtractRequest.of(ExtractKind.AST, source, out).withRepo("fixture")
                .withExcludes(List.of("*skipped_by_glob.py")).withMaxFileBytes(10_000).withWorkers(2);
        ExtractResult result = new ExtractTask().run(request);

        DatasetContract contract = ContractLoader.load("ast_files_v1");
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(result.stagingTable("ast_files_v1", contract));
            long rows = (Long) session.collect("SELECT count(*) FROM ast_files_v1").single();
            assertEquals(result.rows(), rows);
            assertEquals(result.files(), rows, "exactly one row per file");
            assertEquals(0L, session.collect("SELECT count(*) FROM ast_files_v1 WHERE path LIKE '%skipped_by_glob%'").single());
            assertEquals(rows, session.collect("SELECT count(DISTINCT file_id) FROM ast_files_v1").single());
            assertEquals(List.of("fixture"), session.collect("SELECT DISTINCT repo FROM ast_files_v1").column("repo"));

            Map<String, String> errors = new HashMap<>();
            session.collect("SELECT path, errors[1]['error_type'] AS t, errors[1]['message'] AS m FROM ast_files_v1 "
                    + "WHERE array_length(errors) > 0").rows()
                    .forEach(r -> errors.put((String) r.get(0), r.get(1) + ": " + r.get(2)));
            assertEquals(result.errorFiles(), errors.size());
            assertTrue(errors.get("pkg/bad_syntax.py").startsWith("SyntaxError"), errors.toString());
            assertTrue(errors.containsKey("pkg/nul_bytes.py"), errors.toString());
            assertTrue(errors.containsKey("pkg/undecodable.py"), errors.toString());
            assertTrue(errors.get("pkg/too_big.py").contains("too_big.py"), errors.toString());
            assertTrue(errors.containsKey("pkg/deep.py"), errors.toString());
            assertFalse(errors.containsKey("pkg/good.py"), errors.toString());
            assertFalse(errors.containsKey("pkg/crlf_bom.py"), errors.toString());
            assertEquals(0L, session.collect("SELECT count(*) FROM ast_files_v1 WHERE array_length(errors) > 0 "
                    + "AND array_length(nodes) > 0").single(), "a file that failed to parse has no nodes");

            List<Object> defs = session.collect("SELECT d['name'] AS name FROM (SELECT unnest(defs) AS d FROM ast_files_v1 "
                    + "WHERE path = 'pkg/good.py') ORDER BY name").column("name");
            assertEquals(List.of("fetch", "Ünïcode"), defs, "byte order: U+00DC sorts after ASCII");
            List<Object> imports = session.collect("SELECT i['kind'] || ':' || coalesce(i['module'], '') || ':' || i['name'] "
                    + "|| ':' || coalesce(CAST(i['level'] AS VARCHAR), '') AS i FROM (SELECT unnest(imports) AS i FROM ast_files_v1 WHERE path = 'pkg/good.py') "
                    + "ORDER BY 1").column("i");
            assertEquals(List.of("Import::os:", "ImportFrom::sibling:1", "ImportFrom:up:*:2"), imports);
            assertEquals(1L, session.collect("SELECT CAST(sum(array_length(type_ignores)) AS BIGINT) FROM ast_files_v1").single());
        }
    }

    @Test
    void arrowAndNdjsonStagingHoldTheSameRows(@TempDir Path tmp) throws Exception {
        Path source = fixtureTree(tmp);
        ExtractRequest request = ExtractRequest.of(ExtractKind.AST, source, tmp.resolve("arrow")).withRepo("fixture")
                .withMaxFileBytes(10_000).withWorkers(2);
        ExtractResult arrow = new ExtractTask().run(request);
        ExtractResult ndjson = new ExtractTask().run(new ExtractRequest(request.kind(), source, tmp.resolve("ndjson"),
                request.repo(), request.excludes(), 2, 10_000, request.python(), StagingFormat.NDJSON));
        assertEquals(StagingFormat.ARROW, arrow.staging());
        assertEquals(arrow.rows(), ndjson.rows());
        // (on a tree this small the Arrow parts are the larger: each carries the nested schema twice)
        try (var parts = Files.list(tmp.resolve("arrow"))) {
            List<Path> files = parts.toList();
            assertTrue(files.stream().allMatch(p -> p.getFileName().toString().matches("part-\\d{5}\\.arrow")), files.toString());
            long bytes = 0;
            for (Path file : files) {
                bytes += Files.size(file);
            }
            assertEquals(bytes, arrow.stagingBytes(), "staging bytes are the part files' sizes");
        }
        DatasetContract contract = ContractLoader.load("ast_files_v1");
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(arrow.stagingTable("a", contract));
            session.registerListingTable(ndjson.stagingTable("j", contract));
            for (String column : contract.schema().getFields().stream().map(f -> f.getName()).toList()) {
                String query = "SELECT path, " + SqlIdentifiers.quote(column) + " AS v FROM %s ORDER BY path";
                assertEquals(session.collect(query.formatted("j")).rows(), session.collect(query.formatted("a")).rows(),
                        column);
            }
        }
    }

    @Test
    void aRerunReplacesTheDatasetInsteadOfAddingToIt(@TempDir Path tmp) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("a.py"), "a = 1\n");
        Path out = tmp.resolve("out");
        ExtractTask task = new ExtractTask();
        task.run(ExtractRequest.of(ExtractKind.AST, source, out));
        Files.writeString(source.resolve("b.py"), "b = 2\n");
        ExtractResult second = task.run(ExtractRequest.of(ExtractKind.AST, source, out));
        assertEquals(2, second.files());
        try (EngineSession session = EngineSession.open()) {
            session.registerListingTable(second.stagingTable("t", ContractLoader.load("ast_files_v1")));
            assertEquals(2L, session.collect("SELECT count(*) FROM t").single());
        }
        try (var siblings = Files.list(tmp)) {
            assertEquals(List.of("out", "src"), siblings.map(p -> p.getFileName().toString()).sorted().toList(),
                    "no staging or previous directories left behind");
        }
    }

    @Test
    void aMissingSourceOrInterpreterIsAClearError(@TempDir Path tmp) {
        ExtractFailedException missing = assertThrows(ExtractFailedException.class,
                () -> new ExtractTask().run(ExtractRequest.of(ExtractKind.AST, tmp.resolve("nope"), tmp.resolve("out"))));
        assertTrue(missing.getMessage().contains("nope"), missing.getMessage());

        ExtractRequest noPython = new ExtractRequest(ExtractKind.AST, tmp, tmp.resolve("out"), java.util.Optional.empty(),
                List.of(), 1, 1000, "/nonexistent/python3", StagingFormat.ARROW);
        ExtractFailedException e = assertThrows(ExtractFailedException.class, () -> new ExtractTask().run(noPython));
        assertTrue(e.getMessage().contains("SYNTAXLAKE_PYTHON"), e.getMessage());
    }

    @Test
    void cstWithoutLibcstSaysHowToInstallIt(@TempDir Path tmp) throws Exception {
        // A bare virtual environment: no site packages, so libcst cannot be imported.
        Path venv = tmp.resolve("bare-venv");
        Process create = new ProcessBuilder(PythonOracle.python(), "-m", "venv", "--without-pip", venv.toString())
                .inheritIO().start();
        assertEquals(0, create.waitFor());
        Files.writeString(Files.createDirectories(tmp.resolve("src")).resolve("a.py"), "a = 1\n");
        ExtractRequest request = new ExtractRequest(ExtractKind.CST, tmp.resolve("src"), tmp.resolve("out"),
                java.util.Optional.empty(), List.of(), 1, 1000, venv.resolve("bin/python").toString(), StagingFormat.ARROW);
        ExtractFailedException e = assertThrows(ExtractFailedException.class, () -> new ExtractTask().run(request));
        assertTrue(e.getMessage().contains("pip install libcst"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
    }
}
