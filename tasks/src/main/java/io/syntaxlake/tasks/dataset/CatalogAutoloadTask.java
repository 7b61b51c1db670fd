package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import io.syntaxlake.tasks.lake.Lake;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AST/CST plan scope 2: a session whose {@code datafusion.catalog.location}/{@code format} point
 * at the lake's {@code tables/} (set when the session is built: DataFusion ignores them afterwards), refreshed so
 * that every dataset directory becomes a table of schema {@code default}; the auto-loaded tables
 * and their columns are snapshotted from information_schema into
 * {@code datafusion_catalog_autoload_v1}. Auto-loaded tables are registered without options, so
 * Parquet metadata is skipped and partition columns are dictionaries: they serve discovery, the
 * contract-checked registration is scope 1. The caller owns (and closes) the returned session.
 */
public final class CatalogAutoloadTask {

    public TaskResult<EngineSession> run(Lake lake, SessionOptions base) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("catalog_auto_load_location", lake.tables().url());
        payload.put("catalog_auto_load_format", "PARQUET");
        EngineSession session;
        try {
            session = EngineSession.open(base.withCatalogAutoload(lake.tables().url(), "PARQUET"));
        } catch (EngineException e) {
            payload.put("error", e.getMessage());
            throw new TaskFailedException("catalog autoload of " + lake.tables() + " failed: " + e.getMessage(),
                    List.of(Artifact.of("datafusion_catalog_autoload_v1", null, payload)), e);
        }
        try {
            session.refreshCatalogs();
            // one pass over information_schema.columns, grouped by table (ordered as listed)
            Map<List<Object>, List<Object>> columns = new LinkedHashMap<>();
            for (List<Object> row : session.collect("SELECT table_schema, table_name, column_name"
                    + " FROM information_schema.columns WHERE table_schema <> 'information_schema'"
                    + " ORDER BY table_schema, table_name, ordinal_position").rows()) {
                columns.computeIfAbsent(List.of(row.get(0), row.get(1)), k -> new ArrayList<>()).add(row.get(2));
            }
            List<Map<String, Object>> tables = new ArrayList<>();
            for (List<Object> row : session.collect("SELECT table_catalog, table_schema, table_name, table_type"
                    + " FROM information_schema.tables WHERE table_schema <> 'information_schema'"
                    + " ORDER BY table_schema, table_name").rows()) {
                Map<String, Object> table = new LinkedHashMap<>();
                table.put("table_catalog", row.get(0));
                table.put("table_schema", row.get(1));
                table.put("table_name", row.get(2));
                table.put("table_type", row.get(3));
                table.put("columns", columns.getOrDefault(List.of(row.get(1), row.get(2)), List.of()));
                tables.add(table);
            }
            payload.put("tables", tables);
            return new TaskResult<>(session, List.of(Artifact.of("datafusion_catalog_autoload_v1", null, payload)));
        } catch (RuntimeException e) {
            session.close();
            throw e;
        }
    }
}
