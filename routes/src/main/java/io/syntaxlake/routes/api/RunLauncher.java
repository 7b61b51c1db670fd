package io.syntaxlake.routes.api;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.routes.pipeline.RunProgress;
import io.syntaxlake.routes.run.RunService;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Executes runs started over HTTP off the request thread: the caller gets the run id at once and
 * follows the run through {@code GET /api/runs/<id>}. At most {@code syntaxlake.api.concurrent-runs}
 * execute at a time (engine work is heavy on a small machine); the rest wait in line.
 */
@ApplicationScoped
public class RunLauncher {
    private static final Logger LOG = Logger.getLogger(RunLauncher.class);

    private final RunService runs;
    private final ExecutorService executor;

    @Inject
    public RunLauncher(RunService runs, SyntaxLakeConfig config) {
        this.runs = runs;
        this.executor = Executors.newFixedThreadPool(Math.max(1, config.api().concurrentRuns()), r -> {
            Thread thread = new Thread(r, "syntaxlake-run");
            thread.setDaemon(true);
            return thread;
        });
    }

    public void launch(RunService.Prepared prepared) {
        executor.execute(() -> {
            try {
                runs.execute(prepared, RunProgress.NONE);
            } catch (RuntimeException e) {
                LOG.errorf(e, "run %s could not be recorded as finished", prepared.record().runId());
            }
        });
    }

    @PreDestroy
    void stop() {
        executor.shutdownNow();
    }
}
