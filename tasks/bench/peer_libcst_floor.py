"""The floor of the cst-pipeline's extract: what LibCST itself costs, with no rows built.

    peer_libcst_floor.py ROOT [EXCLUDE_GLOB ...]

Two worker processes (multiprocessing) take runs of 16 files in path order; for each *.py a worker
reads it, ``libcst.parse_module``s it and resolves ScopeProvider and ByteSpanPositionProvider on it
(the metadata every libcst_files_v1 row needs at least), then drops the result. No extractor can
do less with LibCST, so the extract task is measured against this. A file that does not parse is
counted. Deeply nested files (long elif chains, long implicit string concatenations) need
more than Python's default recursion limit, so each run goes on a thread with a 256 MB stack
and a limit of 20,000, as the extractor does. Prints one JSON line: files, parse errors, seconds (wall).
"""
import fnmatch
import json
import multiprocessing
import pathlib
import sys
import threading
import time

import libcst
from libcst.metadata import ByteSpanPositionProvider, MetadataWrapper, ScopeProvider

FILES_PER_RUN = 16


def resolve_run(root, paths, result):
    sys.setrecursionlimit(20_000)
    errors = 0
    for rel in paths:
        data = (root / rel).read_bytes()
        try:
            module = libcst.parse_module(data)
            MetadataWrapper(module, unsafe_skip_copy=True).resolve_many({ScopeProvider, ByteSpanPositionProvider})
        except (libcst.ParserSyntaxError, SyntaxError, RecursionError, MemoryError, UnicodeError, LookupError):
            errors += 1
    result.append(errors)


def resolve(args):
    root, paths = args
    result = []
    threading.stack_size(256 * 1024 * 1024)
    thread = threading.Thread(target=resolve_run, args=(root, paths, result))
    thread.start()
    thread.join()
    return result[0]


def main():
    root, excludes = pathlib.Path(sys.argv[1]), sys.argv[2:]
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py") if p.is_file())
    files = [f for f in files if not any(fnmatch.fnmatchcase(f, g) for g in excludes)]
    start = time.perf_counter()
    runs = [(root, files[i:i + FILES_PER_RUN]) for i in range(0, len(files), FILES_PER_RUN)]
    with multiprocessing.Pool(2) as pool:
        errors = sum(pool.imap_unordered(resolve, runs))
    print(json.dumps({"files": len(files), "parse_errors": errors, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
