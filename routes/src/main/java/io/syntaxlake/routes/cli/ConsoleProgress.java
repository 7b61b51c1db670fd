package io.syntaxlake.routes.cli;

import io.syntaxlake.routes.pipeline.RunProgress;
import java.io.PrintStream;

/**
 * Draws a run on the terminal (stderr, so stdout stays clean for results): a line per finished
 * task attempt and, while files are extracted, a bar redrawn in place. Without a terminal the bar
 * becomes a line every tenth of the way.
 */
final class ConsoleProgress implements RunProgress {
    private static final int WIDTH = 30;

    private final PrintStream err;
    private final boolean terminal;
    private long lastTenth = -1;
    private boolean barShown;

    ConsoleProgress(PrintStream err, boolean terminal) {
        this.err = err;
        this.terminal = terminal;
    }

    @Override
    public synchronized void taskStarted(String task, int attempt) {
        if (attempt > 1) {
            endBar();
            err.printf("  %-12s retry, attempt %d%n", task, attempt);
        }
    }

    @Override
    public synchronized void taskFinished(String task, int attempt, boolean succeeded, long millis, String detail) {
        endBar();
        if (succeeded) {
            err.printf("  %-12s ok      %6.1f s%n", task, millis / 1000.0);
        } else {
            err.printf("  %-12s FAILED  %6.1f s  %s%n", task, millis / 1000.0, detail);
        }
    }

    @Override
    public synchronized void files(String task, long done, long total) {
        if (total <= 0) {
            return;
        }
        if (terminal) {
            int filled = (int) (WIDTH * done / total);
            err.printf("\r  %-12s [%s%s] %d/%d files", task, "#".repeat(filled), ".".repeat(WIDTH - filled), done, total);
            barShown = true;
        } else {
            long tenth = 10 * done / total;
            if (tenth != lastTenth) {
                lastTenth = tenth;
                err.printf("  %-12s %3d%%  %d/%d files%n", task, tenth * 10, done, total);
            }
        }
    }

    private void endBar() {
        if (barShown) {
            err.println();
            barShown = false;
        }
    }
}
