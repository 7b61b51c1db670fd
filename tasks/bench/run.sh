#!/usr/bin/env bash
# Benchmark (not a test): `./syntaxlake extract ast` over the Python standard library against
# its peer, reading + ast.parse of the same files on one core, in one run. Reports wall time,
# files/s, peak RSS (of the whole extract command: JVM + python workers, from /usr/bin/time -v)
# and the ratio. Needs the packaged application: ./mvnw -B -DskipTests package.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
python="${SYNTAXLAKE_PYTHON:-python3}"
stdlib="$("$python" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
out="${BENCH_DIR:-$HOME/.cache/syntaxlake/bench}/extract-ast"
rounds="${BENCH_ROUNDS:-3}"
for round in $(seq "$rounds"); do
  # Each round starts alike: no previous output to delete, no earlier round's pages left to write back.
  rm -rf "$out"
  sync
  "$python" tasks/bench/parse_baseline.py "$stdlib" 'site-packages/*' > /tmp/syntaxlake-parse.json
  /usr/bin/time -v ./syntaxlake extract ast --source "$stdlib" --out "$out" --exclude 'site-packages/*' \
      > /tmp/syntaxlake-extract.out 2> /tmp/syntaxlake-extract.time
  "$python" - "$round" <<'PY'
import json, re, sys
base = json.load(open("/tmp/syntaxlake-parse.json"))
timing = open("/tmp/syntaxlake-extract.time").read()
wall = timing.split("Elapsed (wall clock) time (h:mm:ss or m:ss): ")[1].split("\n")[0]
parts = [float(p) for p in wall.split(":")]
seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
rss_mib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing).group(1)) / 1024
print(f"round {sys.argv[1]}: parse-only 1 core {base['seconds']:.2f}s ({base['files']} files); "
      f"extract {seconds:.2f}s, {base['files'] / seconds:.0f} files/s, peak RSS {rss_mib:.0f} MiB; "
      f"ratio {seconds / base['seconds']:.2f}")
PY
done
