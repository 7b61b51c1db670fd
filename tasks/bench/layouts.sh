#!/usr/bin/env bash
# Benchmark (not a test): ast_files_v1 of the standard library written and read in its two
# layouts, PARTITIONED BY (repo) (the default) and PARTITIONED BY (repo, path) (the plan's
# literal pattern): write time, files, bytes, three typical queries. Layouts alternate within
# each round; the summary gives medians over rounds and the repo_path / repo ratio.
# Needs the modules built: ./mvnw -B -DskipTests package.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python="${SYNTAXLAKE_PYTHON:-python3}"
work="${BENCH_DIR:-$HOME/.cache/syntaxlake/bench}/layouts"
rounds="${BENCH_ROUNDS:-3}"; iterations="${BENCH_ITERATIONS:-5}"
source tasks/bench/lake-bench.sh LayoutBenchmark
"$python" - "$work/results.jsonl" <<'PY'
import json, os, platform, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
print(f"machine: {platform.machine()}, {os.cpu_count()} cores; {len(runs) // 2} alternating rounds")
keys = ["write_s", "files", "bytes", "register_s", "q1_s", "q2_s", "q3_s"]
med = {lay: {k: statistics.median(r[k] for r in runs if r["layout"] == lay) for k in keys} for lay in ("repo", "repo_path")}
print(f"{'metric':<12} {'repo':>14} {'repo_path':>14} {'ratio':>7}")
for k in keys:
    a, b = med["repo"][k], med["repo_path"][k]
    print(f"{k:<12} {a:>14.4g} {b:>14.4g} {b / a if a else float('nan'):>7.2f}")
PY
