package io.syntaxlake.tasks.dataset;

import java.util.List;

/**
 * What a write produced: the dataset's rows after it, the data files written and their bytes,
 * the files carried over unchanged from the previous generation; the generation written and those
 * replaced.
 */
public record MaterializeResult(String mode, String location, String generation, long rows, long files, long bytes,
                                long carriedFiles, List<String> replacedGenerations) {
    public MaterializeResult {
        replacedGenerations = List.copyOf(replacedGenerations);
    }
}
