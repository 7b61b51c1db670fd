"""The native walker (tasks/native) against its reference, ``ast_rows._walk_fast``: byte-identical text."""

import ast
import glob
import os
import sysconfig
import warnings
from itertools import accumulate

import pytest

from syntaxlake_extract import ast_rows
from syntaxlake_extract.ast_rows import ast_row_encoded

HERE = os.path.dirname(os.path.abspath(__file__))
FALLBACK = (ast_rows._Unsupported, TypeError, IndexError, KeyError, AttributeError, ValueError)


@pytest.fixture(autouse=True)
def native():
    if ast_rows._native_walk is None:
        if os.environ.get("SYNTAXLAKE_REQUIRE_NATIVE") == "1":
            pytest.fail("syntaxlake_extract._native_walk does not import (build tasks/native)")
        pytest.skip("syntaxlake_extract._native_walk is not built")


def prepared(data: bytes):
    """(tree, ls, small) exactly as ast_row_encoded prepares them, or None if it does not parse."""
    try:
        text, encoding = ast_rows._decode(data)
    except (SyntaxError, UnicodeDecodeError, LookupError):
        return None
    bom = encoding == "utf-8-sig"
    src = data if encoding == "utf-8" or bom else text.encode("utf-8", "surrogatepass")
    ls = list(accumulate(map(len, src.splitlines(True)), initial=0))
    if bom:
        ls[0] = 3
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes in the sampled sources
            tree = ast.parse(text, mode="exec", type_comments=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return tree, ls, len(src) < ast_rows._NUM_SIZE - 1


def outcome(walk, tree, ls, max_nodes, small):
    try:
        nodes, edges, specials, count = walk(tree, ls, max_nodes, small)
    except ast_rows._NodeLimit as exc:
        return ("node limit", exc.args)
    except FALLBACK as exc:
        return ("fallback", type(exc).__name__)
    return (
        ",".join(nodes),
        ",".join(edges),
        [(code, id(node), nid, pid, span) for code, node, nid, pid, span in specials],
        count,
    )


def assert_same(data: bytes, max_nodes: int = 10**7):
    prep = prepared(data)
    if prep is None:
        return None
    tree, ls, small = prep
    expected = outcome(ast_rows._walk_fast, tree, ls, max_nodes, small)
    got = outcome(ast_rows._walk_native, tree, ls, max_nodes, small)
    if expected[0] == "fallback":
        # the Python fast path gives up to _walk_generic; the native one must too (or match it)
        assert got[0] == "fallback" or got == outcome(lambda t, l, m, s: ast_rows._walk_generic(t, l, m), *prep[:2], max_nodes, small)
    else:
        assert got == expected
    return expected


def assert_same_row(data: bytes, path="m.py", **kw):
    """The whole row: native walker versus the Python one (extension hidden)."""
    native = ast_row_encoded(path, data, "file:x", "repo", "0" * 64, **kw).text
    saved = ast_rows._native_walk
    ast_rows._native_walk = None
    try:
        python = ast_row_encoded(path, data, "file:x", "repo", "0" * 64, **kw).text
    finally:
        ast_rows._native_walk = saved
    assert native == python


def fixture_sources():
    """Every string / bytes constant of the existing Python tests that parses, and the test files."""
    out = []
    for path in sorted(glob.glob(os.path.join(HERE, "test_*.py"))):
        with open(path, "rb") as fh:
            data = fh.read()
        out.append(data)
        for node in ast.walk(ast.parse(data)):
            if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)) and node.value:
                v = node.value if isinstance(node.value, bytes) else node.value.encode("utf-8", "surrogatepass")
                if prepared(v) is not None:
                    out.append(v)
    return out


SPECIAL_CASES = {
    "non-ascii": "ñame = 'héllo wörld'\nclass Ä:\n    def ü(self, ß='€'): return ñame.ä + ß\n",
    "astral": "x = '\U0001F600 \U00010000 \U0010FFFF'\ny = b'\\xff'\n",
    "lone-surrogates": "x = 'a\\ud800b\\udfff'\ny = '\\udbff\\udc00'\nz = f'{x!r:>{w}}\\ud801'\n",
    "control-chars": "x = '\\x00\\x01\\x1f\\x7f\\x80\\t\\n\\r\\b\\f\"\\\\'\n",
    "ints": "a = 123456789012345678901234567890\nb = -9223372036854775809\nc = 0x7fffffffffffffff\nd = True\n",
    "huge-int": "x = 0x" + "f" * 5000 + "\n",  # parses (hex), but str() refuses it: both fall back
    "floats": "x = 1.5, 2j, 1e400, ..., None, b'\\x00', (1, 'a'), frozenset()\n",
    "type-comments": (
        "def f(a,  # type: int\n      b):\n    # type: (...) -> str\n    x = []  # type: list\n"
        "    return x  # type: ignore[misc]\nimport os  # type: ignore\n"
    ),
    "match": (
        "match p:\n    case Point(x=0, y=yy) | [1, *rest] | {'k': v, **kw}: pass\n"
        "    case str() as s if s: pass\n    case {1: _, **rest}: pass\n    case [*_]: pass\n"
        "    case -1 | 1+2j | 'a' 'b' | None | True: pass\n"
    ),
    "scopes": "def f():\n    global a, b\n    def g():\n        nonlocal c\n",
    "dicts-defaults": "d = {**a, 1: 2, **b}\ndef f(*, a=1, b, c=2, **k): pass\nlambda *a, b=1, **c: 0\n",
    "imports": "from . import a\nfrom ..b.c import d as e, f\nimport g.h as i, j\nfrom k import *\n",
    "calls": "f(*a, **b, c=1)(x)[y].z(w for w in v if w)\nawait_ = [x async for x in y]\n",
    "async": "async def f():\n    async with a as b, c:\n        async for x in y: await z\n",
    "fstrings": "x = f'{a!r} {b:{c}} {d=} {{e}}'\ny = u'kind'\n",
    "docstrings": '"""mod"""\nclass C:\n    """cls"""\n    def m(self):\n        """meth"""\n',
    "decorators": "@a\n@b.c(d)\nclass E(F, G, metaclass=H):\n    @property\n    def x(self): ...\n",
    "try": "try: pass\nexcept* ValueError as e: pass\nelse: pass\nfinally: pass\n",
    "walrus-slices": "if (n := len(a)) > 10: a[1:2:3, ::] = b[...]\ndel a[0], b.c\n",
    "empty": "",
    "crlf-cr": "x = 1\r\ny = 2\r\nz = '''a\r\nb'''\n",
}


pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::SyntaxWarning")


@pytest.mark.parametrize("src", list(SPECIAL_CASES.values()), ids=list(SPECIAL_CASES))
def test_special_cases(src):
    data = src.encode("utf-8", "surrogatepass")
    assert_same(data)
    assert_same_row(data)


def test_encodings():
    for data in (
        b"\xef\xbb\xbfx = '\xc3\xa9'\n",  # BOM
        "# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"),  # re-encoded offsets
        b"# coding: utf-7\nx = '+2AA-'\n",  # a lone surrogate from the decoder
    ):
        assert_same(data)
        assert_same_row(data)


def test_existing_fixtures():
    sources = fixture_sources()
    assert len(sources) > 50
    for data in sources:
        assert_same(data)
        assert_same_row(data)


def test_big_files():
    # > 256 KiB: the Python walker's int-formatting handlers; > 2**18 node ids
    data = b"x = [" + b"a," * 140000 + b"]\n" + b"def f(x):\n    return {'\xc3\xa9': x}\n" * 2000
    assert len(data) > ast_rows._NUM_SIZE
    result = assert_same(data)
    assert result[3] > 2**18
    assert_same_row(data)
    # many nodes from a small file, and a row split into several native pieces
    data = b"x = [" + b"~a," * 70000 + b"]\n"
    assert_same(data)
    assert_same_row(data)


def test_node_limit():
    data = b"import os\nx = [1, 2, 3]\ndef f(a): return a.b\n"
    tree = ast.parse(data)
    n = len(list(ast.walk(tree)))
    for max_nodes in (0, 1, 2, 5, n - 1, n, n + 1):
        result = assert_same(data, max_nodes)
        assert (result[0] == "node limit") == (max_nodes < n)
        assert_same_row(data, max_nodes=max_nodes)


def test_unexpected_trees_fall_back():
    def fresh():
        return ast.parse("x = 1\n")

    ls = [0, 6]
    tree = fresh()
    tree.body[0].value.value = 3.5j  # an odd but valid constant: no fallback needed
    assert outcome(ast_rows._walk_native, tree, ls, 100, True) == outcome(ast_rows._walk_fast, tree, ls, 100, True)
    tree = fresh()
    tree.body[0].targets = None  # a list field that is not a list
    assert outcome(ast_rows._walk_native, tree, ls, 100, True) == ("fallback", "TypeError")
    tree = fresh()
    del tree.body[0].lineno  # a missing position
    assert outcome(ast_rows._walk_native, tree, ls, 100, True) == ("fallback", "KeyError")
    assert outcome(ast_rows._walk_native, fresh(), [], 100, True) == ("fallback", "IndexError")
    tree = fresh()
    tree.body[0].value = "not a node"
    assert outcome(ast_rows._walk_native, tree, ls, 100, True) == ("fallback", "_Unsupported")
    # negative, overflowing the byte offset (line 2 starts at 6), beyond i64
    for line, col in ((1, -1), (2, 2**63 - 1), (1, 2**64)):
        tree = fresh()
        value = tree.body[0].value
        value.lineno = value.end_lineno = line
        value.col_offset = col
        assert outcome(ast_rows._walk_native, tree, ls, 100, True) == ("fallback", "ValueError")
        assert_rows_equal_via_walk(tree, ls)


def assert_rows_equal_via_walk(tree, ls):
    """What _walk makes of an odd tree: the same with and without the extension."""
    native = ast_rows._walk(tree, ls, 100)
    saved = ast_rows._native_walk
    ast_rows._native_walk = None
    try:
        python = ast_rows._walk(tree, ls, 100)
    finally:
        ast_rows._native_walk = saved
    assert ",".join(native[0]) == ",".join(python[0]) and ",".join(native[1]) == ",".join(python[1])


def test_stdlib_sample():
    stdlib = sysconfig.get_paths()["stdlib"]
    paths = sorted(
        p for p in glob.glob(os.path.join(stdlib, "**", "*.py"), recursive=True) if "site-packages" not in p
    )
    sample = paths[::max(1, len(paths) // 300)]
    big = [p for p in paths if os.path.getsize(p) > ast_rows._NUM_SIZE]
    assert big, "no stdlib file above 256 KiB"
    compared = 0
    for path in sample + big:
        with open(path, "rb") as fh:
            data = fh.read()
        if assert_same(data) is not None:
            compared += 1
    assert compared > 250
