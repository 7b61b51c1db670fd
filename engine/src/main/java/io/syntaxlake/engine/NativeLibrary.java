package io.syntaxlake.engine;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Locale;

/**
 * Loads the engine's native library once per JVM. {@code System.loadLibrary} comes first so an
 * operator can supply a build through {@code java.library.path}; otherwise the copy inside the
 * engine jar is extracted into a private temporary directory and loaded from there.
 *
 * <p>A JNI library binds to the class loader that loads it: in Quarkus test and dev mode this
 * artifact must be parent-first, or a second application class loader fails to load it again.
 */
final class NativeLibrary {
    static final String NAME = "syntaxlake_engine";

    private static boolean loaded;

    private NativeLibrary() {
    }

    static synchronized void load() {
        if (loaded) {
            return;
        }
        try {
            System.loadLibrary(NAME);
        } catch (UnsatisfiedLinkError notOnLibraryPath) {
            loadFromJar();
        }
        loaded = true;
    }

    static String platform() {
        String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        String osPart = os.contains("linux") ? "linux" : os.contains("mac") ? "darwin" : os;
        String archPart = switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "aarch64";
            default -> arch;
        };
        return osPart + "-" + archPart;
    }

    private static void loadFromJar() {
        String fileName = System.mapLibraryName(NAME);
        String resource = "/native/" + platform() + "/" + fileName;
        try (InputStream in = NativeLibrary.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new UnsatisfiedLinkError("the SyntaxLake engine has no native library for " + platform()
                        + " (resource " + resource + " is missing from the engine jar and " + fileName
                        + " is not on java.library.path); build it with ./mvnw -pl engine package");
            }
            Path directory = Files.createTempDirectory("syntaxlake-engine-",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Path library = directory.resolve(fileName);
            Files.copy(in, library, StandardCopyOption.REPLACE_EXISTING);
            System.load(library.toAbsolutePath().toString());
            // The loaded mapping outlives the file; removing it now leaves nothing behind.
            Files.delete(library);
            Files.delete(directory);
        } catch (IOException e) {
            UnsatisfiedLinkError error = new UnsatisfiedLinkError(
                    "could not extract the SyntaxLake engine library " + resource + ": " + e.getMessage());
            error.initCause(e);
            throw error;
        }
    }
}
