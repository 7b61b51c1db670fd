package io.syntaxlake.tasks.extract;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The Python extractor package ({@code syntaxlake_extract}, shipped in this jar under
 * {@code python/}), written once per JVM into a private temporary directory that becomes the
 * interpreter's {@code PYTHONPATH}. The native AST walker ({@code _native_walk.abi3.so}, built from
 * tasks/native) goes with it when the jar has one; without it the extractor runs its Python walker.
 */
final class ExtractorPackage {
    static final String PACKAGE = "syntaxlake_extract";
    private static final List<String> MODULES =
            List.of("__init__.py", "__main__.py", "harness.py", "ids.py", "ast_rows.py", "cst_rows.py",
                    "cst_columns.py", "sources.py");
    private static final String NATIVE_WALKER = "_native_walk.abi3.so";

    private static Path root;

    private ExtractorPackage() {
    }

    /** The directory to put on PYTHONPATH. */
    static synchronized Path pythonPath() {
        if (root == null) {
            root = materialize();
        }
        return root;
    }

    private static Path materialize() {
        try {
            Path dir = Files.createTempDirectory("syntaxlake-extract-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path pkg = Files.createDirectory(dir.resolve(PACKAGE));
            for (String module : MODULES) {
                String resource = "/python/" + PACKAGE + "/" + module;
                try (InputStream in = ExtractorPackage.class.getResourceAsStream(resource)) {
                    if (in == null) {
                        throw new IllegalStateException("the extractor module " + resource + " is missing from the tasks jar");
                    }
                    Files.copy(in, pkg.resolve(module));
                }
            }
            try (InputStream in = ExtractorPackage.class.getResourceAsStream("/python/" + PACKAGE + "/" + NATIVE_WALKER)) {
                if (in != null) {
                    Files.copy(in, pkg.resolve(NATIVE_WALKER));
                }
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> FileTrees.delete(dir)));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write the extractor package to a temporary directory", e);
        }
    }
}
