package io.syntaxlake.tasks.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.QueryResult;
import io.syntaxlake.engine.SqlIdentifiers;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.arrow.vector.types.pojo.Field;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The acceptance run: the standard library of the python3 the tests use (its Lib directory,
 * without site-packages) extracted into both datasets and checked against CPython itself.
 */
class StdlibExtractionTest {
    private static final List<String> EXCLUDES = List.of("site-packages/*");

    @TempDir
    static Path lake;
    private static Path stdlib;
    private static ExtractResult ast;
    private static ExtractResult cst;
    private static EngineSession session;
    private static Set<String> pythonFiles;

    @BeforeAll
    static void extract() throws Exception {
        stdlib = PythonOracle.stdlib();
        ExtractTask task = new ExtractTask();
        ast = task.run(ExtractRequest.of(ExtractKind.AST, stdlib, lake.resolve("staging/ast_files_v1")).withExcludes(EXCLUDES));
        cst = task.run(ExtractRequest.of(ExtractKind.CST, stdlib, lake.resolve("staging/libcst_files_v1")).withExcludes(EXCLUDES));
        session = EngineSession.open();
        for (ExtractResult result : List.of(ast, cst)) {
            DatasetContract contract = ContractLoader.load(result.kind().dataset());
            session.registerListingTable(result.stagingTable(result.kind().dataset(), contract));
        }
        try (var paths = Files.walk(stdlib)) {
            pythonFiles = paths.filter(p -> p.toString().endsWith(".py") && Files.isRegularFile(p))
                    .map(p -> stdlib.relativize(p).toString())
                    .filter(p -> !p.startsWith("site-packages/"))
                    .collect(Collectors.toSet());
        }
    }

    @AfterAll
    static void close() {
        session.close();
    }

    private static Set<String> paths(String sql) {
        return session.collect(sql).rows().stream().map(r -> (String) r.get(0)).collect(Collectors.toSet());
    }

    @Test
    void everyFileHasExactlyOneRowInBothDatasets() {
        assertTrue(pythonFiles.size() > 1000, "the stdlib has over a thousand modules: " + pythonFiles.size());
        for (ExtractResult result : List.of(ast, cst)) {
            String table = result.kind().dataset();
            assertEquals(pythonFiles, paths("SELECT path FROM " + table), table);
            assertEquals((long) pythonFiles.size(), session.collect("SELECT count(*) FROM " + table).single(), table);
            assertEquals((long) pythonFiles.size(), result.files(), table);
        }
        assertEquals(0L, session.collect("SELECT count(*) FROM ast_files_v1 a JOIN libcst_files_v1 c USING (path) "
                + "WHERE a.file_id <> c.file_id").single(), "both datasets give a file the same file_id");
    }

    @Test
    void filesCPythonCannotParseCarryErrorRows() throws Exception {
        Set<String> failing = new HashSet<>(PythonOracle.run("""
                import ast, pathlib, sys
                root = pathlib.Path(sys.argv[1])
                for p in sorted(root.rglob('*.py')):
                    rel = p.relative_to(root).as_posix()
                    if rel.startswith('site-packages/'):
                        continue
                    try:
                        ast.parse(p.read_bytes(), type_comments=True)
                    except (SyntaxError, ValueError, RecursionError, MemoryError):
                        print(rel)
                """, stdlib.toString()));
        assertTrue(failing.size() > 0, "CPython's test suite ships files that do not parse");
        assertEquals(failing, paths("SELECT path FROM ast_files_v1 WHERE array_length(errors) > 0"));
        assertEquals((long) failing.size(), ast.errorFiles());
        Set<String> cstErrors = paths("SELECT path FROM libcst_files_v1 WHERE array_length(parse_errors) > 0");
        assertTrue(cstErrors.containsAll(failing), "LibCST rejects what CPython rejects: " + failing + " vs " + cstErrors);
        assertEquals((long) cstErrors.size(), cst.errorFiles());
    }

    @Test
    void nodeCountsEqualAstWalkOnASample() throws Exception {
        Map<String, Long> expected = new HashMap<>();
        for (String line : PythonOracle.run("""
                import ast, pathlib, sys
                root = pathlib.Path(sys.argv[1])
                files = [p for p in sorted(root.rglob('*.py')) if not p.relative_to(root).as_posix().startswith('site-packages/')]
                for p in files[::25]:
                    try:
                        tree = ast.parse(p.read_bytes(), type_comments=True)
                    except Exception:
                        continue
                    print(p.relative_to(root).as_posix() + '\\t' + str(len(list(ast.walk(tree)))))
                """, stdlib.toString())) {
            String[] parts = line.split("\t");
            expected.put(parts[0], Long.parseLong(parts[1]));
        }
        assertTrue(expected.size() > 40, "sample size " + expected.size());
        String inList = expected.keySet().stream().map(SqlIdentifiers::literal).collect(Collectors.joining(","));
        Map<String, Long> actual = new HashMap<>();
        session.collect("SELECT path, CAST(array_length(nodes) AS BIGINT) FROM ast_files_v1 WHERE path IN (" + inList + ")")
                .rows().forEach(r -> actual.put((String) r.get(0), (Long) r.get(1)));
        assertEquals(expected, actual);
    }

    @Test
    void theContractEqualsWhatDataFusionReportsForTheWrittenFiles() {
        for (ExtractResult result : List.of(ast, cst)) {
            String dataset = result.kind().dataset();
            DatasetContract contract = ContractLoader.load(dataset);
            String parquet = SqlIdentifiers.literal(lake.resolve("parquet/" + dataset).toUri() + "/");
            session.execute("COPY (SELECT * FROM " + dataset + " WHERE path LIKE 'json/%') TO " + parquet + " STORED AS PARQUET");
            String table = dataset + "_parquet";
            // Parquet keeps field metadata in the embedded Arrow schema; reading it needs skip_metadata = false.
            session.execute("CREATE EXTERNAL TABLE " + table + " STORED AS PARQUET LOCATION " + parquet
                    + " OPTIONS ('format.skip_metadata' 'false', 'format.schema_force_view_types' 'false')");
            try (QueryResult read = session.sql("SELECT * FROM " + table + " LIMIT 0")) {
                List<Field> fields = read.schema().getFields();
                assertEquals(contract.schema().getFields(), fields, dataset + ": names, types, nullability, field metadata");
            }
            for (List<Object> column : session.collect("SELECT column_name, is_nullable, data_type FROM information_schema.columns "
                    + "WHERE table_name = " + SqlIdentifiers.literal(table) + " ORDER BY ordinal_position").rows()) {
                Field field = contract.field((String) column.get(0));
                assertEquals(field.isNullable() ? "YES" : "NO", column.get(1), dataset + "." + field.getName());
                Object typeOf = session.collect("SELECT arrow_typeof(" + SqlIdentifiers.quote(field.getName()) + ") FROM "
                        + table + " LIMIT 1").single();
                assertEquals(column.get(2), typeOf, dataset + "." + field.getName());
            }
        }
    }

    @Test
    void undecoratedDefByteSpansAgreeBetweenAstAndLibcst() throws Exception {
        for (ExtractResult result : List.of(ast, cst)) {
            DatasetContract contract = ContractLoader.load(result.kind().dataset());
            var gates = new io.syntaxlake.tasks.dataset.FeatureGates(session).run(contract).value();
            new io.syntaxlake.tasks.dataset.CreateViewsTask(session).run(contract, contract.name(), gates);
        }
        // files both parsers accept (the few CPython rejects may still parse in LibCST, and the reverse),
        // and whose AST offsets count the file's own bytes: for a source declared in another encoding
        // (koi8-r, latin-1 test files) AST offsets count its UTF-8 re-encoding (attrs byte_offsets_over)
        String comparable = " IN (SELECT file_id FROM ast_files_v1 WHERE attrs['byte_offsets_over'] = 'raw'"
                + " EXCEPT SELECT file_id FROM ast_errors EXCEPT SELECT file_id FROM cst_parse_errors)";
        String undecorated = "FROM ast_defs a JOIN cst_defs c ON a.file_id = c.file_id AND a.bstart = c.def_bstart"
                + " WHERE a.decorator_count = 0 AND c.decorator_count = 0 AND a.file_id" + comparable;
        long astDefs = (Long) session.collect("SELECT count(*) FROM ast_defs WHERE decorator_count = 0 AND file_id"
                + comparable).single();
        long cstDefs = (Long) session.collect("SELECT count(*) FROM cst_defs WHERE decorator_count = 0 AND file_id"
                + comparable).single();
        long pairs = (Long) session.collect("SELECT count(*) " + undecorated).single();
        assertTrue(astDefs > 10_000, "the stdlib has many defs: " + astDefs);
        assertEquals(astDefs, cstDefs, "both parsers see the same undecorated defs");
        assertEquals(astDefs, pairs, "every undecorated AST def starts where a CST def starts");
        assertEquals(0L, session.collect("SELECT count(*) " + undecorated + " AND a.name <> c.name").single());
        // The ends agree too, except in two ways the parsers differ by design. Every other difference fails.
        //  - the def's last statement ends in ';': CPython's span includes it, LibCST's does not;
        //  - it carries a type comment ("x = None  # type: int"): parsed with type_comments=True,
        //    CPython ends the statement after the comment, LibCST (a comment is trivia) before it.
        Pattern typeComment = Pattern.compile("[ \\t]*#[ \\t]*type:[^\\r\\n]*");
        for (List<Object> row : session.collect("SELECT a.path, a.bend, c.def_bend " + undecorated
                + " AND a.bend <> c.def_bend").rows()) {
            byte[] source = Files.readAllBytes(stdlib.resolve((String) row.get(0)));
            int astEnd = ((Number) row.get(1)).intValue();
            int cstEnd = ((Number) row.get(2)).intValue();
            String between = astEnd > cstEnd
                    ? new String(source, cstEnd, astEnd - cstEnd, StandardCharsets.UTF_8) : "(the AST def ends first)";
            assertTrue(between.equals(";") || typeComment.matcher(between).matches(),
                    "only a trailing ';' or type comment may separate the ends: " + row + " " + between);
        }
    }
}
