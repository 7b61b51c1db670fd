#!/usr/bin/env bash
# Sourced by the local scripts: a Python virtual environment outside the checkout with the
# extractors' optional dependency (LibCST) and the test tools, pinned. Exports SYNTAXLAKE_PYTHON,
# the interpreter the extract task runs.
venv="${SYNTAXLAKE_VENV:-$HOME/.cache/syntaxlake/venv}"
if [[ ! -x "$venv/bin/python" ]]; then
  python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q --disable-pip-version-check "libcst==1.9.0" "pytest==8.*" "deltalake==1.6.6" "pyarrow==21.0.0"
export SYNTAXLAKE_PYTHON="$venv/bin/python"
echo "python-env: $("$SYNTAXLAKE_PYTHON" --version), libcst $("$SYNTAXLAKE_PYTHON" -c 'import libcst, importlib.metadata as m; print(m.version("libcst"))')" >&2
