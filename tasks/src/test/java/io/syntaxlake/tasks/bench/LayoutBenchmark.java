package io.syntaxlake.tasks.bench;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ListingTableSpec;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.dataset.CreateViewsTask;
import io.syntaxlake.tasks.dataset.FeatureGates;
import io.syntaxlake.tasks.dataset.MaterializeRequest;
import io.syntaxlake.tasks.dataset.MaterializeResult;
import io.syntaxlake.tasks.dataset.MaterializeTask;
import io.syntaxlake.tasks.dataset.RegisterDatasetTask;
import io.syntaxlake.tasks.dataset.RegisterRequest;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Benchmark (not a test), run by tasks/bench/layouts.sh: the two layouts of ast_files_v1,
 * PARTITIONED BY (repo) against PARTITIONED BY (repo, path), written from the same extracted
 * rows and read by the same three queries, alternating layouts within each round. Prints one
 * JSON object per layout and round: write seconds, files, bytes, and each query's median seconds.
 * Arguments: staging directory (extract output), work directory, rounds, query iterations.
 */
public final class LayoutBenchmark {
    private static final List<String> QUERIES = List.of(
            "SELECT cardinality(nodes) FROM ast_files_v1 WHERE path = 'json/decoder.py'",
            "SELECT kind, count(*) FROM ast_defs GROUP BY kind",
            "SELECT count(*) FROM ast_files_v1 WHERE path LIKE 'email/%'");

    private LayoutBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path staging = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int iterations = Integer.parseInt(args[3]);
        DatasetContract contract = ContractLoader.load("ast_files_v1");
        for (int round = 1; round <= rounds; round++) {
            for (String layout : List.of("repo", "repo_path")) {
                Path root = work.resolve("round-" + round + "-" + layout);
                Lake lake = new Lake(LakeLocation.local(root, List.of(work)));
                StringBuilder json = new StringBuilder("{\"round\":" + round + ",\"layout\":\"" + layout + "\"");
                try (EngineSession session = EngineSession.open()) {
                    session.registerListingTable(ListingTableSpec.plain("staging", staging.toUri().toString(),
                            ListingTableSpec.Format.ARROW, contract.schema()));
                    long start = System.nanoTime();
                    MaterializeResult written = new MaterializeTask(session)
                            .run(MaterializeRequest.replace(contract, "staging", lake, "bench").withLayout(layout)).value();
                    double seconds = (System.nanoTime() - start) / 1e9;
                    json.append(",\"write_s\":").append(seconds).append(",\"files\":").append(written.files())
                            .append(",\"bytes\":").append(written.bytes()).append(",\"rows\":").append(written.rows());
                }
                try (EngineSession session = EngineSession.open()) {
                    long start = System.nanoTime();
                    new RegisterDatasetTask(session).run(RegisterRequest.of(contract, lake).withLayout(layout));
                    json.append(",\"register_s\":").append((System.nanoTime() - start) / 1e9);
                    new CreateViewsTask(session).run(contract, "ast_files_v1", new FeatureGates(session).run(contract).value());
                    for (int q = 0; q < QUERIES.size(); q++) {
                        List<Double> times = new ArrayList<>();
                        Object answer = null;
                        for (int i = 0; i < iterations; i++) {
                            long t = System.nanoTime();
                            answer = session.collect(QUERIES.get(q)).rows().size();
                            times.add((System.nanoTime() - t) / 1e9);
                        }
                        times.sort(Double::compare);
                        json.append(",\"q").append(q + 1).append("_s\":").append(times.get(times.size() / 2))
                                .append(",\"q").append(q + 1).append("_rows\":").append(answer);
                    }
                }
                System.out.println(json.append('}'));
                BenchFiles.deleteTree(root);
            }
        }
    }
}
