package io.syntaxlake.engine;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Errors raised while a result stream is read reach Java through the C stream interface, which
 * carries only a message. The native side puts the exception class in front of DataFusion's
 * message ({@code [EngineIoException] ...}, see engine/native/src/result_stream.rs); this turns it
 * back into the same typed exception a JNI call would have thrown.
 */
final class StreamErrors {
    private static final Pattern TAG = Pattern.compile("\\[(Engine[A-Za-z]*Exception)] ");

    private StreamErrors() {
    }

    static EngineException toEngineException(Exception error, String context) {
        String raw = String.valueOf(error.getMessage());
        Matcher tag = TAG.matcher(raw);
        if (!tag.find()) {
            return new EngineExecutionException(raw + context, error);
        }
        String message = raw.substring(tag.end()) + context;
        return switch (tag.group(1)) {
            case "EnginePlanException" -> new EnginePlanException(message, error);
            case "EngineIoException" -> new EngineIoException(message, error);
            case "EngineResourcesExhaustedException" -> new EngineResourcesExhaustedException(message, error);
            case "EngineNotImplementedException" -> new EngineNotImplementedException(message, error);
            case "EngineConfigurationException" -> new EngineConfigurationException(message, error);
            case "EnginePanicException" -> new EnginePanicException(message, error);
            case "EngineExecutionException" -> new EngineExecutionException(message, error);
            default -> new EngineException(message, error);
        };
    }
}
