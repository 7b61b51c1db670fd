"""Tests for syntaxlake_extract.cst_rows (libcst_files_v1 rows).

Run with an interpreter that has libcst installed, e.g.
    /root/.cache/syntaxlake/cst-venv/bin/python -m pytest tasks/src/test/python/test_cst_rows.py
The module is skipped when libcst cannot be imported.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib.metadata
import json
import os
import re
import subprocess
import sys
import textwrap

import pytest

cst = pytest.importorskip("libcst")

from libcst.metadata import (  # noqa: E402
    ByteSpanPositionProvider,
    MetadataWrapper,
    PositionProvider,
    QualifiedNameProvider,
    WhitespaceInclusivePositionProvider,
)

from syntaxlake_extract import cst_rows  # noqa: E402
from syntaxlake_extract.cst_rows import cst_error_row, cst_row  # noqa: E402
from syntaxlake_extract.ids import stable_id  # noqa: E402

FILE_ID = "file:e38ce2e912202f083f4e67112ef6f755"  # plan-era file_id of pkg/mod.py
PATH = "pkg/mod.py"
SHA = "0" * 64

TOP_KEYS = [
    "repo",
    "path",
    "file_id",
    "file_sha256",
    "nodes",
    "edges",
    "parse_manifest",
    "parse_errors",
    "refs",
    "imports",
    "callsites",
    "defs",
    "type_exprs",
    "docstrings",
    "decorators",
    "call_args",
    "attrs",
    "source_revision",
]
LISTS = [k for k in TOP_KEYS if k not in ("repo", "path", "file_id", "file_sha256", "attrs", "source_revision")]
ENTITY_LISTS = [k for k in LISTS if k not in ("nodes", "edges")]

ENTITY_KEYS = {
    "parse_manifest": [
        "encoding", "default_indent", "default_newline", "has_trailing_newline",
        "future_imports", "module_name", "package_name", "libcst_version",
        "parser_backend", "parsed_python_version", "schema_identity_hash",
    ],
    "parse_errors": [
        "error_type", "message", "raw_line", "raw_column", "editor_line", "editor_column",
        "context", "line_base", "col_unit", "end_exclusive", "meta",
    ],
    "refs": [
        "ref_id", "ref_kind", "ref_text", "expr_ctx", "scope_type", "scope_name",
        "scope_role", "parent_kind", "inferred_type", "bstart", "bend", "attrs",
    ],
    "imports": [
        "kind", "module", "relative_level", "name", "asname", "is_star", "stmt_bstart",
        "stmt_bend", "alias_bstart", "alias_bend", "attrs",
    ],
    "callsites": [
        "call_id", "call_bstart", "call_bend", "callee_bstart", "callee_bend",
        "callee_shape", "callee_text", "arg_count", "callee_dotted", "callee_qnames",
        "callee_fqns", "inferred_type", "attrs",
    ],
    "defs": [
        "def_id", "container_def_kind", "container_def_bstart", "container_def_bend",
        "kind", "name", "def_bstart", "def_bend", "name_bstart", "name_bend", "qnames",
        "def_fqns", "docstring", "decorator_count", "attrs",
    ],
    "type_exprs": [
        "owner_def_kind", "owner_def_bstart", "owner_def_bend", "param_name", "expr_kind",
        "expr_role", "bstart", "bend", "expr_text",
    ],
    "docstrings": [
        "owner_def_id", "owner_kind", "owner_def_bstart", "owner_def_bend", "docstring",
        "bstart", "bend",
    ],
    "decorators": [
        "owner_def_id", "owner_kind", "owner_def_bstart", "owner_def_bend",
        "decorator_text", "decorator_index", "bstart", "bend",
    ],
    "call_args": [
        "call_id", "call_bstart", "call_bend", "arg_index", "keyword", "star", "arg_text",
        "bstart", "bend",
    ],
}

FIXTURE = textwrap.dedent(
    '''\
    """Module docstring."""
    from __future__ import annotations, division

    import a.b as c
    import os as o
    from ..pkg import x as y
    from . import z
    from m import *


    @decorator_one
    @decorator_two(arg=1)
    class Outer(Base, metaclass=Meta):
        """Class docstring."""

        class Inner:
            def method(self, p: int) -> str:
                """Method docstring."""
                return str(p)  # a comment

        async def amethod(self):
            await o.path.join("a", "b")


    def plain(pos: int, /, reg: "str", *args: tuple, kw: float = 1.0, **kwargs: dict) -> bool:
        """Function docstring."""
        result = helper(pos, *args, key=reg, **kwargs)
        return o.path.exists(result)


    def nested():
        def inner():
            return (1)
        return inner
    '''
).encode("utf-8")


def row_for(data: bytes, path: str = PATH, file_id: str = FILE_ID, sha: str | None = SHA) -> dict:
    row = cst_row(path, data, file_id, None, sha)
    check_shape(row, path, file_id, sha)
    return row


def check_shape(row: dict, path: str, file_id: str, sha: str | None) -> None:
    assert list(row) == TOP_KEYS
    assert row["path"] == path and row["file_id"] == file_id and row["file_sha256"] == sha
    assert isinstance(row["attrs"], dict)
    for name in LISTS:
        assert isinstance(row[name], list), name
    for name in ENTITY_LISTS:
        for item in row[name]:
            assert list(item)[:3] == ["file_id", "path", "file_sha256"], name
            assert (item["file_id"], item["path"], item["file_sha256"]) == (file_id, path, sha)
            assert list(item)[3:] == ENTITY_KEYS[name], name
    json.dumps(row, allow_nan=False)  # JSON-serialisable, one NDJSON line


@pytest.fixture(scope="module")
def fixture_row() -> dict:
    return row_for(FIXTURE)


def by(rows: list[dict], **match) -> list[dict]:
    return [r for r in rows if all(r[k] == v for k, v in match.items())]


def one(rows: list[dict], **match) -> dict:
    found = by(rows, **match)
    assert len(found) == 1, (match, found)
    return found[0]


def bslice(data: bytes, start: int, end: int, encoding: str = "utf-8") -> str:
    return data[start:end].decode(encoding)


def assert_slices(row: dict, data: bytes, encoding: str = "utf-8") -> None:
    """Slicing the raw bytes with bstart/bend gives the text of refs/callsites/call_args."""
    for ref in row["refs"]:
        assert bslice(data, ref["bstart"], ref["bend"], encoding) == ref["ref_text"], ref
    for call in row["callsites"]:
        assert bslice(data, call["callee_bstart"], call["callee_bend"], encoding) == call["callee_text"]
        assert call["call_bstart"] <= call["callee_bstart"] < call["callee_bend"] <= call["call_bend"]
        assert bslice(data, call["call_bstart"], call["call_bend"], encoding).endswith(")")
    for arg in row["call_args"]:
        assert bslice(data, arg["bstart"], arg["bend"], encoding) == arg["arg_text"], arg
    for tx in row["type_exprs"]:
        assert bslice(data, tx["bstart"], tx["bend"], encoding) == tx["expr_text"]


def ast_def_spans(data: bytes) -> dict[tuple[int, int], str]:
    """Byte spans of undecorated defs from Python's ast (line-start table + col offsets)."""
    tree = ast.parse(data)
    starts = [0]
    for i, b in enumerate(data):
        if b == 0x0A:
            starts.append(i + 1)
    bom = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not node.decorator_list:
            first = bom if node.lineno == 1 else 0
            end_first = bom if node.end_lineno == 1 else 0
            span = (
                starts[node.lineno - 1] + first + node.col_offset,
                starts[node.end_lineno - 1] + end_first + node.end_col_offset,
            )
            out[span] = node.name
    return out


def assert_defs_match_ast(row: dict, data: bytes) -> None:
    expected = ast_def_spans(data)
    got = {(d["def_bstart"], d["def_bend"]): d["name"] for d in row["defs"] if d["decorator_count"] == 0}
    assert got == expected
    assert expected  # the fixtures all have undecorated defs


# ----------------------------------------------------------------------------- ids


def test_stable_id_vectors():
    assert stable_id("cst_def", FILE_ID, "function", 10, 42) == "cst_def:f43678b9ec3d6ef5dfe2fef81d24945c"
    assert stable_id("cst_ref", FILE_ID, 10, 13) == "cst_ref:437f4594b94c91df7229224e8d6c52a8"


# ------------------------------------------------------------------------- fixture


def test_top_level_and_manifest(fixture_row):
    row = fixture_row
    assert row["repo"] is None and row["attrs"] == {}
    assert row["parse_errors"] == []
    (manifest,) = row["parse_manifest"]
    module = cst.parse_module(FIXTURE)
    version = module.config_for_parsing.parsed_python_version
    assert manifest["future_imports"] == ["annotations", "division"]
    assert manifest["parsed_python_version"] == f"{version.major}.{version.minor}"
    assert manifest["libcst_version"] == importlib.metadata.version("libcst")
    assert "schema_identity_hash" in manifest and manifest["schema_identity_hash"] is None
    assert "schema_fingerprint" not in manifest
    assert manifest["encoding"] == "utf-8"
    assert manifest["default_indent"] == "    "
    assert manifest["default_newline"] == "\n"
    assert manifest["has_trailing_newline"] is True
    assert manifest["parser_backend"] == "native"
    assert (manifest["module_name"], manifest["package_name"]) == ("pkg.mod", "pkg")


def test_future_imports_only_leading_run():
    src = b'"""doc"""\nfrom __future__ import annotations\nimport os\nfrom __future__ import division\n'
    (manifest,) = row_for(src)["parse_manifest"]
    assert manifest["future_imports"] == ["annotations"]
    (manifest,) = row_for(b"import os\n")["parse_manifest"]
    assert manifest["future_imports"] == []


def test_module_and_package_names():
    (m,) = row_for(b"x = 1\n", path="pkg/sub/__init__.py")["parse_manifest"]
    assert (m["module_name"], m["package_name"]) == ("pkg.sub", "pkg.sub")
    (m,) = row_for(b"x = 1\n", path="top.py")["parse_manifest"]
    assert (m["module_name"], m["package_name"]) == ("top", "")


def test_defs(fixture_row):
    defs = fixture_row["defs"]
    outer = one(defs, name="Outer")
    inner = one(defs, name="Inner")
    method = one(defs, name="method")
    amethod = one(defs, name="amethod")
    plain = one(defs, name="plain")
    nested = one(defs, name="nested")
    inner_fn = one(defs, name="inner")
    assert [d["name"] for d in defs] == ["Outer", "Inner", "method", "amethod", "plain", "nested", "inner"]
    assert outer["kind"] == "class" and inner["kind"] == "class"
    assert method["kind"] == "function" and amethod["kind"] == "async_function"
    for d in defs:
        assert d["def_id"] == stable_id("cst_def", FILE_ID, d["kind"], d["def_bstart"], d["def_bend"])
        assert d["def_fqns"] == [] and d["attrs"] == {}
        assert bslice(FIXTURE, d["name_bstart"], d["name_bend"]) == d["name"]
    # container fields: innermost enclosing def/class
    assert outer["container_def_kind"] is None and outer["container_def_bstart"] is None
    assert (inner["container_def_kind"], inner["container_def_bstart"], inner["container_def_bend"]) == (
        "class", outer["def_bstart"], outer["def_bend"])
    assert (method["container_def_kind"], method["container_def_bstart"]) == ("class", inner["def_bstart"])
    assert (amethod["container_def_kind"], amethod["container_def_bstart"]) == ("class", outer["def_bstart"])
    assert (inner_fn["container_def_kind"], inner_fn["container_def_bstart"]) == ("function", nested["def_bstart"])
    assert plain["container_def_kind"] is None
    # decorators are excluded from the def span, which starts at the keyword
    assert FIXTURE[outer["def_bstart"]:].startswith(b"class Outer")
    assert FIXTURE[amethod["def_bstart"]:].startswith(b"async def amethod")
    assert FIXTURE[: outer["def_bend"]].endswith(b'await o.path.join("a", "b")')
    assert outer["decorator_count"] == 2 and plain["decorator_count"] == 0
    assert outer["docstring"] == "Class docstring."
    assert method["docstring"] == "Method docstring."
    assert amethod["docstring"] is None
    assert method["qnames"] == [{"name": "Outer.Inner.method", "source": "QualifiedNameSource.LOCAL"}]
    assert inner_fn["qnames"] == [{"name": "nested.<locals>.inner", "source": "QualifiedNameSource.LOCAL"}]


def test_defs_match_ast_byte_spans(fixture_row):
    assert_defs_match_ast(fixture_row, FIXTURE)


def test_qnames_equal_qualified_name_provider(fixture_row):
    """On-demand scope.get_qualified_names_for == QualifiedNameProvider's values."""
    module = cst.parse_module(FIXTURE)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    qn = wrapper.resolve(QualifiedNameProvider)
    spans = wrapper.resolve(ByteSpanPositionProvider)

    def expected(node):
        value = qn.get(node, ())
        if callable(value):  # the provider stores LazyValue wrappers
            value = value()
        return [{"name": q.name, "source": str(q.source)}
                for q in sorted(value, key=lambda q: (q.name, str(q.source)))]

    by_span = {}
    for node, sp in spans.items():
        by_span.setdefault((sp.start, sp.start + sp.length), []).append(node)
    for d in fixture_row["defs"]:
        (node,) = [n for n in by_span[(d["def_bstart"], d["def_bend"])]
                   if isinstance(n, (cst.FunctionDef, cst.ClassDef))]
        assert d["qnames"] == expected(node)
    for c in fixture_row["callsites"]:
        (call,) = [n for n in by_span[(c["call_bstart"], c["call_bend"])] if isinstance(n, cst.Call)]
        assert c["callee_qnames"] == (expected(call.func) or expected(call))


def test_docstrings(fixture_row):
    docs = fixture_row["docstrings"]
    defs = fixture_row["defs"]
    assert [(d["owner_kind"], d["docstring"]) for d in docs] == [
        ("module", "Module docstring."),
        ("class", "Class docstring."),
        ("function", "Method docstring."),
        ("function", "Function docstring."),
    ]
    module_doc = docs[0]
    assert module_doc["owner_def_id"] is None
    assert module_doc["owner_def_bstart"] is None and module_doc["owner_def_bend"] is None
    for doc in docs[1:]:
        owner = one(defs, def_id=doc["owner_def_id"])
        assert (doc["owner_def_bstart"], doc["owner_def_bend"]) == (owner["def_bstart"], owner["def_bend"])
        assert owner["docstring"] == doc["docstring"]
    for doc in docs:
        assert bslice(FIXTURE, doc["bstart"], doc["bend"]) == f'"""{doc["docstring"]}"""'


def test_decorators(fixture_row):
    decs = fixture_row["decorators"]
    outer = one(fixture_row["defs"], name="Outer")
    assert [(d["decorator_index"], d["decorator_text"]) for d in decs] == [
        (0, "decorator_one"), (1, "decorator_two(arg=1)")]
    for d in decs:
        assert d["owner_def_id"] == outer["def_id"] and d["owner_kind"] == "class"
        assert (d["owner_def_bstart"], d["owner_def_bend"]) == (outer["def_bstart"], outer["def_bend"])
        assert bslice(FIXTURE, d["bstart"], d["bend"]) == "@" + d["decorator_text"]


def test_type_exprs(fixture_row):
    tx = fixture_row["type_exprs"]
    plain = one(fixture_row["defs"], name="plain")
    rows = by(tx, owner_def_bstart=plain["def_bstart"])
    assert [(r["expr_role"], r["param_name"], r["expr_text"]) for r in rows] == [
        ("param", "pos", "int"),  # positional-only
        ("param", "reg", '"str"'),
        ("param", "args", "tuple"),  # *args
        ("param", "kw", "float"),  # keyword-only
        ("param", "kwargs", "dict"),  # **kwargs
        ("return", None, "bool"),
    ]
    for r in tx:
        assert r["expr_kind"] == "annotation"
        assert r["owner_def_kind"] in ("function", "async_function")
    method = one(fixture_row["defs"], name="method")
    assert [(r["param_name"], r["expr_text"]) for r in by(tx, owner_def_bstart=method["def_bstart"])] == [
        ("p", "int"), (None, "str")]
    assert_slices(fixture_row, FIXTURE)


def test_refs(fixture_row):
    refs = fixture_row["refs"]
    for r in refs:
        assert r["ref_id"] == stable_id("cst_ref", FILE_ID, r["bstart"], r["bend"])
        assert r["scope_role"] is None and r["inferred_type"] is None and r["attrs"] == {}
    # attribute chains: o.path.join and o.path are both emitted, bare `o` there is not
    attrs = [r for r in refs if r["ref_kind"] == "attribute"]
    texts = [r["ref_text"] for r in attrs]
    assert "o.path.join" in texts and "o.path" in texts and "o.path.exists" in texts
    join = one(refs, ref_text="o.path.join")
    assert join["parent_kind"] == "Call" and join["expr_ctx"] == "ExpressionContext.LOAD"
    inner_path = [r for r in attrs if r["ref_text"] == "o.path" and r["bstart"] == join["bstart"]]
    assert len(inner_path) == 1 and inner_path[0]["parent_kind"] == "Attribute"
    assert not by(refs, ref_kind="name", bstart=join["bstart"])
    assert not by(refs, ref_kind="name", ref_text="path") and not by(refs, ref_kind="name", ref_text="join")
    # import alias names
    os_ref = one(refs, ref_text="os")
    assert os_ref["parent_kind"] == "ImportAlias" and os_ref["expr_ctx"] == "ExpressionContext.LOAD"
    o_as = [r for r in by(refs, ref_text="o") if r["parent_kind"] == "AsName"]
    assert len(o_as) == 1 and o_as[0]["expr_ctx"] == "ExpressionContext.STORE"
    ab = one(refs, ref_text="a.b")
    assert ab["ref_kind"] == "attribute" and ab["parent_kind"] == "ImportAlias"
    # keyword-argument names: parent Arg, no scope (LibCST 1.0.1 gave no ctx, 1.9 gives LOAD)
    key = one(refs, ref_text="key")
    assert key["parent_kind"] == "Arg" and key["scope_type"] is None
    assert key["expr_ctx"] in (None, "ExpressionContext.LOAD")
    # parameter names are STORE in the function scope
    pos = [r for r in by(refs, ref_text="pos") if r["parent_kind"] == "Param"]
    assert len(pos) == 1 and pos[0]["expr_ctx"] == "ExpressionContext.STORE"
    assert (pos[0]["scope_type"], pos[0]["scope_name"]) == ("FunctionScope", "plain")
    assert one(refs, ref_text="result", expr_ctx="ExpressionContext.STORE")["scope_type"] == "FunctionScope"
    # def/class name tokens are not refs; module-level names live in GlobalScope
    for name in ("Outer", "Inner", "method", "plain", "nested"):
        assert not by(refs, ref_text=name)
    inner_load = one(refs, ref_text="inner", expr_ctx="ExpressionContext.LOAD")
    assert (inner_load["scope_type"], inner_load["scope_name"]) == ("FunctionScope", "nested")
    assert one(refs, ref_text="Base")["scope_type"] == "GlobalScope"
    assert [r["bstart"] for r in refs] == sorted(r["bstart"] for r in refs)
    assert_slices(fixture_row, FIXTURE)


def test_imports(fixture_row):
    imports = fixture_row["imports"]
    got = [(i["kind"], i["module"], i["relative_level"], i["name"], i["asname"], i["is_star"]) for i in imports]
    assert got == [
        ("importfrom", "__future__", 0, "annotations", None, False),
        ("importfrom", "__future__", 0, "division", None, False),
        ("import", None, 0, "a.b", "c", False),
        ("import", None, 0, "os", "o", False),
        ("importfrom", "pkg", 2, "x", "y", False),
        ("importfrom", None, 1, "z", None, False),
        ("importfrom", "m", 0, "*", None, True),
    ]
    texts = [(bslice(FIXTURE, i["stmt_bstart"], i["stmt_bend"]), bslice(FIXTURE, i["alias_bstart"], i["alias_bend"]))
             for i in imports]
    assert texts[2:] == [
        ("import a.b as c", "a.b as c"),
        ("import os as o", "os as o"),
        ("from ..pkg import x as y", "x as y"),
        ("from . import z", "z"),
        ("from m import *", "*"),
    ]
    assert texts[1] == ("from __future__ import annotations, division", "division")
    for i in imports:
        assert i["attrs"] == {}


def test_callsites_and_call_args(fixture_row):
    calls = fixture_row["callsites"]
    args = fixture_row["call_args"]
    helper = one(calls, callee_text="helper")
    assert helper["callee_shape"] == "NAME" and helper["callee_dotted"] == "helper"
    assert helper["arg_count"] == 4
    assert helper["callee_qnames"] == []  # `helper` is never bound or imported in the module
    assert helper["callee_fqns"] == [] and helper["inferred_type"] is None
    assert bslice(FIXTURE, helper["call_bstart"], helper["call_bend"]) == "helper(pos, *args, key=reg, **kwargs)"
    hargs = by(args, call_id=helper["call_id"])
    assert [(a["arg_index"], a["keyword"], a["star"], a["arg_text"]) for a in hargs] == [
        (0, None, "", "pos"), (1, None, "*", "args"), (2, "key", "", "reg"), (3, None, "**", "kwargs")]
    join = one(calls, callee_text="o.path.join")
    assert join["callee_shape"] == "ATTRIBUTE" and join["callee_dotted"] == "o.path.join"
    assert join["callee_qnames"] == [{"name": "os.path.join", "source": "QualifiedNameSource.IMPORT"}]
    dec = one(calls, callee_text="decorator_two")
    assert [(a["keyword"], a["arg_text"]) for a in by(args, call_id=dec["call_id"])] == [("arg", "1")]
    builtin = one(calls, callee_text="str")
    assert builtin["callee_qnames"] == [{"name": "builtins.str", "source": "QualifiedNameSource.BUILTIN"}]
    for c in calls:
        assert c["call_id"] == stable_id("cst_call", FILE_ID, c["call_bstart"], c["call_bend"])
        assert len(by(args, call_id=c["call_id"])) == c["arg_count"]
    for a in args:
        call = one(calls, call_id=a["call_id"])
        assert (a["call_bstart"], a["call_bend"]) == (call["call_bstart"], call["call_bend"])
    assert_slices(fixture_row, FIXTURE)


def test_callee_shapes():
    row = row_for(b"a[0](1)\nf()()\n(lambda: 1)()\n")
    shapes = [(c["callee_shape"], c["callee_text"], c["callee_dotted"]) for c in row["callsites"]]
    assert shapes == [
        ("SUBSCRIPT", "a[0]", None),
        ("OTHER", "f()", None),
        ("NAME", "f", "f"),
        ("OTHER", "lambda: 1", None),  # spans (and texts) exclude the node's own parentheses
    ]
    assert_slices(row, b"a[0](1)\nf()()\n(lambda: 1)()\n")


# ------------------------------------------------------------------ nodes / edges


def _preorder(module):
    """Reference pre-order over CSTNode-typed dataclass fields (declaration order)."""
    out = []
    stack = [(module, None, None, None)]
    while stack:
        node, parent, slot, idx = stack.pop()
        out.append((node, parent, slot, idx))
        children = []
        for f in dataclasses.fields(node):
            value = getattr(node, f.name)
            if isinstance(value, cst.CSTNode):
                children.append((value, node, f.name, None))
            elif isinstance(value, (list, tuple)):
                for i, child in enumerate(value):
                    if isinstance(child, cst.CSTNode):
                        children.append((child, node, f.name, i))
        stack.extend(reversed(children))
    return out


def _check_nodes_against_stock_providers(data: bytes, row: dict, bshift: int = 0) -> None:
    module = cst.parse_module(data)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    res = wrapper.resolve_many({PositionProvider, WhitespaceInclusivePositionProvider, ByteSpanPositionProvider})
    pos, wpos, bpos = (res[PositionProvider], res[WhitespaceInclusivePositionProvider],
                       res[ByteSpanPositionProvider])
    order = _preorder(module)
    nodes, edges = row["nodes"], row["edges"]
    assert len(nodes) == len(order) and len(edges) == len(order) - 1
    ids = {}
    for i, ((node, parent, slot, idx), out) in enumerate(zip(order, nodes), start=1):
        ids[id(node)] = i
        assert out["cst_id"] == i
        assert out["kind"] == "libcst." + type(node).__name__
        assert out["attrs"] == {}
        p, w, b = pos.get(node), wpos.get(node), bpos.get(node)
        # a node that is never code-generated has no position: null, never (0, 0)
        bs = None if b is None else {"byte_start": b.start + bshift, "byte_len": b.length}
        assert out["span"] == (None if p is None else {
            "start": {"line0": p.start.line - 1, "col": p.start.column},
            "end": {"line0": p.end.line - 1, "col": p.end.column},
            "end_exclusive": True, "col_unit": "utf32", "byte_span": bs})
        assert out["span_ws"] == (None if w is None else {
            "start": {"line0": w.start.line - 1, "col": w.start.column},
            "end": {"line0": w.end.line - 1, "col": w.end.column},
            "end_exclusive": True, "col_unit": "utf32", "byte_span": bs})
    expected_edges = [
        {"src": ids[id(parent)], "dst": ids[id(node)], "kind": "CHILD", "slot": slot, "idx": idx, "attrs": {}}
        for node, parent, slot, idx in order[1:]
    ]
    assert edges == expected_edges


def test_nodes_and_edges(fixture_row):
    nodes, edges = fixture_row["nodes"], fixture_row["edges"]
    assert nodes[0]["cst_id"] == 1 and nodes[0]["kind"] == "libcst.Module"
    kinds = {n["kind"] for n in nodes}
    # formatting nodes are included
    for k in ("libcst.SimpleWhitespace", "libcst.Newline", "libcst.Comment", "libcst.EmptyLine",
              "libcst.LeftParen", "libcst.RightParen", "libcst.Comma", "libcst.TrailingWhitespace"):
        assert k in kinds, k
    assert any(e["idx"] is None for e in edges) and any(e["idx"] == 0 for e in edges)
    assert {e["slot"] for e in edges} >= {"body", "header", "decorators", "whitespace_after_def", "lpar"}
    _check_nodes_against_stock_providers(FIXTURE, fixture_row)


# ------------------------------------------------------------- text-shape edge cases


def test_non_ascii_columns_vs_bytes():
    data = 'x = "é"; y = 1\n'.encode("utf-8")
    row = row_for(data)
    y = one(row["refs"], ref_text="y")
    assert (y["bstart"], y["bend"]) == (10, 11)
    (node,) = [n for n in row["nodes"] if n["span"]["byte_span"] == {"byte_start": 10, "byte_len": 1}
               and n["kind"] == "libcst.Name"]
    assert node["span"]["start"] == {"line0": 0, "col": 9}
    assert node["span"]["col_unit"] == "utf32"
    _check_nodes_against_stock_providers(data, row)


def test_non_ascii_identifiers_and_strings():
    data = 'def grüße(naïve: "ß") -> "日本":\n    café = naïve + "ü"\n    return café\n\nprint(grüße("é"), 𝔘)\n'.encode("utf-8")
    row = row_for(data)
    assert one(row["defs"], name="grüße")["kind"] == "function"
    assert [r["ref_text"] for r in by(row["refs"], ref_text="café")] == ["café", "café"]
    assert one(row["type_exprs"], param_name="naïve")["expr_text"] == '"ß"'
    assert_slices(row, data)
    assert_defs_match_ast(row, data)
    _check_nodes_against_stock_providers(data, row)


def test_crlf():
    data = b"import os\r\n\r\ndef f(a):\r\n    return os.path.join(a,\r\n        'b')\r\n\r\nclass C:\r\n    pass\r\n"
    row = row_for(data)
    assert row["parse_manifest"][0]["default_newline"] == "\r\n"
    call = one(row["callsites"], callee_text="os.path.join")
    assert bslice(data, call["call_bstart"], call["call_bend"]) == "os.path.join(a,\r\n        'b')"
    assert_slices(row, data)
    assert_defs_match_ast(row, data)
    _check_nodes_against_stock_providers(data, row)


def test_utf8_bom_offsets_are_file_offsets():
    body = 'def f():\n    return "é" + g(1)\n'.encode("utf-8")
    data = b"\xef\xbb\xbf" + body
    row = row_for(data)
    assert row["parse_manifest"][0]["encoding"] == "utf-8-sig"
    d = one(row["defs"], name="f")
    assert data[d["def_bstart"]:].startswith(b"def f")
    assert d["def_bstart"] == 3
    assert_slices(row, data)
    assert_defs_match_ast(row, data)
    # line/column positions do not count the BOM; byte spans do
    _check_nodes_against_stock_providers(data, row, bshift=3)
    module_node = row["nodes"][0]
    assert module_node["span"]["byte_span"]["byte_start"] == 3


def test_declared_latin1_encoding_maps_to_raw_bytes():
    data = b"# -*- coding: latin-1 -*-\ns = '\xe9\xe9'; t = f(s)\n"
    row = row_for(data)
    assert row["parse_manifest"][0]["encoding"] == "iso-8859-1"
    assert row["attrs"] == {}
    t = one(row["refs"], ref_text="t")
    assert data[t["bstart"]:t["bend"]] == b"t"
    assert t["bstart"] == data.index(b"t =")
    assert_slices(row, data, encoding="latin-1")


def test_tabs():
    data = b"if x:\n\ty = f(\tx)\n"
    row = row_for(data)
    y = one(row["refs"], ref_text="y")
    assert (y["bstart"], y["bend"]) == (7, 8)
    (name,) = [n for n in row["nodes"] if n["kind"] == "libcst.Name" and n["span"]["byte_span"]["byte_start"] == 7]
    assert name["span"]["start"] == {"line0": 1, "col": 1}  # a tab is one code point
    assert row["parse_manifest"][0]["default_indent"] == "\t"
    assert_slices(row, data)


def test_fstrings():
    data = b'name = "n"\nwidth = 4\ns = f"{name!r:>{width}} {obj.attr} {g(name)}"\n'
    row = row_for(data)
    refs = row["refs"]
    assert len(by(refs, ref_text="name")) == 3  # store + two loads inside the f-string
    assert len(by(refs, ref_text="width")) == 2
    assert one(refs, ref_text="obj.attr")["ref_kind"] == "attribute"
    assert one(row["callsites"], callee_text="g")["arg_count"] == 1
    assert "libcst.FormattedString" in {n["kind"] for n in row["nodes"]}
    assert_slices(row, data)
    _check_nodes_against_stock_providers(data, row)


def test_walrus():
    data = b"if (n := len(a)) > 10:\n    print(n)\n"
    row = row_for(data)
    store = [r for r in by(row["refs"], ref_text="n") if r["parent_kind"] == "NamedExpr"]
    assert len(store) == 1 and store[0]["expr_ctx"] == "ExpressionContext.STORE"
    assert {c["callee_text"] for c in row["callsites"]} == {"len", "print"}
    assert_slices(row, data)


def test_match_statement():
    data = textwrap.dedent(
        """\
        match command.split():
            case [action, obj]:
                handle(action, obj)
            case Point(x=0, y=yy) if yy > 0:
                pass
            case {"k": v, **rest}:
                pass
            case _:
                pass
        """
    ).encode()
    row = row_for(data)
    kinds = {n["kind"] for n in row["nodes"]}
    assert {"libcst.Match", "libcst.MatchCase", "libcst.MatchClass", "libcst.MatchList",
            "libcst.MatchMapping", "libcst.MatchAs"} <= kinds
    assert one(row["refs"], ref_text="command.split")["ref_kind"] == "attribute"
    assert one(row["callsites"], callee_text="handle")["arg_count"] == 2
    assert_slices(row, data)
    _check_nodes_against_stock_providers(data, row)


def test_empty_file():
    row = row_for(b"")
    assert row["parse_errors"] == []
    assert len(row["parse_manifest"]) == 1 and row["parse_manifest"][0]["has_trailing_newline"] is False
    assert row["nodes"][0]["kind"] == "libcst.Module"


def test_sha_none_and_repo():
    row = cst_row("a.py", b"x = 1\n", "file:abc", "acme", None)
    check_shape(row, "a.py", "file:abc", None)
    assert row["repo"] == "acme"
    assert row["parse_manifest"][0]["file_sha256"] is None


def test_missing_byte_span_is_null_not_zero(monkeypatch):
    real = cst_rows.positions_and_code

    def drop_defs(module):
        syn, ws, code = real(module)
        syn = {n: v for n, v in syn.items() if not isinstance(n, cst.FunctionDef)}
        return syn, ws, code

    monkeypatch.setattr(cst_rows, "positions_and_code", drop_defs)
    row = cst_row(PATH, b"def f(x):\n    return g(x)\n", FILE_ID, None, SHA)
    (d,) = row["defs"]
    assert d["def_bstart"] is None and d["def_bend"] is None
    assert d["def_id"] == stable_id("cst_def", FILE_ID, "function", None, None)
    (node,) = [n for n in row["nodes"] if n["kind"] == "libcst.FunctionDef"]
    assert node["span"] is None
    assert node["span_ws"]["byte_span"] is None and node["span_ws"]["start"] is not None
    (call,) = row["callsites"]
    assert call["call_bstart"] is not None  # other nodes unaffected


# ------------------------------------------------------------------------ errors


def _assert_error_row(row: dict, error_type: str, sha: str | None = SHA) -> dict:
    check_shape(row, PATH, FILE_ID, sha)
    for name in LISTS:
        if name != "parse_errors":
            assert row[name] == [], name
    (err,) = row["parse_errors"]
    assert err["error_type"] == error_type
    assert (err["line_base"], err["col_unit"], err["end_exclusive"]) == (1, "utf32", True)
    assert isinstance(err["message"], str) and err["message"]
    assert isinstance(err["meta"], dict)
    return err


def test_syntax_error_row():
    data = b"x = 1\ndef f(:\n    pass\n"
    row = row_for(data)
    err = _assert_error_row(row, "ParserSyntaxError")
    with pytest.raises(cst.ParserSyntaxError) as info:
        cst.parse_module(data)
    exc = info.value
    assert (err["raw_line"], err["raw_column"]) == (exc.raw_line, exc.raw_column)
    assert (err["editor_line"], err["editor_column"]) == (exc.editor_line, exc.editor_column)
    assert err["raw_line"] >= 1 and err["raw_column"] >= 0
    assert err["context"] == exc.context
    assert err["message"] == str(exc)
    meta = err["meta"]
    assert {k: meta[k] for k in ("raw_line", "raw_column", "editor_line", "editor_column")} == {
        "raw_line": str(exc.raw_line), "raw_column": str(exc.raw_column),
        "editor_line": str(exc.editor_line), "editor_column": str(exc.editor_column)}
    assert all(isinstance(v, str) for v in meta.values())
    # the native parser's own "error at L:C" location, kept next to LibCST's values
    match = re.search(r"error at (\d+):(\d+)", exc.message)
    assert match and (meta["message_line"], meta["message_column"]) == match.groups()


def test_nul_bytes():
    err = _assert_error_row(row_for(b"x = 1\x00\ny = 2\n"), "ParserSyntaxError")
    assert "\\0" in err["message"] or "null" in err["message"].lower()


def test_undecodable_bytes():
    err = _assert_error_row(row_for(b"x = '\xff\xfe'\n"), "SyntaxError")
    assert PATH in err["message"] and "encoding" in err["message"]
    assert err["raw_line"] is None and err["meta"] == {}


def test_unknown_encoding_declaration():
    err = _assert_error_row(row_for(b"# coding: no-such-codec\nx = 1\n"), "SyntaxError")
    assert PATH in err["message"]


def test_deep_but_valid_nesting_parses(monkeypatch):
    """The extraction runs with a big stack and a raised recursion limit, so files that
    CPython accepts but that exceed LibCST's recursion at the default limit still parse."""
    sources = (
        "x = " + "-" * 400 + "1\n",
        "x = (" + "'a'\n" * 500 + ")\n",  # long implicit concatenation (pydoc_data/topics.py)
        "if a:\n pass\n" + "elif a:\n pass\n" * 500,
        "x = " + "a and " * 500 + "b\n",
    )
    for src in sources:
        row = row_for(src.encode())
        assert row["parse_errors"] == [], row["parse_errors"]
        assert len(row["nodes"]) > 1000
    # each of them exceeds LibCST's recursion at the default limit of 1000
    monkeypatch.setattr(cst_rows, "_WORKER_RECURSION_LIMIT", 0)
    for src in sources:
        assert row_for(src.encode())["parse_errors"][0]["error_type"] == "RecursionError"


def test_python_recursion_error_becomes_error_row(monkeypatch):
    monkeypatch.setattr(cst_rows, "_WORKER_RECURSION_LIMIT", 0)  # keep the default limit
    data = ("x = " + "-" * 400 + "1\n").encode()
    err = _assert_error_row(row_for(data), "RecursionError")
    assert PATH in err["message"] and "recursion" in err["message"]


def test_worker_thread_fallback(monkeypatch):
    """If no big-stack thread can be started, the row is built inline, same result."""
    expected = row_for(FIXTURE)

    def refuse(size=None):
        raise ValueError("no")

    monkeypatch.setattr(cst_rows.threading, "stack_size", refuse)
    assert row_for(FIXTURE) == expected


def test_cst_error_row():
    row = cst_error_row(PATH, FILE_ID, None, "OSError", f"{PATH}: cannot read")
    check_shape(row, PATH, FILE_ID, None)
    err = _assert_error_row(row, "OSError", sha=None)
    assert err["message"] == f"{PATH}: cannot read"
    assert err["raw_line"] is None and err["context"] is None and err["meta"] == {}


_DEEP_SCRIPT = r"""
import json, sys
from syntaxlake_extract.cst_rows import cst_row
out = []
for src in sys.argv[1:]:
    data = eval(src)
    row = cst_row("deep.py", data, "file:x", None, None)
    out.append([row["parse_errors"][0]["error_type"] if row["parse_errors"] else None,
                row["parse_errors"][0]["message"] if row["parse_errors"] else None,
                len(row["nodes"])])
print(json.dumps(out))
"""


def test_deep_nesting_never_crashes_the_process():
    """Inputs that make LibCST's native parser overflow the C stack (SIGSEGV) are refused.

    Run in a child process: a regression would kill the interpreter, not fail an assert.
    """
    cases = [
        '("x = " + "(" * 5000 + "1" + ")" * 5000 + "\\n").encode()',  # CPython: too many nested parentheses
        '("x = " + "[" * 100000 + "]" * 100000 + "\\n").encode()',
        '("x = " + "-" * 20000 + "1\\n").encode()',  # CPython: RecursionError / MemoryError
        '("x = " + "a." * 20000 + "b\\n").encode()',
        # CPython rejects the file for another reason first -> lexical bracket scan
        '("print \'py2\'\\n" + "x = " + "(" * 3000 + "1" + ")" * 3000 + "\\n").encode()',
        # chains CPython keeps flat but LibCST nests one level per element
        '("x = " + "a and " * 100000 + "b\\n").encode()',
        '("x = (" + "a or\\n" * 6000 + "b)\\n").encode()',
        '("import " + "a." * 50000 + "b\\n").encode()',
        '("from " + "a." * 3000 + "b import c\\n").encode()',
    ]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    proc = subprocess.run([sys.executable, "-c", _DEEP_SCRIPT, *cases], capture_output=True, text=True,
                          env=env, timeout=600)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    results = json.loads(proc.stdout)
    for error_type, message, node_count in results:
        assert error_type == "RecursionError", (error_type, message)
        assert "deep.py" in message and node_count == 0


def test_no_warnings_leak_for_invalid_escapes():
    import warnings

    data = b'"""Doc \\d."""\ndef f():\n    "\\d doc"\n    return "\\d"\n'
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        row = row_for(data)
    assert caught == []
    assert row["parse_errors"] == [] and len(row["docstrings"]) == 2


def test_scope_analysis_failure_degrades(monkeypatch):
    class BrokenWrapper(cst_rows.MetadataWrapper):
        def resolve_many(self, providers):
            raise ValueError("scope analysis exploded")

    monkeypatch.setattr(cst_rows, "MetadataWrapper", BrokenWrapper)
    row = row_for(b"import os\nos.path.join(1)\n")
    assert row["parse_errors"] == []
    assert row["attrs"] == {"scope_error": "ValueError: scope analysis exploded"}
    assert row["refs"] and all(r["expr_ctx"] is None and r["scope_type"] is None for r in row["refs"])
    assert row["callsites"][0]["callee_qnames"] == []


@pytest.mark.parametrize("data", [FIXTURE, b"\xef\xbb\xbfx = 1\r\nif x:\r\n\tf(x, 'e\xc3\xa9')\r\n"])
def test_single_pass_positions_equal_stock_providers(data, monkeypatch):
    """The one-pass position state gives exactly the rows the three stock providers give."""
    assert cst_rows.USE_STOCK_POSITION_PROVIDERS is False
    module = cst.parse_module(data)
    assert cst_rows.compute_positions(module) == cst_rows.stock_positions(module)
    assert cst_rows.positions_and_code(module)[2] == module.code  # the pass's tokens are the code
    fast = cst_row(PATH, data, FILE_ID, None, SHA)
    monkeypatch.setattr(cst_rows, "USE_STOCK_POSITION_PROVIDERS", True)
    stock = cst_row(PATH, data, FILE_ID, None, SHA)
    assert fast == stock


def test_node_without_position_has_null_span():
    # MatchMapping.whitespace_before_rest is a CST field that is not code-generated
    # when there is no **rest: LibCST has no position for it.
    data = b'match x:\n    case {"k": v}:\n        pass\n'
    row = row_for(data)
    edges_by_dst = {e["dst"]: e for e in row["edges"]}
    missing = [n for n in row["nodes"] if n["span"] is None]
    assert missing and all(n["span_ws"] is None for n in missing)
    slots = {edges_by_dst[n["cst_id"]]["slot"] for n in missing}
    assert "whitespace_before_rest" in slots  # libcst 1.0.1 also skips MatchCase's guard whitespace
    assert all(slot.startswith("whitespace_") for slot in slots)
    _check_nodes_against_stock_providers(data, row)


def test_byte_spans_stay_exact_where_libcst_does_not_round_trip_the_source():
    # LibCST's code generation drops the blank before the colon of "except (...) :"; every
    # byte offset after it would be one short without the alignment to the file's bytes.
    src = b"try:\n    pass\nexcept (ValueError, TypeError) :\n    pass\n\ndef after(x):\n    return x\n"
    row = cst_rows.cst_row("m.py", src, "fid", None, None)
    assert row["attrs"].get("codegen_roundtrip") == "inexact"
    (d,) = row["defs"]
    assert d["def_bstart"] == src.index(b"def after")
    assert src[d["def_bstart"]:d["def_bend"]] == b"def after(x):\n    return x"
    assert src[d["name_bstart"]:d["name_bend"]] == b"after"
