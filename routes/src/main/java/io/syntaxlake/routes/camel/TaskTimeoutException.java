package io.syntaxlake.routes.camel;

import java.time.Duration;

/** A task ran past its timeout; the attempt is recorded as failed and not retried. */
public class TaskTimeoutException extends RuntimeException {
    public TaskTimeoutException(String route, String task, Duration timeout) {
        super("task " + route + "." + task + " did not finish within its timeout of " + timeout);
    }
}
