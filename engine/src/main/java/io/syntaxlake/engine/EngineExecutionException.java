package io.syntaxlake.engine;

/** A failure while a plan runs (including errors raised while a result stream is read). */
public class EngineExecutionException extends EngineException {
    public EngineExecutionException(String message) {
        super(message);
    }

    public EngineExecutionException(String message, Throwable cause) {
        super(message, cause);
    }
}
