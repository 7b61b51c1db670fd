package io.syntaxlake.engine;

/** An invalid session setting, runtime limit or object store option. */
public class EngineConfigurationException extends EngineException {
    public EngineConfigurationException(String message) {
        super(message);
    }

    public EngineConfigurationException(String message, Throwable cause) {
        super(message, cause);
    }
}
