package io.syntaxlake.routes.camel;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.routes.pipeline.PipelineRequest;
import io.syntaxlake.routes.pipeline.RunProgress;
import io.syntaxlake.routes.run.RunOutcome;
import io.syntaxlake.routes.run.RunRequests;
import io.syntaxlake.routes.run.RunService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import org.apache.camel.builder.RouteBuilder;
import org.jboss.logging.Logger;

/**
 * One Quartz route per configured schedule ({@code syntaxlake.schedules.jobs.<name>.*}), route id
 * {@code schedule-<name>}, firing in UTC (no skipped or doubled runs at daylight-saving changes).
 * A schedule does not fire again while its previous run is still going ({@code stateful}). The
 * routes exist always but start only when {@code syntaxlake.schedules.enabled} is true, which
 * only {@code serve} allows.
 */
@ApplicationScoped
public class ScheduleRoutes extends RouteBuilder {
    private static final Logger LOG = Logger.getLogger(ScheduleRoutes.class);

    @Inject
    SyntaxLakeConfig config;

    @Inject
    RunRequests requests;

    @Inject
    RunService runs;

    @Override
    public void configure() {
        for (Map.Entry<String, SyntaxLakeConfig.Schedules.Job> entry : config.schedules().jobs().entrySet()) {
            String name = entry.getKey();
            SyntaxLakeConfig.Schedules.Job job = entry.getValue();
            if (!name.matches("[a-z0-9][a-z0-9-]{0,40}")) {
                throw new IllegalArgumentException("schedule name '" + name + "' must be lowercase letters, digits and '-'");
            }
            from("quartz:syntaxlake/" + name + "?cron=" + job.cron().trim().replace(' ', '+')
                    + "&trigger.timeZone=UTC&stateful=true")
                    .routeId("schedule-" + name)
                    .autoStartup(config.schedules().enabled())
                    .process(exchange -> fire(name, job));
        }
    }

    private void fire(String name, SyntaxLakeConfig.Schedules.Job job) {
        try {
            PipelineRequest request = requests.request(job.route(), job.source().orElse(null), job.lake().orElse(null),
                    job.repo().orElse(null), job.format(), List.of(), "schedule:" + name, false, false);
            RunOutcome outcome = runs.run(request, RunProgress.NONE);
            LOG.infof("schedule %s: run %s of %s %s%s", name, outcome.run().runId(), job.route(),
                    outcome.run().status().name().toLowerCase(), outcome.reused() ? " (already done, reused)" : "");
        } catch (RuntimeException e) {
            LOG.errorf("schedule %s could not start a run of %s: %s", name, job.route(), e.getMessage());
        }
    }
}
