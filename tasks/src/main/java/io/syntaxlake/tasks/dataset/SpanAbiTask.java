package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ResultTable;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.apache.arrow.vector.types.pojo.Field;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

/**
 * AST plan scope 8: reads the span ABI metadata (line_base, col_unit, end_exclusive) of every
 * span field of a registered table with {@code arrow_metadata} and compares it with the
 * contract's field metadata. This needs the table to be read with {@code skip_metadata = false};
 * a dataset whose span metadata is missing or different fails. The snapshot is
 * {@code datafusion_<prefix>_span_metadata_v1}. Gated on the {@code arrow_metadata} feature.
 */
public final class SpanAbiTask {
    private static final List<String> KEYS = List.of("line_base", "col_unit", "end_exclusive");

    private final EngineSession session;

    public SpanAbiTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<Map<String, Object>> run(DatasetContract contract, String table, FeatureGates.Decision gates) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("schema_identity_hash", contract.identityHash());
        payload.put("datafusion_version", gates.reportedVersion());
        String name = "datafusion_" + contract.views().prefix() + "_span_metadata_v1";
        if (!gates.allows("arrow_metadata")) {
            payload.put("skipped", "arrow_metadata is not available in this engine version");
            return new TaskResult<>(payload, List.of(Artifact.of(name, contract, payload)));
        }
        Map<String, Object> snapshot = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (Field list : contract.schema().getFields()) {
            if (list.getChildren().size() != 1) {
                continue;
            }
            Field span = list.getChildren().get(0).getChildren().stream()
                    .filter(f -> f.getName().equals("span") && f.getMetadata().containsKey("line_base"))
                    .findFirst().orElse(null);
            if (span == null) {
                continue;
            }
            String column = "t." + quote(list.getName());
            StringBuilder select = new StringBuilder("SELECT ");
            for (String key : KEYS) {
                select.append("arrow_metadata(").append(column).append("[1]['span'], ").append(literal(key)).append(") AS ")
                        .append(quote(key)).append(", ");
            }
            // the metadata and the type belong to the table's schema, not to a row: one row, even
            // from a table without rows (a run that extracted nothing new), reads them
            select.append("arrow_typeof(").append(column).append("[1]['span']) AS span_type FROM (VALUES (1)) AS one(x)")
                    .append(" LEFT JOIN (SELECT ").append(quote(list.getName())).append(" FROM ").append(quote(table))
                    .append(" LIMIT 1) AS t ON true");
            ResultTable row = session.collect(select.toString());
            Map<String, Object> found = new LinkedHashMap<>();
            for (String key : KEYS) {
                Object value = row.rows().get(0).get(row.columnNames().indexOf(key));
                found.put(list.getName() + "_" + key, value);
                String expected = span.getMetadata().get(key);
                if (!Objects.equals(expected, value == null ? null : value.toString().toLowerCase(java.util.Locale.ROOT))) {
                    problems.add(list.getName() + ".span " + key + ": " + expected + " expected, found "
                            + (value == null ? "missing" : value));
                }
            }
            found.put(list.getName() + "_span_type", row.rows().get(0).get(row.columnNames().indexOf("span_type")));
            snapshot.put(list.getName(), found);
        }
        payload.put("metadata", snapshot);
        payload.put("mismatches", problems);
        Artifact artifact = Artifact.of(name, contract, payload);
        if (!problems.isEmpty()) {
            throw new TaskFailedException("span ABI check of " + table + " failed: " + String.join("; ", problems),
                    List.of(artifact));
        }
        return new TaskResult<>(payload, List.of(artifact));
    }
}
