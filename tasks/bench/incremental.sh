#!/usr/bin/env bash
# Benchmark (not a test): incremental runs against the full run of the same tree, in one script.
# For each pipeline, over a copy of the standard library of the python3 on PATH (site-packages
# excluded; 1,790 files on 3.11), each round:
#   full       `./syntaxlake run <p>-pipeline` into a fresh lake (every file extracted and written)
#   unchanged  the same command again (the run key says the tree is done: nothing runs)
#   one        one file edited (a line appended), then the command
#   tenth      every tenth file edited, then the command
# Each is a whole command, launcher included (wall time of `/usr/bin/time -v`, and its peak RSS).
# Bytes written: the size of every file of the lake modified by the command (data, pointers,
# indexes, manifest); a file carried into a new generation is a hard link, not modified, so not
# counted. Prints one JSON line per measurement and, per pipeline, the medians and the ratios to
# the full run. Needs the packaged application (./mvnw -B -DskipTests package).
#   BENCH_ROUNDS (1), BENCH_PIPELINES ("ast cst"), BENCH_FORMATS ("parquet"), BENCH_DIR (~/.cache/syntaxlake/bench)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/python-env.sh > /dev/null
python="$SYNTAXLAKE_PYTHON"
bench="${BENCH_DIR:-$HOME/.cache/syntaxlake/bench}/incremental"
rounds="${BENCH_ROUNDS:-1}"
results="$bench/incremental.jsonl"
mkdir -p "$bench"
: > "$results"
stdlib="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
export SYNTAXLAKE_ROOTS="$bench"

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"

measure() {  # pipeline format round step: runs the command into $bench/lake, appends one JSON line
  local pipeline=$1 format=$2 round=$3 step=$4
  touch "$bench/marker"
  sleep 0.01  # a modification after the marker has a later mtime than it, even on a coarse clock
  if ! /usr/bin/time -v ./syntaxlake run "$pipeline-pipeline" --source "$bench/tree" --lake "$bench/lake" \
      --repo stdlib --format "$format" > "$bench/run.out" 2> "$bench/run.time"; then
    echo "incremental.sh: the $pipeline-pipeline failed at $step in round $round:" >&2
    grep -m1 -A3 FAILED "$bench/run.out" >&2 || tail -n 20 "$bench/run.time" >&2
    exit 1
  fi
  local written
  written=$(find "$bench/lake" -type f -newer "$bench/marker" -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  "$python" - "$pipeline" "$format" "$round" "$step" "$written" "$bench" >> "$results" <<'PY'
import json, re, sys
pipeline, format_, round_, step, written, bench = sys.argv[1:]
timing = open(f"{bench}/run.time").read()
wall = timing.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1)) / 1024
print(json.dumps({"pipeline": pipeline, "format": format_, "round": int(round_), "step": step,
                  "seconds": round(seconds, 2), "bytes_written": int(written), "peak_rss_mib": round(rss)}))
PY
  tail -n 1 "$results"
}

edit() {  # appends a line to every n-th .py file of the tree, in path order, starting at the middle one
  "$python" - "$bench/tree" "$1" <<'PY'
import os, sys
root, every = sys.argv[1], int(sys.argv[2])
files = sorted(os.path.join(d, f) for d, _, names in os.walk(root) for f in names if f.endswith(".py"))
chosen = [files[len(files) // 2]] if every == 0 else files[::every]
for path in chosen:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("\nBENCH_EDIT = 1\n")
print(f"edited {len(chosen)} of {len(files)} files", file=sys.stderr)
PY
}

for pipeline in ${BENCH_PIPELINES:-ast cst}; do
  for format in ${BENCH_FORMATS:-parquet}; do
    for round in $(seq "$rounds"); do
      rm -rf "$bench/tree" "$bench/lake"
      mkdir -p "$bench/tree"
      (cd "$stdlib" && find . -name '*.py' -not -path './site-packages/*' -exec cp --parents -p -t "$bench/tree" {} +)
      sync
      measure "$pipeline" "$format" "$round" full
      measure "$pipeline" "$format" "$round" unchanged
      edit 0
      measure "$pipeline" "$format" "$round" one
      edit 10
      measure "$pipeline" "$format" "$round" tenth
    done
  done
done
"$python" - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
for pipeline, format_ in dict.fromkeys((r["pipeline"], r["format"]) for r in rows):
    mine = [r for r in rows if (r["pipeline"], r["format"]) == (pipeline, format_)]
    med = {step: (statistics.median(r["seconds"] for r in mine if r["step"] == step),
                  statistics.median(r["bytes_written"] for r in mine if r["step"] == step)) for step in
           ("full", "unchanged", "one", "tenth")}
    full_s, full_b = med["full"]
    parts = [f"full {full_s:.1f} s, {full_b / 1e6:.1f} MB"]
    for step in ("unchanged", "one", "tenth"):
        s, b = med[step]
        parts.append(f"{step} {s:.1f} s ({s / full_s:.3f}x), {b / 1e6:.2f} MB ({b / full_b:.4f}x)")
    print(f"{pipeline}-pipeline {format_}, {len(mine) // 4} rounds: " + "; ".join(parts))
PY
