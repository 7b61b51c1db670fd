"""Tests for syntaxlake_extract.ast_rows (the ast_files_v1 row builder)."""

import ast
import io
import json
import os
import re
import sysconfig
import tokenize

import pytest

from syntaxlake_extract import ast_rows
from syntaxlake_extract.ast_rows import ast_error_row, ast_row, ast_row_encoded
from syntaxlake_extract.ids import file_id

LIST_FIELDS = ["nodes", "edges", "errors", "docstrings", "imports", "defs", "calls", "type_ignores"]
TOP_FIELDS = ["repo", "path", "file_id", "file_sha256", *LIST_FIELDS, "attrs", "source_revision"]
NOSPAN = {"start": None, "end": None, "end_exclusive": True, "col_unit": "byte", "byte_span": None}

FIXTURE = '''\
"""Module docstring."""
import os as osmod
from sys import path as sys_path


class Greeter(Base):
    """Greets people."""

    def greet(self, name):
        """Return a greeting."""
        return baz(1)


x = 1  # type: ignore
'''


def make_row(src, path="pkg/mod.py", repo=None, **kw):
    data = src.encode("utf-8") if isinstance(src, str) else src
    return ast_row(path, data, file_id(path, repo), repo, "0" * 64, **kw)


# ---------------------------------------------------------------------------
# independent reference implementation of the spec (slow, obvious)
# ---------------------------------------------------------------------------


def line_starts(src: bytes, bom: bool):
    starts = [0] + [m.end() for m in re.finditer(rb"\r\n|\r|\n", src)]
    if bom:
        starts[0] = 3
    return starts


def ref_span(node, ls):
    if isinstance(node, ast.TypeIgnore):
        return {"start": {"line0": node.lineno - 1, "col": None}, "end": None,
                "end_exclusive": True, "col_unit": "byte", "byte_span": None}
    if getattr(node, "col_offset", None) is None:
        return dict(NOSPAN)
    l, c, el, ec = node.lineno, node.col_offset, node.end_lineno, node.end_col_offset
    bs = ls[l - 1] + c
    return {
        "start": {"line0": l - 1, "col": c},
        "end": {"line0": el - 1, "col": ec},
        "end_exclusive": True,
        "col_unit": "byte",
        "byte_span": {"byte_start": bs, "byte_len": max(0, ls[el - 1] + ec - bs)},
    }


def ref_name(node):
    v = getattr(node, "name", None)
    if isinstance(v, str):
        return v
    for cls, f in ((ast.Name, "id"), (ast.arg, "arg"), (ast.Attribute, "attr")):
        if isinstance(node, cls):
            return getattr(node, f)
    return None


def ref_nodes_edges(tree, ls):
    nodes, edges = [], []
    stack = [(tree, None, None, 0)]
    nid = -1
    while stack:
        node, pid, fname, fpos = stack.pop()
        nid += 1
        attrs = {}
        if pid is not None:
            attrs = {"field_name": fname, "field_pos": str(fpos)}
            edges.append({"src": pid, "dst": nid, "kind": "CHILD", "slot": fname, "idx": fpos, "attrs": {}})
        children = []
        for f, v in ast.iter_fields(node):
            if isinstance(v, ast.AST):
                children.append((v, nid, f, 0))
            elif isinstance(v, list):
                if any(isinstance(x, ast.AST) for x in v):
                    children += [(x, nid, f, i) for i, x in enumerate(v) if isinstance(x, ast.AST)]
                elif v and all(isinstance(x, (str, int)) for x in v):
                    attrs[f] = json.dumps(v)
            elif isinstance(v, (str, int)) and v is not None:
                attrs[f] = str(v)
        stack.extend(reversed(children))
        nodes.append({
            "ast_id": nid,
            "parent_ast_id": pid,
            "kind": type(node).__name__,
            "name": ref_name(node),
            "value": repr(node.value) if isinstance(node, ast.Constant) else None,
            "span": ref_span(node, ls),
            "attrs": attrs,
        })
    return nodes, edges


def decode_like_cpython(data: bytes):
    enc, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    return data.decode(enc), enc


def preorder(tree):
    out, stack = [], [tree]
    while stack:
        n = stack.pop()
        out.append(n)
        stack.extend(reversed(list(ast.iter_child_nodes(n))))
    return out


def check_row_against_cpython(data: bytes, row: dict):
    """Node count, reference nodes/edges and byte spans vs ast.get_source_segment."""
    assert row["errors"] == [], row["errors"]
    text, enc = decode_like_cpython(data)
    tree = ast.parse(text, type_comments=True)
    bom = enc == "utf-8-sig"
    over = row["attrs"]["byte_offsets_over"]
    src = data if over == "raw" else text.encode("utf-8")
    if over == "raw" and enc not in ("utf-8", "utf-8-sig"):
        assert text.encode("utf-8") == data
    assert len(row["nodes"]) == len(list(ast.walk(tree))) == int(row["attrs"]["node_count"])
    ls = line_starts(src, bom)
    ref_nodes, ref_edges = ref_nodes_edges(tree, ls)
    # (JSON round trip: a lone surrogate pair such as '\ud834\udd20' in a
    # str constant necessarily reads back as one astral character)
    assert row["nodes"] == json.loads(json.dumps(ref_nodes))
    assert row["edges"] == ref_edges
    assert len(row["edges"]) == len(row["nodes"]) - 1
    checked = 0
    # ast.get_source_segment re-splits the whole source on every call; use the
    # same algorithm over pre-split lines for big files (cross-checked below).
    small = len(text) < 3000
    lines = [ln.encode("utf-8") for ln in splitlines_no_ff(text)]
    for i, (node, nrow) in enumerate(zip(preorder(tree), row["nodes"])):
        bsp = nrow["span"]["byte_span"]
        if bsp is None:
            continue
        got = src[bsp["byte_start"]: bsp["byte_start"] + bsp["byte_len"]].decode("utf-8")
        assert got == source_segment(lines, node), (nrow, got)
        if small or i % 97 == 0:
            assert got == ast.get_source_segment(text, node), (nrow, got)
        checked += 1
    return checked


def splitlines_no_ff(text):
    """Like ast._splitlines_no_ff: split on \\r\\n, \\r and \\n only, keeping ends."""
    return re.findall(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$", text)


def source_segment(lines_utf8, node):
    """ast.get_source_segment over lines that are already split and encoded."""
    lineno, end_lineno = node.lineno - 1, node.end_lineno - 1
    if lineno == end_lineno:
        return lines_utf8[lineno][node.col_offset: node.end_col_offset].decode()
    parts = [lines_utf8[lineno][node.col_offset:]]
    parts += lines_utf8[lineno + 1: end_lineno]
    parts.append(lines_utf8[end_lineno][: node.end_col_offset])
    return b"".join(parts).decode()


def test_source_segment_equivalent_matches_ast():
    for text in [FIXTURE, "x = (1,\r\n  'é')\ry = f'{x}'\n", "a = [\n1,\n2]", ""]:
        tree = ast.parse(text)
        lines = [ln.encode() for ln in splitlines_no_ff(text)]
        assert "".join(splitlines_no_ff(text)) == text
        for node in ast.walk(tree):
            if getattr(node, "end_col_offset", None) is not None:
                assert source_segment(lines, node) == ast.get_source_segment(text, node)


def assert_error_row(row, error_type, path="pkg/mod.py"):
    assert list(row) == TOP_FIELDS
    assert len(row["errors"]) == 1, row["errors"]
    err = row["errors"][0]
    assert err["error_type"] == error_type, err
    assert set(err) == {"error_type", "message", "span", "attrs"}
    for f in LIST_FIELDS:
        if f != "errors":
            assert row[f] == [], f
    return err


# ---------------------------------------------------------------------------
# the fixture module
# ---------------------------------------------------------------------------


def test_fixture_row_shape_and_top_level():
    row = make_row(FIXTURE, repo="acme")
    assert list(row) == TOP_FIELDS
    assert row["repo"] == "acme"
    assert row["path"] == "pkg/mod.py"
    assert row["file_id"] == file_id("pkg/mod.py", "acme")
    assert row["file_sha256"] == "0" * 64
    assert row["errors"] == []
    attrs = row["attrs"]
    assert attrs["parse_mode"] == "exec"
    assert attrs["type_comments"] == "True"
    assert attrs["max_bytes"] == "50000000"
    assert attrs["max_nodes"] == "1000000"
    assert attrs["byte_offsets_over"] == "raw"
    assert all(isinstance(v, str) for v in attrs.values())
    check_row_against_cpython(FIXTURE.encode(), row)


def test_fixture_nodes_and_edges():
    row = make_row(FIXTURE)
    nodes = row["nodes"]
    assert nodes[0] == {"ast_id": 0, "parent_ast_id": None, "kind": "Module", "name": None,
                        "value": None, "span": NOSPAN, "attrs": {}}
    assert [n["ast_id"] for n in nodes] == list(range(len(nodes)))
    # ids are per occurrence: shared Load singletons get one id each
    loads = [n for n in nodes if n["kind"] == "Load"]
    assert len(loads) == len({n["ast_id"] for n in loads}) > 1
    cls = next(n for n in nodes if n["kind"] == "ClassDef")
    assert cls["name"] == "Greeter"
    assert cls["attrs"]["name"] == "Greeter"
    assert cls["attrs"]["field_name"] == "body" and cls["attrs"]["field_pos"] == "3"
    const = next(n for n in nodes if n["kind"] == "Constant")
    assert const["value"] == repr("Module docstring.")
    assert const["attrs"]["value"] == "Module docstring."
    alias = [n for n in nodes if n["kind"] == "alias"]
    assert [a["name"] for a in alias] == ["os", "path"]
    assert alias[0]["attrs"]["asname"] == "osmod"
    imp_from = next(n for n in nodes if n["kind"] == "ImportFrom")
    assert imp_from["attrs"]["module"] == "sys" and imp_from["attrs"]["level"] == "0"
    first_edge = row["edges"][0]
    assert first_edge == {"src": 0, "dst": 1, "kind": "CHILD", "slot": "body", "idx": 0, "attrs": {}}
    edge_by_dst = {e["dst"]: e for e in row["edges"]}
    for n in nodes[1:]:
        e = edge_by_dst[n["ast_id"]]
        assert e["src"] == n["parent_ast_id"]
        assert e["slot"] == n["attrs"]["field_name"]
        assert str(e["idx"]) == n["attrs"]["field_pos"]


def test_fixture_docstrings():
    row = make_row(FIXTURE)
    ds = row["docstrings"]
    assert [(d["owner_kind"], d["owner_name"], d["docstring"]) for d in ds] == [
        ("Module", None, "Module docstring."),
        ("ClassDef", "Greeter", "Greets people."),
        ("FunctionDef", "greet", "Return a greeting."),
    ]
    assert ds[0]["owner_ast_id"] == 0
    assert ds[0]["source"] == '"""Module docstring."""'
    assert ds[2]["source"] == '"""Return a greeting."""'
    assert ds[2]["span"]["start"] == {"line0": 9, "col": 8}
    data = FIXTURE.encode()
    for d in ds:
        b = d["span"]["byte_span"]
        assert data[b["byte_start"]: b["byte_start"] + b["byte_len"]].decode() == d["source"]
        assert d["attrs"] == {}
    ids = {n["ast_id"]: n for n in row["nodes"]}
    assert ids[ds[1]["owner_ast_id"]]["kind"] == "ClassDef"


def test_fixture_imports():
    row = make_row(FIXTURE)
    imps = row["imports"]
    assert len(imps) == 2
    a, b = imps
    assert (a["kind"], a["module"], a["name"], a["asname"], a["alias_index"], a["level"]) == (
        "Import", None, "os", "osmod", 0, None)
    assert (b["kind"], b["module"], b["name"], b["asname"], b["alias_index"], b["level"]) == (
        "ImportFrom", "sys", "path", "sys_path", 0, 0)
    ids = {n["ast_id"]: n for n in row["nodes"]}
    assert ids[a["ast_id"]]["kind"] == "Import"
    assert a["parent_ast_id"] == 0
    assert a["span"] == ids[a["ast_id"]]["span"]
    assert a["span"]["start"] == {"line0": 1, "col": 0}


def test_fixture_defs_and_calls_and_type_ignores():
    row = make_row(FIXTURE)
    defs = row["defs"]
    assert [(d["kind"], d["name"]) for d in defs] == [("ClassDef", "Greeter"), ("FunctionDef", "greet")]
    assert defs[0]["attrs"] == {"decorator_count": "0", "base_count": "1", "keyword_count": "0"}
    assert defs[1]["attrs"] == {"decorator_count": "0", "arg_count": "2", "posonly_count": "0",
                                "kwonly_count": "0", "is_async": "False"}
    assert defs[1]["parent_ast_id"] == defs[0]["ast_id"]
    calls = row["calls"]
    assert len(calls) == 1
    c = calls[0]
    assert (c["func_kind"], c["func_name"]) == ("Name", "baz")
    assert c["attrs"] == {"arg_count": "1", "keyword_count": "0", "starred_count": "0", "kw_star_count": "0"}
    ids = {n["ast_id"]: n for n in row["nodes"]}
    assert ids[c["ast_id"]]["kind"] == "Call"
    assert ids[c["parent_ast_id"]]["kind"] == "Return"
    tis = row["type_ignores"]
    assert len(tis) == 1
    assert tis[0]["tag"] == ""
    assert tis[0]["span"] == {"start": {"line0": 13, "col": None}, "end": None, "end_exclusive": True,
                              "col_unit": "byte", "byte_span": None}
    assert ids[tis[0]["ast_id"]]["kind"] == "TypeIgnore"


def test_encoded_row_matches_dict():
    data = FIXTURE.encode()
    enc = ast_row_encoded("pkg/mod.py", data, "file:x", None, None)
    assert enc.error_count == 0
    text = enc.text
    assert "\n" not in text
    assert text.isascii()
    assert json.loads(text) == ast_row("pkg/mod.py", data, "file:x", None, None)


# ---------------------------------------------------------------------------
# edge cases that parse
# ---------------------------------------------------------------------------


def test_empty_file():
    row = make_row(b"")
    assert row["errors"] == []
    assert len(row["nodes"]) == 1 and row["nodes"][0]["kind"] == "Module"
    assert row["edges"] == [] and row["docstrings"] == []
    check_row_against_cpython(b"", row)


def test_non_ascii_identifiers_and_strings():
    src = "ñame = 'héllo wörld'\nclass Ä:\n    def ü(self, ß='€'): return ñame + ß\n"
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    names = [n for n in row["nodes"] if n["kind"] == "Name"]
    assert names[0]["name"] == "ñame"
    assert names[0]["span"]["end"]["col"] == len("ñame".encode())  # bytes, not code points
    const = next(n for n in row["nodes"] if n["kind"] == "Constant")
    assert const["span"]["start"]["col"] == len("ñame = ".encode())
    assert const["span"]["end"]["col"] == len("ñame = 'héllo wörld'".encode())


def test_crlf():
    src = b"x = 1\r\ndef f(a,\r\n      b):\r\n    return (a +\r\n            b)\r\n"
    row = make_row(src)
    assert check_row_against_cpython(src, row) > 5
    ret = next(n for n in row["nodes"] if n["kind"] == "Return")
    b = ret["span"]["byte_span"]
    assert src[b["byte_start"]: b["byte_start"] + b["byte_len"]] == b"return (a +\r\n            b)"


def test_lone_cr_line_endings():
    src = b"x = 1\ry = (x,\r     2)\r"
    row = make_row(src)
    check_row_against_cpython(src, row)


def test_bom():
    src = "\ufeffé = 'ü'\ndef f(): pass\n".encode("utf-8")
    row = make_row(src)
    assert row["attrs"]["encoding"] == "utf-8-sig"
    check_row_against_cpython(src, row)
    name = next(n for n in row["nodes"] if n["kind"] == "Name")
    assert name["span"]["start"] == {"line0": 0, "col": 0}  # columns are after the BOM
    assert name["span"]["byte_span"] == {"byte_start": 3, "byte_len": 2}


def test_tabs():
    src = b"if x:\n\tif y:\n\t\tz = (1,\t2)\n"
    row = make_row(src)
    check_row_against_cpython(src, row)
    tup = next(n for n in row["nodes"] if n["kind"] == "Tuple")
    assert tup["span"]["start"] == {"line0": 2, "col": 6}


def test_latin1_declared_encoding():
    src = "# -*- coding: latin-1 -*-\nx = 'café'\ny = x\n".encode("latin-1")
    row = make_row(src)
    assert row["attrs"]["encoding"] == "iso-8859-1"
    assert row["attrs"]["byte_offsets_over"] == "utf8_reencoded"
    check_row_against_cpython(src, row)
    const = next(n for n in row["nodes"] if n["kind"] == "Constant")
    assert const["attrs"]["value"] == "café"
    # offsets refer to the UTF-8 re-encoding
    b = const["span"]["byte_span"]
    utf8 = src.decode("latin-1").encode("utf-8")
    assert utf8[b["byte_start"]: b["byte_start"] + b["byte_len"]] == "'café'".encode()


def test_ascii_only_file_with_latin1_cookie_is_raw():
    src = b"# coding: latin-1\nx = 1\n"
    row = make_row(src)
    assert row["attrs"]["byte_offsets_over"] == "raw"
    check_row_against_cpython(src, row)


def test_decorators_and_async():
    src = (
        "@dec\n@other.deco(1)\ndef f(a, /, b, *args, c, d=1, **kw):\n    pass\n\n"
        "@dataclass\nclass C(A, B, metaclass=M):\n"
        "    async def g(self):\n        async with a as b:\n            async for i in b:\n"
        "                await i\n"
    )
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    defs = {d["name"]: d for d in row["defs"]}
    assert defs["f"]["attrs"] == {"decorator_count": "2", "arg_count": "1", "posonly_count": "1",
                                  "kwonly_count": "2", "is_async": "False"}
    # the def span starts at `def`, not at the decorators
    assert defs["f"]["span"]["start"] == {"line0": 2, "col": 0}
    assert defs["C"]["attrs"] == {"decorator_count": "1", "base_count": "2", "keyword_count": "1"}
    assert defs["g"]["kind"] == "AsyncFunctionDef"
    assert defs["g"]["attrs"]["is_async"] == "True"
    kinds = {n["kind"] for n in row["nodes"]}
    assert {"AsyncWith", "AsyncFor", "Await"} <= kinds
    calls = row["calls"]
    assert [(c["func_kind"], c["func_name"]) for c in calls] == [("Attribute", "deco"), ]


def test_relative_and_star_imports():
    src = "from . import a, b as bb\nfrom ..pkg.sub import *\nimport os.path, x.y as z\n"
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    got = [(i["kind"], i["module"], i["name"], i["asname"], i["alias_index"], i["level"]) for i in row["imports"]]
    assert got == [
        ("ImportFrom", None, "a", None, 0, 1),
        ("ImportFrom", None, "b", "bb", 1, 1),
        ("ImportFrom", "pkg.sub", "*", None, 0, 2),
        ("Import", None, "os.path", None, 0, None),
        ("Import", None, "x.y", "z", 1, None),
    ]
    assert row["imports"][0]["ast_id"] == row["imports"][1]["ast_id"]


def test_fstrings():
    src = "name = 'x'\ns = f'hi {name!r:>{10}} and {1 + 2}'\nm = f'''a\n{name\n + 'é'}\nb'''\n"
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    kinds = [n["kind"] for n in row["nodes"]]
    assert "JoinedStr" in kinds and "FormattedValue" in kinds
    fv = next(n for n in row["nodes"] if n["kind"] == "FormattedValue")
    assert fv["attrs"]["conversion"] == str(ord("r"))


def test_walrus():
    src = "if (n := len(a)) > 10:\n    print(n)\n"
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    assert any(n["kind"] == "NamedExpr" for n in row["nodes"])
    assert [(c["func_name"], c["attrs"]["arg_count"]) for c in row["calls"]] == [("len", "1"), ("print", "1")]


def test_match_statement():
    src = (
        "match command.split():\n"
        "    case [action, *rest] if rest:\n        pass\n"
        "    case {'k': 1, **others}:\n        pass\n"
        "    case Point(x=0, y=y) | None:\n        pass\n"
        "    case str() as s:\n        pass\n"
        "    case _:\n        pass\n"
    )
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    by_kind = {}
    for n in row["nodes"]:
        by_kind.setdefault(n["kind"], []).append(n)
    assert {"Match", "match_case", "MatchSequence", "MatchStar", "MatchMapping", "MatchClass",
            "MatchOr", "MatchSingleton", "MatchAs"} <= set(by_kind)
    assert by_kind["MatchStar"][0]["name"] == "rest"
    assert by_kind["MatchMapping"][0]["attrs"]["rest"] == "others"
    assert by_kind["MatchClass"][0]["attrs"]["kwd_attrs"] == json.dumps(["x", "y"])
    assert "value" not in by_kind["MatchSingleton"][0]["attrs"]  # None is skipped
    assert by_kind["match_case"][0]["span"] == NOSPAN


def test_type_comments():
    src = (
        "def f(a,  # type: int\n      b):\n    # type: (...) -> None\n"
        "    x = []  # type: List[int]\n"
        "y = 1  # type: ignore[attr-defined]\n"
        "z = 2  # type: ignore\n"
    )
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    fn = next(n for n in row["nodes"] if n["kind"] == "FunctionDef")
    assert fn["attrs"]["type_comment"] == "(...) -> None"
    arg = next(n for n in row["nodes"] if n["kind"] == "arg" and n["name"] == "a")
    assert arg["attrs"]["type_comment"] == "int"
    assign = next(n for n in row["nodes"] if n["kind"] == "Assign")
    assert assign["attrs"]["type_comment"] == "List[int]"
    assert [(t["tag"], t["span"]["start"]["line0"]) for t in row["type_ignores"]] == [
        ("[attr-defined]", 4), ("", 5)]


def test_scalar_attrs_rules():
    src = "global g\nx = {**a, 'k': 1.5, 'j': b'x', 'i': 1j, 'h': ..., 't': True}\ndef f(*, a=1, b): pass\n"
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    g = next(n for n in row["nodes"] if n["kind"] == "Global")
    assert g["attrs"]["names"] == json.dumps(["g"])
    consts = {n["value"]: n for n in row["nodes"] if n["kind"] == "Constant"}
    assert "value" not in consts["1.5"]["attrs"]
    assert "value" not in consts["b'x'"]["attrs"]
    assert "value" not in consts["1j"]["attrs"]
    assert "value" not in consts["Ellipsis"]["attrs"]
    assert consts["True"]["attrs"]["value"] == "True"
    # Dict.keys holds a None placeholder for **a: index 0 skipped, not renumbered
    dict_node = next(n for n in row["nodes"] if n["kind"] == "Dict")
    key_edges = [e for e in row["edges"] if e["src"] == dict_node["ast_id"] and e["slot"] == "keys"]
    assert [e["idx"] for e in key_edges] == [1, 2, 3, 4, 5]


def test_calls_counts():
    src = "os.path.join(a, *b, c, *d, k=1, **kw)\n(lambda: 1)()\nf(**a, **b)\n"
    row = make_row(src)
    check_row_against_cpython(src.encode(), row)
    c = row["calls"]
    assert (c[0]["func_kind"], c[0]["func_name"]) == ("Attribute", "join")
    assert c[0]["attrs"] == {"arg_count": "4", "keyword_count": "2", "starred_count": "2", "kw_star_count": "1"}
    assert (c[1]["func_kind"], c[1]["func_name"]) == ("Lambda", None)
    assert c[2]["attrs"]["kw_star_count"] == "2"


def test_huge_int_literal_does_not_break_the_row():
    src = b"x = 0x" + b"f" * 5000 + b"\n"
    row = make_row(src)
    assert row["errors"] == []
    const = next(n for n in row["nodes"] if n["kind"] == "Constant")
    assert const["value"].startswith("0xfff")
    assert const["attrs"]["value"].startswith("0xfff")


def test_lone_surrogate_string_constant():
    src = b"x = 'a\\ud800b'\n"
    enc = ast_row_encoded("m.py", src, "file:x", None, None)
    assert enc.text.isascii()
    row = json.loads(enc.text)
    const = next(n for n in row["nodes"] if n["kind"] == "Constant")
    assert const["attrs"]["value"] == "a\ud800b"


def test_fast_and_generic_walkers_agree():
    src = FIXTURE + "x = {**a, 1: 2}\nmatch p:\n    case [1, *r]: pass\nglobal q\n"
    tree = ast.parse(src, type_comments=True)
    ls = line_starts(src.encode(), False)
    generic = ast_rows._walk_generic(tree, ls, 10**6)
    for small in (True, False):  # number-table handlers and int-formatting handlers
        fast = ast_rows._walk_fast(tree, ls, 10**6, small)
        assert ",".join(fast[0]) == ",".join(generic[0])
        assert ",".join(fast[1]) == ",".join(generic[1])
        assert fast[3] == generic[3] == len(list(ast.walk(tree)))
        assert [s[:1] + s[2:] for s in fast[2]] == [s[:1] + s[2:] for s in generic[2]]


# ---------------------------------------------------------------------------
# failures: exactly one error, every other list empty
# ---------------------------------------------------------------------------


def test_syntax_error():
    row = make_row(b"def(")
    err = assert_error_row(row, "SyntaxError")
    assert row["nodes"] == []
    assert "invalid syntax" in err["message"]
    assert err["span"]["start"] == {"line0": 0, "col": 3}
    assert err["span"]["byte_span"] == {"byte_start": 3, "byte_len": 1}
    assert err["attrs"]["text"] == "def(\n"
    assert row["file_sha256"] == "0" * 64


def test_syntax_error_columns_are_bytes():
    src = "x = 'éé' $\n".encode()
    err = assert_error_row(make_row(src), "SyntaxError")
    # CPython reports offset 10 (characters); the byte column is 11
    assert err["span"]["start"] == {"line0": 0, "col": 11}
    b = err["span"]["byte_span"]
    assert src[b["byte_start"]: b["byte_start"] + b["byte_len"]] == b"$"
    src = "\ufeffä(ää ä)\n".encode()
    err = assert_error_row(make_row(src), "SyntaxError")
    b = err["span"]["byte_span"]
    assert src[b["byte_start"]: b["byte_start"] + b["byte_len"]] == "ää ä".encode()


def test_indentation_error_is_a_syntax_error():
    err = assert_error_row(make_row(b"if x:\npass\n"), "SyntaxError")
    assert err["attrs"]["exception_class"] == "IndentationError"
    assert err["span"]["start"]["line0"] == 1


def test_nul_bytes():
    err = assert_error_row(make_row(b"x = 1\n# \x00\n"), "ValueError")
    assert "pkg/mod.py" in err["message"] and "null" in err["message"]
    assert err["span"] == NOSPAN


def test_undecodable_bytes():
    for src in (b"x = 1\ny = '\xff'\n", b"\xff = 1\n"):
        err = assert_error_row(make_row(src), "UnicodeDecodeError")
        assert "pkg/mod.py" in err["message"]
        assert err["span"] == NOSPAN


def test_unknown_declared_encoding():
    err = assert_error_row(make_row(b"# coding: no-such-codec\nx = 1\n"), "SyntaxError")
    assert "no-such-codec" in err["message"]


def test_over_size_limit():
    row = make_row(b"x = 1\n" * 10, max_bytes=20)
    err = assert_error_row(row, "AstLimitError")
    assert "max_bytes=20" in err["message"] and "pkg/mod.py" in err["message"]
    assert row["attrs"]["max_bytes"] == "20"


def test_node_limit():
    err = assert_error_row(make_row(b"x = [1, 2, 3, 4, 5]\n", max_nodes=5), "AstLimitError")
    assert "max_nodes=5" in err["message"]
    assert make_row(b"x = 1\n", max_nodes=5)["errors"] == []  # exactly 5 nodes is fine


def test_deep_nesting():
    err = assert_error_row(make_row(b"x = a" + b".b" * 100000 + b"\n"), "RecursionError")
    assert "pkg/mod.py" in err["message"]
    row = make_row(b"x = " + b"-" * 100000 + b"1\n")
    assert len(row["errors"]) == 1
    assert row["errors"][0]["error_type"] in ("RecursionError", "MemoryError")
    assert row["nodes"] == []


def test_error_row_for_unreadable_files():
    row = ast_error_row("a/b.py", "file:x", "acme", "OSError", "a/b.py: cannot read: a directory")
    err = assert_error_row(row, "OSError", "a/b.py")
    assert row["file_sha256"] is None and row["repo"] == "acme"
    assert err["span"] == NOSPAN
    assert row["attrs"]["parse_mode"] == "exec"


# ---------------------------------------------------------------------------
# a sample of the standard library
# ---------------------------------------------------------------------------


def _stdlib_sample(n=50):
    root = sysconfig.get_paths()["stdlib"]
    files = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d != "site-packages")
        files += [os.path.join(dirpath, f) for f in filenames if f.endswith(".py")]
    files.sort()
    step = max(1, len(files) // n)
    return files[::step][:n]


@pytest.mark.parametrize("path", _stdlib_sample(), ids=lambda p: os.path.basename(p))
def test_stdlib_spans_and_counts(path):
    with open(path, "rb") as fh:
        data = fh.read()
    row = ast_row(path, data, "file:x", None, None)
    try:
        ast.parse(decode_like_cpython(data)[0], type_comments=True)
    except (SyntaxError, ValueError, UnicodeDecodeError):  # the stdlib ships a few bad files on purpose
        assert len(row["errors"]) == 1
        return
    check_row_against_cpython(data, row)


def test_large_rows_are_emitted_in_pieces(monkeypatch):
    monkeypatch.setattr(ast_rows, "_native_walk", None)  # the Python walker: one item per node
    data = FIXTURE.encode()
    whole = ast_row_encoded("m.py", data, "file:x", None, None)
    monkeypatch.setattr(ast_rows, "_JOIN_GROUP", 3)
    pieces = ast_row_encoded("m.py", data, "file:x", None, None)
    assert len(pieces.chunks) > len(whole.chunks)
    assert pieces.text == whole.text
    assert json.loads(pieces.text)["nodes"] == json.loads(whole.text)["nodes"]


@pytest.mark.parametrize(
    "src",
    [
        b"x = [" + b"~a," * 70000 + b"]\n",  # < 256 KiB: number-table handlers, > 2**18 node ids
        b"x = [" + b"a," * 140000 + b"]\n",  # > 256 KiB: int-formatting handlers
    ],
    ids=["small-file-many-nodes", "big-file"],
)
def test_many_nodes(src):
    row = make_row(src)
    tree = ast.parse(src)
    n = len(list(ast.walk(tree)))
    assert n > 2**18
    assert len(row["nodes"]) == n == int(row["attrs"]["node_count"])
    assert [x["ast_id"] for x in row["nodes"]] == list(range(n))
    assert [e["dst"] for e in row["edges"]] == list(range(1, n))
    last = row["nodes"][-1]  # the List's ctx, popped after all the elements
    assert last["kind"] == "Load" and row["nodes"][last["parent_ast_id"]]["kind"] == "List"
    name, ctx = row["nodes"][-3], row["nodes"][-2]
    assert name["kind"] == "Name" and ctx["parent_ast_id"] == name["ast_id"] == n - 3
    b = name["span"]["byte_span"]
    assert src[b["byte_start"]: b["byte_start"] + b["byte_len"]] == b"a"
    ls = line_starts(src, False)
    generic = ast_rows._walk_generic(tree, ls, 10**7)
    fast = ast_rows._walk_fast(tree, ls, 10**7, len(src) < ast_rows._NUM_SIZE - 1)
    assert ",".join(fast[0]) == ",".join(generic[0])
    assert ",".join(fast[1]) == ",".join(generic[1])
