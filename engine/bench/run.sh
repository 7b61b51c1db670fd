#!/usr/bin/env bash
# Benchmark (not a test): the same five queries over the same Parquet files through SyntaxLake
# (DataFusion over JNI, results read into Java) and through datafusion-python 55 from PyPI
# (results collected into pyarrow), in one run. Prints the per-query wall-time ratio.
# Needs a built engine: ./mvnw -B -DskipTests package (or test-compile) first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
rows="${BENCH_ROWS:-10000000}"; warmup="${BENCH_WARMUP:-2}"; iterations="${BENCH_ITERATIONS:-9}"
work="${BENCH_DIR:-$HOME/.cache/syntaxlake/bench}"
venv="$work/venv"
mkdir -p "$work"
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "datafusion==55.*" pyarrow
data="$work/events-$rows"
[[ -d "$data" ]] || "$venv/bin/python" engine/bench/datafusion_python_bench.py generate "$data" "$rows"

./mvnw -B -q -pl engine -DskipTests test-compile
cp="engine/target/test-classes:engine/target/classes:$(./mvnw -B -q -pl engine org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath -Dmdep.outputFile=/dev/stdout)"

# Rounds alternate the two sides so that a noisy neighbour hurts both alike; the reported ratio
# is the median over rounds of (SyntaxLake median / datafusion-python median), with its range.
rounds="${BENCH_ROUNDS:-3}"
for round in $(seq "$rounds"); do
  "$venv/bin/python" engine/bench/datafusion_python_bench.py run "$data" engine/bench/queries.sql "$warmup" "$iterations" \
      > "$work/python-$round.json"
  java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx2g ${BENCH_JAVA_OPTS:-} -cp "$cp" io.syntaxlake.engine.bench.QueryBenchmark \
      "$data" engine/bench/queries.sql "$warmup" "$iterations" "$work/java-$round.json" > "$work/java.log" 2>&1
done

"$venv/bin/python" - "$work" "$rounds" <<'PY'
import json, os, platform, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
py = [json.load(open(f"{work}/python-{r}.json")) for r in range(1, rounds + 1)]
jv = [json.load(open(f"{work}/java-{r}.json")) for r in range(1, rounds + 1)]
print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {py[0]['engine']} vs {jv[0]['engine']}; {rounds} alternating rounds")
print(f"{'query':<62} {'rows':>9} {'python s':>9} {'java s':>9} {'ratio':>6} {'range':>12}")
for q in range(len(py[0]["queries"])):
    p = [run["queries"][q] for run in py]
    j = [run["queries"][q] for run in jv]
    assert all(x["rows"] == p[0]["rows"] for x in p + j), p[0]["sql"]
    ratios = [b["median_s"] / a["median_s"] for a, b in zip(p, j)]
    print(f"{p[0]['sql'][:62]:<62} {p[0]['rows']:>9} {statistics.median(x['median_s'] for x in p):>9.4f} "
          f"{statistics.median(x['median_s'] for x in j):>9.4f} {statistics.median(ratios):>6.3f} "
          f"{min(ratios):>5.2f}-{max(ratios):<5.2f}")
PY
