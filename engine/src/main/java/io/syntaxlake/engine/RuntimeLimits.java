package io.syntaxlake.engine;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Resource limits of a session's runtime: a memory pool (fair spill pool by default, so that
 * spilling operators share the budget) and the directory and size allowed for spill files.
 * Empty values mean DataFusion's defaults (no memory limit, OS temp directory).
 */
public record RuntimeLimits(OptionalLong memoryLimitBytes, MemoryPool memoryPool,
                            Optional<Path> spillDirectory, OptionalLong maxSpillBytes) {

    public enum MemoryPool { FAIR, GREEDY }

    public static final RuntimeLimits NONE =
            new RuntimeLimits(OptionalLong.empty(), MemoryPool.FAIR, Optional.empty(), OptionalLong.empty());

    public RuntimeLimits {
        memoryLimitBytes.ifPresent(bytes -> requirePositive("memoryLimitBytes", bytes));
        maxSpillBytes.ifPresent(bytes -> requirePositive("maxSpillBytes", bytes));
    }

    public RuntimeLimits withMemoryLimit(long bytes, MemoryPool pool) {
        return new RuntimeLimits(OptionalLong.of(bytes), pool, spillDirectory, maxSpillBytes);
    }

    public RuntimeLimits withSpill(Path directory, long maxBytes) {
        return new RuntimeLimits(memoryLimitBytes, memoryPool, Optional.of(directory), OptionalLong.of(maxBytes));
    }

    /**
     * A byte count written as configuration writes it: digits, optionally followed by K, M, G or T
     * (binary multiples, case-insensitive), e.g. {@code 512M}.
     */
    public static long parseBytes(String name, String text) {
        String trimmed = text.strip().toUpperCase(Locale.ROOT);
        int unit = trimmed.isEmpty() ? -1 : "KMGT".indexOf(trimmed.charAt(trimmed.length() - 1));
        String digits = unit < 0 ? trimmed : trimmed.substring(0, trimmed.length() - 1);
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9') || digits.length() > 15) {
            throw new IllegalArgumentException(name + " must be a byte count such as 512M or 2G, got '" + text + "'");
        }
        long bytes;
        try {
            bytes = Math.multiplyExact(Long.parseLong(digits), 1L << (10 * (unit + 1)));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException(name + " is too large: '" + text + "'");
        }
        requirePositive(name, bytes);
        return bytes;
    }

    /** The names the native side reads (engine/native/src/session.rs). */
    Map<String, String> asNativeOptions() {
        Map<String, String> out = new LinkedHashMap<>();
        memoryLimitBytes.ifPresent(bytes -> {
            out.put("memory_limit_bytes", Long.toString(bytes));
            out.put("memory_pool", memoryPool.name().toLowerCase(Locale.ROOT));
        });
        spillDirectory.ifPresent(dir -> out.put("spill_directory", dir.toAbsolutePath().toString()));
        maxSpillBytes.ifPresent(bytes -> out.put("max_spill_bytes", Long.toString(bytes)));
        return out;
    }

    private static void requirePositive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
    }
}
