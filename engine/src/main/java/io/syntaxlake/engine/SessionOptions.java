package io.syntaxlake.engine;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a session is built from: {@code datafusion.*} settings (the catalog auto-load keys
 * {@code datafusion.catalog.location}/{@code format} are only read here, at build time; the
 * {@code datafusion.runtime.*} keys are applied like SQL SET), runtime limits, and the S3 stores
 * that must exist before a catalog location or DDL names them.
 */
public record SessionOptions(Map<String, String> settings, RuntimeLimits limits, List<S3Store> s3Stores) {

    /**
     * SyntaxLake validates through information_schema, so it is on unless a caller turns it off.
     * Results cross into Java batch by batch, and each imported batch has a fixed cost (one C
     * Data import per column buffer): 64Ki-row batches instead of DataFusion's 8Ki make a
     * 1.5M-row result about 1.7x faster to read (engine/bench/run.sh).
     */
    public static final Map<String, String> DEFAULT_SETTINGS = Map.of(
            "datafusion.catalog.information_schema", "true",
            "datafusion.execution.batch_size", "65536");

    public SessionOptions {
        for (String key : settings.keySet()) {
            if (!key.startsWith("datafusion.")) {
                throw new IllegalArgumentException("session settings are datafusion.* keys, got '" + key + "'");
            }
        }
        settings = Map.copyOf(settings);
        s3Stores = List.copyOf(s3Stores);
    }

    public static SessionOptions defaults() {
        return new SessionOptions(DEFAULT_SETTINGS, RuntimeLimits.NONE, List.of());
    }

    public SessionOptions with(String key, String value) {
        Map<String, String> copy = new LinkedHashMap<>(settings);
        copy.put(key, value);
        return new SessionOptions(copy, limits, s3Stores);
    }

    public SessionOptions withLimits(RuntimeLimits newLimits) {
        return new SessionOptions(settings, newLimits, s3Stores);
    }

    public SessionOptions withS3Store(S3Store store) {
        List<S3Store> copy = new ArrayList<>(s3Stores);
        copy.add(store);
        return new SessionOptions(settings, limits, copy);
    }

    /** Auto-loads every dataset directory under {@code location} (a URL) as a table of schema {@code default}. */
    public SessionOptions withCatalogAutoload(String location, String format) {
        return with("datafusion.catalog.location", location).with("datafusion.catalog.format", format);
    }

    static String[] flatten(Map<String, String> map) {
        String[] out = new String[map.size() * 2];
        int i = 0;
        for (Map.Entry<String, String> entry : map.entrySet()) {
            out[i++] = entry.getKey();
            out[i++] = entry.getValue();
        }
        return out;
    }
}
