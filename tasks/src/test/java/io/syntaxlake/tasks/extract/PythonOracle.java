package io.syntaxlake.tasks.extract;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Runs small Python programs as independent oracles for the tests (CPython's own answers). */
public final class PythonOracle {
    private PythonOracle() {
    }

    public static String python() {
        return Optional.ofNullable(System.getenv("SYNTAXLAKE_PYTHON")).filter(p -> !p.isBlank()).orElse("python3");
    }

    /** Runs {@code python -c program args...} and returns its stdout lines; fails on a non-zero exit. */
    public static List<String> run(String program, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(python(), "-c", program));
        command.addAll(List.of(args));
        Path stderr = Files.createTempFile("python-oracle", ".err");
        try {
            Process process = new ProcessBuilder(command).redirectError(stderr.toFile()).start();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (process.waitFor() != 0) {
                throw new IllegalStateException("python oracle failed: " + program + "\n" + Files.readString(stderr));
            }
            return out.lines().toList();
        } finally {
            Files.deleteIfExists(stderr);
        }
    }

    /** The stdlib directory (its {@code Lib}) of the interpreter the tests use. */
    public static Path stdlib() throws IOException, InterruptedException {
        return Path.of(run("import sysconfig; print(sysconfig.get_paths()['stdlib'])").get(0));
    }
}
