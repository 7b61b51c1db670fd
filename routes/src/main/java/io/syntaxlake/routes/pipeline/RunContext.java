package io.syntaxlake.routes.pipeline;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.tasks.manifest.ManifestStore;
import java.nio.file.Path;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state of one run, shared by its tasks (some of which run in parallel): the request, the
 * engine session every task of the run uses, the manifest, a scratch directory, and the typed
 * outputs tasks hand to their dependants.
 */
public final class RunContext {
    /** The exchange property that carries a run's context through its routes. */
    public static final String PROPERTY = "syntaxlake.run";

    private final String runId;
    private final PipelineDefinition pipeline;
    private final PipelineRequest request;
    private final EngineSession session;
    private final ManifestStore manifest;
    private final Path workDir;
    private final RunProgress progress;
    private final Map<Key<?>, Object> outputs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> attempts = new ConcurrentHashMap<>();

    public RunContext(String runId, PipelineDefinition pipeline, PipelineRequest request, EngineSession session,
                      ManifestStore manifest, Path workDir, RunProgress progress) {
        this.runId = runId;
        this.pipeline = pipeline;
        this.request = request;
        this.session = session;
        this.manifest = manifest;
        this.workDir = workDir;
        this.progress = progress;
    }

    /** A typed slot for a task's output. */
    public record Key<T>(String name, Class<T> type) {
    }

    public <T> void put(Key<T> key, T value) {
        outputs.put(key, value);
    }

    public <T> T get(Key<T> key) {
        Object value = outputs.get(key);
        if (value == null) {
            throw new NoSuchElementException("run " + runId + ": no output '" + key.name()
                    + "' yet; the task that makes it has not succeeded");
        }
        return key.type().cast(value);
    }

    /**
     * Counts a new attempt of {@code task} and returns its number (1 for the first). Kept here
     * rather than on the Camel exchange, whose properties a redelivery may restore.
     */
    public int nextAttempt(String task) {
        return attempts.computeIfAbsent(task, t -> new AtomicInteger()).incrementAndGet();
    }

    /** How many attempts of {@code task} have started. */
    public int attempts(String task) {
        AtomicInteger count = attempts.get(task);
        return count == null ? 0 : count.get();
    }

    public String runId() {
        return runId;
    }

    public PipelineDefinition pipeline() {
        return pipeline;
    }

    public PipelineRequest request() {
        return request;
    }

    public EngineSession session() {
        return session;
    }

    public ManifestStore manifest() {
        return manifest;
    }

    public Path workDir() {
        return workDir;
    }

    public RunProgress progress() {
        return progress;
    }
}
