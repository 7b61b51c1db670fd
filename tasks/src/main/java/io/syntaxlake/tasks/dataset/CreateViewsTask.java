package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * AST/CST plan scopes 5 and 6: creates the dataset's standard views over a registered table and
 * records each definition in {@code datafusion_<prefix>_views_v1}. The attr key/value views need
 * {@code map_entries}; they are created only when the feature gate allows it, and the decision
 * is recorded. Value lookups by key use {@code map_extract(attrs, key)[1]} (map_extract returns
 * a one-element list), as the typed attr columns do.
 */
public final class CreateViewsTask {
    private final EngineSession session;

    public CreateViewsTask(EngineSession session) {
        this.session = session;
    }

    public TaskResult<List<DatasetViews.View>> run(DatasetContract contract, String table, FeatureGates.Decision gates) {
        boolean attrViews = gates.allows("map_entries");
        List<DatasetViews.View> views = DatasetViews.of(contract, table, attrViews);
        Map<String, Object> definitions = new LinkedHashMap<>();
        for (DatasetViews.View view : views) {
            try {
                session.execute(view.ddl());
            } catch (io.syntaxlake.engine.EngineException e) {
                throw new TaskFailedException("view " + view.name() + " cannot be created over " + table + " (does "
                        + table + " match the " + contract.name() + " contract?): " + e.getMessage(), List.of(), e);
            }
            definitions.put(view.name(), view.query());
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("table", table);
        payload.put("views", definitions);
        payload.put("record_column", contract.views().recordColumn());
        payload.put("record_fields", List.of("span.start", "span.end", "span.byte_span", "span.col_unit",
                "span.end_exclusive", "attrs"));
        payload.put("attr_views_enabled", attrViews);
        payload.put("attr_lookup_fragment", "map_extract(attrs, '<key>')[1]");
        return new TaskResult<>(views, List.of(Artifact.of("datafusion_" + contract.views().prefix() + "_views_v1",
                contract, payload)));
    }
}
