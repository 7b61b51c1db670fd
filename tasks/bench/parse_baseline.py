"""The peer of the extraction benchmark: read every file and ast.parse it, on one core.

Prints one JSON line: files, seconds (wall), parse failures. Same file set as the extractor
(every *.py under the root, minus paths matching the exclude globs).
"""
import ast
import fnmatch
import json
import pathlib
import sys
import time

root = pathlib.Path(sys.argv[1])
excludes = sys.argv[2:]
files = sorted(p for p in root.rglob("*.py")
               if p.is_file() and not any(fnmatch.fnmatchcase(p.relative_to(root).as_posix(), g) for g in excludes))
start = time.perf_counter()
failures = 0
for path in files:
    try:
        ast.parse(path.read_bytes(), type_comments=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        failures += 1
print(json.dumps({"files": len(files), "seconds": time.perf_counter() - start, "failures": failures}))
