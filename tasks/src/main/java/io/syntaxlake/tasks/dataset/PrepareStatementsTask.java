package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.syntaxlake.engine.SqlIdentifiers.literal;
import static io.syntaxlake.engine.SqlIdentifiers.quote;

/**
 * LibCST plan scope 9, for either dataset: the contract's lookups ({@code views.prepared})
 * prepared as typed statements ({@code PREPARE name(type) AS SELECT * FROM view WHERE column =
 * $1}) after checking, through information_schema, that the parameter's type is the type of
 * the column it is compared with. The inventory is {@code datafusion_prepared_statements_v1}.
 * Run {@code EXECUTE name('value')} to use one.
 */
public final class PrepareStatementsTask {
    /** SQL names of the Arrow types a lookup parameter may have. */
    private static final Map<String, String> SQL_TYPES = Map.of("Utf8", "VARCHAR", "Int32", "INT", "Int64", "BIGINT",
            "Boolean", "BOOLEAN");

    private final EngineSession session;

    public PrepareStatementsTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<List<String>> run(DatasetContract contract) {
        List<Map<String, Object>> inventory = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, DatasetContract.PreparedLookup> entry : contract.views().prepared().entrySet()) {
            String name = entry.getKey();
            DatasetContract.PreparedLookup lookup = entry.getValue();
            String sqlType = SQL_TYPES.get(lookup.type());
            List<Object> columnType = session.collect("SELECT data_type FROM information_schema.columns WHERE table_name = "
                    + literal(lookup.view()) + " AND column_name = " + literal(lookup.column())).column("data_type");
            if (sqlType == null) {
                problems.add(name + ": parameter type " + lookup.type() + " is not one of " + SQL_TYPES.keySet());
            } else if (columnType.isEmpty()) {
                problems.add(name + ": " + lookup.view() + "." + lookup.column() + " does not exist");
            } else if (!lookup.type().equals(columnType.get(0))) {
                problems.add(name + ": parameter type " + lookup.type() + " but " + lookup.view() + "." + lookup.column()
                        + " is " + columnType.get(0));
            }
            String sql = "SELECT * FROM " + quote(lookup.view()) + " WHERE " + quote(lookup.column()) + " = $1";
            Map<String, Object> statement = new LinkedHashMap<>();
            statement.put("name", name);
            statement.put("sql", sql);
            statement.put("param_types", List.of(lookup.type()));
            inventory.add(statement);
            if (problems.isEmpty()) {
                session.execute("PREPARE " + quote(name) + "(" + sqlType + ") AS " + sql);
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("statements", inventory);
        payload.put("problems", problems);
        Artifact artifact = Artifact.of("datafusion_prepared_statements_v1", contract, payload);
        if (!problems.isEmpty()) {
            throw new TaskFailedException("prepared statements of " + contract.name() + ": " + String.join("; ", problems),
                    List.of(artifact));
        }
        return new TaskResult<>(List.copyOf(contract.views().prepared().keySet()), List.of(artifact));
    }
}
