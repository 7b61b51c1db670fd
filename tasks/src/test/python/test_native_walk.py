"""The native walker (tasks/native) against its references, ``ast_rows._walk_fast`` and
``ast_rows._specials``: byte-identical text."""

import ast
import glob
import os
import random
import sysconfig
import warnings
from itertools import accumulate

import pytest

from syntaxlake_extract import ast_rows
from syntaxlake_extract.ast_rows import ast_row_encoded

HERE = os.path.dirname(os.path.abspath(__file__))
FALLBACK = ast_rows._FALLBACK


@pytest.fixture(autouse=True)
def native():
    if ast_rows._native_walk is None:
        if os.environ.get("SYNTAXLAKE_REQUIRE_NATIVE") == "1":
            pytest.fail("syntaxlake_extract._native_walk does not import (build tasks/native)")
        pytest.skip("syntaxlake_extract._native_walk is not built")


def prepared(data: bytes):
    """(tree, ls, small) exactly as ast_row_encoded prepares them, or None if it does not parse."""
    prep = prepared_src(data)
    return None if prep is None else (prep[0], prep[1], len(prep[2]) < ast_rows._NUM_SIZE - 1)


def prepared_src(data: bytes):
    """(tree, ls, src) exactly as ast_row_encoded prepares them, or None if it does not parse."""
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
    return tree, ls, src


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


def rows_outcome(walk_rows, tree, ls, src, max_nodes):
    try:
        nodes, edges, lists, count = walk_rows(tree, ls, max_nodes, src)
    except ast_rows._NodeLimit as exc:
        return ("node limit", exc.args)
    return ",".join(nodes), ",".join(edges), lists, count


def python_rows(tree, ls, max_nodes, src):
    """The reference: the Python walker, then _specials (what _walk_rows does without the extension)."""
    nodes, edges, specials, count = ast_rows._walk(tree, ls, max_nodes, len(src), native=False)
    return nodes, edges, tuple(map(",".join, ast_rows._specials(specials, ls, src))), count


def native_rows(tree, ls, max_nodes, src):
    return ast_rows._native_walker().walk_rows(tree, ls, max_nodes, src)


def assert_same_specials(data: bytes, max_nodes: int = 10**7):
    """Walker.walk_rows against the Python walker + _specials; a parsed tree never needs the fallback."""
    prep = prepared_src(data)
    if prep is None:
        return None
    tree, ls, src = prep
    expected = rows_outcome(python_rows, tree, ls, src, max_nodes)
    try:
        got = rows_outcome(native_rows, tree, ls, src, max_nodes)
    except FALLBACK:
        # only where the Python fast walker gives up too: _walk_rows then renders the file in Python
        assert outcome(ast_rows._walk_fast, tree, ls, max_nodes, len(src) < ast_rows._NUM_SIZE - 1)[0] == "fallback"
        got = rows_outcome(ast_rows._walk_rows, tree, ls, src, max_nodes)
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
    assert_same_specials(data)
    assert_same_row(data)


def test_encodings():
    for data in (
        b"\xef\xbb\xbfx = '\xc3\xa9'\n",  # BOM
        "# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"),  # re-encoded offsets
        b"# coding: utf-7\nx = '+2AA-'\n",  # a lone surrogate from the decoder
    ):
        assert_same(data)
        assert_same_specials(data)
        assert_same_row(data)


def test_existing_fixtures():
    sources = fixture_sources()
    assert len(sources) > 50
    for data in sources:
        assert_same(data)
        assert_same_specials(data)
        assert_same_row(data)


def test_big_files():
    # > 256 KiB: the Python walker's int-formatting handlers; > 2**18 node ids
    data = b"x = [" + b"a," * 140000 + b"]\n" + b"def f(x):\n    return {'\xc3\xa9': x}\n" * 2000
    assert len(data) > ast_rows._NUM_SIZE
    result = assert_same(data)
    assert result[3] > 2**18
    assert_same_specials(data)
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
        assert assert_same_specials(data, max_nodes)[0] == result[0]
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
            assert_same_specials(data)
            compared += 1
    assert compared > 250


# The specials (ast_rows._specials, rendered by Walker.walk_rows): calls, imports, defs, type
# ignores, docstrings.
SPECIALS_CASES = {
    "calls": (
        "f(a)\na.b.c(1, 2)\nf()(x)\na[0](y)\n(lambda: 0)()\n'-'.join(x)\n"
        "f(*a, *b, c)\nf(**k, x=1, **j)\nf(*a, k=1, *b, **c)\nprint()\n(yield)(z) if 0 else (x := g)(w)\n"
        "f(x for x in y)\nsuper().m()\nf.__call__()()\n"
    ),
    "imports": (
        "import a\nimport a.b as c, d\nfrom . import x\nfrom .. import y as z\nfrom .m import *\n"
        "from m import (a, b as c)\nfrom ...pkg.sub import q\nfrom __future__ import annotations\n"
        "def f():\n    import os.path as p\n    from .x import y\n"
    ),
    "type-ignores": (
        "x = 1  # type: ignore[attr-defined]\ny = 2  # type: ignore\nz = 3  # type: ignore[a, b]\n"
        "w = 4  # type: ignoreé\nv = 5  # type: ignore[\"q\\\\\"]\n"
    ),
    "defs": (
        "@d1\n@d2(x)\ndef f(a, b, /, c, *args, d, e=1, **kw): pass\n"
        "async def g(*, k): pass\n@dec\nasync def h(a, /): return await a\n"
        "class C(B1, B2, metaclass=M, x=1): pass\nclass D: pass\n@x.y\nclass E(*bases, **kws): pass\n"
        "def outer():\n    def inner(p=lambda q: q):\n        class Local:\n            def m(self): pass\n"
        "        return Local\n    return inner\n"
        "def ñ(ü): pass\nclass Ä: pass\n"
    ),
    "docstrings": (
        '"""Module docstring."""\n'
        "class C:\n    '''Class\n\n    doc.\n    '''\n"
        '    def m(self):\n        """\n        Method doc, indented.\n\n          more\n        """\n'
        "    async def a(self):\n        'single'\n"
        "def f():\n    '''  leading spaces\n\tand a tab\n    \t mixed\n\n\n    '''\n    x = 1\n"
        "def g():\n    \"\"\"\"\"\"\ndef h():\n    '''   \n      \n   '''\n"
        "def i():\n    'implicit' \" concat\"\n"
        "def j():\n    '''héllo wörld\n    ünïcode'''\n"
        "def k():\n    '\\ud800 lone \\udfff surrogates'\n"
        "def l():\n    '\\x0cform\\x0bfeed\\x1cand\\r\\ncr'\n"
        "def m():\n    '\\xa0nbsp\\n\\u2003\\u2003em spaces\\n\\x85next line'\n"
        "def n():\n    '\\U0001F600 astral'\n"
        "def o():\n    b'bytes are not docstrings'\n"
        "def p():\n    f'nor are {f}-strings'\n"
        "def q():\n    1\n"
        "def r():\n    x = 'not first'\n"
        "def s():\n    '''outer'''\n    def t():\n        '''inner\n           indented'''\n"
        "        class U:\n            '''cls'''\n"
        "def v(): 'on the same line'\n"
        "class W: '''one-liner'''; x = 1\n"
        "def x():\n    ('parenthesised'\n     ' docstring')\n"
        "def y():\n    '\\t\\ttabs\\n\\t\\t\\tonly\\n'\n"
    ),
    "docstring-only-module": "'''\n    Only a docstring.\n'''",
    "not-a-docstring-module": "1\n'not a docstring'\n",
    "escapes-in-docstring": 'def f():\n    """Quote \\" backslash \\\\ control \\x01\\x1f"""\n',
}


@pytest.mark.parametrize("src", list(SPECIALS_CASES.values()), ids=list(SPECIALS_CASES))
def test_specials_cases(src):
    data = src.encode("utf-8", "surrogatepass")
    assert_same_specials(data)
    assert_same_row(data)


@pytest.mark.parametrize(
    "data",
    [
        "def f():\r\n    '''CRLF\r\n    doc'''\r\n    g(1)\r\n".encode(),
        b"\xef\xbb\xbf'''BOM \xc3\xa9'''\nimport os\ndef f():\n    '''d\xc3\xa9f'''\n    g(x)\n",
        b"x = 1\r'''lone CR'''\rdef f():\r    'x'\r",
        "# -*- coding: latin-1 -*-\n'''Modul\xe9'''\ndef f():\n    '''\xe9t\xe9'''\n".encode("latin-1"),
        b"# coding: utf-7\n'''+2AA- surrogate'''\ndef f():\n    '+2AA-'\n",  # source decoded with "replace"
        b"# coding: utf-8\n'''\\ud800'''\n",
    ],
    ids=["crlf", "bom", "cr", "latin-1", "utf-7", "surrogate-escape"],
)
def test_specials_encodings(data):
    assert_same_specials(data)
    assert_same_row(data)


def test_docstring_cleaning():
    """Many docstrings with every kind of whitespace: cleaned natively where inspect.cleandoc's
    result is the same on every Python version, by ast.get_docstring otherwise."""
    rng = random.Random(3)
    pieces = [" ", "  ", "    ", "\t", "\n", "\n", "\n    ", "\n        ", "a", "b c", "é", "\xa0", "\x0c", "\x0b",
              "\r", "\x1c", "\x1f", "\x85", "\u2003", "\u3000", "\ud800", "\U0001F600", "\\", '"']
    lines = []
    for i in range(400):
        doc = "".join(rng.choice(pieces) for _ in range(rng.randrange(0, 12)))
        if i % 2:
            doc = "".join(c for c in doc if c in " \t\nab")  # the natively cleaned kind
        lines.append(f"def f{i}():\n    {doc!r}\n")
    data = "".join(lines).encode("utf-8", "surrogatepass")
    result = assert_same_specials(data)
    assert result[2][0].count('"owner_ast_id"') == 400
    assert_same_row(data)


def odd_tree_outcome(walk_rows, tree, ls, src):
    try:
        return rows_outcome(walk_rows, tree, ls, src, 1000)
    except Exception as exc:  # what ast_row_encoded would let through
        return ("raised", type(exc).__name__)


def python_walk_rows(tree, ls, src):
    saved = ast_rows._native_walk
    ast_rows._native_walk = None
    try:
        return odd_tree_outcome(ast_rows._walk_rows, tree, ls, src)
    finally:
        ast_rows._native_walk = saved


ODD_SRC = b"'''doc'''\nimport a as b\nfrom . import c\nf(x, k=1)\ndef g(): 'g'\nclass H(I): pass\nx[0](y)\n"
ODD_LS = list(accumulate(map(len, ODD_SRC.splitlines(True)), initial=0))
DELETE = object()


def odd_tree(path, value):
    """ODD_SRC's tree with the attribute at ``path`` (indices and names) set to ``value`` (or deleted)."""
    tree = ast.parse(ODD_SRC)
    node = tree
    for step in path[:-1]:
        node = node[step] if isinstance(step, int) else getattr(node, step)
    if value is DELETE:
        delattr(node, path[-1])
    elif isinstance(path[-1], int):
        node[path[-1]] = value
    else:
        setattr(node, path[-1], value)
    return tree


def at(node, line):
    """``node`` with a position on ``line``."""
    node.lineno = node.end_lineno = line
    node.col_offset, node.end_col_offset = 0, 1
    return node


@pytest.mark.parametrize(
    "path, value",
    [
        (("body", 6, "value", "func", "name"), "named"),  # _name_of: a str "name" attribute
        (("body", 6, "value", "func", "name"), 3),  # not a str: null
        (("body", 6, "value", "func"), at(ast.arg("a_name", None, None), 7)),  # _name_of: arg.arg
        (("body", 6, "value", "func"), at(ast.alias("al", None), 7)),  # _name_of: alias.name
        (("body", 0, "value", "value"), type("S", (str,), {})("a str subclass")),  # not a docstring
        (("body", 0, "end_col_offset"), 0),  # a negative byte_len: 0
    ],
)
def test_odd_trees_rendered_natively(path, value):
    tree = odd_tree(path, value)
    native = rows_outcome(native_rows, tree, ODD_LS, ODD_SRC, 1000)
    assert native == python_walk_rows(tree, ODD_LS, ODD_SRC)
    assert odd_tree_outcome(ast_rows._walk_rows, tree, ODD_LS, ODD_SRC) == native


@pytest.mark.parametrize(
    "path, value, raises",
    [
        # given up by the specials: Python's _specials raises (AttributeError)
        (("body", 3, "value", "keywords", 0), at(ast.Name("k", ast.Load()), 4), True),
        (("body", 1, "names", 0), at(ast.Name("k", ast.Load()), 2), True),
        (("body", 4, "args"), at(ast.Name("k", ast.Load()), 5), True),
        # given up by the walker: the Python walkers render them
        (("body", 1, "names"), (), False),
        (("body", 2, "level"), 1.0, False),
        (("body", 2, "names", 0, "name"), 7, False),
        (("body", 1, "names", 0, "asname"), DELETE, None),
        (("body", 0, "lineno"), 99, False),
        (("body", 4, "name"), None, False),
        (("body", 4, "args"), None, False),
        (("body", 5, "bases"), (), False),
    ],
)
def test_odd_trees_fall_back_for_specials(path, value, raises):
    tree = odd_tree(path, value)
    with pytest.raises(FALLBACK):
        native_rows(tree, ODD_LS, 1000, ODD_SRC)
    got = odd_tree_outcome(ast_rows._walk_rows, tree, ODD_LS, ODD_SRC)
    assert got == python_walk_rows(tree, ODD_LS, ODD_SRC)
    if raises is not None:
        assert (got[0] == "raised") == raises
