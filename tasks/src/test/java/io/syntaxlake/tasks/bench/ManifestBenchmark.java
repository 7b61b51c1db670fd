package io.syntaxlake.tasks.bench;

import io.syntaxlake.engine.SessionOptions;
import io.syntaxlake.tasks.core.Artifact;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import io.syntaxlake.tasks.manifest.ArtifactRecord;
import io.syntaxlake.tasks.manifest.DeltaManifestStore;
import io.syntaxlake.tasks.manifest.ManifestStore;
import io.syntaxlake.tasks.manifest.RunRecord;
import io.syntaxlake.tasks.manifest.RunStatus;
import io.syntaxlake.tasks.manifest.TaskAttempt;
import io.syntaxlake.tasks.manifest.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Benchmark (not a test), run by tasks/bench/manifest.sh: the cost of the Delta manifest store's
 * writes on a local lake, warm: {@code startRun}, {@code recordAttempt} with three small
 * artifacts (what the caller waits for: the store queues the attempt's commits), {@code finishRun}
 * (which waits for the queued commits, then writes the run's row), and the reads {@code runs()}
 * and {@code attempts(run)}, after
 * {@code warmups} unmeasured rounds. Prints one JSON line per operation: median, p90 and max
 * milliseconds over {@code iterations}, then the log's versions and checkpoint. Arguments: work
 * directory, iterations, warm-up rounds.
 */
public final class ManifestBenchmark {
    private ManifestBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int iterations = Integer.parseInt(args[1]);
        int warmups = Integer.parseInt(args[2]);
        Files.createDirectories(work);
        Lake lake = new Lake(LakeLocation.local(work.resolve("lake"), List.of(work)));
        long[] start = new long[iterations];
        long[] record = new long[iterations];
        long[] finish = new long[iterations];
        long[] runs = new long[iterations];
        long[] attempts = new long[iterations];
        try (ManifestStore store = DeltaManifestStore.open(lake, SessionOptions.defaults())) {
            for (int i = -warmups; i < iterations; i++) {
                String runId = "run-" + (i + warmups);
                Instant t0 = Instant.now();
                RunRecord run = new RunRecord(runId, "ast-pipeline", "bench", "{\"repo\":\"cpython\"}", "key-" + (i % 5),
                        t0, null, RunStatus.RUNNING, "55.2.0", "cfg", null);
                long a = System.nanoTime();
                store.startRun(run);
                long b = System.nanoTime();
                TaskAttempt attempt = new TaskAttempt(runId, "extract", 1, TaskStatus.SUCCEEDED, t0, t0.plusMillis(5), null);
                List<ArtifactRecord> artifacts = new ArrayList<>();
                for (String name : List.of("datafusion_ast_dataset_v1", "datafusion_ast_views_v1", "datafusion_ast_constraints_v1")) {
                    artifacts.add(ArtifactRecord.of(runId, "extract", 1, new Artifact(name,
                            Map.of("rows", 1790, "files", 1, "location", "file:///lake/tables/ast_files_v1/"), t0, "55.2.0",
                            "f6cb7e06442a6bd09393c385b0d63774b5cfe71852e136e5e3514b702941836c")));
                }
                store.recordAttempt(attempt, artifacts);
                long c = System.nanoTime();
                store.finishRun(run.finished(RunStatus.SUCCEEDED, t0.plusMillis(10), null));
                long d = System.nanoTime();
                store.runs();
                long e = System.nanoTime();
                store.attempts(runId);
                long f = System.nanoTime();
                if (i >= 0) {
                    start[i] = b - a;
                    record[i] = c - b;
                    finish[i] = d - c;
                    runs[i] = e - d;
                    attempts[i] = f - e;
                }
            }
        }
        print("startRun", start);
        print("recordAttempt_3_artifacts", record);
        print("finishRun", finish);
        print("runs", runs);
        print("attempts", attempts);
        Path runsLog = work.resolve("lake/manifest/runs/_delta_log");
        try (var files = Files.list(runsLog)) {
            List<String> names = files.map(p -> p.getFileName().toString()).sorted().toList();
            System.out.println("{\"runs_log_json_files\":" + names.stream().filter(n -> n.matches("\\d+\\.json")).count()
                    + ",\"runs_log_checkpoints\":" + names.stream().filter(n -> n.endsWith(".checkpoint.parquet")).count() + "}");
        }
    }

    private static void print(String operation, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("{\"op\":\"%s\",\"n\":%d,\"median_ms\":%.1f,\"p90_ms\":%.1f,\"max_ms\":%.1f}%n", operation,
                sorted.length, median(sorted) / 1e6, sorted[(int) Math.ceil(0.9 * sorted.length) - 1] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }

    private static double median(long[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
    }
}
