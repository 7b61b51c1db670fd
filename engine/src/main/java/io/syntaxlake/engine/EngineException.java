package io.syntaxlake.engine;

/** A failure reported by the DataFusion engine; its message is DataFusion's own. */
public class EngineException extends RuntimeException {
    public EngineException(String message) {
        super(message);
    }

    public EngineException(String message, Throwable cause) {
        super(message, cause);
    }
}
