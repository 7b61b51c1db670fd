package io.syntaxlake.tasks.delta;

import io.delta.kernel.Scan;
import io.delta.kernel.Snapshot;
import io.delta.kernel.SnapshotBuilder;
import io.delta.kernel.TableManager;
import io.delta.kernel.data.FilteredColumnarBatch;
import io.delta.kernel.data.Row;
import io.delta.kernel.defaults.engine.DefaultEngine;
import io.delta.kernel.engine.Engine;
import io.delta.kernel.exceptions.KernelException;
import io.delta.kernel.exceptions.TableNotFoundException;
import io.delta.kernel.internal.InternalScanFileUtils;
import io.delta.kernel.internal.actions.AddFile;
import io.delta.kernel.internal.actions.SingleAction;
import io.delta.kernel.statistics.DataFileStatistics;
import io.delta.kernel.utils.CloseableIterator;
import io.delta.kernel.utils.FileStatus;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.hadoop.conf.Configuration;

/**
 * SyntaxLake's one door to delta-kernel: the kernel engine, snapshot selection, the scan-file
 * listing and the remove actions. Kernel's scan-file accessors and remove actions are internal
 * API in 4.4 (no public remove at all), so every use of them is here, in one place to revisit
 * when kernel's API moves.
 *
 * <p>Local tables go through kernel's Hadoop file system. Tables on {@code s3://} go through
 * {@link ObjectStoreFileIO}, the engine session's own object stores, whose commits are
 * conditional PUTs: Hadoop would need hadoop-aws with the 641 MB AWS SDK bundle, and its S3 log
 * store keeps writers apart inside one JVM only.
 */
public final class DeltaLog {
    public static final String ENGINE_INFO = "syntaxlake/0.1";

    private final Engine local = DefaultEngine.create(new Configuration());
    private final Engine objectStores;

    /** Local tables only. */
    public DeltaLog() {
        this.objectStores = null;
    }

    /** Local tables, and tables in the session's {@code s3://} stores. */
    public DeltaLog(EngineSession session) {
        this.objectStores = DefaultEngine.create(new ObjectStoreFileIO(session));
    }

    /** The kernel engine for a table path. */
    public Engine engine(String tablePath) {
        if (tablePath.startsWith("file:") || tablePath.startsWith("/")) {
            return local;
        }
        if (objectStores == null) {
            throw new TaskFailedException("Delta table " + tablePath + ": a table outside the local file system needs"
                    + " a DeltaLog over the engine session's object stores", List.of());
        }
        return objectStores;
    }

    /** The kernel's form of a table location: an absolute URL without a trailing slash. */
    public static String tablePath(LakeLocation location) {
        String url = location.url();
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /** The snapshot the selector names; a missing table or version fails with the location. */
    public Snapshot snapshot(LakeLocation location, DeltaSelector selector) {
        String path = tablePath(location);
        Engine engine = engine(path);
        try {
            SnapshotBuilder builder = TableManager.loadSnapshot(path);
            if (selector.version() != null) {
                builder = builder.atVersion(selector.version());
            } else if (selector.timestamp() != null) {
                Snapshot latest = TableManager.loadSnapshot(path).build(engine);
                builder = builder.atTimestamp(selector.timestamp().toEpochMilli(), latest);
            }
            return builder.build(engine);
        } catch (TableNotFoundException e) {
            throw new TaskFailedException("Delta table " + location + " does not exist", List.of(), e);
        } catch (KernelException e) {
            throw new TaskFailedException("Delta table " + location + ", " + selector + ": " + e.getMessage(), List.of(), e);
        }
    }

    /** Whether a Delta table exists at the location. */
    public boolean exists(LakeLocation location) {
        return latestIfExists(location).isPresent();
    }

    /** The latest snapshot, or empty when there is no Delta table at the location. */
    public Optional<Snapshot> latestIfExists(LakeLocation location) {
        try {
            return Optional.of(TableManager.loadSnapshot(tablePath(location)).build(engine(tablePath(location))));
        } catch (TableNotFoundException e) {
            return Optional.empty();
        }
    }

    /** Every data file of the snapshot, with what the log says of it. */
    public List<DeltaFile> files(Snapshot snapshot) {
        List<DeltaFile> out = new ArrayList<>();
        forEachScanFile(snapshot, scanFile -> out.add(file(scanFile)));
        return out;
    }

    /** Hands every scan-file row of the snapshot (one per data file, with stats) to {@code action}. */
    private void forEachScanFile(Snapshot snapshot, java.util.function.Consumer<Row> action) {
        Scan scan = snapshot.getScanBuilder().build();
        try (CloseableIterator<FilteredColumnarBatch> batches = scan.getScanFiles(engine(snapshot.getPath()), true)) {
            while (batches.hasNext()) {
                try (CloseableIterator<Row> rows = batches.next().getRows()) {
                    rows.forEachRemaining(action);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the files of Delta table " + snapshot.getPath(), e);
        }
    }

    private static DeltaFile file(Row scanFile) {
        FileStatus status = InternalScanFileUtils.getAddFileStatus(scanFile);
        Map<String, String> partitions = InternalScanFileUtils.getPartitionValues(scanFile);
        boolean deletionVector = InternalScanFileUtils.getDeletionVectorDescriptorFromRow(scanFile) != null;
        Row add = scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
        int stats = add.getSchema().indexOf("stats");
        Optional<Long> records = stats >= 0 && !add.isNullAt(stats)
                ? DataFileStatistics.getNumRecords(add.getString(stats)) : Optional.empty();
        return new DeltaFile(normalized(status.getPath()), status.getSize(), partitions, deletionVector,
                records.map(OptionalLong::of).orElse(OptionalLong.empty()));
    }

    /**
     * Kernel gives paths as Hadoop path strings ({@code file:/x/region=a%2Fb/f.parquet}, where
     * a {@code %} is a literal character of the directory name, not an escape); the engine and
     * the lake take real URIs ({@code file:///x/region=a%252Fb/f.parquet}).
     */
    static String normalized(String hadoopPath) {
        URI uri = new org.apache.hadoop.fs.Path(hadoopPath).toUri();
        return "file".equals(uri.getScheme()) ? Path.of(uri).toUri().toString() : uri.toString();
    }

    /**
     * The form kernel relativizes against a local table root ({@code file:/x}, as Hadoop
     * qualifies paths): a data file given so is recorded relative to the table, which keeps the
     * table movable and readable by other implementations.
     */
    static String kernelUrl(String url) {
        URI uri = URI.create(url);
        return "file".equals(uri.getScheme()) ? Path.of(uri).toFile().toURI().toString() : url;
    }

    /** Remove actions, stamped now, for the snapshot's files whose URL (as {@link #files} gives it) is among {@code urls}. */
    public List<Row> removeActions(Snapshot snapshot, java.util.Set<String> urls) {
        List<Row> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        forEachScanFile(snapshot, scanFile -> {
            if (urls.contains(file(scanFile).url())) {
                Row add = scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
                out.add(SingleAction.createRemoveFileSingleAction(new AddFile(add).toRemoveFileRow(true, Optional.of(now))));
            }
        });
        return out;
    }

    /**
     * Remove actions, stamped now, for the snapshot's files under {@code prefix} (relative to the
     * table root; absolute paths in the log are compared with the root prepended).
     */
    public List<Row> removeActions(Snapshot snapshot, String prefix) {
        String absolutePrefix = normalized(snapshot.getPath()).replaceAll("/?$", "/") + prefix;
        List<Row> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        forEachScanFile(snapshot, scanFile -> {
            Row add = scanFile.getStruct(InternalScanFileUtils.ADD_FILE_ORDINAL);
            String path = add.getString(add.getSchema().indexOf("path"));
            // log paths are URIs: relative to the root (what this writer records) or absolute
            URI logUri = URI.create(path);
            String absolute = logUri.isAbsolute() && "file".equals(logUri.getScheme())
                    ? Path.of(logUri).toUri().toString() : path;
            if (path.startsWith(prefix) || absolute.startsWith(absolutePrefix)) {
                out.add(SingleAction.createRemoveFileSingleAction(new AddFile(add).toRemoveFileRow(true, Optional.of(now))));
            }
        });
        return out;
    }
}
