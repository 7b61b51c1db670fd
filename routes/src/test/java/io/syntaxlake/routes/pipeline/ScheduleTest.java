package io.syntaxlake.routes.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.syntaxlake.routes.run.ManifestStores;
import io.syntaxlake.routes.testing.PipelineTestProfile;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import io.syntaxlake.tasks.manifest.RunRecord;
import io.syntaxlake.tasks.manifest.RunStatus;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A schedule with a short cron fires the route by itself, and the manifest records who started it. */
@QuarkusTest
@TestProfile(ScheduleTest.EverySecondSchedule.class)
class ScheduleTest {
    static final Path LAKE = PipelineTestProfile.ROOT.resolve("scheduled-lake");

    public static class EverySecondSchedule extends PipelineTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("syntaxlake.schedules.enabled", "true");
            config.put("syntaxlake.schedules.jobs.diff-often.cron", "0/2 * * * * ?");
            config.put("syntaxlake.schedules.jobs.diff-often.route", "snapshot-diff");
            config.put("syntaxlake.schedules.jobs.diff-often.lake", LAKE.toString());
            return config;
        }
    }

    @Inject
    ManifestStores stores;

    @Test
    void theScheduleFiresAndItsRunIsRecorded() throws InterruptedException {
        var manifest = stores.forLake(new Lake(LakeLocation.local(LAKE, List.of())));
        Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
        Optional<RunRecord> fired = Optional.empty();
        while (fired.isEmpty() && Instant.now().isBefore(deadline)) {
            fired = manifest.runs().stream()
                    .filter(r -> r.trigger().equals("schedule:diff-often") && r.status() != RunStatus.RUNNING).findFirst();
            if (fired.isEmpty()) {
                Thread.sleep(250);
            }
        }
        assertTrue(fired.isPresent(), "no scheduled run was recorded within 90 s");
        assertEquals("snapshot-diff", fired.get().route());
        assertEquals(RunStatus.SUCCEEDED, fired.get().status(), fired.get().error());
    }
}
