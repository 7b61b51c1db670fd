"""The source index: a run extracts only what changed since the rows it is given were made."""

import json
import os
import random
import shutil
import sysconfig

import pyarrow as pa
import pyarrow.ipc
import pytest

from syntaxlake_extract import harness, sources
from syntaxlake_extract.ast_rows import ast_error_row, ast_row

from test_harness import PYTHON_RESOURCES, read_parts, run_cli, write

MAX_BYTES = 250_000
STDLIB = sysconfig.get_paths()["stdlib"]


def extract(source, out, known=None, index=None, workers=1):
    return harness.run("ast", str(source), str(out), ast_row, ast_error_row, repo="acme", workers=workers,
                       max_bytes=MAX_BYTES, batch_files=4, known=known, index_out=index)


def rows_by_path(out):
    if not os.path.isdir(out) or not os.listdir(out):
        return {}
    return {row["path"]: row for row in read_parts(out)[1]}


def read_index(path):
    with pa.ipc.open_file(path) as reader:
        return {row["path"]: row for row in reader.read_all().to_pylist()}


@pytest.fixture
def package(tmp_path):
    """A real tree: copies of four standard-library packages (18 files)."""
    root = tmp_path / "src"
    for name in ("json", "wsgiref", "sqlite3", "xmlrpc"):
        shutil.copytree(os.path.join(STDLIB, name), root / name, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def test_random_edits_then_incremental_runs_equal_full_runs(package, tmp_path):
    """Every step's merged rows (the previous rows of unchanged paths plus the extracted ones)
    equal a full run of the same tree, and the counts say what the step did."""
    rng = random.Random(20261207)
    spare = sorted(os.path.join(STDLIB, n) for n in os.listdir(STDLIB) if n.endswith(".py"))[:40]
    out, index = tmp_path / "out-0", tmp_path / "index-0.arrow"
    extract(package, out, index=index)
    table = rows_by_path(out)
    broken = {}
    operations = ["add", "modify", "delete", "rename", "touch", "break", "mend"]
    seen = set()
    for step in range(1, 36):
        files = sorted(p.relative_to(package).as_posix() for p in package.rglob("*.py"))
        op = operations[step % len(operations)] if step <= len(operations) else rng.choice(operations)
        rel = rng.choice(files)
        if (op == "mend" and not broken) or (op == "break" and rel in broken):
            op = "modify"
        expected = {"added": 0, "changed": 0, "deleted": 0}
        if op == "add":
            target = package / "wsgiref" / f"added_{step}.py"
            shutil.copyfile(spare[step % len(spare)], target)
            expected["added"] = 1
        elif op == "modify":
            with open(package / rel, "a", encoding="utf-8") as fh:
                fh.write(f"\nSTEP_{step} = {step}\n")
            expected["changed"] = 1
        elif op == "delete":
            os.remove(package / rel)
            broken.pop(rel, None)
            expected["deleted"] = 1
        elif op == "rename":
            os.rename(package / rel, package / (rel[:-3] + f"_renamed_{step}.py"))
            broken.pop(rel, None)
            expected["added"] = expected["deleted"] = 1
        elif op == "touch":
            stat = os.stat(package / rel)
            os.utime(package / rel, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
        elif op == "break":
            broken[rel] = (package / rel).read_bytes()
            write(str(package / rel), b"def broken(:\n" + broken[rel])
            expected["changed"] = 1
        else:  # mend: the file's bytes become what they were before it broke
            rel = sorted(broken)[0]
            write(str(package / rel), broken.pop(rel))
            expected["changed"] = 1
        seen.add(op)
        out, previous, index = tmp_path / f"out-{step}", index, tmp_path / f"index-{step}.arrow"
        summary = extract(package, out, known=str(previous), index=str(index))
        extracted = rows_by_path(out)
        changes = read_index(index)
        dropped = {p for p, e in changes.items() if e["status"] in ("changed", "deleted")}
        table = {p: r for p, r in table.items() if p not in dropped} | extracted
        extract(package, tmp_path / f"full-{step}")
        full = rows_by_path(tmp_path / f"full-{step}")
        assert sorted(table) == sorted(full), op
        assert table == full, op
        assert {k: summary[k] for k in expected} == expected, op
        assert summary["files"] == summary["added"] + summary["changed"] == len(extracted), op
        assert summary["unchanged"] == len(full) - len(extracted), op
        assert {p for p, e in changes.items() if e["status"] != "deleted"} == set(full)
        assert all(changes[p]["file_sha256"] == full[p]["file_sha256"] for p in full)
        shutil.rmtree(tmp_path / f"full-{step}")
    assert seen == set(operations)
    assert any(r["errors"] for r in table.values()) or not broken


def test_a_touched_file_is_hashed_not_extracted(package, tmp_path):
    extract(package, tmp_path / "a", index=tmp_path / "a.arrow")
    path = package / "json" / "decoder.py"
    os.utime(path, ns=(0, 1_000_000_000))
    summary = extract(package, tmp_path / "b", known=str(tmp_path / "a.arrow"), index=str(tmp_path / "b.arrow"))
    assert summary["files"] == 0 and summary["changed"] == summary["added"] == summary["deleted"] == 0
    entry = read_index(tmp_path / "b.arrow")["json/decoder.py"]
    # the index takes the new stat, so the next run need not read it again
    assert entry["status"] == "unchanged" and entry["mtime_ns"] == 1_000_000_000


def test_known_sources_from_the_table_alone_are_compared_by_content(package, tmp_path):
    """A table's (path, file_sha256) without stats: every file is read once, none is extracted
    again, and the one whose bytes differ is."""
    out = tmp_path / "a"
    extract(package, out)
    rows = rows_by_path(out)
    known = tmp_path / "known.arrow"
    table = pa.table({"path": list(rows), "file_sha256": [r["file_sha256"] for r in rows.values()]})
    with pa.OSFile(str(known), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    with open(package / "json" / "tool.py", "a", encoding="utf-8") as fh:
        fh.write("\nEDITED = True\n")
    summary = extract(package, tmp_path / "b", known=str(known))
    assert (summary["files"], summary["changed"], summary["unchanged"]) == (1, 1, len(rows) - 1)
    assert list(rows_by_path(tmp_path / "b")) == ["json/tool.py"]


def test_known_sources_of_another_extraction_configuration_are_not_used(package, tmp_path):
    """The index records what made its rows; under another size limit (or extractor, Python,
    LibCST, schema) they may differ, so every file is extracted again and the summary says why."""
    extract(package, tmp_path / "a", index=tmp_path / "a.arrow")
    with pa.ipc.open_file(tmp_path / "a.arrow") as reader:
        config = json.loads(reader.schema.metadata[sources.CONFIG_KEY.encode()])
    assert config["kind"] == "ast" and config["max_bytes"] == MAX_BYTES and len(config["extractor_sha256"]) == 64
    same = extract(package, tmp_path / "b", known=str(tmp_path / "a.arrow"))
    assert same["known"] == "used" and same["files"] == 0
    other = harness.run("ast", str(package), str(tmp_path / "c"), ast_row, ast_error_row, repo="acme", workers=1,
                        max_bytes=MAX_BYTES + 1, batch_files=4, known=str(tmp_path / "a.arrow"))
    assert other["known"] == "ignored: the extraction configuration changed (max_bytes)"
    assert other["files"] == other["added"] == same["unchanged"] and other["unchanged"] == other["deleted"] == 0


def test_files_whose_rows_are_error_rows_are_extracted_again(tmp_path):
    source = tmp_path / "src"
    write(str(source / "ok.py"), "x = 1\n")
    write(str(source / "big.py"), "y = 2\n" * (MAX_BYTES // 6 + 1))
    extract(source, tmp_path / "a", index=tmp_path / "a.arrow")
    assert read_index(tmp_path / "a.arrow")["big.py"]["file_sha256"] is None
    summary = extract(source, tmp_path / "b", known=str(tmp_path / "a.arrow"))
    assert (summary["unchanged"], summary["changed"]) == (1, 1)
    [row] = rows_by_path(tmp_path / "b").values()
    assert row["path"] == "big.py" and row["errors"][0]["error_type"] == "AstLimitError"


def test_an_unusable_known_or_index_file_is_a_usage_error_naming_it(tmp_path):
    source = tmp_path / "src"
    write(str(source / "a.py"), "x = 1\n")
    bad = tmp_path / "known.arrow"
    bad.write_text("not arrow")
    proc = run_cli("ast", "--source", str(source), "--out", str(tmp_path / "out"), "--format", "ndjson",
                   "--known", str(bad))
    assert proc.returncode == 2
    assert str(bad) in proc.stderr and "Arrow IPC" in proc.stderr
    no_digest = tmp_path / "paths.arrow"
    table = pa.table({"path": ["a.py"]})
    with pa.OSFile(str(no_digest), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    proc = run_cli("ast", "--source", str(source), "--out", str(tmp_path / "out2"), "--format", "ndjson",
                   "--known", str(no_digest))
    assert proc.returncode == 2 and "file_sha256" in proc.stderr
    nowhere = tmp_path / "absent" / "index.arrow"
    proc = run_cli("ast", "--source", str(source), "--out", str(tmp_path / "out3"), "--format", "ndjson",
                   "--index-out", str(nowhere))
    assert proc.returncode == 2 and str(nowhere) in proc.stderr and "does not exist" in proc.stderr


def test_the_cli_writes_the_index_and_counts_in_its_summary(package, tmp_path):
    index = tmp_path / "index.arrow"
    proc = run_cli("ast", "--source", str(package), "--out", str(tmp_path / "out"), "--format", "ndjson",
                   "--workers", "2", "--index-out", str(index))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.splitlines()[-1])
    entries = read_index(index)
    assert summary["added"] == summary["files"] == len(entries) > 0
    for path, entry in entries.items():
        stat = os.stat(package / path)
        assert entry["status"] == "added" and len(entry["file_sha256"]) == 64
        assert (entry["size"], entry["mtime_ns"]) == (stat.st_size, stat.st_mtime_ns)
    assert not [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]


def test_without_pyarrow_an_index_is_refused_before_any_work(tmp_path):
    source = tmp_path / "src"
    write(str(source / "a.py"), "x = 1\n")
    shim = tmp_path / "shim"
    write(str(shim / "pyarrow" / "__init__.py"), "raise ImportError('pyarrow is blocked for this test')\n")
    out = tmp_path / "out"
    proc = run_cli("ast", "--source", str(source), "--out", str(out), "--format", "ndjson",
                   "--index-out", str(tmp_path / "index.arrow"),
                   pythonpath=os.pathsep.join([str(shim), PYTHON_RESOURCES]))
    assert proc.returncode == 2, proc.stderr
    assert "source indexes need pyarrow" in proc.stderr
    assert not out.exists() or not os.listdir(out)



def test_an_optional_index_without_pyarrow_extracts_everything_and_says_why(tmp_path):
    source = tmp_path / "src"
    write(str(source / "a.py"), "x = 1\n")
    shim = tmp_path / "shim"
    write(str(shim / "pyarrow" / "__init__.py"), "raise ImportError('pyarrow is blocked for this test')\n")
    index = tmp_path / "index.arrow"
    proc = run_cli("ast", "--source", str(source), "--out", str(tmp_path / "out"), "--format", "ndjson",
                   "--known", str(tmp_path / "absent.arrow"), "--index-out", str(index), "--index-optional",
                   pythonpath=os.pathsep.join([str(shim), PYTHON_RESOURCES]))
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout.splitlines()[-1])
    assert summary["files"] == 1 and not index.exists()
    assert summary["known"] == "ignored: pyarrow is not installed for this interpreter"
    assert summary["index"].startswith("none: source indexes need pyarrow")
