package io.syntaxlake.engine;

/** A feature DataFusion does not implement (for example INSERT OVERWRITE into a listing table). */
public class EngineNotImplementedException extends EngineException {
    public EngineNotImplementedException(String message) {
        super(message);
    }

    public EngineNotImplementedException(String message, Throwable cause) {
        super(message, cause);
    }
}
