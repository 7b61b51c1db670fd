package io.syntaxlake.routes.pipeline;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.manifest.ArtifactRecord;
import io.syntaxlake.tasks.manifest.RunRecord;
import io.syntaxlake.tasks.manifest.RunStatus;
import io.syntaxlake.tasks.manifest.ManifestStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** What earlier successful runs of a route over the same lake recorded, read back from the manifest. */
public final class PreviousRuns {
    private static final ObjectMapper JSON = new ObjectMapper();

    private PreviousRuns() {
    }

    /** Succeeded runs of {@code route} over {@code lakeUrl}, newest first. */
    public static List<RunRecord> succeeded(ManifestStore manifest, String route, String lakeUrl) {
        return manifest.runs().stream()
                .filter(r -> r.status() == RunStatus.SUCCEEDED && r.route().equals(route))
                .filter(r -> Objects.equals(parameter(r, "lake"), lakeUrl))
                .toList();
    }

    /** The artifact {@code name} of the newest earlier successful run of this run's route and lake. */
    public static Optional<Artifact> lastArtifact(RunContext run, String name) {
        for (RunRecord previous : succeeded(run.manifest(), run.pipeline().route(), run.request().lake().root().url())) {
            if (previous.runId().equals(run.runId())) {
                continue;
            }
            Optional<Artifact> found = artifact(run.manifest(), previous.runId(), name);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }

    public static Optional<Artifact> artifact(ManifestStore manifest, String runId, String name) {
        return manifest.artifacts(runId).stream().filter(a -> a.name().equals(name))
                .reduce((first, second) -> second).map(PreviousRuns::toArtifact);
    }

    public static Artifact toArtifact(ArtifactRecord record) {
        try {
            Map<String, Object> payload = JSON.readValue(record.payloadJson(), new TypeReference<Map<String, Object>>() { });
            return new Artifact(record.name(), payload, record.recordedAt(), record.engineVersion(), record.schemaIdentityHash());
        } catch (IOException e) {
            throw new UncheckedIOException("artifact " + record.name() + " of run " + record.runId()
                    + " holds a payload that is not a JSON object", e);
        }
    }

    public static Object parameter(RunRecord run, String key) {
        try {
            return JSON.readTree(run.parametersJson()).path(key).asText(null);
        } catch (IOException e) {
            throw new UncheckedIOException("run " + run.runId() + " has parameters that are not JSON", e);
        }
    }
}
