package io.syntaxlake.routes.cli;

/** How the CLI prints a result. */
public enum ResultFormat {
    /** Aligned columns in a box, for people. */
    table,
    /** RFC 4180: one header line, then one line per row. */
    csv,
    /** One JSON array of row objects. */
    json
}
