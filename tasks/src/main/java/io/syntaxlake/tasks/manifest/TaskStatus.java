package io.syntaxlake.tasks.manifest;

import java.util.Locale;

/** How a task attempt ended; stored as its lowercase name ({@code succeeded}, {@code failed}, {@code skipped}). */
public enum TaskStatus {
    SUCCEEDED, FAILED, SKIPPED;

    /** The stored form. */
    public String text() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The status whose stored form is {@code text} (case-insensitive). */
    public static TaskStatus parse(String text) {
        for (TaskStatus status : values()) {
            if (status.text().equalsIgnoreCase(text)) {
                return status;
            }
        }
        throw new IllegalArgumentException("unknown task status '" + text + "' (expected succeeded, failed or skipped)");
    }
}
