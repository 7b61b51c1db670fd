package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * LibCST plan scope 2, for either dataset: the contract's {@code default_value} field metadata is
 * the registered table's column default (the engine turns it into the provider's default at
 * registration, so an INSERT that omits the column gets it; no task fills values itself). This
 * task reads the defaults back from the provider (information_schema.columns.column_default is
 * always NULL in DataFusion) and records them in {@code datafusion_<p>_schema_diagnostics_v1};
 * a declared default the provider does not hold fails.
 */
public final class ColumnDefaultsTask {
    private final EngineSession session;

    public ColumnDefaultsTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<Map<String, String>> run(DatasetContract contract, String table) {
        Map<String, String> declared = new LinkedHashMap<>();
        for (Field field : contract.schema().getFields()) {
            String value = field.getMetadata().get("default_value");
            if (value != null) {
                declared.put(field.getName(), value);
            }
        }
        Map<String, String> provider = session.columnDefaults(table);
        List<String> missing = declared.keySet().stream().filter(c -> !provider.containsKey(c)).toList();
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("table", table);
        payload.put("schema_identity_hash", contract.identityHash());
        payload.put("default_values", declared.entrySet().stream()
                .map(e -> Map.of("path", e.getKey(), "default_value", e.getValue())).toList());
        payload.put("provider_defaults", provider);
        payload.put("missing_defaults", missing);
        Artifact artifact = Artifact.of("datafusion_" + contract.views().prefix() + "_schema_diagnostics_v1", contract, payload);
        if (!missing.isEmpty()) {
            throw new TaskFailedException("table " + table + " holds no column default for " + missing
                    + " although the contract declares one", List.of(artifact));
        }
        return new TaskResult<>(provider, List.of(artifact));
    }
}
