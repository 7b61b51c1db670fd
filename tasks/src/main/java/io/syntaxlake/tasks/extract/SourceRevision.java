package io.syntaxlake.tasks.extract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The git commit a source tree was extracted at: {@code git rev-parse HEAD} of the work tree that
 * holds it, and whether the tree under the source differed from that commit ({@code dirty}:
 * modified, staged, deleted or untracked files, ignored ones aside). A tree outside any git work
 * tree, a directory the commit does not hold (an ignored or never added directory inside someone
 * else's work tree: a Python under pyenv's checkout), a repository without a commit, or no git on
 * the machine has no revision; that is not an error, the run goes on without one.
 */
public record SourceRevision(String commit, boolean dirty) {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    /** git answers these at once; a hung one (a network file system) must not hold the run. */
    private static final long TIMEOUT_SECONDS = 30;

    public SourceRevision {
        if (!COMMIT.matcher(commit).matches()) {
            throw new IllegalArgumentException("not a git commit id: '" + commit + "'");
        }
    }

    /**
     * The value of the datasets' {@code source_revision} column: the commit, with {@code -dirty}
     * appended when the tree differed from it (as {@code git describe --dirty} marks it).
     */
    public String label() {
        return dirty ? commit + "-dirty" : commit;
    }

    /** The revision of the work tree holding {@code source}, if it is in one. */
    public static Optional<SourceRevision> of(Path source) {
        if (!Files.isDirectory(source)) {
            return Optional.empty();
        }
        Optional<String> head = git(source, "rev-parse", "--verify", "--quiet", "HEAD^{commit}").map(String::strip)
                .filter(text -> COMMIT.matcher(text).matches());
        // HEAD:./ is the tree object of the source's own directory, absent when HEAD does not hold it
        if (head.isEmpty() || git(source, "rev-parse", "--verify", "--quiet", "HEAD:./").isEmpty()) {
            return Optional.empty();
        }
        // "-- ." limits the status to the source's part of the work tree
        Optional<String> status = git(source, "status", "--porcelain", "--untracked-files=normal", "--", ".");
        return status.map(text -> new SourceRevision(head.get(), !text.isBlank()));
    }

    /** git's standard output, or empty when git is missing, fails or does not answer in time. */
    private static Optional<String> git(Path dir, String... arguments) {
        List<String> command = new ArrayList<>(List.of("git", "-C", dir.toAbsolutePath().toString()));
        command.addAll(List.of(arguments));
        Path output = null;
        Process process = null;
        try {
            // a file, not a pipe: a git that hangs cannot block the read, only run into the timeout
            output = Files.createTempFile("syntaxlake-git-", ".out");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(output.toFile())
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            // the user's configuration must not page, prompt or ask for credentials
            builder.environment().put("GIT_TERMINAL_PROMPT", "0");
            builder.environment().put("GIT_PAGER", "cat");
            process = builder.start();
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
                return Optional.empty();
            }
            return Optional.of(Files.readString(output, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return Optional.empty(); // no git here, or no temporary file
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } finally {
            if (process != null) {
                process.destroyForcibly();
            }
            if (output != null) {
                try {
                    Files.deleteIfExists(output);
                } catch (IOException ignored) {
                    // a temporary file; the OS cleans its directory
                }
            }
        }
    }
}
