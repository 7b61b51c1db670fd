#!/usr/bin/env bash
# Benchmark (not a test): ast_files_v1 of the standard library written and read as plain Parquet
# and as a Delta table (same engine COPY; Delta adds the file check and the kernel commit, and
# reads through the log's file list). Formats alternate within each round; the summary gives
# medians over rounds and the delta / parquet ratio.
# Needs the modules built: ./mvnw -B -DskipTests package.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python="${SYNTAXLAKE_PYTHON:-python3}"
work="${BENCH_DIR:-$HOME/.cache/syntaxlake/bench}/delta"
rounds="${BENCH_ROUNDS:-3}"; iterations="${BENCH_ITERATIONS:-5}"
source tasks/bench/lake-bench.sh DeltaBenchmark
"$python" - "$work/results.jsonl" <<'PY'
import json, os, platform, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {len(runs) // 2} alternating rounds")
keys = ["write_s", "data_bytes", "log_bytes", "register_s", "q1_s", "q2_s"]
med = {f: {k: statistics.median(r[k] for r in runs if r["format"] == f) for k in keys} for f in ("parquet", "delta")}
print(f"{'metric':<12} {'parquet':>14} {'delta':>14} {'ratio':>7}")
for k in keys:
    a, b = med["parquet"][k], med["delta"][k]
    print(f"{k:<12} {a:>14.4g} {b:>14.4g} {b / a if a else float('nan'):>7.2f}")
PY
