package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.Lake;
import java.util.Optional;

/**
 * Write the rows of {@code sourceTable} (registered in the session, e.g. the extract's staging
 * table) into the contract's dataset in {@code lake}, laid out as the contract's {@code layout}.
 * {@code REPLACE} writes a new generation with COPY and commits it; {@code APPEND} runs INSERT
 * INTO the registered table {@code targetTable} (its current generation). A replace sorts the
 * source into the layout's order unless {@code sourceInLayoutOrder} says its files, read one after
 * the other in name order, already give that order (see {@link LayoutCopy}). A replace of one
 * {@code repository} ({@link RepositoryWrite}) keeps the other repositories' files and, when
 * incremental, the repository's own files that hold no changed path.
 */
public record MaterializeRequest(DatasetContract contract, String sourceTable, Lake lake, String layout,
                                 String runId, Mode mode, String targetTable, boolean sourceInLayoutOrder,
                                 Optional<RepositoryWrite> repository) {

    public enum Mode { REPLACE, APPEND }

    public static MaterializeRequest replace(DatasetContract contract, String sourceTable, Lake lake,
                                             String runId) {
        return new MaterializeRequest(contract, sourceTable, lake, contract.table().defaultLayout(), runId,
                Mode.REPLACE, contract.name(), false, Optional.empty());
    }

    public MaterializeRequest withLayout(String newLayout) {
        return new MaterializeRequest(contract, sourceTable, lake, newLayout, runId, mode, targetTable,
                sourceInLayoutOrder, repository);
    }

    /** The source's files, read in name order, give its rows in the layout's order: no sort. */
    public MaterializeRequest withSourceInLayoutOrder() {
        return new MaterializeRequest(contract, sourceTable, lake, layout, runId, mode, targetTable, true, repository);
    }

    public MaterializeRequest appendingTo(String table) {
        return new MaterializeRequest(contract, sourceTable, lake, layout, runId, Mode.APPEND, table,
                sourceInLayoutOrder, Optional.empty());
    }

    /** Replaces (or, incremental, changes) the rows of one repository only. */
    public MaterializeRequest forRepository(RepositoryWrite write) {
        return new MaterializeRequest(contract, sourceTable, lake, layout, runId, mode, targetTable,
                sourceInLayoutOrder, Optional.of(write));
    }
}
