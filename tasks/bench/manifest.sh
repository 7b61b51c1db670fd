#!/usr/bin/env bash
# Benchmark (not a test): what the Delta manifest store's writes and reads cost on a local lake,
# warm (startRun, recordAttempt with three small artifacts, finishRun, runs(), attempts(run)):
# median, p90 and max over BENCH_ITERATIONS after BENCH_WARMUPS unmeasured rounds.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
work="${BENCH_DIR:-$HOME/.cache/syntaxlake/bench}/manifest"
iterations="${BENCH_ITERATIONS:-20}"; warmups="${BENCH_WARMUPS:-5}"
rm -rf "$work" && mkdir -p "$work"
./mvnw -B -q -pl engine,tasks -Dskip.cargo=true -DskipTests test-compile \
    org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=target/bench-classpath.txt
cp="tasks/target/test-classes:tasks/target/classes:$(cat tasks/target/bench-classpath.txt)"
java --add-opens=java.base/java.nio=ALL-UNNAMED -cp "$cp" io.syntaxlake.tasks.bench.ManifestBenchmark \
    "$work" "$iterations" "$warmups" 2>"$work/stderr.log"
