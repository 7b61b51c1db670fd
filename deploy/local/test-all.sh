#!/usr/bin/env bash
# Runs every test on a fresh machine: builds the DataFusion bridge with cargo (from scratch when
# its target directory is empty), packages the engine, tasks and application, runs all tests.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
source deploy/local/prerequisites.sh
./mvnw -B verify "$@"
