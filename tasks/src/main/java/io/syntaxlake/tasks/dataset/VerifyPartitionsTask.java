package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ListingLayout;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * LibCST plan scope 5, for either dataset: a registered listing table's file schema and
 * partition columns, read from the provider itself (information_schema only shows the merged
 * table schema), checked against the contract's layout: the file schema field by field with
 * metadata, the partition columns by name, order and type. Recorded as
 * {@code datafusion_<p>_partition_verification_v1}; a mismatch fails.
 */
public final class VerifyPartitionsTask {
    private final EngineSession session;

    public VerifyPartitionsTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<ListingLayout> run(DatasetContract contract, String table, String layoutName) {
        DatasetContract.Layout layout = MaterializeTask.layout(contract, layoutName);
        ListingLayout actual = session.listingLayout(table);
        List<String> problems = new ArrayList<>(SchemaDiff.of(contract.fileSchema(layout), actual.fileSchema(), true));
        Map<String, String> expectedPartitions = new LinkedHashMap<>();
        layout.partitionBy().forEach(p -> expectedPartitions.put(p, "Utf8"));
        if (!List.copyOf(expectedPartitions.entrySet()).equals(List.copyOf(actual.partitionColumns().entrySet()))) {
            problems.add("partition columns " + expectedPartitions + " expected, the provider has " + actual.partitionColumns());
        }
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("file_schema", actual.fileSchema().getFields().stream().map(Field::getName).toList());
        snapshot.put("partition_cols", actual.partitionColumns().entrySet().stream()
                .map(e -> Map.of("name", e.getKey(), "dtype", e.getValue())).toList());
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("table", table);
        payload.put("layout", layoutName);
        payload.put("table_schema_snapshot", snapshot);
        payload.put("expected_partition_cols", List.copyOf(expectedPartitions.keySet()));
        payload.put("mismatches", problems);
        Artifact artifact = Artifact.of("datafusion_" + contract.views().prefix() + "_partition_verification_v1",
                contract, payload);
        if (!problems.isEmpty()) {
            throw new TaskFailedException("partition verification of " + table + " failed: " + String.join("; ", problems),
                    List.of(artifact));
        }
        return new TaskResult<>(actual, List.of(artifact));
    }
}
