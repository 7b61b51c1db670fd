package io.syntaxlake.tasks.dataset;

import io.syntaxlake.tasks.core.TaskFailedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A write of one repository's rows, leaving the other repositories' data files as they are.
 * Without {@code droppedPaths} the new rows replace all of the repository's rows (a full run);
 * with them the run is incremental: the rows of those paths go (changed and deleted files; the
 * changed ones come back among the new rows) and every other row stays where it is.
 * {@code sourceIndex}, the run's source index (an Arrow IPC file), is stored with the table
 * version, so that the next run knows what it holds. {@code basedOn} is the version (see
 * {@link CommittedIndex#version()}) whose index the incremental run compared the tree with: a
 * write into any other version is refused, since the dropped paths describe that one only.
 */
public record RepositoryWrite(String repo, Optional<Set<String>> droppedPaths, Optional<Path> sourceIndex,
                              Optional<String> basedOn) {
    public RepositoryWrite {
        droppedPaths = droppedPaths.map(Set::copyOf);
    }

    /** All of {@code repo}'s rows are replaced. */
    public static RepositoryWrite replacing(String repo, Optional<Path> sourceIndex) {
        return new RepositoryWrite(repo, Optional.empty(), sourceIndex, Optional.empty());
    }

    /** Only the rows of {@code dropped} paths are replaced, in the table version {@code basedOn}. */
    public static RepositoryWrite changing(String repo, Set<String> dropped, Path sourceIndex, String basedOn) {
        return new RepositoryWrite(repo, Optional.of(dropped), Optional.of(sourceIndex), Optional.of(basedOn));
    }

    /**
     * Refuses the write when the table is at {@code current} (the version it would merge into)
     * and the run compared the tree with another one.
     */
    public void checkBase(String table, String current) {
        basedOn.filter(base -> !base.equals(current)).ifPresent(base -> {
            throw new TaskFailedException("write of " + repo + " into " + table
                    + ": the run compared the tree with version " + base + ", but another write committed version "
                    + current + " since; nothing was committed, the next run starts from the new version",
                    List.of());
        });
    }

    public boolean incremental() {
        return droppedPaths.isPresent();
    }
}
