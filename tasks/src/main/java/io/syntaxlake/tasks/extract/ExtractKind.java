package io.syntaxlake.tasks.extract;

/** The two extractors and the dataset each one produces. */
public enum ExtractKind {
    AST("ast", "ast_files_v1", "errors"),
    CST("cst", "libcst_files_v1", "parse_errors");

    private final String command;
    private final String dataset;
    private final String errorColumn;

    ExtractKind(String command, String dataset, String errorColumn) {
        this.command = command;
        this.dataset = dataset;
        this.errorColumn = errorColumn;
    }

    /** The extractor's subcommand ({@code python3 -m syntaxlake_extract <command>}). */
    public String command() {
        return command;
    }

    public String dataset() {
        return dataset;
    }

    /** The list column that holds a file's error rows. */
    public String errorColumn() {
        return errorColumn;
    }

    public static ExtractKind parse(String text) {
        for (ExtractKind kind : values()) {
            if (kind.command.equals(text)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown extractor '" + text + "' (expected ast or cst)");
    }
}
