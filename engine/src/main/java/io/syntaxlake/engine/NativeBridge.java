package io.syntaxlake.engine;

/**
 * The native entry points (engine/native/src/exports.rs). Handles are opaque; maps travel as flat
 * {@code [key, value, ...]} arrays; results and inputs travel as Arrow C streams whose struct
 * address Java allocates. Only {@link EngineSession} calls these, under its handle lock.
 */
final class NativeBridge {
    static {
        NativeLibrary.load();
    }

    private NativeBridge() {
    }

    static native String engineVersion();

    static native long openSession(String[] settings, String[] limits, String[][] s3Stores);

    static native void closeSession(long handle);

    static native void sql(long handle, String sql, long streamAddress);

    /** Logical, optimized logical and physical plan, in that order. */
    static native String[] plans(long handle, String sql);

    static native String dfschemaTree(long handle, String sql);

    static native String[] columnDefaults(long handle, String table);

    static native void registerStream(long handle, String table, long streamAddress);

    static native void registerListing(long handle, String table, String location, String format, long schemaAddress,
                                       String[] partitionColumns, String[] sortOrder, String[] options,
                                       long listingTtlMillis);

    static native void beginRegistrySchema(long handle, String catalog, String schema);

    static native void declareRegistryTable(long handle, String catalog, String schema, String table, String location,
                                            String format, long schemaAddress, String[] partitionColumns,
                                            String[] sortOrder, String[] options, long listingTtlMillis);

    static native void declareRegistryFiles(long handle, String catalog, String schema, String table, long schemaAddress,
                                            String[] partitionColumns, String[] urls, long[] sizes,
                                            String[] partitionValues, String[] options);

    static native void publishRegistrySchema(long handle, String catalog, String schema);

    static native void registerFiles(long handle, String table, long schemaAddress, String[] partitionColumns,
                                     String[] urls, long[] sizes, String[] partitionValues, String[] options);

    static native void registerProjection(long handle, String table, String source, String[] columns);

    static native byte[] getObject(long handle, String location);

    static native boolean putObjectIfAbsent(long handle, String location, byte[] bytes);

    static native boolean deleteObject(long handle, String location);

    static native void putObject(long handle, String location, byte[] bytes);

    static native String[] listObjects(long handle, String location);

    static native long deleteObjects(long handle, String location);

    static native void copyObjects(long handle, String[] from, String[] to);

    static native String[] listingLayout(long handle, String table, long schemaAddress);

    static native String[] parquetColumns(long handle, String location);

    static native void registerS3(long handle, String[] options);

    static native void refreshCatalogs(long handle);
}
