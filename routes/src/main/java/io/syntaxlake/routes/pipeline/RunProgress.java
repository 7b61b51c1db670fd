package io.syntaxlake.routes.pipeline;

/** Watches a run as it goes: the CLI draws it, the server logs it. Called from the tasks' threads. */
public interface RunProgress {
    RunProgress NONE = new RunProgress() { };

    default void taskStarted(String task, int attempt) {
    }

    default void taskFinished(String task, int attempt, boolean succeeded, long millis, String detail) {
    }

    /** Files extracted so far out of those found. */
    default void files(String task, long done, long total) {
    }
}
