package io.syntaxlake.routes.camel;

/** A task's last attempt failed: names the task, so the run can say which one stopped it. */
public class TaskError extends RuntimeException {
    private final String route;
    private final String task;
    private final int attempt;

    public TaskError(String route, String task, int attempt, Throwable cause) {
        super(route + "." + task + " failed on attempt " + attempt + ": " + describe(cause), cause);
        this.route = route;
        this.task = task;
        this.attempt = attempt;
    }

    /** The failure as one line: its type and message. */
    public static String describe(Throwable failure) {
        String message = failure.getMessage();
        return failure.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /** The task error in {@code failure}'s cause chain (Camel may wrap it, e.g. in a parallel layer). */
    public static java.util.Optional<TaskError> in(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof TaskError error) {
                return java.util.Optional.of(error);
            }
        }
        return java.util.Optional.empty();
    }

    public String route() {
        return route;
    }

    public String task() {
        return task;
    }

    public int attempt() {
        return attempt;
    }
}
