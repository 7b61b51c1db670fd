package io.syntaxlake.routes.pipeline;

import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.dataset.SnapshotViewsTask;
import io.syntaxlake.tasks.extract.ExtractKind;
import io.syntaxlake.tasks.manifest.RunRecord;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code snapshot-diff}: what changed in each dataset's views between the last two successful
 * pipeline runs over the lake, read from the DFSchema trees the runs recorded in the manifest.
 * One independent task per dataset ({@code diff-ast}, {@code diff-cst}). Fewer than two runs is
 * not an error: the artifact says how many there were.
 */
public final class SnapshotDiffPipeline {

    private SnapshotDiffPipeline() {
    }

    public static PipelineDefinition definition() {
        return new PipelineDefinition("snapshot-diff", "diff the view schemas of the last two pipeline runs", false,
                List.of(TaskStep.of("diff-ast", run -> diff(run, ExtractKind.AST)),
                        TaskStep.of("diff-cst", run -> diff(run, ExtractKind.CST))));
    }

    private static List<Artifact> diff(RunContext run, ExtractKind kind) {
        DatasetContract contract = ContractLoader.load(kind.dataset());
        String route = kind.command() + "-pipeline";
        String dfschema = "datafusion_" + contract.views().prefix() + "_dfschema_v1";
        List<RunRecord> runs = PreviousRuns.succeeded(run.manifest(), route, run.request().lake().root().url());
        List<Map.Entry<RunRecord, Artifact>> snapshots = new ArrayList<>();
        for (RunRecord previous : runs) {
            Optional<Artifact> trees = PreviousRuns.artifact(run.manifest(), previous.runId(), dfschema);
            trees.ifPresent(artifact -> snapshots.add(Map.entry(previous, artifact)));
            if (snapshots.size() == 2) {
                break;
            }
        }
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("dataset", contract.name());
        payload.put("route", route);
        payload.put("runs_compared", snapshots.size());
        if (snapshots.size() == 2) {
            Map.Entry<RunRecord, Artifact> newer = snapshots.get(0);
            Map.Entry<RunRecord, Artifact> older = snapshots.get(1);
            payload.put("from_run", older.getKey().runId());
            payload.put("to_run", newer.getKey().runId());
            payload.put("from_identity_hash", older.getValue().schemaIdentityHash());
            payload.put("to_identity_hash", newer.getValue().schemaIdentityHash());
            payload.put("changes", SnapshotViewsTask.changes(SnapshotViewsTask.treesOf(older.getValue()),
                    SnapshotViewsTask.treesOf(newer.getValue())));
        }
        return List.of(Artifact.of("syntaxlake_" + contract.views().prefix() + "_snapshot_diff_v1", contract, payload));
    }
}
