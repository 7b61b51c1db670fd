"""The peer of the ast-pipeline benchmark: the script a user would write instead of SyntaxLake.

    peer_ast_parquet.py ROOT OUT_DIR [EXCLUDE_GLOB ...]

Two worker processes (multiprocessing) take runs of 64 files in path order; for each *.py a worker
reads, hashes and ``ast.parse``s it and walks the tree into one nested row (nodes with kind, name,
value and span; parent-child edges with their slot and index), then writes the run's rows with
pyarrow as one zstd Parquet file in OUT_DIR (part-NNNNN.parquet, in path order). Rows never cross a
process boundary: gathering them in one process to write one file costs several times as much
(pickling, then ``Table.from_pylist`` on one core). A file that does not parse gets a row with its
error. Prints one JSON line: files, rows, nodes, error rows, parts, seconds (wall, to the last
closed file).
"""
import ast
import fnmatch
import hashlib
import json
import multiprocessing
import pathlib
import sys
import time

import pyarrow as pa
import pyarrow.parquet as pq

POSITION = pa.struct([("line0", pa.int32()), ("col", pa.int32())])
SPAN = pa.struct([("start", POSITION), ("end", POSITION)])
SCHEMA = pa.schema([
    ("repo", pa.string()),
    ("path", pa.string()),
    ("file_sha256", pa.string()),
    ("nodes", pa.list_(pa.struct([("ast_id", pa.int32()), ("parent_ast_id", pa.int32()), ("kind", pa.string()),
                                  ("name", pa.string()), ("value", pa.string()), ("span", SPAN)]))),
    ("edges", pa.list_(pa.struct([("src", pa.int32()), ("dst", pa.int32()), ("slot", pa.string()),
                                  ("idx", pa.int32())]))),
    ("error", pa.string()),
])
NAME_FIELDS = ("name", "id", "arg", "attr", "module")
FILES_PER_PART = 64


def file_row(root, rel):
    data = (root / rel).read_bytes()
    row = {"repo": "bench", "path": rel, "file_sha256": hashlib.sha256(data).hexdigest(),
           "nodes": [], "edges": [], "error": None}
    try:
        tree = ast.parse(data, type_comments=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as error:
        row["error"] = f"{type(error).__name__}: {error}"
        return row
    nodes, edges = row["nodes"], row["edges"]
    ids = {tree: 0}
    parents = {tree: None}
    for node in ast.walk(tree):  # breadth first: a node's id is known before its children's
        ast_id = ids[node]
        name = None
        for field in NAME_FIELDS:
            value = getattr(node, field, None)
            if type(value) is str:
                name = value
                break
        span = None
        if hasattr(node, "end_col_offset"):
            span = {"start": {"line0": node.lineno - 1, "col": node.col_offset},
                    "end": {"line0": node.end_lineno - 1, "col": node.end_col_offset}}
        nodes.append({"ast_id": ast_id, "parent_ast_id": parents[node], "kind": type(node).__name__, "name": name,
                      "value": repr(node.value) if type(node) is ast.Constant else None, "span": span})
        for slot in node._fields:
            field = getattr(node, slot, None)
            children = field if type(field) is list else (field,)
            for idx, child in enumerate(children):
                if isinstance(child, ast.AST):
                    child_id = ids[child] = len(ids)
                    parents[child] = ast_id
                    edges.append({"src": ast_id, "dst": child_id, "slot": slot, "idx": idx})
    return row


def write_part(args):
    root, out, number, paths = args
    rows = [file_row(root, rel) for rel in paths]
    pq.write_table(pa.Table.from_pylist(rows, SCHEMA), out / f"part-{number:05d}.parquet", compression="zstd")
    return {"rows": len(rows), "nodes": sum(len(r["nodes"]) for r in rows),
            "error_rows": sum(r["error"] is not None for r in rows)}


def main():
    root, out, excludes = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.py") if p.is_file())
    files = [f for f in files if not any(fnmatch.fnmatchcase(f, g) for g in excludes)]
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    runs = [(root, out, n, files[i:i + FILES_PER_PART]) for n, i in enumerate(range(0, len(files), FILES_PER_PART))]
    counts = {"files": len(files), "rows": 0, "nodes": 0, "error_rows": 0, "parts": len(runs)}
    with multiprocessing.Pool(2) as pool:
        for part in pool.imap_unordered(write_part, runs):
            for key, value in part.items():
                counts[key] += value
    counts["seconds"] = time.perf_counter() - start
    print(json.dumps(counts))


if __name__ == "__main__":
    main()
