package io.syntaxlake.tasks.extract;

/** Receives the extractor's progress: files done out of the files found, after every batch. */
@FunctionalInterface
public interface ExtractProgress {
    ExtractProgress NONE = (done, total) -> { };

    void files(long done, long total);
}
