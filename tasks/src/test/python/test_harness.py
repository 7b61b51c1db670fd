"""Tests for syntaxlake_extract.harness and the CLI (python3 -m syntaxlake_extract)."""

import ast
import functools
import glob
import json
import os
import re
import subprocess
import sys

import pytest

from syntaxlake_extract import harness
from syntaxlake_extract.ast_rows import ast_error_row, ast_row
from syntaxlake_extract.ids import file_id

PYTHON_RESOURCES = os.path.abspath(
    os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "main", "resources", "python")
)
PART_RE = re.compile(r"^part-(\d{5,})\.json$")
SUMMARY_KEYS = ["kind", "files", "rows", "error_rows", "error_files", "bytes", "seconds", "parts", "staging",
                "staging_bytes"]
MAX_BYTES = 250_000


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as fh:
        fh.write(data if isinstance(data, bytes) else data.encode("utf-8"))


@pytest.fixture
def tree(tmp_path):
    """A source tree with every kind of file the harness must cope with.

    Returns (source_dir, expected) where expected maps each relative path to
    the expected error_type (None for files that parse).
    """
    src = tmp_path / "src"
    ext = tmp_path / "external"
    s = str(src)
    write(f"{s}/a.py", '"""Doc."""\nimport os\nprint(os.sep)\n')
    write(f"{s}/pkg/__init__.py", b"")
    write(f"{s}/pkg/b.py", "def f(x):\n    return x + 1\n")
    write(f"{s}/pkg/sub/deep_ok.py", "class C:\n    pass\n")
    write(f"{s}/pkg/bad_syntax.py", b"def(")
    write(f"{s}/nul.py", b"x = 1\n\x00\n")
    write(f"{s}/undecodable.py", b"x = '\xff\xfe'\n")
    write(f"{s}/big.py", b"x = 1\n" * (MAX_BYTES // 6 + 10))  # > MAX_BYTES: stat'ed, never read
    write(f"{s}/deep.py", b"x = a" + b".b" * 100000 + b"\n")
    write(f"{s}/crlf_bom.py", b"\xef\xbb\xbfx = 1\r\ny = 2\r\n")
    write(f"{s}/notes.txt", "not python")
    write(f"{s}/skip/excluded.py", "x = 1\n")
    write(f"{s}/pkg/generated_pb2.py", "x = 1\n")
    os.makedirs(f"{s}/dir.py")  # a directory named *.py: unreadable as a file
    write(f"{s}/dir.py/inner.py", "y = 2\n")
    os.symlink(f"{s}/does-not-exist.py", f"{s}/dangling.py")  # unreadable
    os.symlink(s, f"{s}/pkg/loop")  # symlinked dir pointing at an ancestor
    os.symlink("self.py", f"{s}/self.py")  # ELOOP
    write(f"{ext}/ext_mod.py", "z = 3\n")
    os.symlink(str(ext), f"{s}/linked")  # symlinked dir, followed
    expected = {
        "a.py": None,
        "pkg/__init__.py": None,
        "pkg/b.py": None,
        "pkg/sub/deep_ok.py": None,
        "pkg/bad_syntax.py": "SyntaxError",
        "nul.py": "ValueError",
        "undecodable.py": "UnicodeDecodeError",
        "big.py": "AstLimitError",
        "deep.py": "RecursionError",
        "crlf_bom.py": None,
        "dir.py": "OSError",
        "dir.py/inner.py": None,
        "dangling.py": "OSError",
        "pkg/loop": "SymlinkLoopError",
        "self.py": "SymlinkLoopError",
        "linked/ext_mod.py": None,
    }
    return s, expected


EXCLUDES = ["skip/*", "*_pb2.py"]


def run_cli(*args, env_extra=None, pythonpath=PYTHON_RESOURCES):
    env = dict(os.environ)
    env["PYTHONPATH"] = pythonpath
    if env_extra:
        env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "syntaxlake_extract", *args],
        capture_output=True, text=True, env=env, timeout=600,
    )


def read_parts(out):
    names = sorted(os.listdir(out))
    parts = [n for n in names if PART_RE.match(n)]
    assert parts, names
    assert set(names) == set(parts), f"unexpected files in --out: {names}"
    rows = []
    for name in parts:
        with open(os.path.join(out, name), encoding="utf-8") as fh:
            text = fh.read()
        assert text.endswith("\n")
        for line in text.split("\n")[:-1]:
            rows.append(json.loads(line))  # valid NDJSON: one object per line
    return parts, rows


def extract(source, out, workers, batch_files=3):
    proc = run_cli(
        "ast", "--source", source, "--out", out, "--repo", "acme", "--format", "ndjson",
        "--exclude", *EXCLUDES, "--workers", str(workers),
        "--max-bytes", str(MAX_BYTES), "--batch-files", str(batch_files),
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 1, proc.stdout  # exactly one summary line
    return json.loads(lines[0])


def check_run(source, expected, out, workers):
    summary = extract(source, out, workers)
    parts, rows = read_parts(out)
    assert list(summary) == SUMMARY_KEYS
    assert summary["kind"] == "ast"
    n_err = sum(1 for v in expected.values() if v)
    assert summary["files"] == summary["rows"] == len(rows) == len(expected)
    assert summary["error_files"] == summary["error_rows"] == n_err
    assert summary["parts"] == len(parts)
    read_bytes = sum(
        os.path.getsize(os.path.join(source, p)) for p, e in expected.items()
        if e not in ("AstLimitError", "OSError", "SymlinkLoopError")
    )
    assert summary["bytes"] == read_bytes
    assert isinstance(summary["seconds"], (int, float)) and summary["seconds"] >= 0
    by_path = {}
    for r in rows:
        assert r["path"] not in by_path, f"duplicate row for {r['path']}"
        by_path[r["path"]] = r
    assert set(by_path) == set(expected)
    for path, etype in expected.items():
        r = by_path[path]
        assert r["repo"] == "acme"
        assert r["file_id"] == file_id(path, "acme")
        if etype is None:
            assert r["errors"] == [], (path, r["errors"])
            assert r["nodes"] and r["nodes"][0]["kind"] == "Module"
        else:
            assert len(r["errors"]) == 1, (path, r["errors"])
            assert r["errors"][0]["error_type"] == etype, (path, r["errors"])
            # SyntaxError messages are str(exc), which names the file's basename
            assert os.path.basename(path) in r["errors"][0]["message"]
            assert r["nodes"] == []
    return summary, parts, rows


def test_cli_one_row_per_file_and_workers_agree(tree, tmp_path):
    source, expected = tree
    s1, parts1, rows1 = check_run(source, expected, str(tmp_path / "out1"), workers=1)
    s2, parts2, rows2 = check_run(source, expected, str(tmp_path / "out2"), workers=2)
    # identical as sets of rows
    canon = lambda rows: {json.dumps(r, sort_keys=True) for r in rows}  # noqa: E731
    assert canon(rows1) == canon(rows2)
    assert len(parts1) == len(parts2) == -(-len(expected) // 3)
    # parts are numbered batches: read in name order, the rows come in path order
    # (what lets the materialize step copy them without a sort), whatever the worker count
    for parts, rows in ((parts1, rows1), (parts2, rows2)):
        assert [int(PART_RE.match(p).group(1)) for p in parts] == list(range(len(parts)))
        paths = [r["path"] for r in rows]
        assert paths == sorted(paths)


def test_rows_match_the_row_builder(tree, tmp_path):
    source, expected = tree
    check_run(source, expected, str(tmp_path / "out"), workers=2)
    _, rows = read_parts(str(tmp_path / "out"))
    by_path = {r["path"]: r for r in rows}
    with open(os.path.join(source, "a.py"), "rb") as fh:
        data = fh.read()
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    assert by_path["a.py"] == ast_row("a.py", data, file_id("a.py", "acme"), "acme", sha, max_bytes=MAX_BYTES)
    assert by_path["a.py"]["file_sha256"] == sha
    assert by_path["big.py"]["file_sha256"] is None
    assert by_path["pkg/loop"]["errors"][0]["message"].startswith("pkg/loop: symlink loop")


def test_summary_with_default_arguments(tmp_path):
    src = tmp_path / "s"
    write(str(src / "m.py"), "x = 1\n")
    proc = run_cli("ast", "--source", str(src), "--out", str(tmp_path / "o"), "--format", "ndjson")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert summary["files"] == summary["rows"] == summary["parts"] == 1
    assert summary["staging"] == "ndjson"
    assert summary["staging_bytes"] == os.path.getsize(tmp_path / "o" / "part-00000.json")
    assert summary["error_rows"] == summary["error_files"] == 0
    assert summary["bytes"] == 6
    _, rows = read_parts(str(tmp_path / "o"))
    assert rows[0]["repo"] is None
    assert rows[0]["file_id"] == file_id("m.py")
    assert rows[0]["attrs"]["max_bytes"] == "50000000"


def test_empty_tree(tmp_path):
    os.makedirs(tmp_path / "empty")
    proc = run_cli("ast", "--source", str(tmp_path / "empty"), "--out", str(tmp_path / "o"), "--workers", "2",
                   "--format", "ndjson")
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    assert (summary["files"], summary["rows"], summary["parts"]) == (0, 0, 0)


def test_refuses_output_dir_with_existing_parts(tmp_path):
    src = tmp_path / "s"
    write(str(src / "m.py"), "x = 1\n")
    out = tmp_path / "o"
    write(str(out / "part-00001.json"), "{}\n")
    proc = run_cli("ast", "--source", str(src), "--out", str(out), "--format", "ndjson")
    assert proc.returncode == 2
    assert "part file" in proc.stderr
    assert proc.stdout == ""


def test_missing_source_is_a_usage_error(tmp_path):
    proc = run_cli("ast", "--source", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--format", "ndjson")
    assert proc.returncode == 2
    assert "--source" in proc.stderr


def test_arrow_staging_is_the_default_and_needs_a_schema(tmp_path):
    src = tmp_path / "s"
    write(str(src / "m.py"), "x = 1\n")
    proc = run_cli("ast", "--source", str(src), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "needs --schema" in proc.stderr
    proc = run_cli("ast", "--source", str(src), "--out", str(tmp_path / "o"), "--schema", str(tmp_path / "none"))
    assert proc.returncode == 2
    assert "is not a file" in proc.stderr


def test_cst_without_libcst_exits_3(tmp_path):
    # make `import libcst` fail whether or not it is installed
    shadow = tmp_path / "shadow"
    write(str(shadow / "libcst.py"), "raise ImportError('No module named libcst (test shadow)')\n")
    src = tmp_path / "s"
    write(str(src / "m.py"), "x = 1\n")
    proc = run_cli(
        "cst", "--source", str(src), "--out", str(tmp_path / "o"),
        pythonpath=os.pathsep.join([str(shadow), PYTHON_RESOURCES]),
    )
    assert proc.returncode == 3, (proc.stdout, proc.stderr)
    assert "pip install libcst" in proc.stderr
    assert "venv" in proc.stderr
    assert not os.path.exists(tmp_path / "o") or not os.listdir(tmp_path / "o")


# ---------------------------------------------------------------------------
# harness API (in-process)
# ---------------------------------------------------------------------------


def test_discover_sorted_posix_paths_and_excludes(tree):
    source, expected = tree
    items = harness.discover(source, EXCLUDES)
    paths = [p for p, _ in items]
    assert paths == sorted(paths)
    assert set(paths) == set(expected)
    presets = {p: e for p, e in items if e is not None}
    assert set(presets) == {"pkg/loop", "self.py"}  # loops are found while walking
    assert presets["pkg/loop"][0] == presets["self.py"][0] == "SymlinkLoopError"
    assert all("\\" not in p and not p.startswith("/") for p in paths)
    assert "skip/excluded.py" in {p for p, _ in harness.discover(source)}


def _exploding_row(rel_path, data, fid, repo, sha256):
    if rel_path == "a.py":
        raise MemoryError("simulated")
    return ast_row(rel_path, data, fid, repo, sha256)


def test_builder_failures_become_error_rows(tree, tmp_path):
    source, expected = tree
    out = str(tmp_path / "o")
    summary = harness.run(
        "ast", source, out, _exploding_row, ast_error_row,
        repo=None, excludes=EXCLUDES, workers=1, max_bytes=MAX_BYTES, batch_files=64,
    )
    assert summary["files"] == summary["rows"] == len(expected)
    assert summary["parts"] == 1
    _, rows = read_parts(out)
    a = next(r for r in rows if r["path"] == "a.py")
    assert a["errors"][0]["error_type"] == "MemoryError"
    assert "simulated" in a["errors"][0]["message"]
    assert summary["error_files"] == sum(1 for v in expected.values() if v) + 1


def test_partial_builders_are_used_in_worker_processes(tree, tmp_path):
    source, expected = tree
    out = str(tmp_path / "o")
    summary = harness.run(
        "ast", source, out,
        functools.partial(ast_row, max_nodes=5), functools.partial(ast_error_row, max_nodes=5),
        excludes=EXCLUDES, workers=2, max_bytes=MAX_BYTES, batch_files=2,
    )
    _, rows = read_parts(out)
    assert summary["rows"] == len(rows) == len(expected)
    limited = [r for r in rows if r["errors"] and r["errors"][0]["error_type"] == "AstLimitError"]
    assert {r["path"] for r in limited} >= {"a.py", "pkg/b.py"}
    assert all(r["attrs"]["max_nodes"] == "5" for r in rows)


def test_no_temporary_files_left(tree, tmp_path):
    source, _ = tree
    out = str(tmp_path / "o")
    extract(source, out, workers=2, batch_files=1)
    assert glob.glob(os.path.join(out, ".*")) == []
    assert all(PART_RE.match(n) for n in os.listdir(out))


def test_lone_surrogates_become_visible_text_not_invalid_json():
    import json as _json
    from syntaxlake_extract.harness import valid_json_text

    def has_surrogate(value):
        if isinstance(value, str):
            return any(0xD800 <= ord(c) <= 0xDFFF for c in value)
        if isinstance(value, dict):
            return any(has_surrogate(k) or has_surrogate(v) for k, v in value.items())
        if isinstance(value, list):
            return any(has_surrogate(v) for v in value)
        return False

    row = {"docstring": "bad \udc80 and \ud800 end", "pair": "\U0001f600", "literal": "\\udc80", "odd": "\\\udc80"}
    text = valid_json_text(_json.dumps(row, ensure_ascii=True))
    back = _json.loads(text)
    assert not has_surrogate(back)
    assert back["docstring"] == "bad \\udc80 and \\ud800 end"
    assert back["pair"] == "\U0001f600"
    assert back["literal"] == "\\udc80"
    assert back["odd"] == "\\\\udc80"


def test_surrogate_escapes_after_escaped_backslashes_are_found():
    # '\\' '\\' then a real lone low surrogate, right after literal text that looks like a high escape.
    import json as _json
    from syntaxlake_extract.harness import valid_json_text

    value = "<\\\\ud83d\\\\\udcbb>"
    back = _json.loads(valid_json_text(_json.dumps({"v": value})))["v"]
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in back)
    assert back == "<\\\\ud83d\\\\\\udcbb>"


def test_surrogate_pairs_are_untouched_and_clean_text_is_returned_as_is():
    import json as _json
    from syntaxlake_extract.harness import valid_json_text

    for value in ("emoji \U0001f600 and \U0001d11e", "plain ascii", "hangul \ud7a3", "literal \\ud800 text"):
        text = _json.dumps({"v": value})
        assert valid_json_text(text) is text
        assert _json.loads(text)["v"] == value
    for value, visible in (("high \ud83d alone", "high \\ud83d alone"), ("\ude00\ud83d", "\\ude00\\ud83d"),
                           ("end \ud83d", "end \\ud83d"), ("\ud83d\ud83d\ude00", "\\ud83d\U0001f600")):
        assert _json.loads(valid_json_text(_json.dumps({"v": value})))["v"] == visible


def test_every_way_a_lone_surrogate_reaches_a_row_leaves_valid_json(tmp_path):
    # the scan for lone surrogate escapes is skipped for sources that cannot produce one;
    # each way one can reach a row must still be caught
    source = tmp_path / "src"
    source.mkdir()
    write(str(source / "escapes.py"), b'"""doc \\ud800"""\nx = "\\U0000dc80"\n')
    # decodes to '\ud800', which CPython's compile refuses: an error row naming it
    write(str(source / "utf7.py"), b"# coding: utf-7\nx = '+2AA-'\n")
    write(os.path.join(os.fsencode(str(source)), b"caf\xe9.py"), b"y = 1\n")  # a surrogate escape in the path
    write(str(source / "plain.py"), b"z = 'no escapes here'\n")
    out = str(tmp_path / "out")
    summary = extract(str(source), out, workers=1)
    assert summary["files"] == 4
    parts, _ = read_parts(out)
    lines = [line for p in parts for line in open(os.path.join(out, p), encoding="utf-8").read().splitlines()]
    assert len(lines) == 4
    for line in lines:
        assert harness.valid_json_text(line) == line, line[:200]
    rows = {json.loads(line)["path"]: json.loads(line) for line in lines}
    assert rows["escapes.py"]["docstrings"][0]["docstring"] == "doc \\ud800"
    constants = [n["attrs"]["value"] for n in rows["escapes.py"]["nodes"] if n["kind"] == "Constant"]
    assert "\\udc80" in constants
    assert rows["caf\\udce9.py"]["errors"] == [] and rows["plain.py"]["errors"] == []


def test_only_sources_with_surrogate_escapes_or_an_encoding_cookie_need_the_surrogate_scan():
    assert not harness.may_hold_lone_surrogates(b"x = 'plain'\ny = 2\n# a third line mentioning coding\n")
    assert harness.may_hold_lone_surrogates(b"x = '\\ud800'\n")
    assert harness.may_hold_lone_surrogates(b"x = '\\uDFFF'\n")
    assert harness.may_hold_lone_surrogates(b"x = '\\U0000dB80'\n")
    assert not harness.may_hold_lone_surrogates(b"x = '\\U0001f600 \\u00e9 \\ue000 \\ud7ff'\n")
    assert harness.may_hold_lone_surrogates(b"#!/usr/bin/env python\n# -*- coding: latin-1 -*-\nx = 1\n")
    assert harness.may_hold_lone_surrogates(b"# coding: utf-7")  # a cookie on a last line without newline


@pytest.mark.parametrize("form", ["\\u{:04x}", "\\u{:04X}", "\\U{:08x}", "\\U{:08X}"])
def test_the_surrogate_escape_check_agrees_with_python(form):
    # CPython decides what each escape makes; the check must say yes exactly for lone surrogates
    for cp in sorted({*range(0xD000, 0xE100, 0x3B), 0xD7FF, 0xD800, 0xDBFF, 0xDC00, 0xDFFF, 0xE000}):
        source = f'x = "{form.format(cp)}"\n'.encode("ascii")
        value = ast.parse(source).body[0].value.value
        lone = any(0xD800 <= ord(c) <= 0xDFFF for c in value)
        assert harness.may_hold_lone_surrogates(source) == lone, source


def _row_with_pid(rel, data, fid, repo, digest):
    return {"path": rel, "pid": os.getpid(), "errors": []}


@pytest.mark.parametrize("fresh", [False, True])
def test_a_fresh_worker_per_batch_when_asked(tmp_path, fresh):
    source = tmp_path / "src"
    for i in range(12):
        write(str(source / f"m{i:02d}.py"), b"x = 1\n")
    out = tmp_path / "out"
    summary = harness.run("ast", str(source), str(out), _row_with_pid, harness.generic_error_row,
                          workers=2, batch_files=2, fresh_worker_per_batch=fresh)
    assert summary["files"] == 12 and summary["parts"] == 6
    pids_by_part = {}
    for name in sorted(os.listdir(out)):
        with open(out / name, encoding="utf-8") as fh:
            pids_by_part[name] = {json.loads(line)["pid"] for line in fh}
    assert all(len(p) == 1 for p in pids_by_part.values())  # one process writes a part
    pids = set().union(*pids_by_part.values())
    # the CST extract asks for it: a process per batch; otherwise the pool's two processes serve all
    assert len(pids) == (6 if fresh else 2) or (not fresh and len(pids) == 1)


def test_repaired_strings_agree_with_the_repaired_json_text():
    from syntaxlake_extract.harness import repaired_strings, valid_json_text

    row = {"docstring": "bad \udc80 and \ud800 end", "pair": "\ud83d\ude00", "astral": "\U0001f600",
           "nested": [{"v": ("\udfff", 1, None)}, "ok"], "n": 3}
    expected = json.loads(valid_json_text(json.dumps(row, ensure_ascii=True)))
    repaired = repaired_strings(row)
    assert json.loads(json.dumps(repaired)) == expected
    assert repaired["nested"][0]["v"] == ("\\udfff", 1, None)  # containers keep their type
    assert repaired["pair"] == repaired["astral"] == "\U0001f600"
    clean = {"a": ["x", {"b": "\U0001f600"}], "c": 1}
    assert repaired_strings(clean) is clean  # nothing to repair: the very same object


_LEFT_BEHIND = []


class _Cycle:
    def __init__(self):
        self.me = self


def _row_leaving_a_cycle(rel, data, fid, repo, digest):
    import gc
    import weakref

    # what this process's earlier files left behind and is still alive
    alive = sum(1 for ref in _LEFT_BEHIND if ref() is not None)
    cycle = _Cycle()
    _LEFT_BEHIND.append(weakref.ref(cycle))
    del cycle
    return {"path": rel, "alive": alive, "gc": gc.isenabled(), "errors": []}


@pytest.mark.parametrize("collect", [False, True])
def test_cyclic_garbage_is_collected_after_each_file_when_asked(tmp_path, collect):
    source = tmp_path / "src"
    for i in range(4):
        write(str(source / f"m{i}.py"), b"x = 1\n")
    out = tmp_path / "out"
    _LEFT_BEHIND.clear()
    harness.run("ast", str(source), str(out), _row_leaving_a_cycle, harness.generic_error_row,
                workers=1, batch_files=4, collect_after_file=collect)
    _, rows = read_parts(str(out))
    assert [row["gc"] for row in rows] == [False] * 4  # the collector stays off while a batch runs
    # without the collection each file's cycle waits for the batch's end
    assert [row["alive"] for row in rows] == ([0, 0, 0, 0] if collect else [0, 1, 2, 3])
