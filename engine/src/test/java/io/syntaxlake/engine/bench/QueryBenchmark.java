package io.syntaxlake.engine.bench;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.QueryResult;
import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.engine.SqlIdentifiers;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * The Java side of engine/bench/run.sh (a benchmark, not a test): runs each query with the same
 * warm-up and iteration counts as the datafusion-python side, reading the whole Arrow stream
 * into Java, and writes per-query wall times as JSON to the file named by the fifth argument.
 */
public final class QueryBenchmark {
    private QueryBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        List<String> queries = Files.readAllLines(Path.of(args[1])).stream()
                .filter(q -> !q.isBlank() && !q.startsWith("--")).toList();
        int warmup = Integer.parseInt(args[2]);
        int iterations = Integer.parseInt(args[3]);
        List<String> results = new ArrayList<>();
        SessionOptions options = SessionOptions.defaults();
        String batchSize = System.getProperty("bench.batchSize");
        if (batchSize != null) {
            options = options.with("datafusion.execution.batch_size", batchSize);
        }
        try (EngineSession session = EngineSession.open(options)) {
            session.execute("CREATE EXTERNAL TABLE events STORED AS PARQUET LOCATION "
                    + SqlIdentifiers.literal(data.toAbsolutePath() + "/"));
            for (String query : queries) {
                for (int i = 0; i < warmup; i++) {
                    run(session, query);
                }
                List<Double> times = new ArrayList<>();
                long rows = 0;
                for (int i = 0; i < iterations; i++) {
                    long start = System.nanoTime();
                    rows = run(session, query);
                    times.add((System.nanoTime() - start) / 1e9);
                }
                results.add("{\"sql\":\"" + query.replace("\"", "\\\"") + "\",\"rows\":" + rows
                        + ",\"median_s\":" + median(times) + ",\"times_s\":" + times + "}");
            }
        }
        // A file, not stdout: the test classpath brings a logger that writes to stdout.
        Files.writeString(Path.of(args[4]), "{\"engine\":\"syntaxlake " + EngineSession.engineVersion()
                + "\",\"queries\":[" + results.stream().collect(Collectors.joining(",")) + "]}");
    }

    private static long run(EngineSession session, String query) {
        try (QueryResult result = session.sql(query)) {
            return result.drain();
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
