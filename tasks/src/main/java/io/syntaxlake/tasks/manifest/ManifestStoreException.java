package io.syntaxlake.tasks.manifest;

/** A manifest store could not read or write; the message names the store and what it was doing. */
public final class ManifestStoreException extends RuntimeException {
    public ManifestStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
