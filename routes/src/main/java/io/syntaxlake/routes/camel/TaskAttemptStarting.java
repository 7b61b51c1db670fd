package io.syntaxlake.routes.camel;

/**
 * A CDI event fired synchronously just before a task attempt runs. Observers may log or count; an
 * observer that throws fails the attempt as if the task had thrown (the tests use this to inject
 * a transient fault and watch the retry).
 */
public record TaskAttemptStarting(String runId, String route, String task, int attempt) {
}
