package io.syntaxlake.tasks.manifest;

import io.delta.kernel.exceptions.TableNotFoundException;
import io.syntaxlake.engine.BatchListReader;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.FileTableSpec;
import io.syntaxlake.engine.ResultTable;
import io.syntaxlake.engine.S3Store;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.dataset.TableOptions;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.DeltaWriter;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.lake.Lake;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.types.pojo.Schema;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

/**
 * The default manifest store: three Delta tables under the lake ({@code manifest/runs/},
 * {@code manifest/tasks/}, {@code manifest/artifacts/}), embedded, no server. Rows are built in
 * Java as Arrow batches and written through {@link DeltaWriter} (the contract check of the
 * written files, then one kernel commit), so the tables are ordinary Delta tables that any Delta
 * reader opens, on a local lake or on S3.
 *
 * <p>Idempotency comes from the writer's replace by output key: a run's row has the run's own
 * key, an attempt's task row and artifacts have the attempt's key ({@link OutputKeys}), and a
 * write removes the key's previous files in the same commit that adds the new ones. So a run has
 * exactly one row at every version, and recording an attempt twice leaves one row.
 *
 * <p>An attempt's artifacts are committed before its task row: a process killed in between
 * leaves artifacts without a task row (a retry replaces them), never a task row whose artifacts
 * are missing.
 *
 * <p>Task attempts are written in the background ({@link QueuedWrites}), in order, so that a
 * run's next task does not wait for the previous one's commits; the store's reads wait for them
 * first, and {@link #finishRun} returns only once every write of the run landed, or records the
 * run as failed saying which did not. {@link #startRun} writes at once: a run whose start cannot be
 * recorded does not run. A process killed meanwhile loses the attempts still queued, as it would
 * lose the attempt it was running.
 *
 * <p>The store owns one engine session. Writes and reads are serialized inside the store (the
 * session's temporary tables are the store's own); writers in other processes are kept apart by
 * the Delta commit protocol, which {@link DeltaWriter} already handles.
 */
public final class DeltaManifestStore implements ManifestStore {
    private static final String SOURCE = "__syntaxlake_manifest_rows";
    private static final String SNAPSHOT = "__syntaxlake_manifest_snapshot";

    private final Lake lake;
    private final EngineSession session;
    private final DeltaLog log;
    private final DeltaWriter writer;
    private final RegisterDeltaTask register;
    private final QueuedWrites queued = new QueuedWrites("syntaxlake-manifest-writes");

    private DeltaManifestStore(Lake lake, EngineSession session) {
        this.lake = lake;
        this.session = session;
        this.log = new DeltaLog(session);
        this.writer = new DeltaWriter(session, log);
        this.register = new RegisterDeltaTask(session, log);
    }

    /**
     * Opens the store of {@code lake} with a session of its own built from {@code options}; an
     * {@code s3://} lake needs its bucket's store in the options.
     */
    public static DeltaManifestStore open(Lake lake, SessionOptions options) {
        if (lake.root().isS3()) {
            String bucket = lake.root().url().substring("s3://".length()).split("/", 2)[0];
            if (options.s3Stores().stream().map(S3Store::bucket).noneMatch(bucket::equals)) {
                throw new IllegalArgumentException("manifest store on " + lake.root() + ": the session options have no"
                        + " S3 store for bucket " + bucket);
            }
        }
        EngineSession session = EngineSession.open(options);
        try {
            return new DeltaManifestStore(lake, session);
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }

    @Override
    public String location() {
        return lake.root().child("manifest").url();
    }

    @Override
    public void startRun(RunRecord run) {
        writeRun(ManifestValues.starting(run));
    }

    @Override
    public void finishRun(RunRecord run) {
        List<String> failed = queued.awaitRun(run.runId());
        if (failed.isEmpty()) {
            writeRun(run);
            return;
        }
        String error = "the manifest store could not record " + String.join("; ", failed);
        writeRun(run.finished(RunStatus.FAILED, run.endedAt(),
                run.error() == null ? error : run.error() + "; and " + error));
        throw new ManifestStoreException("manifest store " + location() + ": run " + run.runId() + ": " + error, null);
    }

    private void writeRun(RunRecord run) {
        write(ManifestTable.RUNS, List.of(ManifestRows.of(run)), OutputKeys.run(run.runId()));
    }

    @Override
    public void recordAttempt(TaskAttempt attempt, List<ArtifactRecord> artifacts) {
        ManifestValues.artifactsOf(attempt, artifacts);
        String key = OutputKeys.attempt(attempt.runId(), attempt.taskId(), attempt.attempt());
        List<List<Object>> artifactRows = artifacts.stream().map(ManifestRows::of).toList();
        List<List<Object>> taskRow = List.of(ManifestRows.of(attempt));
        queued.submit(attempt.runId(), "attempt " + attempt.attempt() + " of " + attempt.taskId(), () -> {
            synchronized (this) {
                // artifacts first: a task row is never visible without its artifacts
                write(ManifestTable.ARTIFACTS, artifactRows, key);
                write(ManifestTable.TASKS, taskRow, key);
            }
        });
    }

    /** Replaces the rows of {@code outputKey} in {@code table} with {@code rows}, in one Delta commit. */
    private synchronized void write(ManifestTable table, List<List<Object>> rows, String outputKey) {
        DatasetContract contract = table.contract();
        Schema schema = contract.schema();
        guarded("write " + table.table() + " rows under key " + outputKey, () -> {
            try (VectorSchemaRoot batch = ManifestBatches.of(schema, rows, session.allocator())) {
                // the engine copies the batch while registering, so it can be freed right after
                session.registerTable(SOURCE, new BatchListReader(session.allocator(), schema, List.of(batch)));
            }
            try {
                return writer.write(contract, contract.table().layout(), SOURCE, lake.manifest(table.table()), outputKey,
                        true, "w");
            } finally {
                session.execute("DROP TABLE IF EXISTS " + quote(SOURCE));
            }
        });
    }

    /** Runs {@code work}; an engine, Delta or I/O failure becomes a {@link ManifestStoreException} naming the store. */
    private <T> T guarded(String what, Supplier<T> work) {
        try {
            return work.get();
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ManifestStoreException("manifest store " + location() + ": cannot " + what + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<RunRecord> runs() {
        return query(ManifestTable.RUNS, "", "started_at DESC, run_id DESC", ManifestRows::run);
    }

    @Override
    public Optional<RunRecord> run(String runId) {
        return query(ManifestTable.RUNS, "run_id = " + literal(ManifestValues.id("run id", runId)), "run_id",
                ManifestRows::run).stream().findFirst();
    }

    @Override
    public Optional<RunRecord> latestSucceeded(String runKey) {
        return query(ManifestTable.RUNS, "run_key = " + literal(ManifestValues.text("run key", runKey))
                        + " AND status = " + literal(RunStatus.SUCCEEDED.text()),
                "started_at DESC, run_id DESC", ManifestRows::run).stream().findFirst();
    }

    @Override
    public List<TaskAttempt> attempts(String runId) {
        return query(ManifestTable.TASKS, "run_id = " + literal(ManifestValues.id("run id", runId)),
                "started_at, attempt, task_id", ManifestRows::attempt);
    }

    @Override
    public List<ArtifactRecord> artifacts(String runId) {
        return query(ManifestTable.ARTIFACTS, "run_id = " + literal(ManifestValues.id("run id", runId)),
                "recorded_at, task_id, attempt, name", ManifestRows::artifact);
    }

    /** The rows of the table's latest snapshot that match {@code where}, in {@code orderBy} order. */
    private <T> List<T> query(ManifestTable table, String where, String orderBy,
                              Function<Function<String, Object>, T> record) {
        queued.await();  // outside the store's lock, which the queued writes take
        ResultTable result;
        synchronized (this) {
            result = snapshotRows(table, where, orderBy);
        }
        List<String> names = result.columnNames();
        List<T> out = new ArrayList<>(result.rowCount());
        for (List<Object> row : result.rows()) {
            out.add(record.apply(column -> row.get(names.indexOf(column))));
        }
        return out;
    }

    private ResultTable snapshotRows(ManifestTable table, String where, String orderBy) {
        return guarded("read " + table.table(), () -> {
            session.execute("DROP TABLE IF EXISTS " + quote(SNAPSHOT));
            session.registerFiles(latest(table, SNAPSHOT));
            try {
                return session.collect("SELECT * FROM " + quote(SNAPSHOT)
                        + (where.isEmpty() ? "" : " WHERE " + where) + " ORDER BY " + orderBy);
            } finally {
                session.execute("DROP TABLE IF EXISTS " + quote(SNAPSHOT));
            }
        });
    }

    /**
     * The table over the files of the latest snapshot (checked against the contract), named
     * {@code name}; a table not written yet is an empty table with the contract's columns.
     */
    private FileTableSpec latest(ManifestTable table, String name) {
        DatasetContract contract = table.contract();
        try {
            return register.resolve(contract, lake.manifest(table.table()), DeltaSelector.latest(), name).spec();
        } catch (TaskFailedException e) {
            if (!(e.getCause() instanceof TableNotFoundException)) {
                throw e;
            }
            return new FileTableSpec(name, contract.fileSchema(contract.table().layout()), List.of(), List.of(),
                    TableOptions.of(contract));
        }
    }

    /**
     * Publishes the latest snapshots as the schema {@code <schema>} of the session's default
     * catalog (the engine's registry schema: the three tables appear together, in one step, and
     * replace whatever that schema held). The session reads the files itself, so for an S3 lake
     * it needs the bucket's store too.
     */
    @Override
    public void registerInto(EngineSession target, String schema) {
        ManifestValues.schemaName(schema);
        queued.await();
        List<FileTableSpec> tables = new ArrayList<>();
        synchronized (this) {
            for (ManifestTable table : ManifestTable.values()) {
                tables.add(guarded("read " + table.table(), () -> latest(table, table.table())));
            }
        }
        guarded("register the tables as schema " + schema, () -> {
            target.registerRegistrySchema(EngineCatalogs.defaultCatalog(target), schema, List.of(), tables);
            return null;
        });
    }

    /** Waits for the queued writes, then closes the session; a run's failed writes nobody took are reported here. */
    @Override
    public void close() {
        Map<String, List<String>> unreported;
        try {
            unreported = queued.drain();
        } finally {
            session.close();
        }
        if (!unreported.isEmpty()) {
            throw new ManifestStoreException("manifest store " + location() + ": could not record " + unreported, null);
        }
    }

    @Override
    public String toString() {
        return "DeltaManifestStore[" + location() + "]";
    }
}
