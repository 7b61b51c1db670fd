package io.syntaxlake.engine;

import java.lang.ref.Cleaner;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.LongConsumer;
import java.util.function.LongFunction;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.ArrowSchema;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.UInt8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * A DataFusion session. One session serves many threads at once; {@link #close()} waits for the
 * calls in flight and is harmless to repeat; any call after it throws {@link EngineClosedException}.
 * Results are Arrow streams ({@link QueryResult}) that must be closed before the session.
 */
public final class EngineSession implements AutoCloseable {
    private static final BufferAllocator ROOT = new RootAllocator();
    private static final Cleaner CLEANER = Cleaner.create();
    private static final AtomicLong SESSION_IDS = new AtomicLong();

    private final NativeHandle handle;
    private final BufferAllocator allocator;
    private final Cleaner.Cleanable cleanable;

    private EngineSession(long nativeHandle) {
        this.handle = new NativeHandle(nativeHandle);
        this.allocator = ROOT.newChildAllocator("engine-session-" + SESSION_IDS.incrementAndGet(), 0, Long.MAX_VALUE);
        // Safety net only: sessions are closed explicitly; this frees a forgotten one's native state.
        this.cleanable = CLEANER.register(this, handle::release);
    }

    public static EngineSession open(SessionOptions options) {
        String[][] stores = options.s3Stores().stream()
                .map(store -> SessionOptions.flatten(store.asNativeOptions()))
                .toArray(String[][]::new);
        long nativeHandle = NativeBridge.openSession(SessionOptions.flatten(options.settings()),
                SessionOptions.flatten(options.limits().asNativeOptions()), stores);
        return new EngineSession(nativeHandle);
    }

    public static EngineSession open() {
        return open(SessionOptions.defaults());
    }

    /** The DataFusion version the native library was built with, e.g. {@code 55.2.0}. */
    public static String engineVersion() {
        return NativeBridge.engineVersion();
    }

    /** The allocator that results of {@link #sql(String)} and {@link #collect(String)} use. */
    public BufferAllocator allocator() {
        return allocator;
    }

    /**
     * Runs one statement. DDL, SET and PREPARE take effect before this returns; INSERT and COPY
     * have written everything before this returns (the result holds their {@code count});
     * queries stream: batches are computed as the result is read.
     */
    public QueryResult sql(String sql) {
        return sql(sql, allocator);
    }

    public QueryResult sql(String sql, BufferAllocator resultAllocator) {
        return handle.call(h -> {
            ArrowArrayStream stream = ArrowArrayStream.allocateNew(resultAllocator);
            try {
                NativeBridge.sql(h, sql, stream.memoryAddress());
                return new QueryResult(Data.importArrayStream(resultAllocator, stream), sql);
            } finally {
                stream.close();
            }
        });
    }

    /**
     * Runs a statement to the end and returns its row count: the {@code count} that INSERT and
     * COPY report, otherwise the number of rows of the result.
     */
    public long execute(String sql) {
        try (QueryResult result = sql(sql)) {
            long rows = 0;
            Long count = null;
            while (result.next()) {
                VectorSchemaRoot batch = result.batch();
                rows += batch.getRowCount();
                if (isCountResult(batch) && batch.getRowCount() == 1) {
                    count = (count == null ? 0 : count) + ((UInt8Vector) batch.getVector(0)).get(0);
                }
            }
            return count != null ? count : rows;
        }
    }

    /** Runs a query and reads its whole (small) result into plain Java values. */
    public ResultTable collect(String sql) {
        try (QueryResult result = sql(sql)) {
            List<List<Object>> rows = new ArrayList<>();
            result.forEachRow(rows::add);
            return new ResultTable(result.schema().getFields(), rows);
        }
    }

    /**
     * Registers Java Arrow data as an in-memory table: the engine reads {@code reader} to its end
     * through a C stream and closes it (the reader is owned by the engine from here on). The
     * reader's buffers must come from {@link #allocator()}; see the three-argument form otherwise.
     */
    public void registerTable(String table, ArrowReader reader) {
        registerTable(table, reader, allocator);
    }

    /** As {@link #registerTable(String, ArrowReader)}, for a reader whose buffers belong to {@code readerAllocator}. */
    public void registerTable(String table, ArrowReader reader, BufferAllocator readerAllocator) {
        String name = SqlIdentifiers.quote(table);
        handle.run(h -> {
            try (ArrowArrayStream stream = ArrowArrayStream.allocateNew(readerAllocator)) {
                Data.exportArrayStream(readerAllocator, reader, stream);
                NativeBridge.registerStream(h, name, stream.memoryAddress());
            }
        });
    }

    /**
     * Registers the files under a location as a table with the spec's file schema (field and
     * schema metadata included) instead of a schema inferred from the files: the native form of
     * {@code CREATE EXTERNAL TABLE ... PARTITIONED BY ... WITH ORDER ... OPTIONS}, for schemas
     * that SQL DDL cannot declare (maps, field metadata).
     */
    public void registerListingTable(ListingTableSpec spec) {
        String name = SqlIdentifiers.quote(spec.table());
        handle.run(h -> {
            try (ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
                Data.exportSchema(allocator, spec.fileSchema(), null, schema);
                NativeBridge.registerListing(h, name, spec.location(), formatName(spec),
                        schema.memoryAddress(), spec.partitionColumns().toArray(String[]::new),
                        spec.sortOrder().toArray(String[]::new), SessionOptions.flatten(spec.options()),
                        ttlMillis(spec));
            }
        });
    }

    /**
     * Publishes {@code catalog.schema} as a schema backed by the dataset registry. It holds
     * exactly {@code tables} (their {@code table} names unquoted), each built when a query first
     * uses it, so listing the schema (information_schema, SHOW TABLES) reads no storage, and
     * {@code fileTables}, whose file lists are already known (Delta snapshots). It replaces a
     * schema of the same name in one step; the catalog is created if missing.
     */
    public void registerRegistrySchema(String catalog, String schema, List<ListingTableSpec> tables,
                                       List<FileTableSpec> fileTables) {
        handle.run(h -> {
            NativeBridge.beginRegistrySchema(h, catalog, schema);
            for (ListingTableSpec spec : tables) {
                try (ArrowSchema exported = ArrowSchema.allocateNew(allocator)) {
                    Data.exportSchema(allocator, spec.fileSchema(), null, exported);
                    NativeBridge.declareRegistryTable(h, catalog, schema, spec.table(), spec.location(),
                            formatName(spec), exported.memoryAddress(), spec.partitionColumns().toArray(String[]::new),
                            spec.sortOrder().toArray(String[]::new), SessionOptions.flatten(spec.options()),
                            ttlMillis(spec));
                }
            }
            for (FileTableSpec spec : fileTables) {
                try (ArrowSchema exported = ArrowSchema.allocateNew(allocator)) {
                    Data.exportSchema(allocator, spec.fileSchema(), null, exported);
                    NativeBridge.declareRegistryFiles(h, catalog, schema, spec.table(), exported.memoryAddress(),
                            spec.partitionColumns().toArray(String[]::new), spec.urls(), spec.sizes(),
                            spec.flatPartitionValues(), SessionOptions.flatten(spec.options()));
                }
            }
            NativeBridge.publishRegistrySchema(h, catalog, schema);
        });
    }

    /** {@link #registerRegistrySchema(String, String, List, List)} with listing tables only. */
    public void registerRegistrySchema(String catalog, String schema, List<ListingTableSpec> tables) {
        registerRegistrySchema(catalog, schema, tables, List.of());
    }

    /** Registers a table over exactly the spec's files (see {@link FileTableSpec}). */
    public void registerFiles(FileTableSpec spec) {
        String name = SqlIdentifiers.quote(spec.table());
        handle.run(h -> {
            try (ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
                Data.exportSchema(allocator, spec.fileSchema(), null, schema);
                NativeBridge.registerFiles(h, name, schema.memoryAddress(), spec.partitionColumns().toArray(String[]::new),
                        spec.urls(), spec.sizes(), spec.flatPartitionValues(), SessionOptions.flatten(spec.options()));
            }
        });
    }

    /**
     * Registers {@code table} as a scan-time projection of {@code source} onto {@code columns}
     * (top-level columns of it): no view in between, so the scan of {@code source} itself
     * receives the projection, filters and limit, and a query cannot see any other column.
     */
    public void registerProjection(String table, String source, List<String> columns) {
        handle.run(h -> NativeBridge.registerProjection(h, SqlIdentifiers.quote(table), SqlIdentifiers.quote(source),
                columns.toArray(String[]::new)));
    }

    private static String formatName(ListingTableSpec spec) {
        return spec.format().name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The bridge's encoding of "no table TTL" is a negative number. */
    private static long ttlMillis(ListingTableSpec spec) {
        return spec.listingTtl() == null ? -1 : spec.listingTtl().toMillis();
    }

    /**
     * What a listing table's provider itself holds (not what information_schema reports): its
     * file schema, metadata included, and its partition columns with their DataFusion types.
     */
    public ListingLayout listingLayout(String table) {
        String name = SqlIdentifiers.quote(table);
        return handle.call(h -> {
            try (ArrowSchema schema = ArrowSchema.allocateNew(allocator)) {
                String[] flat = NativeBridge.listingLayout(h, name, schema.memoryAddress());
                Map<String, String> partitions = new LinkedHashMap<>();
                for (int i = 0; i + 1 < flat.length; i += 2) {
                    partitions.put(flat[i], flat[i + 1]);
                }
                return new ListingLayout(Data.importSchema(allocator, schema, null), partitions);
            }
        });
    }

    /** Every column chunk of every Parquet file under a location, as written (read from the footers). */
    public List<ParquetColumnChunk> parquetColumns(String location) {
        String[] flat = handle.call(h -> NativeBridge.parquetColumns(h, location));
        List<ParquetColumnChunk> out = new ArrayList<>(flat.length / 8);
        for (int i = 0; i + 7 < flat.length; i += 8) {
            out.add(new ParquetColumnChunk(flat[i], Integer.parseInt(flat[i + 1]), flat[i + 2], flat[i + 3],
                    Boolean.parseBoolean(flat[i + 4]), Boolean.parseBoolean(flat[i + 5]), Boolean.parseBoolean(flat[i + 6]),
                    Boolean.parseBoolean(flat[i + 7])));
        }
        return out;
    }

    /** The whole object at a location (a local path or URL, or {@code s3://...}), if it exists. */
    public Optional<byte[]> readObject(String location) {
        return Optional.ofNullable(handle.call(h -> NativeBridge.getObject(h, location)));
    }

    /** Writes a whole object at once: readers see the old or the new content, never a part. */
    public void writeObject(String location, byte[] bytes) {
        handle.run(h -> NativeBridge.putObject(h, location, bytes));
    }

    /**
     * Writes the whole object only if nothing is at the location yet (a conditional PUT on S3, an
     * exclusive create locally); false when something was. What a log commit needs.
     */
    public boolean writeObjectIfAbsent(String location, byte[] bytes) {
        return handle.call(h -> NativeBridge.putObjectIfAbsent(h, location, bytes));
    }

    /** Deletes exactly the object at the location; false when there was none. */
    public boolean deleteObject(String location) {
        return handle.call(h -> NativeBridge.deleteObject(h, location));
    }

    /** Every object under a location, recursively, sorted by path. */
    public List<StoredObject> listObjects(String location) {
        String[] flat = handle.call(h -> NativeBridge.listObjects(h, location));
        List<StoredObject> out = new ArrayList<>(flat.length / 3);
        for (int i = 0; i + 2 < flat.length; i += 3) {
            out.add(new StoredObject(flat[i], Long.parseLong(flat[i + 1]), Long.parseLong(flat[i + 2])));
        }
        return out;
    }

    /** Deletes every object under a location; returns how many there were. */
    public long deleteObjects(String location) {
        return handle.call(h -> NativeBridge.deleteObjects(h, location));
    }

    /**
     * Copies each object of {@code from} to the location at the same index of {@code to}, within
     * one store, replacing what is there: a hard link on a local file system, a server-side copy
     * on S3. No data passes through this process.
     */
    public void copyObjects(List<String> from, List<String> to) {
        if (from.size() != to.size()) {
            throw new IllegalArgumentException(from.size() + " sources for " + to.size() + " targets");
        }
        if (from.isEmpty()) {
            return;
        }
        String[] sources = from.toArray(String[]::new);
        String[] targets = to.toArray(String[]::new);
        handle.run(h -> NativeBridge.copyObjects(h, sources, targets));
    }

    /** Plans of a query (or any statement), without running it. */
    public PlanSnapshot plans(String sql) {
        String[] texts = handle.call(h -> NativeBridge.plans(h, sql));
        return new PlanSnapshot(texts[0], texts[1], texts[2]);
    }

    /** Plans of a whole table or view: {@code SELECT * FROM <name>}. */
    public PlanSnapshot tablePlans(String... nameParts) {
        return plans(selectAll(nameParts));
    }

    /** The DFSchema of a statement's logical plan, as DataFusion's tree rendering. */
    public String dfSchemaTree(String sql) {
        return handle.call(h -> NativeBridge.dfschemaTree(h, sql));
    }

    public String tableDfSchemaTree(String... nameParts) {
        return dfSchemaTree(selectAll(nameParts));
    }

    /** Column defaults as the table's provider holds them (column -> expression), in column order. */
    public Map<String, String> columnDefaults(String... nameParts) {
        String table = SqlIdentifiers.quoteQualified(Arrays.asList(nameParts));
        String[] flat = handle.call(h -> NativeBridge.columnDefaults(h, table));
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < flat.length; i += 2) {
            out.put(flat[i], flat[i + 1]);
        }
        return out;
    }

    /** Makes {@code s3://<bucket>/...} locations usable by later DDL, COPY and queries. */
    public void registerS3(S3Store store) {
        String[] options = SessionOptions.flatten(store.asNativeOptions());
        handle.run(h -> NativeBridge.registerS3(h, options));
    }

    /** Lists the auto-loaded catalog location again: new dataset directories become tables. */
    public void refreshCatalogs() {
        handle.run(NativeBridge::refreshCatalogs);
    }

    public boolean isClosed() {
        return handle.isReleased();
    }

    @Override
    public void close() {
        if (handle.isReleased()) {
            return;
        }
        cleanable.clean();
        long leaked = allocator.getAllocatedMemory();
        if (leaked == 0) {
            allocator.close();
        } else {
            throw new EngineException("session closed while results still hold " + leaked
                    + " bytes: close every QueryResult before its session");
        }
    }

    private static String selectAll(String... nameParts) {
        return "SELECT * FROM " + SqlIdentifiers.quoteQualified(Arrays.asList(nameParts));
    }

    private static boolean isCountResult(VectorSchemaRoot batch) {
        return batch.getFieldVectors().size() == 1 && batch.getVector(0) instanceof UInt8Vector
                && "count".equals(batch.getVector(0).getName());
    }

    /**
     * The native pointer and the lock that keeps it alive: calls share the read lock, release
     * takes the write lock, so no call ever sees a freed session.
     */
    private static final class NativeHandle {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private long pointer;

        NativeHandle(long pointer) {
            this.pointer = pointer;
        }

        void run(LongConsumer body) {
            call(h -> {
                body.accept(h);
                return null;
            });
        }

        <T> T call(LongFunction<T> body) {
            lock.readLock().lock();
            try {
                if (pointer == 0) {
                    throw new EngineClosedException("the engine session is closed");
                }
                return body.apply(pointer);
            } finally {
                lock.readLock().unlock();
            }
        }

        boolean isReleased() {
            lock.readLock().lock();
            try {
                return pointer == 0;
            } finally {
                lock.readLock().unlock();
            }
        }

        void release() {
            lock.writeLock().lock();
            try {
                if (pointer != 0) {
                    NativeBridge.closeSession(pointer);
                    pointer = 0;
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
