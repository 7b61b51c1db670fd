"""Full-stdlib check of the native AST walker (tasks/native) against the Python one, plus walk times.

For every file under the standard library (minus site-packages) builds the whole ``ast_files_v1``
row twice, with the native walker and with the Python walker (the extension hidden), and requires
identical text; then times the walk alone, per walker, in one process (GC off, as in the harness).

    python tasks/bench/native_walk_parity.py [PACKAGE_ROOT]

PACKAGE_ROOT holds ``syntaxlake_extract`` with ``_native_walk.abi3.so`` next to its modules; the
default, tasks/target/classes/python, is what ``./mvnw package`` leaves there.
"""

import ast
import gc
import glob
import os
import sys
import sysconfig
import time
import warnings
from itertools import accumulate

root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "target", "classes", "python")
sys.path.insert(0, os.path.abspath(root))
from syntaxlake_extract import ast_rows  # noqa: E402

if ast_rows._native_walk is None:
    sys.exit(f"no native walker under {root} (build with ./mvnw package, or pass the package root)")
warnings.simplefilter("ignore")
gc.disable()

stdlib = sysconfig.get_paths()["stdlib"]
paths = sorted(p for p in glob.glob(os.path.join(stdlib, "**", "*.py"), recursive=True) if "/site-packages/" not in p)
native_walker = ast_rows._native_walk
mismatches = []
walk_time = {"python": 0.0, "native": 0.0}
nodes = 0
for k, path in enumerate(paths):
    with open(path, "rb") as fh:
        data = fh.read()
    rel = os.path.relpath(path, stdlib)
    rows = {}
    for name, module in (("native", native_walker), ("python", None)):
        ast_rows._native_walk = module
        rows[name] = ast_rows.ast_row_encoded(rel, data, "file:x", None, "0" * 64).text
    ast_rows._native_walk = native_walker
    if rows["native"] != rows["python"]:
        mismatches.append(rel)
    try:
        tree = ast.parse(data, type_comments=True)
    except (SyntaxError, ValueError):
        continue
    ls = list(accumulate(map(len, data.splitlines(True)), initial=0))
    if data.startswith(b"\xef\xbb\xbf"):
        ls[0] = 3
    small = len(data) < ast_rows._NUM_SIZE - 1
    walkers = [("python", ast_rows._walk_fast), ("native", ast_rows._walk_native)]
    result = None
    for name, walk in walkers if k % 2 else walkers[::-1]:  # alternate which one meets a cold tree
        t = time.perf_counter()
        try:
            result = walk(tree, ls, 10**7, small)
        except Exception:  # the generic walker's cases: not timed
            continue
        walk_time[name] += time.perf_counter() - t
    if result is not None:
        nodes += result[3]
    del tree, result

print(f"{len(paths)} files, {nodes} nodes; rows differing: {len(mismatches)} {mismatches[:10]}")
for name, seconds in walk_time.items():
    print(f"walk {name}: {seconds:.2f} s ({seconds / max(nodes, 1) * 1e9:.0f} ns/node)")
sys.exit(1 if mismatches else 0)
