package io.syntaxlake.tasks.extract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The git revision of a source tree, read from a real repository made for the test. */
class SourceRevisionTest {

    private static String git(Path dir, String... arguments) throws Exception {
        return Git.git(dir, arguments);
    }

    /** A repository with a committed package {@code pkg/} and a committed file beside it. */
    private static Path repository(Path tmp) throws Exception {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        git(repo, "init", "-q");
        Files.writeString(Files.createDirectories(repo.resolve("pkg")).resolve("a.py"), "x = 1\n");
        Files.writeString(repo.resolve("setup.py"), "setup()\n");
        git(repo, "add", ".");
        git(repo, "commit", "-q", "-m", "first");
        return repo;
    }

    @Test
    void aCleanWorkTreeHasItsHeadCommit(@TempDir Path tmp) throws Exception {
        Path repo = repository(tmp);
        String head = git(repo, "rev-parse", "HEAD");
        assertEquals(Optional.of(new SourceRevision(head, false)), SourceRevision.of(repo));
        // a directory inside the work tree has the same commit
        assertEquals(Optional.of(new SourceRevision(head, false)), SourceRevision.of(repo.resolve("pkg")));
    }

    @Test
    void modifiedOrUntrackedFilesUnderTheSourceMakeItDirty(@TempDir Path tmp) throws Exception {
        Path repo = repository(tmp);
        String head = git(repo, "rev-parse", "HEAD");
        Files.writeString(repo.resolve("setup.py"), "setup(name='x')\n");
        assertEquals(Optional.of(new SourceRevision(head, true)), SourceRevision.of(repo));
        // the change is outside pkg/: that part of the tree is as committed
        assertEquals(Optional.of(new SourceRevision(head, false)), SourceRevision.of(repo.resolve("pkg")));
        Files.writeString(repo.resolve("pkg/new.py"), "y = 2\n");
        assertEquals(Optional.of(new SourceRevision(head, true)), SourceRevision.of(repo.resolve("pkg")));
        // ignored files are not changes of the tree
        Files.delete(repo.resolve("pkg/new.py"));
        Files.writeString(repo.resolve("pkg/.gitignore"), "*.log\n");
        git(repo, "add", "pkg/.gitignore");
        git(repo, "commit", "-q", "-m", "ignore logs");
        Files.writeString(repo.resolve("pkg/run.log"), "noise\n");
        assertEquals(Optional.of(new SourceRevision(git(repo, "rev-parse", "HEAD"), false)),
                SourceRevision.of(repo.resolve("pkg")));
    }

    @Test
    void noWorkTreeNoCommitOrNoDirectoryHaveNoRevision(@TempDir Path tmp) throws Exception {
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        assertEquals(Optional.empty(), SourceRevision.of(plain));
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        git(empty, "init", "-q");
        assertEquals(Optional.empty(), SourceRevision.of(empty));
        assertEquals(Optional.empty(), SourceRevision.of(tmp.resolve("absent")));
        assertThrows(IllegalArgumentException.class, () -> new SourceRevision("HEAD; rm -rf /", false));
    }

    @Test
    void aDirectoryTheCommitDoesNotHoldHasNoRevision(@TempDir Path tmp) throws Exception {
        Path repo = repository(tmp);
        // an ignored directory inside the work tree (as pyenv's checkout holds its Pythons)
        Files.writeString(repo.resolve(".gitignore"), "versions/\n");
        git(repo, "add", ".gitignore");
        git(repo, "commit", "-q", "-m", "ignore versions");
        Path ignored = Files.createDirectories(repo.resolve("versions/3.11/lib"));
        Files.writeString(ignored.resolve("os.py"), "sep = '/'\n");
        assertEquals(Optional.empty(), SourceRevision.of(ignored));
        // a directory added since the commit, not ignored: the commit does not describe it either
        Path added = Files.createDirectories(repo.resolve("later"));
        Files.writeString(added.resolve("b.py"), "y = 2\n");
        assertEquals(Optional.empty(), SourceRevision.of(added));
        // once committed it has the commit that holds it
        git(repo, "add", "later");
        git(repo, "commit", "-q", "-m", "later");
        assertEquals(Optional.of(new SourceRevision(git(repo, "rev-parse", "HEAD"), false)), SourceRevision.of(added));
    }

    @Test
    void anExtractionRecordsTheRevisionOfItsSource(@TempDir Path tmp) throws Exception {
        Path repo = repository(tmp);
        ExtractResult result = new ExtractTask().run(ExtractRequest.of(ExtractKind.AST, repo, tmp.resolve("out"))
                .withWorkers(1));
        assertEquals(2, result.files());
        assertEquals(Optional.of(new SourceRevision(git(repo, "rev-parse", "HEAD"), false)), result.revision());
        assertTrue(new ExtractTask().run(ExtractRequest.of(ExtractKind.AST, tmp.resolve("out"), tmp.resolve("out2"))
                .withWorkers(1)).revision().isEmpty());
    }
}
