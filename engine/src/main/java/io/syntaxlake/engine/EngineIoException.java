package io.syntaxlake.engine;

/** A failure of storage: files, object stores, Parquet decoding. */
public class EngineIoException extends EngineException {
    public EngineIoException(String message) {
        super(message);
    }

    public EngineIoException(String message, Throwable cause) {
        super(message, cause);
    }
}
