package io.syntaxlake.tasks.dataset;

import java.util.List;

/** What a write produced: rows, data files and bytes; the generation written and those replaced. */
public record MaterializeResult(String mode, String location, String generation, long rows, long files, long bytes,
                                List<String> replacedGenerations) {
    public MaterializeResult {
        replacedGenerations = List.copyOf(replacedGenerations);
    }
}
