package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.QueryResult;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.vector.types.pojo.Field;

import static io.syntaxlake.engine.SqlIdentifiers.quote;

/**
 * LibCST plan scope 7, for either dataset: the contract's hot projections ({@code
 * table.scan_projections}) over a registered dataset table. A projection made only of the
 * table's top-level column names is safe to push into the scan: it is registered as a scan-time
 * projection, a table whose scans are the dataset's own scan restricted to those columns (no view
 * is planned, and nothing else is visible). A projection with any other expression cannot be
 * pushed into a scan and becomes a view {@code SELECT <exprs> FROM <table>}, with the reason.
 * Each one is recorded in {@code datafusion_<p>_scan_projections_v1} with its mode, its columns
 * and the columns the physical scan reads; a scan-time projection whose scan reads anything else
 * fails the task.
 */
public final class ScanProjectionsTask {
    private static final Pattern SCAN_PROJECTION = Pattern.compile("DataSourceExec:.*?projection=\\[([^\\]]*)\\]");

    private final EngineSession session;

    public ScanProjectionsTask(EngineSession session) {
        this.session = session;
    }

    /** Registers every projection of {@code contract} over {@code table}; returns their names. */
    public TaskResult<List<String>> run(DatasetContract contract, String table) {
        List<String> columns = columnsOf(table);
        List<Map<String, Object>> records = new ArrayList<>();
        List<String> failures = new ArrayList<>();
        for (var entry : contract.table().scanProjections().entrySet()) {
            try {
                records.add(register(entry.getKey(), entry.getValue(), table, columns));
            } catch (EngineException e) {
                failures.add(entry.getKey() + " " + entry.getValue() + ": " + e.getMessage());
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("source_table", table);
        payload.put("projections", records);
        payload.put("errors", failures);
        Artifact artifact = Artifact.of("datafusion_" + contract.views().prefix() + "_scan_projections_v1", contract, payload);
        List<String> unsafe = records.stream().filter(r -> "scan".equals(r.get("mode")))
                .filter(r -> !r.get("scan_columns").equals(r.get("columns")))
                .map(r -> r.get("name") + " reads " + r.get("scan_columns") + " instead of " + r.get("columns")).toList();
        failures.addAll(unsafe);
        if (!failures.isEmpty()) {
            throw new TaskFailedException("scan projections over " + table + ": " + String.join("; ", failures),
                    List.of(artifact));
        }
        return new TaskResult<>(records.stream().map(r -> (String) r.get("name")).toList(), List.of(artifact));
    }

    private Map<String, Object> register(String name, List<String> exprs, String table, List<String> tableColumns) {
        // a rerun replaces what an earlier one made, whichever mode it was in
        session.execute("DROP VIEW IF EXISTS " + quote(name));
        session.execute("DROP TABLE IF EXISTS " + quote(name));
        Optional<String> notAColumn = exprs.stream().filter(e -> !tableColumns.contains(e)).findFirst();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("name", name);
        record.put("projection_exprs", exprs);
        if (notAColumn.isEmpty()) {
            session.registerProjection(name, table, exprs);
            record.put("mode", "scan");
            record.put("reason", "only top-level columns: pushed into the scan of " + table);
        } else {
            session.execute("CREATE VIEW " + quote(name) + " AS SELECT " + String.join(", ", exprs) + " FROM " + quote(table));
            record.put("mode", "view");
            record.put("reason", "'" + notAColumn.get() + "' is not a column of " + table
                    + ": an expression cannot be pushed into the scan");
        }
        record.put("columns", columnsOf(name));
        record.put("scan_columns", scanColumns(session.plans("SELECT * FROM " + quote(name)).physical()));
        return record;
    }

    private List<String> columnsOf(String table) {
        try (QueryResult result = session.sql("SELECT * FROM " + quote(table) + " LIMIT 0")) {
            return result.schema().getFields().stream().map(Field::getName).toList();
        }
    }

    /** The columns the plan's data source reads, from its {@code projection=[...]}; empty when it reads all. */
    static List<String> scanColumns(String physicalPlan) {
        Matcher matcher = SCAN_PROJECTION.matcher(physicalPlan);
        if (!matcher.find()) {
            return List.of();
        }
        return List.of(matcher.group(1).split(",\\s*"));
    }
}
