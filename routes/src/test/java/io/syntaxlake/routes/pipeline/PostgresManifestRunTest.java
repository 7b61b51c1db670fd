package io.syntaxlake.routes.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.routes.run.ManifestStores;
import io.syntaxlake.routes.run.QueryableLake;
import io.syntaxlake.routes.run.RunOutcome;
import io.syntaxlake.routes.run.RunService;
import io.syntaxlake.routes.testing.PipelineTestProfile;
import io.syntaxlake.routes.testing.PostgresManifestProfile;
import io.syntaxlake.routes.testing.PythonTrees;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import io.syntaxlake.tasks.manifest.TaskStatus;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A whole route with the manifest in PostgreSQL instead of the lake: recorded, idempotent, queryable. */
@QuarkusTest
@TestProfile(PostgresManifestProfile.class)
class PostgresManifestRunTest {

    @Inject
    RunService runs;

    @Inject
    ManifestStores stores;

    @Test
    void aRunIsRecordedInPostgresAndNotInTheLake() throws Exception {
        Path source = Files.createDirectories(PipelineTestProfile.ROOT.resolve("pg-source"));
        int files = PythonTrees.write(source);
        Lake lake = new Lake(LakeLocation.local(Files.createDirectories(PipelineTestProfile.ROOT.resolve("pg-lake")), List.of()));
        PipelineRequest request = new PipelineRequest("ast-pipeline", Optional.of(source), lake, "pg", OutputFormat.PARQUET,
                List.of(), "test", false);

        RunOutcome outcome = runs.run(request, RunProgress.NONE);

        assertTrue(outcome.succeeded(), () -> "run failed: " + outcome.run().error());
        assertTrue(outcome.manifestLocation().startsWith("jdbc:postgresql://"), outcome.manifestLocation());
        assertFalse(outcome.manifestLocation().contains("password"), outcome.manifestLocation());
        assertFalse(Files.exists(lake.root().localPath().orElseThrow().resolve("manifest")), "no manifest under the lake");
        var manifest = stores.forLake(lake);
        assertEquals(7, manifest.attempts(outcome.run().runId()).stream().filter(a -> a.status() == TaskStatus.SUCCEEDED).count());
        assertEquals(outcome.run().runId(), runs.run(request, RunProgress.NONE).run().runId(), "the rerun is the same run");

        try (EngineSession session = EngineSession.open()) {
            QueryableLake.register(session, lake, manifest);
            assertEquals((long) files, session.collect("SELECT count(*) FROM ast_files_v1").single());
            assertEquals("succeeded", session.collect("SELECT status FROM manifest.runs WHERE run_id = '"
                    + outcome.run().runId() + "'").single());
        }
    }
}
