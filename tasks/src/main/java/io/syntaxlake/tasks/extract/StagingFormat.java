package io.syntaxlake.tasks.extract;

import io.syntaxlake.engine.ListingTableSpec;

/**
 * The staging part files' format: Arrow IPC files with the contract's schema (the pipelines'
 * path: no text decoding when the staging is read) or NDJSON, for a person who asks for text.
 */
public enum StagingFormat {
    ARROW("arrow", ListingTableSpec.Format.ARROW),
    NDJSON("ndjson", ListingTableSpec.Format.JSON);

    private final String option;
    private final ListingTableSpec.Format listingFormat;

    StagingFormat(String option, ListingTableSpec.Format listingFormat) {
        this.option = option;
        this.listingFormat = listingFormat;
    }

    /** The extractor's {@code --format} value, also the name users type. */
    public String option() {
        return option;
    }

    /** How a listing table reads the part files. */
    public ListingTableSpec.Format listingFormat() {
        return listingFormat;
    }

    public static StagingFormat parse(String text) {
        for (StagingFormat format : values()) {
            if (format.option.equals(text)) {
                return format;
            }
        }
        throw new IllegalArgumentException("unknown staging format '" + text + "' (expected arrow or ndjson)");
    }
}
