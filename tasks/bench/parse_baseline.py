"""The peers of the extraction benchmarks: read every file and parse it, on one core.

    parse_baseline.py [--parser ast|libcst] ROOT [EXCLUDE_GLOB ...]

``ast`` (default): ``ast.parse``, the peer the issues name. ``libcst``: ``libcst.parse_module``
alone (native parser, no metadata), the least any LibCST-based extraction must spend. Prints one
JSON line: parser, files, seconds (wall), parse failures. Same file set as the extractor (every
*.py under the root, minus paths matching the exclude globs).
"""
import argparse
import fnmatch
import json
import pathlib
import time


def ast_parser():
    import ast

    return (lambda data: ast.parse(data, type_comments=True)), (SyntaxError, ValueError, RecursionError, MemoryError)


def libcst_parser():
    import libcst

    errors = (libcst.ParserSyntaxError, SyntaxError, ValueError, RecursionError, MemoryError, UnicodeDecodeError)
    return libcst.parse_module, errors


args = argparse.ArgumentParser()
args.add_argument("--parser", choices=("ast", "libcst"), default="ast")
args.add_argument("root", type=pathlib.Path)
args.add_argument("excludes", nargs="*")
options = args.parse_args()
parse, errors = {"ast": ast_parser, "libcst": libcst_parser}[options.parser]()
root = options.root
files = sorted(p for p in root.rglob("*.py")
               if p.is_file() and not any(fnmatch.fnmatchcase(p.relative_to(root).as_posix(), g)
                                          for g in options.excludes))
start = time.perf_counter()
failures = 0
for path in files:
    try:
        parse(path.read_bytes())
    except errors:
        failures += 1
print(json.dumps({"parser": options.parser, "files": len(files), "seconds": time.perf_counter() - start,
                  "failures": failures}))
