package io.syntaxlake.routes.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.tasks.manifest.ArtifactRecord;
import io.syntaxlake.tasks.manifest.RunRecord;
import io.syntaxlake.tasks.manifest.TaskAttempt;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The REST API's JSON shapes of manifest records (snake_case, as in the manifest's tables). */
final class RunJson {
    private RunJson() {
    }

    static Map<String, Object> run(RunRecord run, ObjectMapper json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("run_id", run.runId());
        out.put("route", run.route());
        out.put("status", run.status().name().toLowerCase());
        out.put("trigger", run.trigger());
        out.put("parameters", tree(run.parametersJson(), json));
        out.put("started_at", run.startedAt().toString());
        out.put("ended_at", run.endedAt() == null ? null : run.endedAt().toString());
        out.put("engine_version", run.engineVersion());
        out.put("config_hash", run.configHash());
        out.put("run_key", run.runKey());
        out.put("error", run.error());
        return out;
    }

    static Map<String, Object> task(TaskAttempt task) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task_id", task.taskId());
        out.put("attempt", task.attempt());
        out.put("status", task.status().name().toLowerCase());
        out.put("started_at", task.startedAt().toString());
        out.put("ended_at", task.endedAt() == null ? null : task.endedAt().toString());
        out.put("duration_ms", task.durationMillis());
        out.put("error", task.error());
        return out;
    }

    static Map<String, Object> artifact(ArtifactRecord artifact, ObjectMapper json) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("task_id", artifact.taskId());
        out.put("attempt", artifact.attempt());
        out.put("name", artifact.name());
        out.put("schema_identity_hash", artifact.schemaIdentityHash());
        out.put("engine_version", artifact.engineVersion());
        out.put("recorded_at", artifact.recordedAt().toString());
        out.put("payload", tree(artifact.payloadJson(), json));
        return out;
    }

    private static JsonNode tree(String text, ObjectMapper json) {
        try {
            return json.readTree(text);
        } catch (IOException e) {
            return json.getNodeFactory().textNode(text);
        }
    }
}
