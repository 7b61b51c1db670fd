package io.syntaxlake.tasks.lake;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.StoredObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Replace semantics for plain Parquet datasets, which DataFusion cannot overwrite (no INSERT
 * OVERWRITE). Each write goes to a new directory {@code tables/<dataset>/generation=<id>/}; a
 * pointer object {@code pointers/<dataset>.json} (see {@link Lake}) names the committed one. The pointer is written whole
 * in one operation (a single PUT on S3, write-then-rename locally), so readers that go through it
 * see the old generation or the new one, never a mix and never a half-written one; a rerun makes
 * a new generation and replaces, so rows are never duplicated. Generations other than the
 * current one (replaced ones, or orphans of a writer that died before its commit) are deleted
 * right after a commit and by {@link #vacuum}.
 *
 * <p>One writer per dataset at a time: a commit deletes every other generation, including one a
 * concurrent writer is still filling. Routes serialize the writes of a dataset; concurrent
 * appends are what the Delta format is for.
 */
public final class DatasetGenerations {
    private static final String PREFIX = "generation=";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EngineSession session;
    private final LakeLocation dataset;
    private final String pointer;

    public DatasetGenerations(EngineSession session, Lake lake, String name) {
        this.session = session;
        this.dataset = lake.dataset(name);
        this.pointer = lake.pointer(name);
    }

    /** The committed generation, if the dataset has one. */
    public Optional<Committed> current() {
        return session.readObject(pointer).map(bytes -> {
            try {
                JsonNode node = JSON.readTree(bytes);
                return new Committed(node.path("generation").asText(), node.path("run_id").asText(null),
                        node.path("rows").asLong(-1), node.path("layout").asText(null));
            } catch (IOException e) {
                throw new UncheckedIOException("unreadable generation pointer " + pointer, e);
            }
        });
    }

    /** Where a generation's files go. */
    public LakeLocation location(String generation) {
        return dataset.child(PREFIX + generation);
    }

    /**
     * Makes {@code generation} (written in the contract layout {@code layout}) the current one,
     * then deletes all others; returns the deleted ones.
     */
    public List<String> commit(String generation, String runId, long rows, String layout) {
        Map<String, Object> content = new LinkedHashMap<>();
        content.put("generation", generation);
        content.put("run_id", runId);
        content.put("rows", rows);
        content.put("layout", layout);
        content.put("committed_at", java.time.Instant.now().toString());
        try {
            session.writeObject(pointer, JSON.writeValueAsString(content).getBytes(StandardCharsets.UTF_8));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        return vacuum();
    }

    /** Deletes every generation except the committed one; returns the deleted generations. */
    public List<String> vacuum() {
        String keep = current().map(Committed::generation).orElse(null);
        List<String> deleted = new ArrayList<>();
        for (String generation : generations()) {
            if (!generation.equals(keep)) {
                session.deleteObjects(location(generation).url());
                dataset.localPath().ifPresent(dir -> deleteEmptyDirectories(dir.resolve(PREFIX + generation)));
                deleted.add(generation);
            }
        }
        return deleted;
    }

    /** Every generation directory present, committed or not. */
    public List<String> generations() {
        TreeSet<String> out = new TreeSet<>();
        for (StoredObject object : session.listObjects(dataset.url())) {
            String path = object.path();
            int slash = path.indexOf('/');
            if (path.startsWith(PREFIX) && slash > PREFIX.length()) {
                out.add(path.substring(PREFIX.length(), slash));
            }
        }
        return List.copyOf(out);
    }

    private static void deleteEmptyDirectories(Path root) {
        if (!Files.isDirectory(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path dir : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove replaced generation " + root, e);
        }
    }

    /** The pointer's content; {@code layout} is null in pointers written before it was recorded. */
    public record Committed(String generation, String runId, long rows, String layout) {

        /** The layout the generation was written in, the contract's default when not recorded. */
        public String layoutOr(String defaultLayout) {
            return layout == null ? defaultLayout : layout;
        }
    }
}
