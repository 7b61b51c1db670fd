package io.syntaxlake.tasks.manifest;

import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import java.util.List;
import org.apache.arrow.vector.types.pojo.Field;

/** The manifest's three tables: their names and their contracts (config/contracts/manifest_*_v1.json). */
enum ManifestTable {
    RUNS("runs", "manifest_runs_v1"),
    TASKS("tasks", "manifest_tasks_v1"),
    ARTIFACTS("artifacts", "manifest_artifacts_v1");

    private final String table;
    private final DatasetContract contract;

    ManifestTable(String table, String contract) {
        this.table = table;
        this.contract = ContractLoader.load(contract);
    }

    /** The table's name: its directory under {@code <lake>/manifest/}, its name in SQL. */
    String table() {
        return table;
    }

    DatasetContract contract() {
        return contract;
    }

    /** The columns in contract order. */
    List<String> columns() {
        return contract.schema().getFields().stream().map(Field::getName).toList();
    }
}
