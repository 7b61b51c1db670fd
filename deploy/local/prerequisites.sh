#!/usr/bin/env bash
# Checks (and where possible installs) what building and testing SyntaxLake needs on a fresh
# machine: JDK 17+, a Rust toolchain >= 1.94 for the DataFusion 55 bridge, python3.
set -euo pipefail

fail() { echo "prerequisites: $*" >&2; exit 1; }

command -v java >/dev/null || fail "java (JDK 17 or newer) is not on PATH"
java_major=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')
[[ "${java_major%%.*}" -ge 17 ]] || fail "JDK 17 or newer needed, found $java_major"

if ! command -v cargo >/dev/null; then
  if [[ -x "$HOME/.cargo/bin/cargo" ]]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  else
    echo "prerequisites: installing Rust with rustup (crates.io must be reachable)" >&2
    curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
fi
rust_minor=$(rustc --version | awk '{print $2}' | cut -d. -f2)
[[ "$rust_minor" -ge 94 ]] || fail "Rust 1.94 or newer needed for DataFusion 55, found $(rustc --version)"

command -v python3 >/dev/null || fail "python3 is not on PATH"
echo "prerequisites: java $java_major, $(rustc --version), $(python3 --version)" >&2
