package io.syntaxlake.routes.camel;

import io.delta.kernel.exceptions.ConcurrentWriteException;
import io.syntaxlake.engine.EngineIoException;
import io.syntaxlake.engine.EngineResourcesExhaustedException;
import io.syntaxlake.tasks.core.TaskFailedException;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Which failures a retry can cure. A task that found its input wrong (a drifted schema, a null
 * identity, a bad location: {@link TaskFailedException}), a bad argument or a timeout fails the
 * same way again, so it is not retried; I/O errors, memory pressure and lost write races are.
 */
public final class RetryPolicy {
    private RetryPolicy() {
    }

    public static boolean isTransient(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TaskFailedException || t instanceof IllegalArgumentException
                    || t instanceof TaskTimeoutException) {
                return false;
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof EngineIoException
                    || t instanceof EngineResourcesExhaustedException || t instanceof ConcurrentWriteException) {
                return true;
            }
        }
        return false;
    }
}
