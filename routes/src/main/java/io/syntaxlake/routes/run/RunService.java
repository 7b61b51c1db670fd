package io.syntaxlake.routes.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.routes.camel.CamelStartup;
import io.syntaxlake.routes.camel.PipelineRoutes;
import io.syntaxlake.routes.camel.TaskError;
import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.routes.pipeline.PipelineDefinition;
import io.syntaxlake.routes.pipeline.PipelineRequest;
import io.syntaxlake.routes.pipeline.Pipelines;
import io.syntaxlake.routes.pipeline.RunContext;
import io.syntaxlake.routes.pipeline.RunProgress;
import io.syntaxlake.tasks.extract.FileTrees;
import io.syntaxlake.tasks.manifest.ManifestStore;
import io.syntaxlake.tasks.manifest.RunRecord;
import io.syntaxlake.tasks.manifest.RunStatus;
import io.syntaxlake.tasks.manifest.TaskAttempt;
import io.syntaxlake.tasks.manifest.TaskStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.jboss.logging.Logger;

/**
 * Runs a route once, whoever asked (CLI, REST, schedule): recognises a rerun that is already
 * done, records the run in the manifest, sends it through the route with a fresh engine session,
 * and records how it ended: which task failed and why, and every task that did not run because
 * of it. A failed run never affects another: each has its own session, scratch directory and
 * manifest rows.
 */
@ApplicationScoped
public class RunService {
    private static final Logger LOG = Logger.getLogger(RunService.class);

    @Inject
    ProducerTemplate producer;

    @Inject
    CamelStartup camel;

    @Inject
    Pipelines pipelines;

    @Inject
    ManifestStores stores;

    @Inject
    SyntaxLakeConfig config;

    @Inject
    MeterRegistry meters;

    @Inject
    RunSessions sessions;

    /** A run that has been recorded as started (or recognised as already done) but not executed yet. */
    public record Prepared(PipelineDefinition pipeline, PipelineRequest request, ManifestStore manifest,
                           RunRecord record, boolean reused) {
    }

    /** Runs {@code request} to the end in the calling thread. */
    public RunOutcome run(PipelineRequest request, RunProgress progress) {
        return execute(prepare(request), progress);
    }

    /** Checks the request, and records the run as started unless an identical run already succeeded. */
    public Prepared prepare(PipelineRequest request) {
        PipelineDefinition pipeline = pipelines.require(request.route());
        if (pipeline.needsSource() && request.source().isEmpty()) {
            throw new IllegalArgumentException("route " + pipeline.route() + " needs a source directory (--source)");
        }
        ManifestStore manifest = stores.forLake(request.lake());
        String configHash = RunKeys.configHash();
        String runKey = RunKeys.runKey(request, configHash);
        if (pipeline.needsSource() && !request.force()) {
            Optional<RunRecord> done = manifest.latestSucceeded(runKey);
            if (done.isPresent()) {
                return new Prepared(pipeline, request, manifest, done.get(), true);
            }
        }
        RunRecord record = new RunRecord(RunKeys.newRunId(), pipeline.route(), request.trigger(),
                RunKeys.parametersJson(request), runKey, Instant.now(), null, RunStatus.RUNNING,
                EngineSession.engineVersion(), configHash, null);
        manifest.startRun(record);
        return new Prepared(pipeline, request, manifest, record, false);
    }

    public RunOutcome execute(Prepared prepared, RunProgress progress) {
        if (prepared.reused()) {
            return outcome(prepared, prepared.record(), Optional.empty());
        }
        RunRecord record = prepared.record();
        camel.ensureStarted();  // a one-shot run starts the routes only now that it has work
        Path work = workDir().resolve(record.runId());
        Throwable failure;
        try (EngineSession session = sessions.open(work)) {
            RunContext context = new RunContext(record.runId(), prepared.pipeline(), prepared.request(), session,
                    prepared.manifest(), work, progress);
            Exchange exchange = producer.send(PipelineRoutes.uri(prepared.pipeline().route()),
                    e -> e.setProperty(RunContext.PROPERTY, context));
            failure = exchange.getException();
        } catch (RuntimeException e) {
            failure = e;
        } finally {
            FileTrees.delete(work);
        }
        return finish(prepared, failure);
    }

    private RunOutcome finish(Prepared prepared, Throwable failure) {
        RunRecord record = prepared.record();
        ManifestStore manifest = prepared.manifest();
        Optional<TaskError> taskError = Optional.ofNullable(failure).flatMap(TaskError::in);
        String error = failure == null ? null : taskError.map(Throwable::getMessage).orElseGet(() -> TaskError.describe(failure));
        if (failure != null) {
            LOG.warnf(taskError.isPresent() ? null : failure, "run %s of %s failed: %s", record.runId(), record.route(), error);
            try {
                recordSkipped(prepared, taskError.map(TaskError::task).orElse(null));
            } catch (RuntimeException e) {
                // the run's own end matters more than the list of tasks it never reached
                LOG.errorf(e, "run %s: could not record the tasks that did not run", record.runId());
            }
        }
        RunRecord finished = record.finished(failure == null ? RunStatus.SUCCEEDED : RunStatus.FAILED, Instant.now(), error);
        manifest.finishRun(finished);
        String status = finished.status().name().toLowerCase();
        meters.counter("syntaxlake.runs", "route", record.route(), "status", status).increment();
        Timer.builder("syntaxlake.run.duration").tag("route", record.route()).tag("status", status).register(meters)
                .record(Duration.between(record.startedAt(), finished.endedAt()));
        return outcome(prepared, finished, taskError.map(TaskError::task));
    }

    private static RunOutcome outcome(Prepared prepared, RunRecord run, Optional<String> failedTask) {
        var root = prepared.request().lake().root();
        return new RunOutcome(run, prepared.reused(), failedTask, prepared.manifest().location(),
                prepared.manifest().artifacts(run.runId()), root.localPath().map(Path::toString).orElse(root.url()));
    }

    /** Every task with no attempt yet did not run because of {@code failedTask}: say so in the manifest. */
    private void recordSkipped(Prepared prepared, String failedTask) {
        String runId = prepared.record().runId();
        Set<String> attempted = prepared.manifest().attempts(runId).stream().map(TaskAttempt::taskId)
                .collect(Collectors.toSet());
        Instant now = Instant.now();
        String reason = failedTask == null ? "not run: the run failed before it" : "not run: " + failedTask + " failed";
        List<String> skipped = prepared.pipeline().taskIds().stream().filter(id -> !attempted.contains(id)).toList();
        for (String task : skipped) {
            prepared.manifest().recordAttempt(new TaskAttempt(runId, task, 0, TaskStatus.SKIPPED, now, now, reason), List.of());
        }
    }

    private Path workDir() {
        return config.workDir().orElse(Path.of(System.getProperty("java.io.tmpdir"), "syntaxlake-work"));
    }
}
