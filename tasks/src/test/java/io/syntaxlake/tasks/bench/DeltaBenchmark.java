package io.syntaxlake.tasks.bench;

import io.syntaxlake.engine.EngineSession;
import io.syntaxlake.engine.ListingTableSpec;
import io.syntaxlake.engine.contract.ContractLoader;
import io.syntaxlake.engine.contract.DatasetContract;
import io.syntaxlake.tasks.dataset.MaterializeRequest;
import io.syntaxlake.tasks.dataset.MaterializeTask;
import io.syntaxlake.tasks.dataset.RegisterDatasetTask;
import io.syntaxlake.tasks.dataset.RegisterRequest;
import io.syntaxlake.tasks.delta.DeltaLog;
import io.syntaxlake.tasks.delta.DeltaSelector;
import io.syntaxlake.tasks.delta.DeltaWriter;
import io.syntaxlake.tasks.delta.RegisterDeltaTask;
import io.syntaxlake.tasks.lake.Lake;
import io.syntaxlake.tasks.lake.LakeLocation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Benchmark (not a test), run by tasks/bench/delta.sh: ast_files_v1 of the standard library
 * written as plain Parquet (a generation and its pointer) and as a Delta table (the same COPY,
 * then a kernel commit), then registered and read by the same queries; formats alternate within
 * each round. Prints one JSON object per format and round: write and register seconds, data and
 * log bytes, and each query's median seconds. Arguments: staging directory, work directory,
 * rounds, query iterations.
 */
public final class DeltaBenchmark {
    private static final List<String> QUERIES = List.of(
            "SELECT count(*), sum(cardinality(nodes)) FROM ast_files_v1",
            "SELECT cardinality(nodes) FROM ast_files_v1 WHERE path = 'json/decoder.py'");

    private DeltaBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Path staging = Path.of(args[0]);
        Path work = Path.of(args[1]);
        int rounds = Integer.parseInt(args[2]);
        int iterations = Integer.parseInt(args[3]);
        DatasetContract contract = ContractLoader.load("ast_files_v1");
        DeltaLog log = new DeltaLog();
        for (int round = 1; round <= rounds; round++) {
            for (String format : List.of("parquet", "delta")) {
                Path root = work.resolve("round-" + round + "-" + format);
                Lake lake = new Lake(LakeLocation.local(root, List.of(work)));
                LakeLocation deltaTable = LakeLocation.local(root.resolve("delta/ast_files_v1"), List.of(work));
                StringBuilder json = new StringBuilder("{\"round\":" + round + ",\"format\":\"" + format + "\"");
                try (EngineSession session = EngineSession.open()) {
                    session.registerListingTable(ListingTableSpec.plain("staging", staging.toUri().toString(),
                            ListingTableSpec.Format.ARROW, contract.schema()));
                    long start = System.nanoTime();
                    long rows = format.equals("parquet")
                            ? new MaterializeTask(session).run(MaterializeRequest.replace(contract, "staging", lake, "bench"))
                                    .value().rows()
                            : new DeltaWriter(session, log).write(contract, contract.table().layout(), "staging", deltaTable,
                                    "cpython", true, "bench").rows();
                    json.append(",\"write_s\":").append((System.nanoTime() - start) / 1e9).append(",\"rows\":").append(rows);
                }
                json.append(",\"data_bytes\":").append(bytes(root, false)).append(",\"log_bytes\":").append(bytes(root, true));
                try (EngineSession session = EngineSession.open()) {
                    long start = System.nanoTime();
                    if (format.equals("parquet")) {
                        new RegisterDatasetTask(session).run(RegisterRequest.of(contract, lake));
                    } else {
                        new RegisterDeltaTask(session, log).run(contract, deltaTable, DeltaSelector.latest(), "ast_files_v1");
                    }
                    json.append(",\"register_s\":").append((System.nanoTime() - start) / 1e9);
                    for (int q = 0; q < QUERIES.size(); q++) {
                        List<Double> times = new ArrayList<>();
                        for (int i = 0; i < iterations; i++) {
                            long t = System.nanoTime();
                            session.collect(QUERIES.get(q));
                            times.add((System.nanoTime() - t) / 1e9);
                        }
                        times.sort(Double::compare);
                        json.append(",\"q").append(q + 1).append("_s\":").append(times.get(times.size() / 2));
                    }
                }
                System.out.println(json.append('}'));
                BenchFiles.deleteTree(root);
            }
        }
    }

    /** Bytes of the data files, or of the pointer and log files. */
    private static long bytes(Path root, boolean log) throws java.io.IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> log == (p.toString().contains("_delta_log") || p.toString().contains("pointers")))
                    .mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
