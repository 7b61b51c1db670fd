package io.syntaxlake.routes.camel;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.routes.pipeline.PipelineDefinition;
import io.syntaxlake.routes.pipeline.RunContext;
import io.syntaxlake.routes.pipeline.TaskStep;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.core.TaskFailedException;
import io.syntaxlake.tasks.manifest.ArtifactRecord;
import io.syntaxlake.tasks.manifest.TaskAttempt;
import io.syntaxlake.tasks.manifest.TaskStatus;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.camel.Exchange;

/**
 * Runs one attempt of a task inside its route: fires {@link TaskAttemptStarting}, runs the task
 * under its timeout, and records the attempt (status, timings, error) with its artifacts in the
 * run's manifest, also when it fails. Retrying is the task route's error handler's job; this
 * class only counts attempts.
 */
@ApplicationScoped
public class TaskRunner {
    private final Event<TaskAttemptStarting> starting;
    private final MeterRegistry meters;
    private final SyntaxLakeConfig config;
    private final AtomicInteger threads = new AtomicInteger();
    // a thread per running task, so that a task past its timeout can be abandoned (JNI calls cannot be interrupted)
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "syntaxlake-task-" + threads.incrementAndGet());
        thread.setDaemon(true);
        return thread;
    });

    @Inject
    public TaskRunner(Event<TaskAttemptStarting> starting, MeterRegistry meters, SyntaxLakeConfig config) {
        this.starting = starting;
        this.meters = meters;
        this.config = config;
    }

    public void run(PipelineDefinition pipeline, TaskStep step, Exchange exchange) throws Exception {
        RunContext run = exchange.getProperty(RunContext.PROPERTY, RunContext.class);
        int attempt = run.nextAttempt(step.id());
        Instant started = Instant.now();
        run.progress().taskStarted(step.id(), attempt);
        List<Artifact> artifacts;
        try {
            starting.fire(new TaskAttemptStarting(run.runId(), pipeline.route(), step.id(), attempt));
            artifacts = callWithTimeout(pipeline, step, run);
        } catch (Exception e) {
            Throwable failure = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            List<Artifact> seen = failure instanceof TaskFailedException failed ? failed.artifacts() : List.of();
            finish(run, pipeline, step, attempt, started, TaskStatus.FAILED, TaskError.describe(failure), seen);
            throw new TaskError(pipeline.route(), step.id(), attempt, failure);
        }
        finish(run, pipeline, step, attempt, started, TaskStatus.SUCCEEDED, null, artifacts);
    }

    private List<Artifact> callWithTimeout(PipelineDefinition pipeline, TaskStep step, RunContext run) throws Exception {
        Duration timeout = timeout(step);
        Future<List<Artifact>> call = workers.submit(() -> step.action().run(run));
        try {
            return call.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            call.cancel(true);
            throw new TaskTimeoutException(pipeline.route(), step.id(), timeout);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw e;
        }
    }

    private void finish(RunContext run, PipelineDefinition pipeline, TaskStep step, int attempt, Instant started,
                        TaskStatus status, String error, List<Artifact> artifacts) {
        Instant ended = Instant.now();
        TaskAttempt record = new TaskAttempt(run.runId(), step.id(), attempt, status, started, ended, error);
        run.manifest().recordAttempt(record, artifacts.stream()
                .map(a -> ArtifactRecord.of(run.runId(), step.id(), attempt, a)).toList());
        Timer.builder("syntaxlake.task.duration").description("Task attempts by route, task and outcome")
                .tag("route", pipeline.route()).tag("task", step.id()).tag("outcome", status.name().toLowerCase())
                .register(meters).record(Duration.between(started, ended));
        run.progress().taskFinished(step.id(), attempt, status == TaskStatus.SUCCEEDED,
                Duration.between(started, ended).toMillis(), error);
    }

    public int retries(TaskStep step) {
        var override = config.tasks().overrides().get(step.id());
        return override != null && override.retries().isPresent() ? override.retries().get() : config.tasks().retries();
    }

    public Duration timeout(TaskStep step) {
        var override = config.tasks().overrides().get(step.id());
        return override != null && override.timeout().isPresent() ? override.timeout().get() : config.tasks().timeout();
    }

    @PreDestroy
    void stop() {
        workers.shutdownNow();
    }
}
