package io.syntaxlake.tasks.manifest;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;

/**
 * Records as table rows (plain values in contract column order) and back from a row read by
 * column name. Both stores go through here, so their tables hold the same values.
 */
final class ManifestRows {
    private ManifestRows() {
    }

    static List<Object> of(RunRecord r) {
        return Arrays.asList(r.runId(), r.route(), r.trigger(), r.parametersJson(), r.runKey(), r.startedAt(),
                r.endedAt(), r.status().text(), r.engineVersion(), r.configHash(), r.error());
    }

    static List<Object> of(TaskAttempt a) {
        return Arrays.asList(a.runId(), a.taskId(), a.attempt(), a.status().text(), a.startedAt(), a.endedAt(),
                a.durationMillis(), a.error());
    }

    static List<Object> of(ArtifactRecord a) {
        return Arrays.asList(a.runId(), a.taskId(), a.attempt(), a.name(), a.payloadJson(), a.schemaIdentityHash(),
                a.engineVersion(), a.recordedAt());
    }

    static RunRecord run(Function<String, Object> column) {
        return new RunRecord((String) column.apply("run_id"), (String) column.apply("route"),
                (String) column.apply("trigger"), (String) column.apply("parameters"), (String) column.apply("run_key"),
                (Instant) column.apply("started_at"), (Instant) column.apply("ended_at"),
                RunStatus.parse((String) column.apply("status")), (String) column.apply("engine_version"),
                (String) column.apply("config_hash"), (String) column.apply("error"));
    }

    static TaskAttempt attempt(Function<String, Object> column) {
        return new TaskAttempt((String) column.apply("run_id"), (String) column.apply("task_id"),
                ((Number) column.apply("attempt")).intValue(), TaskStatus.parse((String) column.apply("status")),
                (Instant) column.apply("started_at"), (Instant) column.apply("ended_at"), (String) column.apply("error"));
    }

    static ArtifactRecord artifact(Function<String, Object> column) {
        return new ArtifactRecord((String) column.apply("run_id"), (String) column.apply("task_id"),
                ((Number) column.apply("attempt")).intValue(), (String) column.apply("name"),
                (String) column.apply("payload"), (String) column.apply("schema_identity_hash"),
                (String) column.apply("engine_version"), (Instant) column.apply("recorded_at"));
    }
}
