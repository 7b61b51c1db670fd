package io.syntaxlake.engine;

/**
 * An object found under a location: its path relative to that location, its size, and when it
 * was last modified (milliseconds since the epoch).
 */
public record StoredObject(String path, long size, long lastModifiedMillis) {
}
