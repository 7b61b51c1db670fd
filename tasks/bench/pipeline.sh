#!/usr/bin/env bash
# Benchmark (not a test): the pipelines against their peers, alternating in one run.
#   ast  `./syntaxlake run ast-pipeline` against the script a user would write instead
#        (tasks/bench/peer_ast_parquet.py: two worker processes, ast.parse, a walk into nested rows,
#        zstd Parquet by pyarrow); the ratio is wall time over wall time.
#   cst  `./syntaxlake run cst-pipeline` against the LibCST floor (tasks/bench/peer_libcst_floor.py:
#        parse_module plus ScopeProvider and byte positions over two workers, no rows); the ratio
#        is the extract task's time over the floor's.
# Trees: stdlib, the standard library of the python3 on PATH (site-packages excluded), 1,790 files
# on 3.11; 10k, twelve pinned PyPI wheels unpacked once into the bench cache (10,447 .py files;
# ast only by default: LibCST needs about 15 min for it).
# Each round runs the peer, then the pipeline into a fresh lake (so nothing is skipped as already
# done). Prints a line per round (seconds, per-task seconds, peak RSS of the whole command from
# /usr/bin/time -v: its largest process) and, per pipeline and tree, the medians and the ratio.
# Needs the packaged application (./mvnw -B -DskipTests package) and, for the 10k tree the first
# time, PyPI.
#   BENCH_ROUNDS (3), BENCH_PIPELINES ("ast cst"), BENCH_TREES ("stdlib 10k" for ast),
#   BENCH_CST_TREES ("stdlib"), BENCH_DIR (~/.cache/syntaxlake/bench)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/python-env.sh > /dev/null
python="$SYNTAXLAKE_PYTHON"
bench="${BENCH_DIR:-$HOME/.cache/syntaxlake/bench}"
rounds="${BENCH_ROUNDS:-3}"
results="$bench/pipeline.jsonl"
mkdir -p "$bench"
: > "$results"

wheels=(Django==5.1.4 sympy==1.13.3 pandas==2.2.3 scipy==1.14.1 numpy==2.1.3 networkx==3.4.2
        ansible-core==2.17.7 pip==24.3.1 setuptools==75.6.0 matplotlib==3.9.3 transformers==4.46.3
        twisted==24.11.0 pygments==2.18.0)

tree_10k() {
  local tree="$bench/tree-10k"
  if [[ ! -f "$tree/.complete" ]]; then
    rm -rf "$tree" "$bench/wheels" && mkdir -p "$tree"
    "$python" -m pip download --quiet --no-deps --only-binary=:all: --python-version 3.11 \
        --platform manylinux2014_x86_64 -d "$bench/wheels" "${wheels[@]}" >&2
    for wheel in "$bench"/wheels/*.whl; do
      "$python" -m zipfile -e "$wheel" "$tree/$(basename "$wheel" .whl)"
    done
    touch "$tree/.complete"
  fi
  echo "$tree"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo)," \
     "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
for pipeline in ${BENCH_PIPELINES:-ast cst}; do
  case "$pipeline" in
    ast) trees="${BENCH_TREES:-stdlib 10k}"; peer=tasks/bench/peer_ast_parquet.py ;;
    cst) trees="${BENCH_CST_TREES:-stdlib}"; peer=tasks/bench/peer_libcst_floor.py ;;
    *) echo "pipeline.sh: unknown pipeline $pipeline (ast or cst)" >&2; exit 2 ;;
  esac
  for name in $trees; do
    case "$name" in
      stdlib) source_dir="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"; exclude='site-packages/*' ;;
      10k) source_dir="$(tree_10k)"; exclude='' ;;
      *) echo "pipeline.sh: unknown tree $name (stdlib or 10k)" >&2; exit 2 ;;
    esac
    for round in $(seq "$rounds"); do
      rm -rf "$bench/peer" "$bench/lake"
      sync
      if [[ "$pipeline" == ast ]]; then
        "$python" "$peer" "$source_dir" "$bench/peer" ${exclude:+"$exclude"} > "$bench/peer.json"
      else
        "$python" "$peer" "$source_dir" ${exclude:+"$exclude"} > "$bench/peer.json"
      fi
      sync
      if ! /usr/bin/time -v ./syntaxlake run "$pipeline-pipeline" --source "$source_dir" --lake "$bench/lake" \
          --repo bench ${exclude:+--exclude "$exclude"} > "$bench/run.out" 2> "$bench/run.time"; then
        # a failed run has no figures: say why instead of ending without a word
        echo "pipeline.sh: the $pipeline-pipeline failed on $name in round $round:" >&2
        grep -m1 -A3 FAILED "$bench/run.out" >&2 || tail -n 20 "$bench/run.time" >&2
        exit 1
      fi
      "$python" - "$pipeline" "$name" "$round" "$bench" >> "$results" <<'PY'
import json, re, sys
pipeline, name, round_, bench = sys.argv[1:]
peer = json.load(open(f"{bench}/peer.json"))
out, timing = open(f"{bench}/run.out").read(), open(f"{bench}/run.time").read()
wall = timing.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1)) / 1024
# the task lines go to stderr, with the progress, before time's report
tasks = {t: float(s) for t, s in re.findall(r"^  (\w[\w-]*)\s+ok\s+([\d.]+) s$", timing, re.M)}
run = re.search(r"succeeded in ([\d.]+) s", out)
print(json.dumps({"pipeline": pipeline, "tree": name, "round": int(round_), "files": peer["files"],
                  "peer_s": round(peer["seconds"], 2), "syntaxlake_s": round(seconds, 2),
                  "run_s": float(run.group(1)) if run else None, "tasks_s": tasks, "peak_rss_mib": round(rss)}))
PY
      tail -n 1 "$results"
    done
  done
done
"$python" - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1])]
for pipeline, tree in dict.fromkeys((r["pipeline"], r["tree"]) for r in rows):
    mine = [r for r in rows if (r["pipeline"], r["tree"]) == (pipeline, tree)]
    peer = statistics.median(r["peer_s"] for r in mine)
    ours = statistics.median(r["syntaxlake_s"] for r in mine)
    tasks = {t: statistics.median(r["tasks_s"].get(t, 0.0) for r in mine) for t in mine[0]["tasks_s"]}
    rss = statistics.median(r["peak_rss_mib"] for r in mine)
    detail = ", ".join(f"{t} {s:.1f}" for t, s in tasks.items())
    if pipeline == "ast":
        verdict = f"median peer {peer:.1f} s, ast-pipeline {ours:.1f} s (ratio {ours / peer:.2f}; "
    else:
        extract = statistics.median(r["tasks_s"].get("extract", 0.0) for r in mine)
        verdict = (f"median LibCST floor {peer:.1f} s, extract {extract:.1f} s (ratio {extract / peer:.2f}); "
                   f"cst-pipeline {ours:.1f} s (")
    print(f"{pipeline} {tree}: {mine[0]['files']} files, {len(mine)} rounds; {verdict}{detail}; peak RSS {rss:.0f} MiB)")
PY
