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

"$venv/bin/python" engine/bench/datafusion_python_bench.py run "$data" engine/bench/queries.sql "$warmup" "$iterations" > "$work/python.json"
java --add-opens=java.base/java.nio=ALL-UNNAMED -Xmx2g -cp "$cp" io.syntaxlake.engine.bench.QueryBenchmark \
  "$data" engine/bench/queries.sql "$warmup" "$iterations" "$work/java.json" > "$work/java.log" 2>&1

"$venv/bin/python" - "$work/python.json" "$work/java.json" <<'PY'
import json, sys, platform, os
py, jv = (json.load(open(p)) for p in sys.argv[1:3])
print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {py['engine']} vs {jv['engine']}")
print(f"{'query':<70} {'rows':>9} {'python s':>9} {'java s':>9} {'ratio':>6}")
for p, j in zip(py["queries"], jv["queries"]):
    assert p["sql"] == j["sql"] and p["rows"] == j["rows"], (p["sql"], p["rows"], j["rows"])
    print(f"{p['sql'][:70]:<70} {p['rows']:>9} {p['median_s']:>9.4f} {j['median_s']:>9.4f} {j['median_s']/p['median_s']:>6.3f}")
PY
