package io.syntaxlake.tasks.dataset;

import io.syntaxlake.engine.EngineException;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskResult;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * LibCST plan scopes 1 and 4, for either dataset: the logical plan of every view
 * ({@code datafusion_<p>_view_plans_v1}) and its DFSchema tree ({@code datafusion_<p>_dfschema_v1}),
 * the latter compared with the previous run's snapshot: fields added, removed, retyped or changed
 * in nullability are listed in {@code changes}. A view whose plan cannot be produced is recorded
 * under {@code errors} rather than failing the snapshot.
 */
public final class SnapshotViewsTask {
    private final EngineSession session;

    public SnapshotViewsTask(EngineSession session) {
        this.session = session;
    }

    /** The snapshot: view name to its DFSchema tree, and the changes against {@code previous}. */
    public record Snapshot(Map<String, String> trees, List<String> changes) {
        public Snapshot {
            trees = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(trees));
            changes = List.copyOf(changes);
        }
    }

    /** {@code previous}: view name to DFSchema tree from an earlier run (empty on the first run). */
    public TaskResult<Snapshot> run(DatasetContract contract, List<DatasetViews.View> views, Map<String, String> previous) {
        List<Map<String, Object>> plans = new ArrayList<>();
        Map<String, String> trees = new LinkedHashMap<>();
        Map<String, String> errors = new LinkedHashMap<>();
        for (DatasetViews.View view : views) {
            try {
                Map<String, Object> plan = new LinkedHashMap<>();
                plan.put("name", view.name());
                plan.put("logical_plan", session.tablePlans(view.name()).logical());
                plans.add(plan);
                trees.put(view.name(), session.tableDfSchemaTree(view.name()));
            } catch (EngineException e) {
                errors.put(view.name(), e.getMessage());
            }
        }
        List<String> changes = previous.isEmpty() ? List.of() : changes(previous, trees);
        String version = String.valueOf(session.collect("SELECT version() AS v").single());
        String prefix = contract.views().prefix();
        Map<String, Object> planPayload = new LinkedHashMap<>();
        planPayload.put("dataset", contract.name());
        planPayload.put("views", plans);
        planPayload.put("errors", errors);
        planPayload.put("datafusion_version", version);
        List<Map<String, Object>> treeList = new ArrayList<>();
        trees.forEach((view, tree) -> treeList.add(Map.of("name", view, "dfschema_tree", tree)));
        Map<String, Object> treePayload = new LinkedHashMap<>();
        treePayload.put("dataset", contract.name());
        treePayload.put("views", treeList);
        treePayload.put("errors", errors);
        treePayload.put("datafusion_version", version);
        treePayload.put("compared_with_previous", !previous.isEmpty());
        treePayload.put("changes", changes);
        return new TaskResult<>(new Snapshot(trees, changes), List.of(
                Artifact.of("datafusion_" + prefix + "_view_plans_v1", contract, planPayload),
                Artifact.of("datafusion_" + prefix + "_dfschema_v1", contract, treePayload)));
    }

    /** Views removed, added, and column by column changes of the views in both, from {@code before} to {@code after}. */
    public static List<String> changes(Map<String, String> before, Map<String, String> after) {
        List<String> changes = new ArrayList<>();
        before.forEach((view, tree) -> {
            if (!after.containsKey(view)) {
                changes.add(view + ": view removed");
            }
        });
        after.forEach((view, tree) -> {
            String earlier = before.get(view);
            if (earlier == null) {
                changes.add(view + ": view added");
            } else {
                changes.addAll(DfSchemaTree.diff(view, DfSchemaTree.parse(earlier), DfSchemaTree.parse(tree)));
            }
        });
        return changes;
    }

    /** The view trees recorded in an earlier {@code datafusion_<p>_dfschema_v1} artifact. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> treesOf(Artifact dfschema) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map<String, Object> view : (List<Map<String, Object>>) dfschema.payload().get("views")) {
            out.put((String) view.get("name"), (String) view.get("dfschema_tree"));
        }
        return out;
    }
}
