"""The floor of the cst extraction: read every file and libcst.parse_module it, on one core.

LibCST's own parse (native parser, no metadata) is the least any LibCST-based extraction must
spend; the benchmark compares it with ast.parse of the same files. Prints one JSON line: files,
seconds (wall), parse failures. Same file set as parse_baseline.py.
"""
import fnmatch
import json
import pathlib
import sys
import time

import libcst

root = pathlib.Path(sys.argv[1])
excludes = sys.argv[2:]
files = sorted(p for p in root.rglob("*.py")
               if p.is_file() and not any(fnmatch.fnmatchcase(p.relative_to(root).as_posix(), g) for g in excludes))
start = time.perf_counter()
failures = 0
for path in files:
    try:
        libcst.parse_module(path.read_bytes())
    except (libcst.ParserSyntaxError, SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError):
        failures += 1
print(json.dumps({"files": len(files), "seconds": time.perf_counter() - start, "failures": failures}))
