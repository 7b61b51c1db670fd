package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.lake.Lake;

/**
 * Register the contract's dataset in {@code lake} (local or s3://) as table {@code table}, laid out
 * as the contract's {@code layout}; {@code collectStatistics} is applied to the session and
 * recorded.
 */
public record RegisterRequest(DatasetContract contract, Lake lake, String table, String layout,
                              boolean collectStatistics) {

    public static RegisterRequest of(DatasetContract contract, Lake lake) {
        return new RegisterRequest(contract, lake, contract.name(), contract.table().defaultLayout(),
                contract.table().collectStatistics());
    }

    public RegisterRequest withLayout(String newLayout) {
        return new RegisterRequest(contract, lake, table, newLayout, collectStatistics);
    }

    public RegisterRequest withTable(String newTable) {
        return new RegisterRequest(contract, lake, newTable, layout, collectStatistics);
    }

    public RegisterRequest withCollectStatistics(boolean collect) {
        return new RegisterRequest(contract, lake, table, layout, collect);
    }
}
