package io.syntaxlake.engine;

/** The memory pool or spill space of the session is exhausted. */
public class EngineResourcesExhaustedException extends EngineException {
    public EngineResourcesExhaustedException(String message) {
        super(message);
    }

    public EngineResourcesExhaustedException(String message, Throwable cause) {
        super(message, cause);
    }
}
