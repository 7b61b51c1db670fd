package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.LakeLocation;

/**
 * Write the rows of {@code sourceTable} (registered in the session, e.g. the extract's staging
 * table) into the dataset directory {@code dataset}, laid out as the contract's {@code layout}.
 * {@code REPLACE} writes a new generation with COPY and commits it; {@code APPEND} runs INSERT
 * INTO the registered table {@code targetTable} (its current generation).
 */
public record MaterializeRequest(DatasetContract contract, String sourceTable, LakeLocation dataset, String layout,
                                 String runId, Mode mode, String targetTable) {

    public enum Mode { REPLACE, APPEND }

    public static MaterializeRequest replace(DatasetContract contract, String sourceTable, LakeLocation dataset,
                                             String runId) {
        return new MaterializeRequest(contract, sourceTable, dataset, contract.table().defaultLayout(), runId,
                Mode.REPLACE, contract.name());
    }

    public MaterializeRequest withLayout(String newLayout) {
        return new MaterializeRequest(contract, sourceTable, dataset, newLayout, runId, mode, targetTable);
    }

    public MaterializeRequest appendingTo(String table) {
        return new MaterializeRequest(contract, sourceTable, dataset, layout, runId, Mode.APPEND, table);
    }
}
