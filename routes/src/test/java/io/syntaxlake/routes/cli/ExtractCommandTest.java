package io.syntaxlake.routes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code syntaxlake extract}: a tree in, a dataset directory and a summary out. */
@QuarkusMainTest
class ExtractCommandTest {

    @Test
    void extractsATreeAndSummarises(QuarkusMainLauncher launcher, @TempDir Path tmp) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/pkg"));
        Files.writeString(source.resolve("ok.py"), "def f():\n    return 1\n");
        Files.writeString(source.resolve("broken.py"), "def (:\n");
        Path out = tmp.resolve("out");
        LaunchResult result = launcher.launch("extract", "ast", "--source", tmp.resolve("src").toString(),
                "--out", out.toString(), "--repo", "demo");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertTrue(result.getOutput().startsWith("ast_files_v1: 2 files, 2 rows, 1 error rows in 1 files"), result.getOutput());
        assertTrue(result.getOutput().contains("1 arrow part files"), result.getOutput());
        try (var parts = Files.list(out)) {
            assertEquals(java.util.List.of("part-00000.arrow"),
                    parts.map(p -> p.getFileName().toString()).sorted().toList());
        }
    }

    @Test
    void ndjsonOnRequest(QuarkusMainLauncher launcher, @TempDir Path tmp) throws Exception {
        Files.writeString(Files.createDirectories(tmp.resolve("src")).resolve("ok.py"), "x = 1\n");
        Path out = tmp.resolve("out");
        LaunchResult result = launcher.launch("extract", "ast", "--source", tmp.resolve("src").toString(),
                "--out", out.toString(), "--format", "ndjson");
        assertEquals(0, result.exitCode(), result.getErrorOutput());
        assertTrue(result.getOutput().contains("1 ndjson part files"), result.getOutput());
        assertTrue(Files.readString(out.resolve("part-00000.json")).startsWith("{\"repo\":null,\"path\":\"ok.py\""));
        LaunchResult bad = launcher.launch("extract", "ast", "--source", tmp.resolve("src").toString(),
                "--out", out.toString(), "--format", "csv");
        assertEquals(1, bad.exitCode());
        assertTrue(bad.getErrorOutput().contains("unknown staging format 'csv'"), bad.getErrorOutput());
    }

    @Test
    void theIndexOfOneRunMakesTheNextExtractOnlyWhatChanged(QuarkusMainLauncher launcher, @TempDir Path tmp)
            throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(source.resolve("a.py"), "x = 1\n");
        Files.writeString(source.resolve("b.py"), "y = 2\n");
        LaunchResult first = launcher.launch("extract", "ast", "--source", source.toString(),
                "--out", tmp.resolve("first").toString(), "--index", tmp.resolve("first.arrow").toString());
        assertEquals(0, first.exitCode(), first.getErrorOutput());
        assertTrue(first.getOutput().contains("sources: 2 added, 0 changed, 0 unchanged, 0 deleted"), first.getOutput());
        assertFalse(first.getOutput().contains("revision:"), "not a git work tree: " + first.getOutput());
        Files.writeString(source.resolve("b.py"), "y = 3  # edited\n");
        Files.writeString(source.resolve("c.py"), "z = 4\n");
        LaunchResult second = launcher.launch("extract", "ast", "--source", source.toString(),
                "--out", tmp.resolve("second").toString(), "--known", tmp.resolve("first.arrow").toString());
        assertEquals(0, second.exitCode(), second.getErrorOutput());
        assertTrue(second.getOutput().startsWith("ast_files_v1: 2 files, 2 rows"), second.getOutput());
        assertTrue(second.getOutput().contains("sources: 1 added, 1 changed, 1 unchanged, 0 deleted"), second.getOutput());
    }

    @Test
    void aMissingSourceFailsWithItsName(QuarkusMainLauncher launcher, @TempDir Path tmp) {
        LaunchResult result = launcher.launch("extract", "ast", "--source", tmp.resolve("absent").toString(),
                "--out", tmp.resolve("out").toString());
        assertNotEquals(0, result.exitCode());
        assertTrue(result.getErrorOutput().contains("absent"), result.getErrorOutput());
    }
}
