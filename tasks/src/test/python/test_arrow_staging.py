"""Arrow staging: part files in the Arrow IPC file format, written by the native ArrowPartWriter.

The rows of an Arrow staging must be the rows of the NDJSON staging of the same tree, decoded
into the contract's schema (pyarrow reads the files here, an implementation independent of the
writer's arrow-rs); the parts must hold their rows in (repo, path) order, with each part's first
and last key in its footer; a row that does not fit the schema becomes its file's error row.
The AST rows' nodes and edges come from the native walker as Arrow arrays (columns), not text:
they must equal, value for value, what the writer decodes from the walker's JSON text.
"""

from __future__ import annotations

import functools
import json
import os
import sysconfig

import pyarrow as pa
import pyarrow.ipc as ipc
import pytest

from syntaxlake_extract import harness
from syntaxlake_extract.ast_rows import ast_error_row, ast_row_encoded

from test_contracts import HAVE_LIBCST, load_contract, resolve_field
from test_harness import EXCLUDES, MAX_BYTES, read_parts, tree, write  # noqa: F401  (tree is a fixture)

def _native():
    try:
        from syntaxlake_extract import _native_walk
    except ImportError:
        return None
    return getattr(_native_walk, "ArrowPartWriter", None)


if _native() is None:
    if os.environ.get("SYNTAXLAKE_REQUIRE_NATIVE") == "1":
        raise RuntimeError("SYNTAXLAKE_REQUIRE_NATIVE=1 but the native ArrowPartWriter cannot be imported")
    pytest.skip("the native extension (ArrowPartWriter) is not built", allow_module_level=True)


# --------------------------------------------------------------------------- the contract as pyarrow

_PRIMITIVES = {
    "utf8": pa.string(), "bool": pa.bool_(), "int8": pa.int8(), "int16": pa.int16(), "int32": pa.int32(),
    "int64": pa.int64(), "float64": pa.float64(), "binary": pa.binary(),
}


def _pa_type(spec):
    if isinstance(spec, str):
        return _PRIMITIVES[spec]
    if "list" in spec:
        return pa.list_(pa.field("item", _pa_type(spec["list"]), nullable=True))
    if "struct" in spec:
        return pa.struct([_pa_field(f) for f in spec["struct"]])
    return pa.map_(_pa_type(spec["map"]["key"]), _pa_type(spec["map"]["value"]))


def _pa_field(field):
    return pa.field(field["name"], _pa_type(field["type"]), nullable=field["nullable"],
                    metadata=field["metadata"] or None)


def contract_schema(name):
    contract = load_contract(name)
    return pa.schema([_pa_field(resolve_field(contract, f)) for f in contract["fields"]])


def schema_file(tmp_path, name):
    path = str(tmp_path / (name + ".schema.arrows"))
    with pa.OSFile(path, "wb") as sink, ipc.new_stream(sink, contract_schema(name)):
        pass
    return path


def _plain(value, type_):
    """A pyarrow value as json.loads gives it: maps as dicts."""
    if value is None:
        return None
    if pa.types.is_map(type_):
        return {k: _plain(v, type_.item_type) for k, v in value}
    if pa.types.is_struct(type_):
        return {f.name: _plain(value[f.name], f.type) for f in type_}
    if pa.types.is_list(type_):
        return [_plain(v, type_.value_type) for v in value]
    return value


def read_arrow_parts(out):
    names = sorted(os.listdir(out))
    assert names and all(n.startswith("part-") and n.endswith(".arrow") for n in names), names
    rows, footers = [], []
    for name in names:
        with ipc.open_file(os.path.join(out, name)) as reader:
            footer = {k.decode(): json.loads(v) for k, v in (reader.metadata or {}).items()}
            table = reader.read_all()
        part = [{f.name: _plain(row[f.name], f.type) for f in table.schema} for row in table.to_pylist()]
        footer["keys"] = [[r["repo"], r["path"]] for r in part]
        footers.append(footer)
        rows.extend(part)
    return names, rows, footers


AST_ROW = functools.partial(ast_row_encoded, max_bytes=MAX_BYTES)
AST_COLUMNS = functools.partial(ast_row_encoded, max_bytes=MAX_BYTES, columns=True)
AST_ERR = functools.partial(ast_error_row, max_bytes=MAX_BYTES)


def _extract(source, out, staging, schema=None, workers=2, row_fn=AST_ROW, batch_files=3, columnar_fn=AST_COLUMNS):
    """As the CLI extracts: Arrow staging takes the AST rows' nodes and edges as columns."""
    return harness.run("ast", source, str(out), row_fn, AST_ERR, repo="acme", excludes=EXCLUDES,
                       workers=workers, max_bytes=MAX_BYTES, batch_files=batch_files, staging=staging,
                       schema=schema, columnar_fn=columnar_fn)


def _tables(out):
    return [ipc.open_file(os.path.join(out, n)).read_all() for n in sorted(os.listdir(out))]


# --------------------------------------------------------------------------- tests


@pytest.mark.parametrize("workers", [1, 2])
def test_arrow_rows_equal_the_ndjson_rows(tree, tmp_path, workers):  # noqa: F811
    source, expected = tree
    schema = schema_file(tmp_path, "ast_files_v1")
    text = _extract(source, tmp_path / "json", harness.NDJSON, workers=workers)
    arrow = _extract(source, tmp_path / "arrow", harness.ARROW, schema, workers=workers)
    _, json_rows = read_parts(str(tmp_path / "json"))
    names, arrow_rows, footers = read_arrow_parts(str(tmp_path / "arrow"))
    assert len(arrow_rows) == len(expected) == arrow["rows"]
    assert arrow_rows == json_rows
    assert arrow["staging"] == "arrow" and text["staging"] == "ndjson"
    assert arrow["staging_bytes"] == sum(os.path.getsize(tmp_path / "arrow" / n) for n in names)
    for key in ("files", "rows", "error_rows", "error_files", "bytes", "parts"):
        assert arrow[key] == text[key], key
    # the parts, in name order, hold the rows in path order; each footer names its first and last
    keys = [["acme", r["path"]] for r in arrow_rows]
    assert keys == sorted(keys, key=lambda k: k[1].encode("utf-8"))
    assert len(footers) == arrow["parts"] > 1
    for footer in footers:
        assert footer["syntaxlake.first_key"] == footer["keys"][0]
        assert footer["syntaxlake.last_key"] == footer["keys"][-1]


@pytest.mark.skipif(not HAVE_LIBCST, reason="libcst is not installed")
def test_cst_arrow_rows_equal_the_ndjson_rows(tmp_path):
    from syntaxlake_extract import cst_rows

    src = tmp_path / "src"
    write(str(src / "m.py"), "import os\n\n\ndef f(x: int) -> int:\n    return x + 1  # one\n")
    write(str(src / "pkg/bad.py"), "def (:\n")
    write(str(src / "pkg/ok.py"), "class C:\n    '''Doc.'''\n    y = [i for i in range(3)]\n")
    err = functools.partial(harness.generic_error_row, errors_key="parse_errors")
    schema = schema_file(tmp_path, "libcst_files_v1")
    runs = {}
    for staging in (harness.NDJSON, harness.ARROW):
        runs[staging] = harness.run("cst", str(src), str(tmp_path / staging), cst_rows.cst_row, err, repo="r",
                                    workers=1, batch_files=2, errors_key="parse_errors", staging=staging,
                                    schema=schema if staging == harness.ARROW else None)
    _, json_rows = read_parts(str(tmp_path / harness.NDJSON))
    _, arrow_rows, _ = read_arrow_parts(str(tmp_path / harness.ARROW))
    assert [r["path"] for r in arrow_rows] == ["m.py", "pkg/bad.py", "pkg/ok.py"]
    assert arrow_rows == json_rows
    assert runs[harness.ARROW]["error_files"] == runs[harness.NDJSON]["error_files"] == 1


REVISION = "0123456789abcdef0123456789abcdef01234567-dirty"


def test_every_ast_row_holds_the_source_revision_in_both_stagings(tree, tmp_path):  # noqa: F811
    source, expected = tree
    schema = schema_file(tmp_path, "ast_files_v1")
    plain = _extract(source, tmp_path / "plain", harness.ARROW, schema)
    runs = {}
    for staging in (harness.NDJSON, harness.ARROW):
        runs[staging] = harness.run(
            "ast", source, str(tmp_path / staging), AST_ROW, AST_ERR, repo="acme", excludes=EXCLUDES, workers=2,
            max_bytes=MAX_BYTES, batch_files=3, staging=staging, schema=schema if staging == harness.ARROW else None,
            columnar_fn=AST_COLUMNS, source_revision=REVISION)
    _, json_rows = read_parts(str(tmp_path / harness.NDJSON))
    _, arrow_rows, _ = read_arrow_parts(str(tmp_path / harness.ARROW))
    _, plain_rows, _ = read_arrow_parts(str(tmp_path / "plain"))
    # error rows (unreadable, too big, undecodable files) as well as parsed ones
    assert len(arrow_rows) == len(expected) and runs[harness.ARROW]["error_files"] > 0
    assert [r["source_revision"] for r in arrow_rows] == [REVISION] * len(expected)
    assert arrow_rows == json_rows
    # without a revision the column is null and the rows are otherwise the same
    assert [r.pop("source_revision") for r in plain_rows] == [None] * len(expected)
    assert [{k: v for k, v in r.items() if k != "source_revision"} for r in arrow_rows] == plain_rows
    assert plain["rows"] == runs[harness.ARROW]["rows"]


@pytest.mark.skipif(not HAVE_LIBCST, reason="libcst is not installed")
def test_every_cst_row_holds_the_source_revision_in_both_stagings(tmp_path):
    from syntaxlake_extract import cst_rows

    src = tmp_path / "src"
    write(str(src / "m.py"), "def f(x):\n    return x\n")
    write(str(src / "pkg/bad.py"), "def (:\n")
    err = functools.partial(harness.generic_error_row, errors_key="parse_errors")
    schema = schema_file(tmp_path, "libcst_files_v1")
    for staging in (harness.NDJSON, harness.ARROW):
        harness.run("cst", str(src), str(tmp_path / staging), cst_rows.cst_row, err, repo="r", workers=1,
                    errors_key="parse_errors", staging=staging, schema=schema if staging == harness.ARROW else None,
                    columnar_fn=functools.partial(cst_rows.cst_row, columns=True), columnar_repairable=True,
                    source_revision=REVISION)
    _, json_rows = read_parts(str(tmp_path / harness.NDJSON))
    _, arrow_rows, _ = read_arrow_parts(str(tmp_path / harness.ARROW))
    assert [(r["path"], r["source_revision"]) for r in arrow_rows] == [("m.py", REVISION), ("pkg/bad.py", REVISION)]
    assert arrow_rows == json_rows


@pytest.mark.parametrize("revision", ["HEAD", "0123abc", "0123456789abcdef0123456789abcdef01234567+dirty",
                                      "0123456789ABCDEF0123456789ABCDEF01234567"])
def test_a_source_revision_that_is_no_commit_id_is_refused(tree, tmp_path, revision):  # noqa: F811
    source, _ = tree
    with pytest.raises(harness.HarnessError, match="--source-revision"):
        harness.run("ast", source, str(tmp_path / "out"), AST_ROW, AST_ERR, source_revision=revision)
    assert not os.path.exists(tmp_path / "out")


def _mistyped_row(rel_path, data, fid, repo, sha256):
    row = {"repo": repo, "path": rel_path, "file_id": fid, "file_sha256": sha256, "nodes": "not a list"}
    return row if rel_path == "a.py" else ast_row_encoded(rel_path, data, fid, repo, sha256, max_bytes=MAX_BYTES)


def test_walker_columns_equal_the_arrays_decoded_from_its_text(tree, tmp_path):  # noqa: F811
    source, _ = tree
    schema = schema_file(tmp_path, "ast_files_v1")
    stats = [_extract(source, tmp_path / out, harness.ARROW, schema, columnar_fn=fn)
             for out, fn in (("text", None), ("columns", AST_COLUMNS))]
    text, columns = _tables(str(tmp_path / "text")), _tables(str(tmp_path / "columns"))
    assert len(text) == len(columns) == stats[0]["parts"] > 1
    for a, b in zip(text, columns):
        assert a.schema == b.schema == contract_schema("ast_files_v1")
        assert a.equals(b), [name for name in a.column_names if not a[name].equals(b[name])]
    assert sum(t.num_rows for t in columns) == stats[1]["rows"]
    assert sum(len(n) for t in columns for n in t["nodes"].to_pylist()) > 0


# what the columns hold beyond the test tree: constants, names, type comments, deep nesting,
# positions in lines of multi-byte characters, every scalar kind the walker puts into attrs
_CORNERS = {
    "a.py": "from . import x as y, z\nimport os.path\nglobal_ = [1, 2.5, 3j, b'\\x00', None, ..., True]\n",
    "b.py": "def f(a, /, b: int = 2, *c, d=None, **e) -> 'r':  # type: ignore[misc]\n"
            "    global g, h\n    n = lambda: (yield)\n    return f'{a!r:>{b}}'\n",
    "c.py": "class C(B, metaclass=M):\n    '''doc \u00e9\U0001F600'''\n    x: list[int] = []\n"
            "    async def m(self):\n        async with a as (b, c):\n            await d\n",
    "d.py": "s = '\u00e9\u4e2d\U00020000'; t = s[1:2:3]\nmatch s:\n    case [1, *r] | {'k': v} if v: pass\n",
    "e.py": "x = " + "(" * 50 + "1" + ")" * 50 + "  # type: int\n",
}


def test_walker_columns_cover_the_node_kinds_and_scalars_they_meet(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    for name, text in _CORNERS.items():
        (source / name).write_text(text, encoding="utf-8")
    schema = schema_file(tmp_path, "ast_files_v1")
    for out, fn in (("text", None), ("columns", AST_COLUMNS)):
        _extract(str(source), tmp_path / out, harness.ARROW, schema, columnar_fn=fn, batch_files=10)
    [text], [columns] = _tables(str(tmp_path / "text")), _tables(str(tmp_path / "columns"))
    assert text.equals(columns), [name for name in text.column_names if not text[name].equals(columns[name])]
    nodes = [n for row in columns["nodes"].to_pylist() for n in row]
    kinds = {n["kind"] for n in nodes}
    assert {"ImportFrom", "alias", "Global", "Lambda", "JoinedStr", "AsyncWith", "MatchOr", "Slice"} <= kinds
    assert {"names", "level", "asname", "conversion", "value"} <= {k for n in nodes for k, _ in n["attrs"]}
    assert [r["errors"] for r in columns.to_pylist()] == [[]] * len(_CORNERS)


def _stdlib_sample(count):
    stdlib = sysconfig.get_paths()["stdlib"]
    files = sorted(os.path.relpath(os.path.join(d, f), stdlib) for d, _, names in os.walk(stdlib)
                   if "site-packages" not in d for f in names if f.endswith(".py"))
    return stdlib, files[:count]


def _sources_without_lone_surrogates(stdlib, files):
    """(path, bytes) of those ``files`` the harness takes the arrays of: the files that may hold
    lone surrogates get their JSON text repaired instead."""
    for rel in files:
        with open(os.path.join(stdlib, rel), "rb") as fh:
            data = fh.read()
        if not harness.may_hold_lone_surrogates(data):
            yield rel, data


def test_walker_columns_over_standard_library_files_equal_the_decoded_text(tmp_path):
    stdlib, files = _stdlib_sample(150)
    writers = {mode: _native()(schema_file(tmp_path, "ast_files_v1"), str(tmp_path / f"{mode}.arrow"))
               for mode in ("text", "columns")}
    for rel, data in _sources_without_lone_surrogates(stdlib, files):
        for mode, writer in writers.items():
            row = ast_row_encoded(rel, data, "id", "cpython", "0" * 64, columns=mode == "columns")
            writer.write_row(list(row.chunks), row.columns)
    for writer in writers.values():
        writer.close()
    text, columns = (ipc.open_file(str(tmp_path / f"{m}.arrow")).read_all() for m in ("text", "columns"))
    assert text.num_rows == columns.num_rows > 100
    assert text.equals(columns), [name for name in text.column_names if not text[name].equals(columns[name])]


def test_walker_columns_are_written_once(tmp_path):
    writer = _native()(schema_file(tmp_path, "ast_files_v1"), str(tmp_path / "p.arrow"))
    row = ast_row_encoded("a.py", b"x = 1\n", "id", "r", "0" * 64, columns=True)
    assert row.columns.counts() == (5, 4)  # Module, Assign, Name, Store, Constant; an edge to each but the root
    assert '"nodes":[],"edges":[]' in row.text
    writer.write_row(list(row.chunks), row.columns)
    assert row.columns.counts() is None
    again = ast_row_encoded("b.py", b"y = 2\n", "id", "r", "0" * 64)
    with pytest.raises(RuntimeError, match="written already"):
        writer.write_row(list(again.chunks), row.columns)
    rows, _ = writer.close()
    assert rows == 1


def test_files_that_may_hold_lone_surrogates_keep_the_text_path(tmp_path):
    source = tmp_path / "src"
    source.mkdir()
    (source / "lone.py").write_text("s = '\\udc80'\nt = 'ok'\n", encoding="utf-8")
    (source / "plain.py").write_text("u = 'ok'\n", encoding="utf-8")
    schema = schema_file(tmp_path, "ast_files_v1")
    _extract(str(source), tmp_path / "json", harness.NDJSON)
    _extract(str(source), tmp_path / "arrow", harness.ARROW, schema)
    _, json_rows = read_parts(str(tmp_path / "json"))
    _, arrow_rows, _ = read_arrow_parts(str(tmp_path / "arrow"))
    assert arrow_rows == json_rows
    lone = arrow_rows[0]
    assert lone["path"] == "lone.py" and lone["errors"] == []
    # the lone surrogate stays as the text of its escape, as valid_json_text makes it
    assert "\\udc80" in {n["attrs"].get("value") for n in lone["nodes"]}


def test_a_row_that_does_not_fit_the_schema_becomes_an_error_row(tree, tmp_path):  # noqa: F811
    source, expected = tree
    summary = _extract(source, tmp_path / "o", harness.ARROW, schema_file(tmp_path, "ast_files_v1"),
                       workers=1, row_fn=_mistyped_row, columnar_fn=None)
    _, rows, _ = read_arrow_parts(str(tmp_path / "o"))
    assert len(rows) == len(expected) == summary["rows"]
    a = next(r for r in rows if r["path"] == "a.py")
    assert a["nodes"] == []  # the error row, not the mistyped one
    assert [e["error_type"] for e in a["errors"]] == ["SchemaMismatchError"]
    assert a["errors"][0]["message"].startswith("a.py: the row does not fit the dataset's Arrow schema")
    assert summary["error_files"] == sum(1 for v in expected.values() if v) + 1


def test_the_writer_refuses_rows_out_of_order_and_keeps_what_it_has(tmp_path):
    writer_class = _native()
    schema = schema_file(tmp_path, "ast_files_v1")
    path = str(tmp_path / "part.arrow")
    writer = writer_class(schema, path)

    def row(p):
        return json.dumps({"repo": "r", "path": p, "file_id": "id-" + p})

    writer.write_row([row("b.py")])
    with pytest.raises(RuntimeError, match="must be in \\(repo, path\\) order"):
        writer.write_row([row("a.py")])
    with pytest.raises(RuntimeError, match="order"):
        writer.write_row([row("b.py")])  # not strictly after
    with pytest.raises(ValueError):
        writer.write_row(['{"repo": "r", "path": "c.py", "nodes": 3}'])
    with pytest.raises(ValueError):
        writer.write_row(['{"repo": "r", "path": '])  # ends inside a value
    with pytest.raises(ValueError):
        writer.write_row([row("c.py"), row("d.py")])  # two objects in one row
    writer.write_row(['{"repo": "r", ', '"path": "e.py", "file_id": "x"}'])  # pieces of one object
    assert writer.close() == (2, 1)
    with pytest.raises(RuntimeError, match="closed"):
        writer.write_row([row("f.py")])
    with ipc.open_file(path) as reader:
        assert reader.read_all().column("path").to_pylist() == ["b.py", "e.py"]
        assert json.loads(reader.metadata[b"syntaxlake.first_key"]) == ["r", "b.py"]
        assert json.loads(reader.metadata[b"syntaxlake.last_key"]) == ["r", "e.py"]


def test_characters_beyond_the_bmp_keep_their_code_points(tmp_path):
    # json writes them as surrogate-pair escapes; arrow-json 59 alone decodes those of planes 2, 4,
    # ..., 16 (e.g. U+20000, CJK Extension B) as other characters
    chars = "\U00010000\U0001F600\U00020000\U0002A6D6\U00030000\U000E0100\U000F0000\U00100000\U0010FFFF"
    source = tmp_path / "src"
    source.mkdir()
    (source / "wide.py").write_text(f"S = {chars!r}\n{chars[2]} = 1\n# {chars}\n", encoding="utf-8")
    (source / "\U00020000_name.py").write_text("x = 1\n", encoding="utf-8")
    schema = schema_file(tmp_path, "ast_files_v1")
    _extract(str(source), tmp_path / "json", harness.NDJSON)
    _extract(str(source), tmp_path / "arrow", harness.ARROW, schema)
    _, json_rows = read_parts(str(tmp_path / "json"))
    _, arrow_rows, _ = read_arrow_parts(str(tmp_path / "arrow"))
    assert arrow_rows == json_rows
    assert [r["path"] for r in arrow_rows] == ["wide.py", "\U00020000_name.py"]
    wide = arrow_rows[0]
    assert any(n["value"] == repr(chars) for n in wide["nodes"])
    assert any(n["name"] == chars[2] for n in wide["nodes"])
    assert {n["attrs"].get("value") for n in wide["nodes"]} >= {chars}


def test_surrogate_pair_escapes_decode_in_any_position(tmp_path):
    writer = _native()(schema_file(tmp_path, "ast_files_v1"), str(tmp_path / "p.arrow"))
    # escapes around the pairs stay escapes; a lone high surrogate followed by another escape is no pair
    paths = ["\U00020000", 'a\\"\U00100000"\n', "\\ud840", "x\U0010FFFF\U00020000y"]
    for i, p in enumerate(paths):
        writer.write_row([json.dumps({"repo": "r", "path": f"{i}{p}", "file_id": str(i)})])
    writer.close()
    with ipc.open_file(str(tmp_path / "p.arrow")) as reader:
        assert reader.read_all().column("path").to_pylist() == [f"{i}{p}" for i, p in enumerate(paths)]


def test_big_parts_are_split_into_bounded_batches(tmp_path):
    writer = _native()(schema_file(tmp_path, "ast_files_v1"), str(tmp_path / "p.arrow"))
    for i in range(150):
        writer.write_row([json.dumps({"repo": None, "path": f"m{i:03d}.py", "file_id": str(i)})])
    rows, batches = writer.close()
    assert (rows, batches) == (150, 3)  # 64 + 64 + 22 rows
    with ipc.open_file(str(tmp_path / "p.arrow")) as reader:
        assert [reader.get_batch(i).num_rows for i in range(reader.num_record_batches)] == [64, 64, 22]


def test_undecodable_file_names_sort_as_their_rows_store_them(tmp_path):
    src = tmp_path / "src"
    os.makedirs(src)
    # "\udcff" is stored as the text \udcff: a backslash (0x5C) sorts before "_" (0x5F), whereas
    # the surrogate code point itself (U+DCFF) would sort after it
    for name in (b"a\xff.py", b"a_b.py", b"a.py"):
        with open(os.path.join(os.fsencode(str(src)), name), "w") as fh:
            fh.write("x = 1\n")
    summary = _extract(str(src), tmp_path / "o", harness.ARROW, schema_file(tmp_path, "ast_files_v1"),
                       workers=1, batch_files=1)
    _, rows, _ = read_arrow_parts(str(tmp_path / "o"))
    assert [r["path"] for r in rows] == ["a.py", "a\\udcff.py", "a_b.py"]
    assert summary["parts"] == 3


def test_arrow_staging_without_a_schema_is_refused(tmp_path):
    write(str(tmp_path / "s" / "m.py"), "x = 1\n")
    with pytest.raises(harness.HarnessError, match="needs --schema"):
        _extract(str(tmp_path / "s"), tmp_path / "o", harness.ARROW)


# --------------------------------------------------------------------------- rows built by pyarrow


def _one_row(row, name="libcst_files_v1"):
    return pa.RecordBatch.from_pylist([row], schema=contract_schema(name))


# sources whose nodes have null spans, byte offsets shifted by a BOM or mapped from another encoding
_CST_EDGE_CASES = [
    ("bom.py", "\ufeffx = 'caf\u00e9'\n".encode("utf-8")),
    ("latin.py", "# -*- coding: latin-1 -*-\nname = 'caf\u00e9'  # \u00e9\n".encode("latin-1")),
    ("match.py", b"match p:\n    case {'a': 1, **rest}:\n        pass\n    case {}:\n        pass\n"),
    ("wide.py", "def f(\u00e9t\u00e9: int) -> str:\n    return '\U0001f600' + \u00e9t\u00e9\n".encode("utf-8")),
]


@pytest.mark.skipif(not HAVE_LIBCST, reason="libcst is not installed")
def test_cst_rows_built_by_pyarrow_and_as_columns_equal_the_arrays_decoded_from_their_text(tmp_path):
    from syntaxlake_extract import cst_rows

    stdlib, files = _stdlib_sample(1790)
    files = files[::60]  # LibCST takes ~0.15 s a file: 30 files across the tree
    modes = ("text", "arrow", "columns")
    writers = {mode: _native()(schema_file(tmp_path, "libcst_files_v1"), str(tmp_path / f"{mode}.arrow"))
               for mode in modes}
    sources = list(_sources_without_lone_surrogates(stdlib, files)) + _CST_EDGE_CASES
    for rel, data in sorted(sources, key=lambda source: source[0].encode("utf-8")):
        row = cst_rows.cst_row(rel, data, "id", "cpython", "0" * 64)
        writers["text"].write_row([harness._encode(row)])
        writers["arrow"].write_arrow(_one_row(row))
        built = cst_rows.cst_row(rel, data, "id", "cpython", "0" * 64, columns=True)
        assert isinstance(built, harness.ColumnarRow) and built.row["nodes"] == built.row["edges"] == []
        writers["columns"].write_arrow(harness._with_columns(_one_row(built.row), built.columns))
        assert built.as_dict() == row
    for writer in writers.values():
        writer.close()
    text, arrow, columns = (ipc.open_file(str(tmp_path / f"{m}.arrow")).read_all() for m in modes)
    assert text.num_rows == arrow.num_rows == columns.num_rows > 20
    assert sum(len(n) for n in arrow["nodes"].to_pylist()) > 1000
    assert None in [node["span"] for nodes in columns["nodes"].to_pylist() for node in nodes]
    for other in (arrow, columns):
        assert text.equals(other), [name for name in text.column_names if not text[name].equals(other[name])]


@pytest.mark.skipif(not HAVE_LIBCST, reason="libcst is not installed")
def test_the_harness_writes_cst_rows_through_pyarrow_and_falls_back_to_text(tmp_path, monkeypatch):
    from syntaxlake_extract import cst_rows

    src = tmp_path / "src"
    write(str(src / "a.py"), "import os\n\n\ndef f(x: int) -> int:\n    return x + 1  # one\n")
    write(str(src / "b.py"), "class C:\n    '''Doc.'''\n    y = [i for i in range(3)]\n")
    # may hold a lone surrogate: the text path, or the columns with the dict's strings repaired
    write(str(src / "c.py"), "'''lone \\udc80, pair \\ud83d\\ude00'''\ns = '\\udc80'\n")
    write(str(src / "d.py"), "def (:\n")  # an error row: a dict even from the columnar builder
    err = functools.partial(harness.generic_error_row, errors_key="parse_errors")
    schema = schema_file(tmp_path, "libcst_files_v1")
    through = []
    write_dict = harness._ArrowPart.write_dict

    def counting(self, row, columns=None):
        written = write_dict(self, row, columns)
        through.append((row["path"], written, columns is not None))
        return written

    monkeypatch.setattr(harness._ArrowPart, "write_dict", counting)
    columnar = functools.partial(cst_rows.cst_row, columns=True)
    runs, written = {}, {}
    for out, staging, columnar_fn, repairable in (("ndjson", harness.NDJSON, None, False),
                                                  ("dicts", harness.ARROW, None, False),
                                                  ("columns", harness.ARROW, columnar, False),
                                                  ("repaired", harness.ARROW, columnar, True)):
        through.clear()
        runs[out] = harness.run("cst", str(src), str(tmp_path / out), cst_rows.cst_row, err, repo="r",
                                workers=1, batch_files=2, errors_key="parse_errors", staging=staging,
                                schema=schema if staging == harness.ARROW else None, columnar_fn=columnar_fn,
                                columnar_repairable=repairable)
        written[out] = list(through)
    assert written["dicts"] == [("a.py", True, False), ("b.py", True, False), ("d.py", True, False)]
    assert written["columns"] == [("a.py", True, True), ("b.py", True, True), ("d.py", True, False)]
    assert written["repaired"] == [("a.py", True, True), ("b.py", True, True), ("c.py", True, True),
                                   ("d.py", True, False)]
    _, json_rows = read_parts(str(tmp_path / "ndjson"))
    # the JSON text's repair: the lone surrogate as the text of its escape, the pair as its character
    assert [d["docstring"] for d in json_rows[2]["docstrings"]] == ["lone \\udc80, pair \U0001f600"]
    for out in ("dicts", "columns", "repaired"):
        _, arrow_rows, _ = read_arrow_parts(str(tmp_path / out))
        assert arrow_rows == json_rows and len(arrow_rows) == 4
        assert runs[out]["rows"] == 4 and runs[out]["error_files"] == runs["ndjson"]["error_files"] == 1


@pytest.mark.skipif(not HAVE_LIBCST, reason="libcst is not installed")
def test_a_columnar_cst_row_pyarrow_refuses_falls_back_to_its_text(tmp_path, monkeypatch):
    from syntaxlake_extract import cst_rows

    src = tmp_path / "src"
    write(str(src / "a.py"), "x = [1, 2]\n")
    err = functools.partial(harness.generic_error_row, errors_key="parse_errors")

    def refusing(batch, columns):
        raise pa.ArrowInvalid("refused")

    monkeypatch.setattr(harness, "_with_columns", refusing)
    columnar = functools.partial(cst_rows.cst_row, columns=True)
    for out, fn in (("dicts", None), ("columns", columnar)):
        harness.run("cst", str(src), str(tmp_path / out), cst_rows.cst_row, err, repo="r", workers=1,
                    errors_key="parse_errors", staging=harness.ARROW,
                    schema=schema_file(tmp_path, "libcst_files_v1"), columnar_fn=fn)
    (_, dicts, _), (_, columns, _) = (read_arrow_parts(str(tmp_path / out)) for out in ("dicts", "columns"))
    assert columns == dicts and len(columns[0]["nodes"]) > 5


def test_write_arrow_refuses_what_does_not_hold_to_the_schema_and_keeps_what_it_has(tmp_path):
    writer = _native()(schema_file(tmp_path, "ast_files_v1"), str(tmp_path / "p.arrow"))
    schema = contract_schema("ast_files_v1")
    good = {"repo": "r", "path": "b.py", "file_id": "id-b", "nodes": [], "edges": [], "errors": []}
    writer.write_arrow(pa.RecordBatch.from_pylist([good], schema=schema))
    with pytest.raises(RuntimeError, match="order"):
        writer.write_arrow(pa.RecordBatch.from_pylist([dict(good, path="a.py")], schema=schema))
    two = pa.RecordBatch.from_pylist([dict(good, path="c.py"), dict(good, path="d.py")], schema=schema)
    with pytest.raises(ValueError, match="expected one row, got 2"):
        writer.write_arrow(two)
    other = pa.RecordBatch.from_pylist([{"path": "e.py"}], schema=pa.schema([("path", pa.string())]))
    with pytest.raises(ValueError, match="not the schema's"):
        writer.write_arrow(other)
    with pytest.raises(ValueError, match="no Arrow C data interface"):
        writer.write_arrow({"path": "g.py"})
    writer.write_arrow(pa.RecordBatch.from_pylist([dict(good, path="h.py")], schema=schema))
    assert writer.close() == (2, 1)
    with ipc.open_file(str(tmp_path / "p.arrow")) as reader:
        assert reader.read_all().column("path").to_pylist() == ["b.py", "h.py"]


def test_write_arrow_refuses_a_null_in_a_non_nullable_nested_field(tmp_path):
    # pyarrow's builders leave such a null in place; the writer's full validation must not
    item = pa.struct([pa.field("k", pa.string(), nullable=False)])
    schema = pa.schema([("repo", pa.string()), pa.field("path", pa.string(), nullable=False),
                        ("items", pa.list_(item))])
    path = str(tmp_path / "s.arrows")
    with pa.OSFile(path, "wb") as sink, ipc.new_stream(sink, schema):
        pass
    writer = _native()(path, str(tmp_path / "p.arrow"))
    bad = pa.RecordBatch.from_pylist([{"repo": "r", "path": "a.py", "items": [{"k": None}]}], schema=schema)
    assert bad.column(2).to_pylist() == [[{"k": None}]]
    with pytest.raises(ValueError, match="non-nullable child"):
        writer.write_arrow(bad)
    writer.write_arrow(pa.RecordBatch.from_pylist([{"repo": "r", "path": "a.py", "items": [{"k": "v"}]}],
                                                  schema=schema))
    assert writer.close() == (1, 1)
