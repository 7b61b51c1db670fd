#!/usr/bin/env bash
# The main job on a fresh machine: builds SyntaxLake, then runs the ast and cst pipelines over the
# CPython standard library of the python3 on PATH into a local lake (./lake, or $SYNTAXLAKE_LAKE),
# each printing its summary: files, rows, error rows, tables, run id, the manifest, a query to try.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/prerequisites.sh
source deploy/local/python-env.sh
if [[ ! -f routes/target/quarkus-app/quarkus-run.jar || "${SYNTAXLAKE_SKIP_BUILD:-}" != "1" ]]; then
  ./mvnw -B -DskipTests package
fi

lake="${SYNTAXLAKE_LAKE:-$PWD/lake}"
stdlib="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')"
mkdir -p "$lake"
for route in ast-pipeline cst-pipeline; do
  ./syntaxlake run "$route" --source "$stdlib" --lake "$lake" --repo cpython --exclude 'site-packages/*' "$@"
done
echo
echo "main job: the standard library of $(python3 --version) is in the lake at $lake"
echo "  ./syntaxlake runs --lake $lake"
echo "  ./syntaxlake sql --lake $lake \"SELECT count(*) AS files, sum(cardinality(nodes)) AS nodes FROM ast_files_v1\""
