package io.syntaxlake.routes.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;

/**
 * The application as the route tests run it: everything under one temporary root (the roots of
 * REST requests, the default lake, the scratch directory), a token made up for this JVM, and
 * retries with a short backoff so a retry test takes milliseconds.
 */
public class PipelineTestProfile implements QuarkusTestProfile {
    public static final Path ROOT = createRoot();
    public static final String TOKEN = HexFormat.of().formatHex(new SecureRandom().generateSeed(16));

    private static Path createRoot() {
        try {
            return Files.createTempDirectory("syntaxlake-routes-test").toRealPath();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of(
                "syntaxlake.roots", ROOT.toString(),
                "syntaxlake.lake", ROOT.resolve("default-lake").toString(),
                "syntaxlake.work-dir", ROOT.resolve("work").toString(),
                "syntaxlake.api.token", TOKEN,
                "syntaxlake.tasks.retries", "2",
                "syntaxlake.tasks.backoff", "PT0.05S");
    }
}
