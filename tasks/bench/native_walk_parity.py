"""Full-stdlib check of the native AST walker (tasks/native) against the Python one, plus walk times.

For every file under the standard library (minus site-packages) builds the whole ``ast_files_v1``
row twice, with the native walker and with the Python walker (the extension hidden), and requires
identical text. The native walker renders the specials (docstrings, imports, defs, calls,
type_ignores) too, falling back to Python for odd trees: the files where it fell back are counted
(none should, for trees from ``ast.parse``), so that the identical rows are the native ones. Then
times, per walker, in one process (GC off, as in the harness): the walk alone, and the walk with the
specials rendered (``_walk_fast`` + ``_specials`` against ``Walker.walk_rows``).

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
fallbacks = []
walk_time = {"python": 0.0, "native": 0.0}
rows_time = {"python": 0.0, "native": 0.0}
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
        text, encoding = ast_rows._decode(data)
        tree = ast.parse(text, type_comments=True)
    except (SyntaxError, ValueError):
        continue
    # the bytes the spans index, as ast_row_encoded has them
    src = data if encoding in ("utf-8", "utf-8-sig") else text.encode("utf-8", "surrogatepass")
    ls = list(accumulate(map(len, src.splitlines(True)), initial=0))
    if encoding == "utf-8-sig":
        ls[0] = 3
    small = len(src) < ast_rows._NUM_SIZE - 1

    def python_rows(tree, ls, max_nodes, small):
        walked = ast_rows._walk_fast(tree, ls, max_nodes, small)
        return walked, ast_rows._specials(walked[2], ls, src)

    def native_rows(tree, ls, max_nodes, small):
        return ast_rows._native_walker().walk_rows(tree, ls, max_nodes, src)

    try:
        native_rows(tree, ls, 10**7, small)
    except ast_rows._FALLBACK:
        fallbacks.append(rel)
    for times, walkers in (
        (walk_time, [("python", ast_rows._walk_fast), ("native", ast_rows._walk_native)]),
        (rows_time, [("python", python_rows), ("native", native_rows)]),
    ):
        result = None
        for name, walk in walkers if k % 2 else walkers[::-1]:  # alternate which one meets a cold tree
            t = time.perf_counter()
            try:
                result = walk(tree, ls, 10**7, small)
            except Exception:  # the generic walker's cases: not timed
                continue
            times[name] += time.perf_counter() - t
        if result is not None and times is walk_time:
            nodes += result[3]
        del result
    del tree

print(f"{len(paths)} files, {nodes} nodes; rows differing: {len(mismatches)} {mismatches[:10]}")
print(f"native specials fell back to Python: {len(fallbacks)} {fallbacks[:10]}")
for what, times in (("walk", walk_time), ("walk + specials", rows_time)):
    for name, seconds in times.items():
        print(f"{what} {name}: {seconds:.2f} s ({seconds / max(nodes, 1) * 1e9:.0f} ns/node)")
sys.exit(1 if mismatches or fallbacks else 0)
