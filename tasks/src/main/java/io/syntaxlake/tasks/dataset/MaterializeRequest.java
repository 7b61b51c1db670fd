package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.Lake;

/**
 * Write the rows of {@code sourceTable} (registered in the session, e.g. the extract's staging
 * table) into the contract's dataset in {@code lake}, laid out as the contract's {@code layout}.
 * {@code REPLACE} writes a new generation with COPY and commits it; {@code APPEND} runs INSERT
 * INTO the registered table {@code targetTable} (its current generation). A replace sorts the
 * source into the layout's order unless {@code sourceInLayoutOrder} says its files, read one after
 * the other in name order, already give that order (see {@link LayoutCopy}).
 */
public record MaterializeRequest(DatasetContract contract, String sourceTable, Lake lake, String layout,
                                 String runId, Mode mode, String targetTable, boolean sourceInLayoutOrder) {

    public enum Mode { REPLACE, APPEND }

    public static MaterializeRequest replace(DatasetContract contract, String sourceTable, Lake lake,
                                             String runId) {
        return new MaterializeRequest(contract, sourceTable, lake, contract.table().defaultLayout(), runId,
                Mode.REPLACE, contract.name(), false);
    }

    public MaterializeRequest withLayout(String newLayout) {
        return new MaterializeRequest(contract, sourceTable, lake, newLayout, runId, mode, targetTable,
                sourceInLayoutOrder);
    }

    /** The source's files, read in name order, give its rows in the layout's order: no sort. */
    public MaterializeRequest withSourceInLayoutOrder() {
        return new MaterializeRequest(contract, sourceTable, lake, layout, runId, mode, targetTable, true);
    }

    public MaterializeRequest appendingTo(String table) {
        return new MaterializeRequest(contract, sourceTable, lake, layout, runId, Mode.APPEND, table,
                sourceInLayoutOrder);
    }
}
