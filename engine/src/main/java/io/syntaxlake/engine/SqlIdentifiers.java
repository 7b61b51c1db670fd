package io.syntaxlake.engine;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Quotes identifiers and literals that SQL text is built from. Everything that comes from input
 * (table names, locations, option values) passes through here, never straight into SQL.
 */
public final class SqlIdentifiers {
    private SqlIdentifiers() {
    }

    /** A double-quoted identifier; embedded quotes are doubled, control characters rejected. */
    public static String quote(String identifier) {
        if (identifier == null || identifier.isEmpty()) {
            throw new IllegalArgumentException("an SQL identifier must not be empty");
        }
        rejectControlCharacters("identifier", identifier);
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }

    /** A qualified name such as {@code "datafusion"."default"."ast_files_v1"}. */
    public static String quoteQualified(List<String> parts) {
        if (parts.isEmpty() || parts.size() > 3) {
            throw new IllegalArgumentException("a table name has one to three parts, got " + parts);
        }
        return parts.stream().map(SqlIdentifiers::quote).collect(Collectors.joining("."));
    }

    /** A single-quoted string literal; embedded quotes are doubled, control characters rejected. */
    public static String literal(String value) {
        if (value == null) {
            throw new IllegalArgumentException("an SQL literal must not be null");
        }
        rejectControlCharacters("literal", value);
        return '\'' + value.replace("'", "''") + '\'';
    }

    private static void rejectControlCharacters(String what, String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw new IllegalArgumentException("an SQL " + what + " must not contain control characters: "
                        + text.replace("\n", "\\n"));
            }
        }
    }
}
