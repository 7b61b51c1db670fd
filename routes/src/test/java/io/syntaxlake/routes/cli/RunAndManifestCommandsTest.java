package io.syntaxlake.routes.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code syntaxlake run}, then {@code runs} and {@code artifacts} over the manifest that run wrote:
 * what an operator types after a run to see what happened.
 */
@QuarkusMainTest
class RunAndManifestCommandsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static String git(Path dir, String... arguments) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of("git", "-C", dir.toString(), "-c", "user.name=test",
                "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false"));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, process.waitFor(), String.join(" ", command) + ": " + output);
        return output.strip();
    }

    @Test
    void aRunIsListedWithItsTasksAndArtifacts(QuarkusMainLauncher launcher, @TempDir Path tmp) throws Exception {
        Path source = Files.createDirectories(tmp.resolve("src/pkg"));
        Files.writeString(source.resolve("ok.py"), "def f():\n    return 1\n");
        Files.writeString(source.resolve("broken.py"), "def (:\n");
        String lake = tmp.resolve("lake").toString();
        // the source is a git work tree: the run records its commit
        git(tmp.resolve("src"), "init", "-q");
        git(tmp.resolve("src"), "add", ".");
        git(tmp.resolve("src"), "commit", "-q", "-m", "fixture");
        String head = git(tmp.resolve("src"), "rev-parse", "HEAD");

        LaunchResult run = launcher.launch("run", "ast-pipeline", "--source", tmp.resolve("src").toString(),
                "--lake", lake, "--repo", "demo");
        assertEquals(0, run.exitCode(), run.getErrorOutput());

        LaunchResult runs = launcher.launch("runs", "--lake", lake, "--format", "json");
        assertEquals(0, runs.exitCode(), runs.getErrorOutput());
        JsonNode listed = JSON.readTree(runs.getOutput());
        assertEquals(1, listed.size(), runs.getOutput());
        JsonNode only = listed.get(0);
        assertEquals("ast-pipeline", only.get("route").asText());
        assertEquals("succeeded", only.get("status").asText());
        assertEquals("cli", only.get("trigger").asText());
        String runId = only.get("run_id").asText();
        assertTrue(run.getOutput().contains(runId), run.getOutput());

        LaunchResult artifacts = launcher.launch("artifacts", runId, "--lake", lake, "--format", "csv");
        assertEquals(0, artifacts.exitCode(), artifacts.getErrorOutput());
        List<String> lines = artifacts.getOutputStream();
        int artifactHeader = lines.indexOf("task_id,attempt,name,schema_identity_hash,payload_chars");
        assertEquals("task_id,attempt,status,duration_ms,error", lines.get(0));
        // one attempt per task, all succeeded (validate and views run side by side, in either order)
        List<String> tasks = lines.subList(1, artifactHeader).stream()
                .map(line -> line.split(",")[0] + " " + line.split(",")[1] + " " + line.split(",")[2]).toList();
        assertEquals(7, tasks.size(), artifacts.getOutput());
        assertEquals(Set.of("extract 1 succeeded", "register 1 succeeded", "validate 1 succeeded",
                "views 1 succeeded", "materialize 1 succeeded", "snapshot 1 succeeded", "publish 1 succeeded"),
                Set.copyOf(tasks));
        assertTrue(lines.subList(artifactHeader, lines.size()).stream()
                .anyMatch(l -> l.startsWith("extract,1,syntaxlake_ast_extract_v1,")), artifacts.getOutput());

        LaunchResult payload = launcher.launch("artifacts", runId, "--lake", lake, "--format", "json",
                "--name", "syntaxlake_ast_extract_v1");
        assertEquals(0, payload.exitCode(), payload.getErrorOutput());
        JsonNode extract = JSON.readTree(JSON.readTree(payload.getOutput()).get(0).get("payload").asText());
        assertEquals(2, extract.get("files").asInt());
        assertEquals(1, extract.get("error_files").asInt());
        assertEquals("demo", extract.get("repo").asText());
        assertEquals(head, extract.get("source_revision").get("commit").asText(), extract.toString());
        assertFalse(extract.get("source_revision").get("dirty").asBoolean(), extract.toString());

        // The run id is an SQL literal: a quote in it matches nothing rather than every run.
        for (String unknown : List.of("no-such-run", runId + "' OR '1'='1")) {
            LaunchResult missing = launcher.launch("artifacts", unknown, "--lake", lake, "--format", "csv");
            assertEquals(1, missing.exitCode(), missing.getOutput());
            assertTrue(missing.getErrorOutput().contains("the manifest holds no task of run " + unknown),
                    missing.getErrorOutput());
        }
    }

    /**
     * Every row holds the commit its file was extracted at: an incremental run stamps the files it
     * extracts with the new commit and keeps the other rows as they are; a dirty tree's rows say so.
     */
    @Test
    void rowsHoldTheCommitTheirFileWasExtractedAt(QuarkusMainLauncher launcher, @TempDir Path tmp) throws Exception {
        for (String[] case_ : List.of(new String[] {"ast-pipeline", "ast_files_v1", "parquet"},
                new String[] {"cst-pipeline", "libcst_files_v1", "delta"})) {
            Path source = Files.createDirectories(tmp.resolve(case_[0]).resolve("src"));
            Path lake = tmp.resolve(case_[0]).resolve("lake");
            Files.writeString(source.resolve("a.py"), "A = 1\n");
            Files.writeString(source.resolve("b.py"), "B = 1\n");
            git(source, "init", "-q");
            git(source, "add", ".");
            git(source, "commit", "-q", "-m", "first");
            String first = git(source, "rev-parse", "HEAD");
            run(launcher, case_, source, lake);
            assertEquals(List.of("a.py," + first, "b.py," + first), revisions(launcher, case_[1], lake));

            Files.writeString(source.resolve("a.py"), "A = 2\n");
            git(source, "commit", "-q", "-am", "second");
            String second = git(source, "rev-parse", "HEAD");
            run(launcher, case_, source, lake);
            assertEquals(List.of("a.py," + second, "b.py," + first), revisions(launcher, case_[1], lake));

            Files.writeString(source.resolve("b.py"), "B = 2\n"); // not committed
            run(launcher, case_, source, lake);
            assertEquals(List.of("a.py," + second, "b.py," + second + "-dirty"), revisions(launcher, case_[1], lake));

            run(launcher, case_, source, lake, "--full");
            assertEquals(List.of("a.py," + second + "-dirty", "b.py," + second + "-dirty"),
                    revisions(launcher, case_[1], lake));
        }
    }

    private static void run(QuarkusMainLauncher launcher, String[] case_, Path source, Path lake, String... more) {
        List<String> arguments = new java.util.ArrayList<>(List.of("run", case_[0], "--source", source.toString(),
                "--lake", lake.toString(), "--repo", "demo", "--format", case_[2]));
        arguments.addAll(List.of(more));
        LaunchResult run = launcher.launch(arguments.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.getOutput() + run.getErrorOutput());
    }

    private static List<String> revisions(QuarkusMainLauncher launcher, String table, Path lake) {
        LaunchResult sql = launcher.launch("sql", "--lake", lake.toString(), "--format", "csv",
                "SELECT path, source_revision FROM " + table + " ORDER BY path");
        assertEquals(0, sql.exitCode(), sql.getErrorOutput());
        List<String> lines = sql.getOutputStream();
        assertEquals("path,source_revision", lines.get(0), sql.getOutput());
        return lines.subList(1, lines.size());
    }
}
