package io.syntaxlake.routes.pipeline;

import java.util.Locale;

/** How a pipeline keeps its dataset in the lake. */
public enum OutputFormat {
    /** Generations of Parquet files under tables/, a pointer per dataset. */
    PARQUET,
    /** A Delta table under delta/, one output key per repository. */
    DELTA;

    public static OutputFormat parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("format '" + text + "' is not one of parquet, delta");
        }
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
