package io.syntaxlake.tasks.manifest;

import java.util.Locale;

/** The state of a run; stored as its lowercase name ({@code running}, {@code succeeded}, {@code failed}). */
public enum RunStatus {
    RUNNING, SUCCEEDED, FAILED;

    /** The stored form. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status whose stored form is {@code text} (case-insensitive). */
    public static RunStatus parse(String text) {
        for (RunStatus status : values()) {
            if (status.text().equalsIgnoreCase(text)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown run status '" + text + "' (expected running, succeeded or failed)");
    }
}
