package io.syntaxlake.tasks.extract;

/** The extractor could not run at all (bad source directory, missing libcst, crashed interpreter). */
public class ExtractFailedException extends RuntimeException {
    public ExtractFailedException(String message) {
        super(message);
    }

    public ExtractFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
