package io.syntaxlake.tasks.manifest;

import io.syntaxlake.engine.EngineSession;
import java.util.List;
import java.util.Optional;

/**
 * Where the orchestrator records its runs, their task attempts and the artifacts of each attempt:
 * Delta tables under the lake by default ({@link DeltaManifestStore}, embedded, no server), or
 * PostgreSQL as the shared option ({@link JdbcManifestStore}). Both keep the same three tables
 * ({@code runs}, {@code tasks}, {@code artifacts}, columns as in config/contracts/manifest_*_v1.json)
 * and can publish them into an engine session for SQL. Every write is idempotent: repeating it
 * leaves one row per key. Implementations are safe for concurrent use by the threads of one process.
 * Invalid input (an id, a record that contradicts itself) is an {@link IllegalArgumentException},
 * thrown before anything is written; a store that cannot read or write throws
 * {@link ManifestStoreException}.
 */
public interface ManifestStore extends AutoCloseable {

    /** Where the store lives, human readable: the lake URL, or {@code jdbc:postgresql://host:port/db} (never a password). */
    String location();

    /** Records a run that has started ({@link RunStatus#RUNNING}); repeating it for the same run id leaves one row. */
    void startRun(RunRecord run);

    /**
     * Replaces the run's row (one row per run id at any time), typically with {@link RunRecord#finished},
     * once the run's attempts are written (see {@link #recordAttempt}).
     */
    void finishRun(RunRecord run);

    /**
     * Records one task attempt with its artifacts (each of that attempt, names unique). Repeating
     * it for the same (run, task, attempt) replaces that attempt's row and artifacts, so nothing is
     * duplicated. A store may write it after returning (the Delta store queues it): its own reads
     * see it, and {@link #finishRun} returns only once every attempt of the run is written, or
     * records the run as failed, naming the attempts that could not be, and throws.
     */
    void recordAttempt(TaskAttempt attempt, List<ArtifactRecord> artifacts);

    /** Every run, newest first (by start time, then run id). */
    List<RunRecord> runs();

    Optional<RunRecord> run(String runId);

    /** The newest succeeded run with this run key: the work an idempotent rerun may reuse. */
    Optional<RunRecord> latestSucceeded(String runKey);

    /** The run's task attempts by start time, then attempt (then task id). */
    List<TaskAttempt> attempts(String runId);

    /** The run's artifacts by recording time (then task id, attempt, name). */
    List<ArtifactRecord> artifacts(String runId);

    /**
     * Makes the store queryable in {@code session} as {@code <schema>.runs}, {@code <schema>.tasks}
     * and {@code <schema>.artifacts} (in the session's default catalog), as they are now; call it
     * again to see later writes. Tables not written yet are there, empty, with their columns.
     */
    void registerInto(EngineSession session, String schema);

    @Override
    void close();
}
