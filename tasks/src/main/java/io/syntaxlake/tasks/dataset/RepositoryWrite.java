package io.syntaxlake.tasks.dataset;

import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;

/**
 * A write of one repository's rows, leaving the other repositories' data files as they are.
 * Without {@code droppedPaths} the new rows replace all of the repository's rows (a full run);
 * with them the run is incremental: the rows of those paths go (changed and deleted files; the
 * changed ones come back among the new rows) and every other row stays where it is.
 * {@code sourceIndex}, the run's source index (an Arrow IPC file), is stored with the table
 * version, so that the next run knows what it holds.
 */
public record RepositoryWrite(String repo, Optional<Set<String>> droppedPaths, Optional<Path> sourceIndex) {
    public RepositoryWrite {
        droppedPaths = droppedPaths.map(Set::copyOf);
    }

    /** All of {@code repo}'s rows are replaced. */
    public static RepositoryWrite replacing(String repo, Optional<Path> sourceIndex) {
        return new RepositoryWrite(repo, Optional.empty(), sourceIndex);
    }

    /** Only the rows of {@code dropped} paths are replaced. */
    public static RepositoryWrite changing(String repo, Set<String> dropped, Path sourceIndex) {
        return new RepositoryWrite(repo, Optional.of(dropped), Optional.of(sourceIndex));
    }

    public boolean incremental() {
        return droppedPaths.isPresent();
    }
}
