package io.syntaxlake.tasks.extract;

import java.nio.file.Path;

/**
 * What an extraction produced: one row per file ({@code rows == files}), how many files carry
 * error rows, the source bytes read, the part files written and the extractor's own wall time.
 */
public record ExtractResult(ExtractKind kind, Path output, long files, long rows, long errorRows, long errorFiles,
                            long bytes, int parts, double seconds) {
}
