package io.syntaxlake.engine;

/** A call on a session that was already closed. */
public class EngineClosedException extends IllegalStateException {
    public EngineClosedException(String message) {
        super(message);
    }
}
