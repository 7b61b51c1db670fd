package io.syntaxlake.tasks.delta;

import io.delta.kernel.DataWriteContext;
import io.delta.kernel.Operation;
import io.delta.kernel.Snapshot;
import io.delta.kernel.TableManager;
import io.delta.kernel.Transaction;
import io.delta.kernel.TransactionCommitResult;
import io.delta.kernel.data.Row;
import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.delta.kernel.exceptions.TableAlreadyExistsException;
import io.delta.kernel.expressions.Column;
import io.delta.kernel.expressions.Literal;
import io.delta.kernel.hook.PostCommitHook;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.transaction.DataLayoutSpec;
import io.delta.kernel.utils.CloseableIterable;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.DataFileStatus;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.StoredObject;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.engine.FileTableSpec;
import io.syntaxlake.tasks.dataset.CommittedIndex;
import io.syntaxlake.tasks.dataset.FileRewrite;
import io.syntaxlake.tasks.dataset.LayoutCopy;
import io.syntaxlake.tasks.dataset.RepositoryFiles;
import io.syntaxlake.tasks.dataset.RepositoryWrite;
import io.syntaxlake.tasks.dataset.TableOptions;
import io.syntaxlake.tasks.dataset.WrittenFiles;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Writes a query's rows into a Delta table: the engine writes the Parquet files (partitioned
 * per the contract), the files are checked against the contract, then kernel commits them.
 *
 * <p>Replace of a run's own output. Every write names an output key (the run's parameters, for
 * the pipelines the repository) and puts its files under {@code data/<key>/<attempt>/}. A
 * replacing write commits, in the same single commit as its adds, a remove action for every file
 * of the latest snapshot under {@code data/<key>/}: readers see the old output or the new, never
 * both, so a rerun never duplicates rows, and other keys' output is untouched. Kernel 4.4 has
 * no public remove API, so the remove actions come from {@link DeltaLog}. Each commit carries the
 * transaction id {@code (syntaxlake:<key>, n)}, one more than the key's last; two writers of the
 * same key cannot both commit the same n, and the loser retries on the new snapshot (removing
 * the winner's output if it replaces). Appends of different keys are blind appends, which
 * kernel rebases on each other. A write of no rows adds no file (COPY writes none); replacing,
 * it still removes the key's previous output, and it commits nothing when there is nothing to
 * remove.
 *
 * <p>Crash safety: nothing is visible before the commit (a single put-if-absent of the next log
 * file). A writer killed before it leaves files no snapshot references; {@link DeltaVacuumTask}
 * lists and removes them.
 */
public final class DeltaWriter {
    public static final String IDENTITY_PROPERTY = "syntaxlake.schemaIdentityHash";
    public static final String DATASET_PROPERTY = "syntaxlake.dataset";
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_.=-]{1,200}");
    private static final int MAX_ATTEMPTS = 20;
    private static final String KEY_FILES = "__syntaxlake_key_files";

    private final EngineSession session;
    private final DeltaLog log;
    private final boolean sourceInLayoutOrder;

    public DeltaWriter(EngineSession session, DeltaLog log) {
        this(session, log, false);
    }

    private DeltaWriter(EngineSession session, DeltaLog log, boolean sourceInLayoutOrder) {
        this.session = session;
        this.log = log;
        this.sourceInLayoutOrder = sourceInLayoutOrder;
    }

    /** A writer whose sources, read file after file in name order, are in the layout's order: no sort. */
    public DeltaWriter sourceInLayoutOrder() {
        return new DeltaWriter(session, log, true);
    }

    /** What one write committed. */
    public record Committed(long version, boolean created, String dataLocation, long rows, int files, long bytes,
                            int removedFiles, String appId, long transactionVersion, int attempts) {
    }

    public Committed write(DatasetContract contract, DatasetContract.Layout layout, String sourceTable,
                           LakeLocation table, String outputKey, boolean replace, String attemptId) {
        return write(contract, layout, sourceTable, table, outputKey, replace, attemptId, Optional.empty());
    }

    /**
     * Writes one repository's rows, its name the output key: a replace of all of them, or, when
     * {@code write} is incremental, one commit that removes only the key's files holding a dropped
     * path and adds their surviving rows and the new rows as new files. The run's source index goes
     * to {@code _sources/<key>/<n>.arrow}, {@code n} the key's transaction version of the commit,
     * so the next run finds the index of the version it reads ({@link #committedIndex}).
     */
    public Committed writeRepository(DatasetContract contract, DatasetContract.Layout layout, String sourceTable,
                                     LakeLocation table, RepositoryWrite write, String attemptId) {
        if (!write.incremental()) {
            return write(contract, layout, sourceTable, table, write.repo(), true, attemptId, write.sourceIndex());
        }
        checkKey(table, write.repo());
        Snapshot base = log.latestIfExists(table).orElseThrow(() -> new TaskFailedException("Delta write to " + table
                + ": an incremental write of " + write.repo() + " needs the table to exist", List.of()));
        contract = heldBy(contract, base);
        checkIdentity(contract, table, base);
        var engine = log.engine(DeltaLog.tablePath(table));
        String appId = "syntaxlake:" + write.repo();
        long expectedTxn = base.getLatestTransactionVersion(engine, appId).orElse(-1L);
        write.checkBase(table + " (Delta, transaction of " + appId + ")", Long.toString(expectedTxn));
        String keyPrefix = table.url() + "data/" + write.repo() + "/";
        List<DeltaFile> keyFiles = log.files(base).stream().filter(f -> f.url().startsWith(keyPrefix)).toList();
        Map<String, DeltaFile> byRelative = new LinkedHashMap<>();
        keyFiles.forEach(f -> byRelative.put(f.url().substring(keyPrefix.length()), f));
        session.execute("DROP TABLE IF EXISTS " + KEY_FILES);
        session.registerFiles(new FileTableSpec(KEY_FILES, contract.fileSchema(layout), layout.partitionBy(),
                keyFiles.stream().map(f -> new FileTableSpec.DataFile(f.url(), f.size(), f.partitionValues())).toList(),
                TableOptions.of(contract)));
        RepositoryFiles files;
        try {
            files = RepositoryFiles.of(session, KEY_FILES, write.repo(),
                    name -> RepositoryFiles.after(name, "data/" + write.repo() + "/"));
        } finally {
            session.execute("DROP TABLE IF EXISTS " + KEY_FILES);
        }
        Map<String, List<String>> touched = files.holding(write.droppedPaths().orElseThrow());
        String attemptDir = attemptId + "-" + java.util.UUID.randomUUID();
        LakeLocation target = table.child("data").child(write.repo()).child(attemptDir);
        long rows = 0;
        long keptRows = 0;
        for (Map.Entry<String, List<String>> file : touched.entrySet()) {
            DeltaFile held = byRelative.get(file.getKey());
            String relative = file.getKey();
            // <attempt>/<partition dirs>/<name>: the rewrite goes back into the same partition
            String directory = relative.substring(relative.indexOf('/') + 1, relative.lastIndexOf('/'));
            keptRows += new FileRewrite(session, contract, layout).run(held.url(), held.size(), directory,
                    file.getValue(), target.url());
        }
        rows = keptRows + new LayoutCopy(contract, layout, sourceTable, sourceInLayoutOrder).run(session, target.url());
        long touchedRows = touched.keySet().stream().mapToLong(f -> files.paths().get(f).size()).sum();
        long dropped = touched.values().stream().mapToLong(List::size).sum();
        if (touchedRows - keptRows != dropped) {
            throw new TaskFailedException("Delta write to " + table + ": rewriting " + touched.size() + " file(s) of "
                    + write.repo() + " kept " + keptRows + " of " + touchedRows + " rows, " + dropped
                    + " were to go; nothing was committed", List.of());
        }
        List<DataFile> added = rows == 0 && !hasParquetFiles(target) ? List.of()
                : checkedFiles(contract, layout, table, target, "data/" + write.repo() + "/" + attemptDir + "/", rows);
        java.util.Set<String> removed = touched.keySet().stream().map(f -> byRelative.get(f).url())
                .collect(java.util.stream.Collectors.toSet());
        for (int attempt = 1; ; attempt++) {
            Snapshot current = attempt == 1 ? base : log.snapshot(table, DeltaSelector.latest());
            long txnVersion = current.getLatestTransactionVersion(engine, appId).orElse(-1L);
            if (txnVersion != expectedTxn) {
                throw new TaskFailedException("Delta write to " + table + ": another write of " + write.repo()
                        + " committed meanwhile (transaction " + txnVersion + ", this write read " + expectedTxn
                        + "); nothing was committed, the next run starts from the new version", List.of());
            }
            Transaction txn = current.buildUpdateTableTransaction(DeltaLog.ENGINE_INFO, Operation.WRITE)
                    .withTransactionId(appId, txnVersion + 1)
                    .build(engine);
            List<Row> actions = new ArrayList<>(log.removeActions(current, removed));
            actions.addAll(appendActions(engine, txn, added));
            storeIndex(table, write.repo(), txnVersion + 1, write.sourceIndex());
            if (actions.isEmpty()) {
                return new Committed(current.getVersion(), false, target.url(), 0, 0, 0, 0, appId, txnVersion, attempt);
            }
            try {
                TransactionCommitResult result = txn.commit(engine, CloseableIterable.inMemoryIterable(
                        io.delta.kernel.internal.util.Utils.toCloseableIterator(actions.iterator())));
                runHooks(engine, result);
                return new Committed(result.getVersion(), false, target.url(), rows, added.size(),
                        added.stream().mapToLong(DataFile::size).sum(), removed.size(), appId, txnVersion + 1, attempt);
            } catch (ConcurrentWriteException e) {
                if (attempt >= MAX_ATTEMPTS) {
                    throw new TaskFailedException("Delta write to " + table + ": gave up after " + attempt
                            + " conflicting commits; the files under " + target + " stay unreferenced: " + e.getMessage(),
                            List.of(), e);
                }
            }
        }
    }

    /**
     * The source index stored with the latest commit of {@code key} (see {@link #writeRepository}),
     * empty when the table or the index does not exist.
     */
    public Optional<CommittedIndex> committedIndex(LakeLocation table, String key) {
        checkKey(table, key);
        return log.latestIfExists(table).flatMap(snapshot -> {
            var engine = log.engine(DeltaLog.tablePath(table));
            return snapshot.getLatestTransactionVersion(engine, "syntaxlake:" + key)
                    .flatMap(n -> session.readObject(indexLocation(table, key, n))
                            .map(bytes -> new CommittedIndex(bytes, Long.toString(n))));
        });
    }

    private static String indexLocation(LakeLocation table, String key, long transactionVersion) {
        return table.child("_sources").child(key).file(transactionVersion + ".arrow");
    }

    private void storeIndex(LakeLocation table, String key, long transactionVersion, Optional<java.nio.file.Path> index) {
        if (index.isEmpty()) {
            return;
        }
        try {
            // before the commit: a version whose commit lands always has its index; one that does not is never read
            session.writeObject(indexLocation(table, key, transactionVersion), java.nio.file.Files.readAllBytes(index.get()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the source index " + index.get(), e);
        }
    }

    private static void checkKey(LakeLocation table, String outputKey) {
        if (!KEY.matcher(outputKey).matches() || outputKey.contains("..")) {
            throw new TaskFailedException("Delta write to " + table + ": output key '" + outputKey
                    + "' must be letters, digits and _ . = - only", List.of());
        }
    }

    private Committed write(DatasetContract contract, DatasetContract.Layout layout, String sourceTable,
                            LakeLocation table, String outputKey, boolean replace, String attemptId,
                            Optional<java.nio.file.Path> index) {
        checkKey(table, outputKey);
        String tablePath = DeltaLog.tablePath(table);
        // a directory of its own for every attempt, even a rerun with the same id: files a killed
        // attempt left behind must never be listed (and committed) as this attempt's
        String attemptDir = attemptId + "-" + java.util.UUID.randomUUID();
        LakeLocation target = table.child("data").child(outputKey).child(attemptDir);
        // the columns the table has decide the files' columns; each attempt below commits on a fresh snapshot
        Optional<Snapshot> existing = log.latestIfExists(table);
        if (existing.isPresent()) {
            contract = heldBy(contract, existing.get());
        }
        long rows = new LayoutCopy(contract, layout, sourceTable, sourceInLayoutOrder).run(session, target.url());
        List<DataFile> files = rows == 0 && !hasParquetFiles(target) ? List.of()
                : checkedFiles(contract, layout, table, target, "data/" + outputKey + "/" + attemptDir + "/", rows);
        var engine = log.engine(tablePath);
        String appId = "syntaxlake:" + outputKey;
        String prefix = "data/" + outputKey + "/";
        boolean created = false;
        for (int attempt = 1; ; attempt++) {
            // one snapshot load per attempt: a missing table is created (or found created by another writer) once
            Snapshot base = log.latestIfExists(table).orElse(null);
            if (base == null) {
                created = createIfMissing(contract, layout, tablePath);
                base = log.snapshot(table, DeltaSelector.latest());
            }
            checkIdentity(contract, table, base);
            long txnVersion = base.getLatestTransactionVersion(engine, appId).orElse(-1L) + 1;
            Transaction txn = base.buildUpdateTableTransaction(DeltaLog.ENGINE_INFO, Operation.WRITE)
                    .withTransactionId(appId, txnVersion)
                    .build(engine);
            List<Row> actions = new ArrayList<>(replace ? log.removeActions(base, prefix) : List.of());
            int removed = actions.size();
            actions.addAll(appendActions(engine, txn, files));
            storeIndex(table, outputKey, txnVersion, index);
            if (actions.isEmpty()) {
                // no rows to add and nothing of the key's to remove: the table already is what this write asks for
                return new Committed(base.getVersion(), created, target.url(), 0, 0, 0, 0, appId, txnVersion - 1, attempt);
            }
            try {
                TransactionCommitResult result = txn.commit(engine, CloseableIterable.inMemoryIterable(
                        io.delta.kernel.internal.util.Utils.toCloseableIterator(actions.iterator())));
                runHooks(engine, result);
                return new Committed(result.getVersion(), created, target.url(), rows, files.size(),
                        files.stream().mapToLong(DataFile::size).sum(), removed, appId, txnVersion, attempt);
            } catch (ConcurrentWriteException e) {
                // includes ConcurrentTransactionException: a writer of the same key committed first
                if (attempt >= MAX_ATTEMPTS) {
                    throw new TaskFailedException("Delta write to " + table + ": gave up after " + attempt
                            + " conflicting commits; the files under " + target + " stay unreferenced: " + e.getMessage(),
                            List.of(), e);
                }
            }
        }
    }

    /** COPY writes no file at all for no rows: such a write only removes (a replace) and adds nothing. */
    private boolean hasParquetFiles(LakeLocation target) {
        return session.listObjects(target.url()).stream().anyMatch(o -> o.path().endsWith(".parquet"));
    }

    /** The files under {@code target}, checked against the contract (footer schema) and the rows COPY reported. */
    private List<DataFile> checkedFiles(DatasetContract contract, DatasetContract.Layout layout, LakeLocation table,
                                        LakeLocation target, String tableRelative, long rows) {
        WrittenFiles written = new WrittenFiles(session, target.url());
        List<String> drift = written.schemaDrift(contract.fileSchema(layout), layout.partitionBy());
        if (!drift.isEmpty()) {
            throw new TaskFailedException("Delta write to " + table + ": the files written under " + target
                    + " do not match the contract, nothing was committed: " + String.join("; ", drift), List.of());
        }
        List<DataFile> files = dataFiles(target, tableRelative, written.rowCounts(), layout.partitionBy());
        long counted = files.stream().mapToLong(DataFile::records).sum();
        if (counted != rows) {
            throw new TaskFailedException("Delta write to " + table + ": COPY wrote " + rows + " rows but the files under "
                    + target + " hold " + counted + ", nothing was committed", List.of());
        }
        return files;
    }

    /** Creates the table (version 0) with the contract's schema and partitioning; false when another writer did first. */
    private boolean createIfMissing(DatasetContract contract, DatasetContract.Layout layout, String tablePath) {
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put(IDENTITY_PROPERTY, contract.identityHash());
        properties.put(DATASET_PROPERTY, contract.name());
        properties.put("delta.checkpointInterval", "10");
        DataLayoutSpec spec = layout.partitionBy().isEmpty() ? DataLayoutSpec.noDataLayout()
                : DataLayoutSpec.partitioned(layout.partitionBy().stream().map(Column::new).toList());
        try {
            Transaction create = TableManager.buildCreateTableTransaction(tablePath,
                            DeltaSchemas.toDelta(contract.schema()), DeltaLog.ENGINE_INFO)
                    .withDataLayoutSpec(spec)
                    .withTableProperties(properties)
                    .build(log.engine(tablePath));
            create.commit(log.engine(tablePath), CloseableIterable.emptyIterable());
            return true;
        } catch (TableAlreadyExistsException | ConcurrentWriteException e) {
            return false; // another writer created it first: append to theirs
        }
    }

    /**
     * The contract as {@code snapshot}'s table holds it: a table created before the contract's
     * added columns existed keeps its schema, since kernel cannot add a column to a table without
     * column mapping; it is written without them, and its rows read null there.
     */
    public static DatasetContract heldBy(DatasetContract contract, Snapshot snapshot) {
        List<String> columns = snapshot.getSchema().fieldNames();
        boolean lacksAdded = !contract.table().addedColumns().isEmpty()
                && contract.table().addedColumns().stream().noneMatch(columns::contains);
        return lacksAdded ? contract.withoutAddedColumns() : contract;
    }

    /** A table written under another contract is never appended to. */
    static void checkIdentity(DatasetContract contract, LakeLocation table, Snapshot snapshot) {
        identityMismatch(contract, snapshot).ifPresent(mismatch -> {
            throw new TaskFailedException("Delta table " + table + " was " + mismatch, List.of());
        });
    }

    /** How the schema identity the table records differs from the contract's; empty when it does not (or none is recorded). */
    static Optional<String> identityMismatch(DatasetContract contract, Snapshot snapshot) {
        String recorded = snapshot.getTableProperties().get(IDENTITY_PROPERTY);
        return recorded == null || recorded.equals(contract.identityHash()) ? Optional.empty()
                : Optional.of("written under schema identity " + recorded + ", the contract of " + contract.name()
                        + " is " + contract.identityHash());
    }

    private List<Row> appendActions(io.delta.kernel.engine.Engine engine, Transaction txn, List<DataFile> files) {
        Row state = txn.getTransactionState(engine);
        Map<Map<String, String>, List<DataFileStatus>> byPartition = new LinkedHashMap<>();
        for (DataFile file : files) {
            DataFileStatistics stats = new DataFileStatistics(file.records(), Map.of(), Map.of(), Map.of(), Optional.empty());
            byPartition.computeIfAbsent(file.partitionValues(), k -> new ArrayList<>())
                    .add(new DataFileStatus(DeltaLog.kernelUrl(file.url()), file.size(), System.currentTimeMillis(), Optional.of(stats)));
        }
        List<Row> actions = new ArrayList<>();
        for (var group : byPartition.entrySet()) {
            Map<String, Literal> values = new LinkedHashMap<>();
            group.getKey().forEach((column, value) -> values.put(column, Literal.ofString(value)));
            DataWriteContext context = Transaction.getWriteContext(engine, state, values);
            try (CloseableIterator<Row> rows = Transaction.generateAppendActions(engine, state,
                    io.delta.kernel.internal.util.Utils.toCloseableIterator(group.getValue().iterator()), context)) {
                rows.forEachRemaining(actions::add);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return actions;
    }

    private void runHooks(io.delta.kernel.engine.Engine engine, TransactionCommitResult result) {
        for (PostCommitHook hook : result.getPostCommitHooks()) {
            try {
                hook.threadSafeInvoke(engine);
            } catch (IOException e) {
                // checkpoints and checksums only speed up reading; the commit itself has landed
                System.getLogger(DeltaWriter.class.getName()).log(System.Logger.Level.WARNING,
                        "post-commit hook " + hook.getType() + " failed: " + e.getMessage());
            }
        }
    }

    /** A written file with its partition values (from its Hive directories) and its row count. */
    private record DataFile(String url, long size, Map<String, String> partitionValues, long records) {
    }

    /**
     * The files under {@code target}, which is {@code tableRelative} under the table root; the
     * row counts are keyed by the engine's file names, which end with that relative path.
     */
    private List<DataFile> dataFiles(LakeLocation target, String tableRelative, Map<String, Long> rowCounts,
                                     List<String> partitionColumns) {
        List<DataFile> out = new ArrayList<>();
        for (StoredObject object : session.listObjects(target.url())) {
            if (!object.path().endsWith(".parquet")) {
                continue;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (String segment : object.path().split("/")) {
                int eq = segment.indexOf('=');
                if (eq > 0 && partitionColumns.contains(segment.substring(0, eq))) {
                    values.put(segment.substring(0, eq), URLDecoder.decode(segment.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
            String url = target.url() + object.path();
            String suffix = "/" + tableRelative + object.path();
            long records = rowCounts.entrySet().stream().filter(e -> ("/" + e.getKey()).endsWith(suffix))
                    .mapToLong(Map.Entry::getValue).findFirst().orElse(0L);
            out.add(new DataFile(url, object.size(), values, records));
        }
        return out;
    }
}
