package io.syntaxlake.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Ten thousand queries leave no Arrow memory behind and do not grow the process: the resident
 * set after them stays within 10% of the resident set after a warm-up of the same queries. The
 * engine's surefire JVM pre-touches a fixed heap, so heap growth cannot hide or fake native growth.
 */
class ResourceStabilityTest {
    private static final int WARMUP = 1_000;
    private static final int QUERIES = 10_000;
    private static final List<Long> LIST = List.of(1L, 2L, 3L);

    private static long residentKiB() throws IOException {
        return Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("VmRSS:"))
                .map(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                .findFirst()
                .orElseThrow();
    }

    private static void runQueries(EngineSession session, int count) {
        for (int i = 0; i < count; i++) {
            switch (i % 3) {
                case 0 -> assertEquals((long) i, session.collect("SELECT " + i + "::BIGINT AS v").single());
                case 1 -> assertEquals(64L, session.execute("SELECT value, 'row ' || value AS label FROM generate_series(1, 64)"));
                default -> assertEquals(LIST, session.collect("SELECT [1, 2, 3] AS l, named_struct('a', 'x') AS s")
                        .rows().get(0).get(0));
            }
        }
    }

    @Test
    void tenThousandQueriesReleaseEverything() throws IOException {
        try (EngineSession session = EngineSession.open()) {
            runQueries(session, WARMUP);
            System.gc();
            long before = residentKiB();
            runQueries(session, QUERIES);
            System.gc();
            long after = residentKiB();
            assertEquals(0, session.allocator().getAllocatedMemory(), "Arrow allocator back to zero");
            assertTrue(after <= before * 1.10, "RSS grew from " + before + " KiB to " + after + " KiB");
        }
    }
}
