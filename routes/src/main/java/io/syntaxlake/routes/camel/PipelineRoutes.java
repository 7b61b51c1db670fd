package io.syntaxlake.routes.camel;

import io.syntaxlake.routes.config.SyntaxLakeConfig;
import io.syntaxlake.routes.pipeline.PipelineDefinition;
import io.syntaxlake.routes.pipeline.Pipelines;
import io.syntaxlake.routes.pipeline.RunContext;
import io.syntaxlake.routes.pipeline.TaskStep;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import org.apache.camel.Exchange;
import org.apache.camel.LoggingLevel;
import org.apache.camel.Predicate;
import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.support.PredicateToExpressionAdapter;

/**
 * Turns every pipeline definition into Camel routes. Each task is a route of its own,
 * {@code direct:<route>.<task>} with route id {@code <route>.<task>} (so Camel's health checks and
 * per-route metrics are per task), whose error handler is the only retry layer: it redelivers to
 * the task (exponential backoff, transient failures only, up to the task's retries). The
 * pipeline route {@code direct:<route>} calls the tasks layer by layer, a layer of independent
 * tasks as a parallel multicast; it has no error handler of its own, so a task that fails for
 * good stops the pipeline there and its dependants never run.
 */
@ApplicationScoped
public class PipelineRoutes extends RouteBuilder {
    @Inject
    Pipelines pipelines;

    @Inject
    TaskRunner runner;

    @Inject
    SyntaxLakeConfig config;

    public static String uri(String route) {
        return "direct:" + route;
    }

    public static String taskRouteId(PipelineDefinition pipeline, TaskStep step) {
        return pipeline.route() + "." + step.id();
    }

    @Override
    public void configure() {
        for (PipelineDefinition pipeline : pipelines.all()) {
            pipeline.steps().forEach(step -> taskRoute(pipeline, step));
            RouteDefinition route = from(uri(pipeline.route())).routeId(pipeline.route())
                    .description(pipeline.description())
                    .errorHandler(noErrorHandler());
            for (List<TaskStep> layer : pipeline.layers()) {
                if (layer.size() == 1) {
                    route.to(uri(taskRouteId(pipeline, layer.get(0))));
                } else {
                    route.multicast().parallelProcessing().stopOnException()
                            .to(layer.stream().map(step -> uri(taskRouteId(pipeline, step))).toArray(String[]::new))
                            .end();
                }
            }
        }
    }

    private void taskRoute(PipelineDefinition pipeline, TaskStep step) {
        int retries = runner.retries(step);
        Predicate retry = exchange -> exchange.getProperty(RunContext.PROPERTY, RunContext.class).attempts(step.id()) <= retries
                && RetryPolicy.isTransient(failure(exchange));
        from(uri(taskRouteId(pipeline, step))).routeId(taskRouteId(pipeline, step))
                .errorHandler(defaultErrorHandler()
                        .redeliveryDelay(config.tasks().backoff().toMillis())
                        .useExponentialBackOff().backOffMultiplier(2)
                        .maximumRedeliveryDelay(config.tasks().maxBackoff().toMillis())
                        .retryAttemptedLogLevel(LoggingLevel.WARN)
                        .retryWhile(PredicateToExpressionAdapter.toExpression(retry)))
                .process(exchange -> runner.run(pipeline, step, exchange));
    }

    private static Throwable failure(Exchange exchange) {
        Throwable failure = exchange.getException();
        return failure != null ? failure : exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
    }
}
