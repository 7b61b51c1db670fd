package io.syntaxlake.routes.testing;

import io.syntaxlake.routes.camel.TaskAttemptStarting;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Makes the first attempt of one chosen task fail with an I/O error (a transient fault), once:
 * the real task then runs on the retry. Armed by a test right before the run it watches.
 */
@ApplicationScoped
public class FaultInjector {
    private final AtomicReference<String> armed = new AtomicReference<>();

    public void failFirstAttemptOf(String route, String task) {
        armed.set(route + "." + task);
    }

    void onAttempt(@Observes TaskAttemptStarting attempt) {
        String target = attempt.route() + "." + attempt.task();
        // compareAndSet compares references; the armed string is an equal, not the same, object
        if (attempt.attempt() == 1 && target.equals(armed.getAndUpdate(a -> target.equals(a) ? null : a))) {
            throw new UncheckedIOException(new IOException("injected transient fault in " + target));
        }
    }
}
