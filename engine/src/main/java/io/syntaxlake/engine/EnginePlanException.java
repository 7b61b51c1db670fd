package io.syntaxlake.engine;

/** SQL that does not parse or plan: syntax errors, unknown tables or columns, schema errors. */
public class EnginePlanException extends EngineException {
    public EnginePlanException(String message) {
        super(message);
    }

    public EnginePlanException(String message, Throwable cause) {
        super(message, cause);
    }
}
