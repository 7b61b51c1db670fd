package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.DatasetGenerations;
import io.syntaxlake.tasks.lake.Lake;
import java.util.Optional;

/**
 * The source index stored with a table version for one repository: what its rows were made
 * from (every file's path, size, modification time and digest, and the extraction configuration),
 * the next run's known sources. Absent for versions written before indexes were stored, or in
 * another layout than the contract's default (a full run then rewrites the repository).
 */
public final class SourceIndexes {
    private SourceIndexes() {
    }

    /** The index committed with the current Parquet generation of {@code contract}'s dataset for {@code repo}. */
    public static Optional<CommittedIndex> ofGeneration(EngineSession session, Lake lake, DatasetContract contract,
                                                        String repo) {
        DatasetGenerations generations = new DatasetGenerations(session, lake, contract.name());
        return generations.current()
                .filter(c -> c.layoutOr(contract.table().defaultLayout()).equals(contract.table().defaultLayout()))
                .flatMap(c -> session.readObject(RepositoryGeneration.indexOf(generations.location(c.generation()), repo))
                        .map(bytes -> new CommittedIndex(bytes, c.generation())));
    }
}
