package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.LakeLocation;

/**
 * Register the dataset directory {@code dataset} (local or s3://) as table {@code table}, laid out
 * as the contract's {@code layout}; {@code collectStatistics} is applied to the session and
 * recorded.
 */
public record RegisterRequest(DatasetContract contract, LakeLocation dataset, String table, String layout,
                              boolean collectStatistics) {

    public static RegisterRequest of(DatasetContract contract, LakeLocation dataset) {
        return new RegisterRequest(contract, dataset, contract.name(), contract.table().defaultLayout(),
                contract.table().collectStatistics());
    }

    public RegisterRequest withLayout(String newLayout) {
        return new RegisterRequest(contract, dataset, table, newLayout, collectStatistics);
    }

    public RegisterRequest withTable(String newTable) {
        return new RegisterRequest(contract, dataset, newTable, layout, collectStatistics);
    }

    public RegisterRequest withCollectStatistics(boolean collect) {
        return new RegisterRequest(contract, dataset, table, layout, collect);
    }
}
