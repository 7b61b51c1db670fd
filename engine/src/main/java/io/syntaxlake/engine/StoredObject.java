package io.syntaxlake.engine;

/** An object found under a location: its path relative to that location, and its size. */
public record StoredObject(String path, long size) {
}
