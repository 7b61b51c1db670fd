package io.syntaxlake.engine;

/** A panic inside the native engine, caught before it could reach the JVM. */
public class EnginePanicException extends EngineException {
    public EnginePanicException(String message) {
        super(message);
    }

    public EnginePanicException(String message, Throwable cause) {
        super(message, cause);
    }
}
