package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.Lake;

/**
 * Write the rows of {@code sourceTable} (registered in the session, e.g. the extract's staging
 * table) into the contract's dataset in {@code lake}, laid out as the contract's {@code layout}.
 * {@code REPLACE} writes a new generation with COPY and commits it; {@code APPEND} runs INSERT
 * INTO the registered table {@code targetTable} (its current generation).
 */
public record MaterializeRequest(DatasetContract contract, String sourceTable, Lake lake, String layout,
                                 String runId, Mode mode, String targetTable) {

    public enum Mode { REPLACE, APPEND }

    public static MaterializeRequest replace(DatasetContract contract, String sourceTable, Lake lake,
                                             String runId) {
        return new MaterializeRequest(contract, sourceTable, lake, contract.table().defaultLayout(), runId,
                Mode.REPLACE, contract.name());
    }

    public MaterializeRequest withLayout(String newLayout) {
        return new MaterializeRequest(contract, sourceTable, lake, newLayout, runId, mode, targetTable);
    }

    public MaterializeRequest appendingTo(String table) {
        return new MaterializeRequest(contract, sourceTable, lake, layout, runId, Mode.APPEND, table);
    }
}
