package io.syntaxlake.tasks.dataset;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

import io.syntaxlake.engine.EngineSession;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The data files of one repository in a registered table version, with the paths each holds:
 * what decides which files a change touches. One scan of the {@code path} column (and the file
 * names) of the repository's rows.
 *
 * @param paths file (relative to the version's root, as {@code relativize} makes it) to its paths
 */
public record RepositoryFiles(Map<String, List<String>> paths) {

    public RepositoryFiles {
        Map<String, List<String>> copied = new TreeMap<>();
        paths.forEach((file, held) -> copied.put(file, List.copyOf(held)));
        paths = java.util.Collections.unmodifiableMap(copied);
    }

    /** The files of {@code repo} in {@code table}; {@code relativize} turns an engine file name into a root-relative path. */
    public static RepositoryFiles of(EngineSession session, String table, String repo, UnaryOperator<String> relativize) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (List<Object> row : session.collect("SELECT input_file_name() AS file, path FROM " + quote(table)
                + " WHERE repo = " + literal(repo)).rows()) {
            out.computeIfAbsent(relativize.apply((String) row.get(0)), f -> new ArrayList<>()).add((String) row.get(1));
        }
        return new RepositoryFiles(out);
    }

    /** How many rows the repository has. */
    public long rows() {
        return paths.values().stream().mapToLong(List::size).sum();
    }

    /** The files holding at least one of {@code dropped}, each with the dropped paths it holds. */
    public Map<String, List<String>> holding(Collection<String> dropped) {
        Set<String> wanted = Set.copyOf(dropped);
        Map<String, List<String>> out = new TreeMap<>();
        paths.forEach((file, held) -> {
            List<String> hit = held.stream().filter(wanted::contains).toList();
            if (!hit.isEmpty()) {
                out.put(file, hit);
            }
        });
        return out;
    }

    /** The root-relative part of an engine file name, found after {@code marker} (a unique directory of the root). */
    public static String after(String fileName, String marker) {
        int at = fileName.lastIndexOf(marker);
        if (at < 0) {
            throw new IllegalStateException("data file " + fileName + " is not under " + marker);
        }
        return fileName.substring(at + marker.length());
    }
}
