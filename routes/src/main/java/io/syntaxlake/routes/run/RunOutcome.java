package io.syntaxlake.routes.run;

import io.syntaxlake.tasks.manifest.ArtifactRecord;
import io.syntaxlake.tasks.manifest.RunRecord;
import io.syntaxlake.tasks.manifest.RunStatus;
import java.util.List;
import java.util.Optional;

/**
 * How a run ended, as recorded in the manifest at {@code manifestLocation}, with the artifacts it
 * recorded. {@code reused}: the request was already done by that earlier run (same parameters,
 * same inputs), so nothing ran. {@code lake}: the lake as a user would type it.
 */
public record RunOutcome(RunRecord run, boolean reused, Optional<String> failedTask, String manifestLocation,
                         List<ArtifactRecord> artifacts, String lake) {

    public RunOutcome {
        artifacts = List.copyOf(artifacts);
    }

    public boolean succeeded() {
        return run.status() == RunStatus.SUCCEEDED;
    }
}
