package io.syntaxlake.routes.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Random edits of a real Python tree, the kinds a code base sees between two runs: a file added,
 * modified, deleted, renamed, touched without a change, turned unparsable and mended back to its
 * old bytes. The first {@link Kind#values()} steps do each kind once, the rest are drawn.
 */
public final class SourceEdits {
    public enum Kind { ADD, MODIFY, DELETE, RENAME, TOUCH, BREAK, MEND }

    private final Path root;
    private final List<Path> spares;
    private final Random random;
    private final Map<Path, byte[]> broken = new LinkedHashMap<>();
    private int step;

    public SourceEdits(Path root, List<Path> spares, long seed) {
        this.root = root;
        this.spares = List.copyOf(spares);
        this.random = new Random(seed);
    }

    /** Makes the next edit; returns what it did, for the assertion messages. */
    public String next() {
        step++;
        Kind kind = step <= Kind.values().length ? Kind.values()[step - 1]
                : Kind.values()[random.nextInt(Kind.values().length)];
        List<Path> files = pythonFiles();
        Path file = files.get(random.nextInt(files.size()));
        if ((kind == Kind.MEND && broken.isEmpty()) || (kind == Kind.BREAK && broken.containsKey(file))) {
            kind = Kind.MODIFY;
        }
        try {
            switch (kind) {
                case ADD -> {
                    file = root.resolve("added_" + step + ".py");
                    Files.copy(spares.get(step % spares.size()), file);
                }
                case MODIFY -> Files.writeString(file, "\nSTEP_" + step + " = " + step + "\n", StandardCharsets.UTF_8,
                        StandardOpenOption.APPEND);
                case DELETE -> {
                    broken.remove(file);
                    Files.delete(file);
                }
                case RENAME -> {
                    broken.remove(file);
                    String name = file.getFileName().toString();
                    Files.move(file, file.resolveSibling(name.substring(0, name.length() - 3) + "_renamed_" + step + ".py"));
                }
                case TOUCH -> Files.setLastModifiedTime(file, FileTime.from(
                        Files.getLastModifiedTime(file).to(TimeUnit.SECONDS) + 5, TimeUnit.SECONDS));
                case BREAK -> {
                    byte[] before = Files.readAllBytes(file);
                    broken.put(file, before);
                    byte[] bad = "def broken(:\n".getBytes(StandardCharsets.UTF_8);
                    byte[] out = new byte[bad.length + before.length];
                    System.arraycopy(bad, 0, out, 0, bad.length);
                    System.arraycopy(before, 0, out, bad.length, before.length);
                    Files.write(file, out);
                }
                case MEND -> {
                    file = broken.keySet().iterator().next();
                    Files.write(file, broken.remove(file));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return "step " + step + ": " + kind.name().toLowerCase() + " " + root.relativize(file);
    }

    private List<Path> pythonFiles() {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(p -> p.toString().endsWith(".py")).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies {@code packages} of the interpreter's standard library under {@code target}; returns the other top-level modules, as spares. */
    public static List<Path> copyStdlib(Path target, List<String> packages) throws IOException, InterruptedException {
        Path stdlib = stdlib();
        for (String name : packages) {
            Path from = stdlib.resolve(name);
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.filter(p -> !p.toString().contains("__pycache__")).toList()) {
                    Path to = target.resolve(name).resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(to);
                    } else {
                        Files.copy(p, to);
                    }
                }
            }
        }
        try (Stream<Path> list = Files.list(stdlib)) {
            List<Path> spares = new ArrayList<>(list.filter(p -> p.toString().endsWith(".py")).sorted().limit(40).toList());
            return spares;
        }
    }

    private static Path stdlib() throws IOException, InterruptedException {
        String python = System.getenv().getOrDefault("SYNTAXLAKE_PYTHON", "python3");
        Process process = new ProcessBuilder(python, "-c", "import sysconfig; print(sysconfig.get_paths()['stdlib'])")
                .redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.waitFor() != 0) {
            throw new IOException(python + " could not name its standard library: " + out);
        }
        return Path.of(out);
    }
}
