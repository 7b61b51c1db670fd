#!/usr/bin/env bash
# Runs every test on a fresh machine: sets up the Python environment (LibCST, pytest), builds the
# extractor's native AST walker (tasks/native) and runs the extractor tests against it, starts a
# throwaway PostgreSQL server (the JDBC manifest store's tests), then builds the DataFusion bridge
# with cargo (from scratch when its target directory is empty), packages engine, tasks and
# application, runs all JVM tests, and checks the native build's input (a sources-only native
# build: no GraalVM here).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/prerequisites.sh
source deploy/local/python-env.sh
# Same target directory as Maven's build of the crate (tasks/pom.xml), which then has nothing to do;
# the tests' conftest loads the library from there.
(cd tasks/native && CARGO_TARGET_DIR="$HOME/.cache/syntaxlake/cargo-target" cargo build --release --locked)
SYNTAXLAKE_REQUIRE_NATIVE=1 "$SYNTAXLAKE_PYTHON" -m pytest -q tasks/src/test/python
source deploy/local/postgres.sh
./mvnw -B verify "$@"
# The launcher starts from the class-data archive the build wrote: with -Xshare:on the JVM fails if it cannot use it.
[[ -f routes/target/quarkus-app/syntaxlake.jsa ]] || { echo "test-all: the build wrote no class-data archive" >&2; exit 1; }
version="$(JAVA_OPTS=-Xshare:on ./syntaxlake --version)" || { echo "test-all: ./syntaxlake cannot use its class-data archive" >&2; exit 1; }
echo "test-all: $version starts from its class-data archive"
deploy/native/check-sources.sh
