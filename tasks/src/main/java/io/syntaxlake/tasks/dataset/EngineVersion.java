package io.syntaxlake.tasks.dataset;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A DataFusion version as reported by {@code SELECT version()}, comparable with contract minimums. */
public record EngineVersion(int major, int minor, int patch) implements Comparable<EngineVersion> {
    private static final Pattern NUMBERS = Pattern.compile("(\\d+)\\.(\\d+)\\.(\\d+)");

    /** The first {@code x.y.z} in the text; throws when there is none. */
    public static EngineVersion parse(String text) {
        Matcher m = NUMBERS.matcher(text == null ? "" : text);
        if (!m.find()) {
            throw new IllegalArgumentException("no x.y.z version in '" + text + "'");
        }
        return new EngineVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Integer.parseInt(m.group(3)));
    }

    @Override
    public int compareTo(EngineVersion other) {
        int c = Integer.compare(major, other.major);
        if (c == 0) {
            c = Integer.compare(minor, other.minor);
        }
        return c != 0 ? c : Integer.compare(patch, other.patch);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + patch;
    }
}
