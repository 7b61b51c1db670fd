"""``ast_files_v1`` rows: one row per Python source file, built with :mod:`ast`.

Public API
----------

``ast_row(rel_path, data, file_id, repo, sha256, *, max_bytes=..., max_nodes=...) -> dict``
    The row as a plain ``dict`` (JSON-compatible).

``ast_row_encoded(...same arguments...) -> EncodedRow``
    The same row already serialised as one compact JSON object (no newline),
    plus its error count (``.chunks`` concatenate to the JSON text, ``.text``
    joins them).  This is what the harness uses: the hot path
    renders JSON text directly instead of building millions of small dicts
    and walking them again in :mod:`json`.  ``ast_row`` is literally
    ``json.loads(ast_row_encoded(...).text)``, so both can never disagree.

``ast_error_row(rel_path, file_id, repo, error_type, message, *, ...) -> dict``
    The row for a file that could not be read at all (size limit, I/O error,
    symlink loop...): every list is empty except ``errors``.

Positions
---------

Every ``span`` is ``{"start": {"line0", "col"}|null, "end": {...}|null,
"end_exclusive": true, "col_unit": "byte", "byte_span": {"byte_start",
"byte_len"}|null}``.  ``line0`` is the 0-based line, ``col`` is CPython's
``col_offset``/``end_col_offset`` (UTF-8 byte offset inside the line).
``byte_span`` indexes the file's bytes: line starts are found with
``bytes.splitlines`` (``\\n``, ``\\r\\n`` and a lone ``\\r`` end a line, exactly
like CPython's tokenizer and :func:`ast.get_source_segment`), and line 0
starts at 3 when the file begins with a UTF-8 BOM (CPython strips it before
computing columns).  For files whose declared encoding is not UTF-8 (PEP 263)
CPython's columns refer to the UTF-8 re-encoding of the decoded text; the
byte offsets then refer to ``text.encode("utf-8")`` as well and the file's
``attrs["byte_offsets_over"]`` is ``"utf8_reencoded"`` (otherwise ``"raw"``).
"""

from __future__ import annotations

import ast
import io
import json
import re
import sys
import tokenize
from itertools import accumulate, repeat
from json.encoder import encode_basestring_ascii as _esc

from .harness import UNSTAMPED, EncodedRow

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_NODES",
    "ast_row",
    "ast_row_encoded",
    "ast_error_row",
]

DEFAULT_MAX_BYTES = 50_000_000
DEFAULT_MAX_NODES = 1_000_000

_PY_VERSION = "%d.%d.%d" % sys.version_info[:3]
_AST = ast.AST
_encode = json.JSONEncoder(
    separators=(",", ":"), check_circular=False, ensure_ascii=True
).encode

# JSON text of a span without positions (Module, Load, Add, arguments, ...).
_NOSPAN = '{"start":null,"end":null,"end_exclusive":true,"col_unit":"byte","byte_span":null}'
_NOSPAN_DICT = {
    "start": None,
    "end": None,
    "end_exclusive": True,
    "col_unit": "byte",
    "byte_span": None,
}


class _NodeLimit(Exception):
    pass


# ---------------------------------------------------------------------------
# Per-class metadata (computed once per AST class, then cached)
# ---------------------------------------------------------------------------

# child field categories
_CHILD, _CHILD_LIST, _DYN = 0, 1, 2
# scalar field categories
_SCALAR, _SCALAR_LIST, _CONST, _SDYN = 0, 1, 2, 3

# ASDL builtin (non-AST) types used in CPython's ast docstrings.
_BUILTIN_TYPES = {"identifier", "string", "int", "constant", "object", "bytes", "singleton"}
_SIG_RE = re.compile(r"^\s*(\w+)\((.*)\)\s*$", re.S)
_FIELD_RE = re.compile(r"^\s*(\w+)([*?]?)\s+(\w+)\s*$")

# special handling codes
_SP_MODULE, _SP_FUNC, _SP_CLASS, _SP_IMPORT, _SP_IMPORTFROM, _SP_CALL, _SP_TYPEIGNORE = range(1, 8)
_SPECIAL = {
    "Module": _SP_MODULE,
    "FunctionDef": _SP_FUNC,
    "AsyncFunctionDef": _SP_FUNC,
    "ClassDef": _SP_CLASS,
    "Import": _SP_IMPORT,
    "ImportFrom": _SP_IMPORTFROM,
    "Call": _SP_CALL,
    "TypeIgnore": _SP_TYPEIGNORE,
}
# classes whose "name" comes from a field other than ``name``
_NAME_FIELD = {"Name": "id", "arg": "arg", "Attribute": "attr"}


def _field_types(cls: type) -> dict | None:
    """Field -> (asdl type, quantifier) parsed from the class docstring.

    CPython documents every concrete node class with its ASDL signature, e.g.
    ``'ImportFrom(identifier? module, alias* names, int? level)'``.  Returns
    None when the docstring does not match ``_fields`` (then every field is
    classified at runtime instead).
    """
    fields = cls._fields
    if not fields:
        return {}
    doc = cls.__doc__ or ""
    m = _SIG_RE.match(doc)
    if not m or m.group(1) != cls.__name__:
        return None
    out = {}
    for part in m.group(2).split(","):
        fm = _FIELD_RE.match(part)
        if not fm:
            return None
        out[fm.group(3)] = (fm.group(1), fm.group(2))
    if set(out) != set(fields):
        return None
    return out


def _class_info(cls: type) -> tuple:
    name = cls.__name__
    fields = tuple(cls._fields)
    types = _field_types(cls)
    children = []  # forward order, reversed below
    scalars = []
    for f in fields:
        key = ',"' + f + '":'
        if types is None:
            children.append((f, _DYN))
            scalars.append((f, _SDYN, key))
            continue
        typ, q = types[f]
        if typ in _BUILTIN_TYPES:
            if q == "*":
                scalars.append((f, _SCALAR_LIST, key))
            elif typ == "constant" or typ == "object":
                scalars.append((f, _CONST, key))
            else:
                scalars.append((f, _SCALAR, key))
        else:
            children.append((f, _CHILD_LIST if q == "*" else _CHILD))
    attributes = getattr(cls, "_attributes", ())
    if "lineno" in attributes and "col_offset" in attributes:
        haspos = 1
    elif name == "TypeIgnore":
        haspos = 2  # a line number but no column
    else:
        haspos = 0
    namef = "name" if "name" in fields else _NAME_FIELD.get(name)
    info = (
        _esc(name),
        tuple(reversed(children)),
        tuple(scalars),
        namef,
        haspos,
        name == "Constant",
        _SPECIAL.get(name, 0),
    )
    _NODE_INFO[cls] = info
    return info


_NODE_INFO: dict = {}


# ---------------------------------------------------------------------------
# Spans
# ---------------------------------------------------------------------------


def _span_parts(d: dict, ls: list) -> tuple:
    """(span_json, byte_start|None, byte_len|None) from a node's __dict__ (slow path)."""
    l = d.get("lineno")
    c = d.get("col_offset")
    el = d.get("end_lineno")
    ec = d.get("end_col_offset")
    if l is None or c is None:
        return _NOSPAN, None, None
    start = '{"line0":%d,"col":%d}' % (l - 1, c)
    if el is None or ec is None:
        return (
            '{"start":%s,"end":null,"end_exclusive":true,"col_unit":"byte","byte_span":null}' % start,
            None,
            None,
        )
    end = '{"line0":%d,"col":%d}' % (el - 1, ec)
    bs = bl = None
    if 0 < l <= len(ls) and 0 < el <= len(ls):
        bs = ls[l - 1] + c
        bl = ls[el - 1] + ec - bs
        if bl < 0:
            bl = 0
    if bs is None:
        bsj = "null"
    else:
        bsj = '{"byte_start":%d,"byte_len":%d}' % (bs, bl)
    return (
        '{"start":%s,"end":%s,"end_exclusive":true,"col_unit":"byte","byte_span":%s}' % (start, end, bsj),
        bs,
        bl,
    )


def _line_only_span(lineno) -> str:
    if lineno is None:
        return _NOSPAN
    return (
        '{"start":{"line0":%d,"col":null},"end":null,"end_exclusive":true,'
        '"col_unit":"byte","byte_span":null}' % (lineno - 1)
    )


def _int_text(v) -> str:
    try:
        return str(v)
    except ValueError:  # beyond sys.get_int_max_str_digits()
        return hex(v)


def _const_repr(v) -> str:
    try:
        return repr(v)
    except ValueError:  # huge int
        return hex(v)


def _dyn_scalar(v):
    """Attribute text of a runtime-classified field value, or None to skip."""
    t = v.__class__
    if t is str:
        return v
    if t is int or t is bool:
        return _int_text(v)
    if t is list and v and not any(isinstance(x, _AST) or x is None for x in v):
        if all(x.__class__ in (str, int, bool) for x in v):
            return json.dumps(v)
    return None


# ---------------------------------------------------------------------------
# The walk
# ---------------------------------------------------------------------------


def _walk_generic(tree, ls: list, max_nodes: int):
    """Reference walker: table driven, tolerant of any field value.

    Produces exactly the same text as :func:`_walk_fast`; used when the fast
    path meets something unexpected (missing positions, huge int literals,
    node classes whose fields cannot be classified...).
    """
    nodes = []
    edges = []
    specials = []
    nadd = nodes.append
    eadd = edges.append
    sadd = specials.append
    stack = [(tree, -1, "", 0)]
    pop = stack.pop
    push = stack.append
    info_get = _NODE_INFO.get
    esc = _esc
    AST = _AST
    nospan = _NOSPAN
    dumps = json.dumps
    CHILD = _CHILD
    CHILD_LIST = _CHILD_LIST
    SCALAR_LIST = _SCALAR_LIST
    SDYN = _SDYN
    nid = -1
    limit = max_nodes - 1
    while stack:
        node, pid, fname, fpos = pop()
        nid += 1
        if nid > limit:
            raise _NodeLimit(nid + 1)
        cls = node.__class__
        info = info_get(cls)
        if info is None:
            info = _class_info(cls)
        kindq, children, scalars, namef, haspos, isconst, special = info
        d = node.__dict__

        # children, pushed in reverse so they pop in field / index order
        for f, cat in children:
            v = d.get(f)
            if v is None:
                continue
            if cat is CHILD:
                push((v, nid, f, 0))
            elif cat is CHILD_LIST:
                i = len(v)
                while i:
                    i -= 1
                    x = v[i]
                    if x is not None:
                        push((x, nid, f, i))
            else:  # runtime classification
                if isinstance(v, AST):
                    push((v, nid, f, 0))
                elif v.__class__ is list:
                    i = len(v)
                    while i:
                        i -= 1
                        x = v[i]
                        if isinstance(x, AST):
                            push((x, nid, f, i))

        # scalar attrs
        sa = ""
        if scalars:
            for f, cat, key in scalars:
                v = d.get(f)
                if v is None:
                    continue
                t = v.__class__
                if cat is SDYN:
                    s = _dyn_scalar(v)
                    if s is not None:
                        sa += key + esc(s)
                elif t is str:
                    sa += key + esc(v)
                elif t is int or t is bool:
                    sa += key + '"' + _int_text(v) + '"'
                elif cat is SCALAR_LIST and t is list and v:
                    sa += key + esc(dumps(v))
                # float / complex / bytes / Ellipsis constants: skipped

        if namef is not None:
            v = d.get(namef)
            nameq = esc(v) if v.__class__ is str else "null"
        else:
            nameq = "null"
        valq = esc(_const_repr(d.get("value"))) if isconst else "null"

        if haspos == 1:
            try:
                l = d["lineno"]
                c = d["col_offset"]
                el = d["end_lineno"]
                ec = d["end_col_offset"]
                bs = ls[l - 1] + c
                bl = ls[el - 1] + ec - bs
                if bl < 0:
                    bl = 0
                span = (
                    f'{{"start":{{"line0":{l - 1},"col":{c}}},"end":{{"line0":{el - 1},"col":{ec}}},'
                    f'"end_exclusive":true,"col_unit":"byte","byte_span":{{"byte_start":{bs},"byte_len":{bl}}}}}'
                )
            except (TypeError, IndexError, KeyError):
                span = _span_parts(d, ls)[0]
        elif haspos:
            span = _line_only_span(d.get("lineno"))
        else:
            span = nospan

        if pid >= 0:
            nadd(
                f'{{"ast_id":{nid},"parent_ast_id":{pid},"kind":{kindq},"name":{nameq},"value":{valq},'
                f'"span":{span},"attrs":{{"field_name":"{fname}","field_pos":"{fpos}"{sa}}}}}'
            )
            eadd(f'{{"src":{pid},"dst":{nid},"kind":"CHILD","slot":"{fname}","idx":{fpos},"attrs":{{}}}}')
        else:
            nadd(
                f'{{"ast_id":{nid},"parent_ast_id":null,"kind":{kindq},"name":{nameq},"value":{valq},'
                f'"span":{span},"attrs":{{{sa[1:]}}}}}'
            )
        if special:
            sadd((special, node, str(nid), "null" if pid < 0 else str(pid), span))
    return nodes, edges, specials, len(nodes)



# Fast path: one generated function per AST class ("handler"), specialised
# from the class's ASDL signature.  A handler pushes the node's children on
# the DFS stack (reversed, so they pop in field / index order) and returns the
# node's JSON text.
#
# Profiling showed that int -> str conversion dominates the cost of rendering
# a node (~50 ns per number, ~8 numbers per node), so numbers are looked up
# in a table of decimal strings instead.  For a file of fewer than
# _NUM_SIZE - 1 bytes every position, byte offset and length is below
# _NUM_SIZE, so the "small" handlers index the table without bounds checks;
# larger files use handlers that format ints directly.  Node ids are looked
# up in the same table, which grows on demand (ids < max_nodes).

_NUM_SIZE = 1 << 18
_NUM: list = []  # "0", "1", ... ; filled on first use (about 16 MB)
_HANDLERS_SMALL: dict = {}
_HANDLERS_BIG: dict = {}
# list fields that CPython fills with None placeholders
_NONE_LISTS = {("Dict", "keys"), ("arguments", "kw_defaults")}


def _num_table() -> list:
    if not _NUM:
        _NUM.extend(map(str, range(_NUM_SIZE)))
    return _NUM


# The span computation is the same for small and big files; only the formatting differs.
_SPAN_CODE = """\
    l0 = d['lineno'] - 1; c = d['col_offset']; el0 = d['end_lineno'] - 1; ec = d['end_col_offset']
    if (l0 | c | ec) < 0:
        raise ValueError('negative position')
    bs = ls[l0] + c
    bl = ls[el0] + ec - bs
    if bl < 0:
        bl = 0"""
_SPAN_FMT_SMALL = (
    '{{"start":{{"line0":{T[l0]},"col":{T[c]}}},"end":{{"line0":{T[el0]},"col":{T[ec]}}},'
    '"end_exclusive":true,"col_unit":"byte","byte_span":{{"byte_start":{T[bs]},"byte_len":{T[bl]}}}}}'
)
_SPAN_FMT_BIG = (
    '{{"start":{{"line0":{l0},"col":{c}}},"end":{{"line0":{el0},"col":{ec}}},'
    '"end_exclusive":true,"col_unit":"byte","byte_span":{{"byte_start":{bs},"byte_len":{bl}}}}}'
)


def _not_an_ast(*args):
    raise TypeError("not an AST node")


def _rev_idx(n: int):
    return map(str, range(n - 1, -1, -1))


# Handler layout codes, shared with the native walker (tasks/native/src/lib.rs):
# child quantifiers
_Q_ONE, _Q_OPT, _Q_LIST, _Q_LIST_NONE = range(4)
# scalar categories
_S_STR, _S_INT, _S_CONST, _S_LIST, _S_NAME, _S_NAME_OPT = range(6)


def _class_spec(cls):
    """The layout of ``cls``'s handler, or None when it must use the generic walker.

    ``(kind, children, scalars, haspos, is_const, special)``: children are
    ``(field, _Q_*)`` in reverse field order (pushed so they pop in order),
    scalars ``(field, _S_*)`` in field order; ``haspos`` is 1 for full
    positions, 2 for a line only (TypeIgnore), 0 for none.
    """
    name = cls.__name__
    types = _field_types(cls)
    if types is None or not name.isidentifier():
        return None
    fields = cls._fields
    namef = "name" if "name" in fields else _NAME_FIELD.get(name)
    children = []
    for f in reversed(fields):
        typ, q = types[f]
        if typ in _BUILTIN_TYPES:
            continue
        if q == "*":
            children.append((f, _Q_LIST_NONE if (name, f) in _NONE_LISTS else _Q_LIST))
        else:
            children.append((f, _Q_OPT if q == "?" else _Q_ONE))
    scalars = []
    for f in fields:
        typ, q = types[f]
        if typ not in _BUILTIN_TYPES:
            continue
        if q == "*":
            cat = _S_LIST
        elif typ in ("constant", "object"):
            cat = _S_CONST
        elif typ == "int":
            cat = _S_INT
        elif f == namef:
            cat = _S_NAME_OPT if q == "?" else _S_NAME
        else:
            cat = _S_STR
        scalars.append((f, cat))
    if namef is not None and not any(cat in (_S_NAME, _S_NAME_OPT) for _, cat in scalars):
        return None  # name taken from an AST-typed field: let the generic walker decide
    attributes = getattr(cls, "_attributes", ())
    if "lineno" in attributes and "col_offset" in attributes:
        haspos = 1
    elif name == "TypeIgnore":
        haspos = 2
    else:
        haspos = 0
    return name, tuple(children), tuple(scalars), haspos, name == "Constant", _SPECIAL.get(name, 0)


def _make_handler(cls, small: bool):
    """Generate the handler for ``cls`` (None when it must use the generic walker)."""
    if not (isinstance(cls, type) and issubclass(cls, _AST)):
        return _not_an_ast
    spec = _class_spec(cls)
    if spec is None:
        return None
    name, children, scalars, haspos, _, code = spec
    src = ["def h(node, sid, pid, fname, fpos, push, extend, ls, sadd, T):", "    d = node.__dict__"]
    for f, quant in children:
        if quant == _Q_LIST_NONE:
            src += [
                f"    v = d[{f!r}]",
                "    i = len(v)",
                "    while i:",
                "        i -= 1",
                "        x = v[i]",
                "        if x is not None:",
                f"            push((x, sid, {f!r}, T[i] if i < NUM_SIZE else str(i)))",
            ]
        elif quant == _Q_LIST:
            src += [
                f"    v = d[{f!r}]",
                "    n = len(v)",
                "    if n == 1:",
                f"        push((v[0], sid, {f!r}, '0'))",
                "    elif n == 2:",  # short lists: plain pushes beat zip()
                f"        push((v[1], sid, {f!r}, '1'))",
                f"        push((v[0], sid, {f!r}, '0'))",
                "    elif n == 3:",
                f"        push((v[2], sid, {f!r}, '2'))",
                f"        push((v[1], sid, {f!r}, '1'))",
                f"        push((v[0], sid, {f!r}, '0'))",
                "    elif n:",
                f"        extend(zip(reversed(v), repeat(sid), repeat({f!r}), "
                "T[n - 1::-1] if n <= NUM_SIZE else rev_idx(n)))",
            ]
        elif quant == _Q_OPT:
            src += [f"    v = d[{f!r}]", "    if v is not None:", f"        push((v, sid, {f!r}, '0'))"]
        else:
            src += [f"    push((d[{f!r}], sid, {f!r}, '0'))"]
    has_sa = bool(scalars)
    has_name = False
    if has_sa:
        src.append("    sa = ''")
    for f, cat in scalars:
        key = ',"' + f + '":'
        if cat == _S_LIST:
            src += [f"    v = d[{f!r}]", "    if v:", f"        sa += {key!r} + esc(dumps(v))"]
        elif cat == _S_CONST:
            src += [
                f"    v = d[{f!r}]",
                "    t = v.__class__",
                "    if t is str:",
                f"        sa += {key!r} + esc(v)",
                "    elif t is int or t is bool:",
                f"        sa += {key!r} + '\"' + str(v) + '\"'",
            ]
        elif cat == _S_INT:
            src += [f"    v = d[{f!r}]", "    if v is not None:", f"        sa += {key!r} + '\"' + str(v) + '\"'"]
        elif cat == _S_NAME_OPT:
            has_name = True
            src += [
                f"    v = d[{f!r}]",
                "    if v is None:",
                "        nameq = 'null'",
                "    else:",
                "        nameq = esc(v)",
                f"        sa += {key!r} + nameq",
            ]
        elif cat == _S_NAME:
            has_name = True
            src += [f"    nameq = esc(d[{f!r}])", f"    sa += {key!r} + nameq"]
        else:
            src += [f"    v = d[{f!r}]", "    if v is not None:", f"        sa += {key!r} + esc(v)"]
    if name == "Constant":
        src.append("    valq = esc(repr(d['value']))")
    head = (
        '{{"ast_id":{sid},"parent_ast_id":{pid},"kind":"' + name + '","name":'
        + ("{nameq}" if has_name else "null")
        + ',"value":' + ("{valq}" if name == "Constant" else "null") + ',"span":'
    )
    tail = ',"attrs":{{"field_name":"{fname}","field_pos":"{fpos}"' + ("{sa}" if has_sa else "") + "}}}}"
    if haspos == 1:
        src.append(_SPAN_CODE)
        fmt = _SPAN_FMT_SMALL if small else _SPAN_FMT_BIG
        if code:
            src.append("    span = f'" + fmt + "'")
            span_fmt = "{span}"
        else:
            span_fmt = fmt  # inlined: one string build per node
    elif haspos == 2:
        src.append("    span = line_only(d['lineno'])")
        span_fmt = "{span}"
    else:
        if code:
            src.append("    span = NOSPAN")
        span_fmt = _NOSPAN.replace("{", "{{").replace("}", "}}")
    if code:
        src.append(f"    sadd(({code}, node, sid, pid, span))")
    src.append("    return f'" + head + span_fmt + tail + "'")
    text = "\n".join(src) + "\n"
    ns = {
        "esc": _esc,
        "dumps": json.dumps,
        "repeat": repeat,
        "NUM_SIZE": _NUM_SIZE,
        "rev_idx": _rev_idx,
        "NOSPAN": _NOSPAN,
        "line_only": _line_only_span,
    }
    exec(compile(text, f"<syntaxlake_extract.ast_rows handler for {name}>", "exec"), ns)
    h = ns["h"]
    h.source = text
    return h


# Name is fused with its ctx child in _walk_fast when its layout is the known one
_FUSE_NAME = ast.Name if (ast.Name._fields == ("id", "ctx") and "end_col_offset" in ast.Name._attributes) else None
_CTX_KIND = {ast.Load: "Load", ast.Store: "Store", ast.Del: "Del"}


def _walk_fast(tree, ls: list, max_nodes: int, small: bool):
    """Handler-based walk; returns (node_chunks, edge_chunks, specials, node_count).

    ``small`` must only be true when every position / byte offset of the
    file is below ``_NUM_SIZE`` (i.e. the source is shorter than that).
    A chunk may hold several comma-separated JSON objects (see the Name case).
    """
    esc = _esc
    T = _num_table()
    handlers = _HANDLERS_SMALL if small else _HANDLERS_BIG
    hget = handlers.get
    nodes = []
    edges = []
    specials = []
    nadd = nodes.append
    eadd = edges.append
    sadd = specials.append
    stack = []
    push = stack.append
    extend = stack.extend
    pop = stack.pop
    d = tree.__dict__
    # the root (always ast.Module here): no parent, no edge
    for f in ("type_ignores", "body"):
        v = d[f]
        for i in range(len(v) - 1, -1, -1):
            push((v[i], "0", f, str(i)))
    nadd('{"ast_id":0,"parent_ast_id":null,"kind":"Module","name":null,"value":null,"span":' + _NOSPAN + ',"attrs":{}}')
    sadd((_SP_MODULE, tree, "0", "null", _NOSPAN))
    nid = 0
    limit = max_nodes - 1
    if limit < 0:
        raise _NodeLimit(1)
    Name = _FUSE_NAME
    ctx_kind = _CTX_KIND
    while stack:
        node, pid, fname, fpos = pop()
        nid += 1
        if nid > limit:
            raise _NodeLimit(nid + 1)
        try:
            sid = T[nid]
        except IndexError:
            T.extend(map(str, range(len(T), len(T) + 65536)))
            sid = T[nid]
        cls = node.__class__
        if cls is Name:
            # Name is ~20% of all nodes and its only child, ctx (Load/Store/Del),
            # is always the very next node in pre-order: emit both here, as one
            # list element each for nodes and edges (the lists are joined with
            # "," anyway), without a handler call or a stack round trip.
            d = node.__dict__
            ck = ctx_kind[d["ctx"].__class__]
            nameq = esc(d["id"])
            l0 = d["lineno"] - 1
            c = d["col_offset"]
            el0 = d["end_lineno"] - 1
            ec = d["end_col_offset"]
            if (l0 | c | ec) < 0:
                raise ValueError("negative position")
            bs = ls[l0] + c
            bl = ls[el0] + ec - bs
            if bl < 0:
                bl = 0
            nid += 1
            if nid > limit:
                raise _NodeLimit(nid + 1)
            try:
                cid = T[nid]
            except IndexError:
                T.extend(map(str, range(len(T), len(T) + 65536)))
                cid = T[nid]
            if small:
                nadd(
                    f'{{"ast_id":{sid},"parent_ast_id":{pid},"kind":"Name","name":{nameq},"value":null,"span":'
                    f'{{"start":{{"line0":{T[l0]},"col":{T[c]}}},"end":{{"line0":{T[el0]},"col":{T[ec]}}},'
                    f'"end_exclusive":true,"col_unit":"byte","byte_span":{{"byte_start":{T[bs]},"byte_len":{T[bl]}}}}},'
                    f'"attrs":{{"field_name":"{fname}","field_pos":"{fpos}","id":{nameq}}}}},'
                    f'{{"ast_id":{cid},"parent_ast_id":{sid},"kind":"{ck}","name":null,"value":null,"span":'
                    '{"start":null,"end":null,"end_exclusive":true,"col_unit":"byte","byte_span":null},'
                    '"attrs":{"field_name":"ctx","field_pos":"0"}}'
                )
            else:
                nadd(
                    f'{{"ast_id":{sid},"parent_ast_id":{pid},"kind":"Name","name":{nameq},"value":null,"span":'
                    f'{{"start":{{"line0":{l0},"col":{c}}},"end":{{"line0":{el0},"col":{ec}}},'
                    f'"end_exclusive":true,"col_unit":"byte","byte_span":{{"byte_start":{bs},"byte_len":{bl}}}}},'
                    f'"attrs":{{"field_name":"{fname}","field_pos":"{fpos}","id":{nameq}}}}},'
                    f'{{"ast_id":{cid},"parent_ast_id":{sid},"kind":"{ck}","name":null,"value":null,"span":'
                    '{"start":null,"end":null,"end_exclusive":true,"col_unit":"byte","byte_span":null},'
                    '"attrs":{"field_name":"ctx","field_pos":"0"}}'
                )
            eadd(
                f'{{"src":{pid},"dst":{sid},"kind":"CHILD","slot":"{fname}","idx":{fpos},"attrs":{{}}}},'
                f'{{"src":{sid},"dst":{cid},"kind":"CHILD","slot":"ctx","idx":0,"attrs":{{}}}}'
            )
            continue
        h = hget(cls)
        if h is None:
            h = _make_handler(cls, small)
            if h is None:
                raise _Unsupported(cls.__name__)
            handlers[cls] = h
        nadd(h(node, sid, pid, fname, fpos, push, extend, ls, sadd, T))
        eadd(f'{{"src":{pid},"dst":{sid},"kind":"CHILD","slot":"{fname}","idx":{fpos},"attrs":{{}}}}')
    return nodes, edges, specials, nid + 1


class _Unsupported(Exception):
    pass


# The same walk in Rust (tasks/native, built into _native_walk.abi3.so next to
# this file): the same text as _walk_fast at a fraction of its per-node cost,
# which dominated the extract.  _walk_fast stays: it is the reference the
# parity tests hold the native walker to, and the walker wherever the
# extension is absent (another interpreter, a checkout without the crate built).
# The native walker also renders what _specials renders (Walker.walk_rows),
# cleaning docstrings itself where inspect.cleandoc's result does not depend
# on the Python version and calling ast.get_docstring for the others.
try:
    from . import _native_walk
except ImportError:
    _native_walk = None
_NATIVE_WALKER = None


def _native_walker():
    """The native walker, given the layout of every AST class (computed once, here)."""
    global _NATIVE_WALKER
    if _NATIVE_WALKER is None:
        table = {}
        todo = [_AST]
        while todo:
            cls = todo.pop()
            todo.extend(cls.__subclasses__())
            spec = _class_spec(cls)
            if spec is not None:
                table[cls] = spec
        rows = (
            ast.Name, ast.Attribute, ast.Starred, ast.Expr, ast.Constant, ast.alias, ast.keyword, ast.arguments,
            "type_params" in ast.FunctionDef._fields,  # as _specials decides it
            ast.get_docstring,
        )
        _NATIVE_WALKER = _native_walk.Walker(table, _NodeLimit, _Unsupported, rows)
    return _NATIVE_WALKER


def _walk_native(tree, ls: list, max_nodes: int, small: bool):
    """:func:`_walk_fast` in Rust; an ``ast.Module`` only, raises where that would."""
    return _native_walker().walk(tree, ls, max_nodes, small)


# what makes the fast walkers give up on a tree (to _walk_generic, or the native one to Python)
_FALLBACK = (_Unsupported, TypeError, IndexError, KeyError, AttributeError, ValueError)


def _walk(tree, ls: list, max_nodes: int, src_len: int = _NUM_SIZE, native: bool = True):
    """Pre-order DFS over ``tree``; returns (node_chunks, edge_chunks, specials, node_count).

    ``",".join(node_chunks)`` is the body of the JSON ``nodes`` array (same
    for edges).  One id per *occurrence* (CPython shares Load/Store/operator
    singletons), so ``node_count == len(list(ast.walk(tree)))``.  ``specials`` holds
    ``(code, node, id_text, parent_id_text, span_json)`` for the nodes that
    feed docstrings / imports / defs / calls / type_ignores.  ``native=False``
    leaves the native walker out.
    """
    if tree.__class__ is ast.Module and list(tree._fields) == ["body", "type_ignores"]:
        fast = _walk_native if native and _native_walk is not None else _walk_fast
        try:
            return fast(tree, ls, max_nodes, src_len < _NUM_SIZE - 1)
        except _FALLBACK:
            pass
    return _walk_generic(tree, ls, max_nodes)


def _walk_rows(tree, ls: list, max_nodes: int, src: bytes, columns: bool = False):
    """:func:`_walk` and :func:`_specials` in one: (node_chunks, edge_chunks, lists, node_count).

    ``lists`` is the text inside the brackets of the JSON lists docstrings,
    imports, defs, calls and type_ignores.  The native walker renders them
    during its walk; where it meets anything unexpected, the file is walked and
    rendered again in Python, exactly as without the extension (the same text,
    or the same exception). With ``columns`` the native walker returns the
    nodes and edges as Arrow arrays instead: (AstColumns, None, lists, node_count).
    """
    if _native_walk is not None and tree.__class__ is ast.Module and list(tree._fields) == ["body", "type_ignores"]:
        try:
            return _native_walker().walk_rows(tree, ls, max_nodes, src, columns)
        except _FALLBACK:
            pass
    nodes, edges, specials, node_count = _walk(tree, ls, max_nodes, len(src), native=False)
    lists = tuple(map(",".join, _specials(specials, ls, src)))
    return nodes, edges, lists, node_count


def _name_of(node):
    """The node-name rule: ``.name`` if a str, Name.id, arg.arg, Attribute.attr."""
    d = node.__dict__
    v = d.get("name")
    if v.__class__ is str:
        return v
    f = _NAME_FIELD.get(node.__class__.__name__)
    if f is not None:
        v = d.get(f)
        if v.__class__ is str:
            return v
    return None


def _q(v) -> str:
    """JSON text of str|None|int."""
    if v is None:
        return "null"
    if v.__class__ is str:
        return _esc(v)
    return str(v)


def _specials(specials, ls, src: bytes):
    """Render docstrings / imports / defs / calls / type_ignores JSON lists."""
    docstrings = []
    imports = []
    defs = []
    calls = []
    type_ignores = []
    has_type_params = "type_params" in ast.FunctionDef._fields
    kind_q = {}
    Name = ast.Name
    Attribute = ast.Attribute
    Starred = ast.Starred
    for code, node, nid, pid, span in specials:
        d = node.__dict__
        pidq = pid
        if code == _SP_CALL:
            func = d["func"]
            fcls = func.__class__
            if fcls is Name:
                fnq = _esc(func.id)
            elif fcls is Attribute:
                fnq = _esc(func.attr)
            else:
                fnq = _q(_name_of(func))
            fkq = kind_q.get(fcls)
            if fkq is None:
                fkq = kind_q[fcls] = _esc(fcls.__name__)
            args = d["args"]
            kws = d["keywords"]
            starred = 0
            for a in args:
                if a.__class__ is Starred:
                    starred += 1
            kwstar = 0
            for k in kws:
                if k.arg is None:
                    kwstar += 1
            calls.append(
                f'{{"ast_id":{nid},"parent_ast_id":{pidq},"func_kind":{fkq},"func_name":{fnq},"span":{span},'
                f'"attrs":{{"arg_count":"{len(args)}","keyword_count":"{len(kws)}",'
                f'"starred_count":"{starred}","kw_star_count":"{kwstar}"}}}}'
            )
            continue
        if code == _SP_IMPORT or code == _SP_IMPORTFROM:
            if code == _SP_IMPORT:
                kind = '"Import"'
                module = "null"
                level = "null"
            else:
                kind = '"ImportFrom"'
                module = _q(d.get("module"))
                lv = d.get("level")
                level = "null" if lv is None else str(lv)
            for i, alias in enumerate(d.get("names") or ()):
                imports.append(
                    f'{{"ast_id":{nid},"parent_ast_id":{pidq},"kind":{kind},"module":{module},'
                    f'"name":{_q(alias.name)},"asname":{_q(alias.asname)},"alias_index":{i},'
                    f'"level":{level},"span":{span},"attrs":{{}}}}'
                )
            continue
        if code == _SP_TYPEIGNORE:
            type_ignores.append(
                f'{{"ast_id":{nid},"tag":{_q(d.get("tag"))},"span":{_line_only_span(d.get("lineno"))},"attrs":{{}}}}'
            )
            continue
        # Module / FunctionDef / AsyncFunctionDef / ClassDef
        kind_name = node.__class__.__name__
        if code != _SP_MODULE:
            ndeco = len(d.get("decorator_list") or ())
            tp = ""
            if has_type_params:
                tp = f',"type_params_count":"{len(d.get("type_params") or ())}"'
            if code == _SP_FUNC:
                a = d.get("args")
                if a is not None:
                    na, npo, nko = len(a.args), len(a.posonlyargs), len(a.kwonlyargs)
                else:
                    na = npo = nko = 0
                attrs = (
                    f'{{"decorator_count":"{ndeco}","arg_count":"{na}","posonly_count":"{npo}",'
                    f'"kwonly_count":"{nko}","is_async":"{kind_name == "AsyncFunctionDef"}"{tp}}}'
                )
            else:
                attrs = (
                    f'{{"decorator_count":"{ndeco}","base_count":"{len(d.get("bases") or ())}",'
                    f'"keyword_count":"{len(d.get("keywords") or ())}"{tp}}}'
                )
            defs.append(
                f'{{"ast_id":{nid},"parent_ast_id":{pidq},"kind":"{kind_name}",'
                f'"name":{_q(d.get("name"))},"span":{span},"attrs":{attrs}}}'
            )
        body = d.get("body")
        if not body:
            continue
        first = body[0]
        if first.__class__ is not ast.Expr:
            continue
        val = first.value
        if val.__class__ is not ast.Constant or val.value.__class__ is not str:
            continue
        doc = ast.get_docstring(node, clean=True)
        if doc is None:
            continue
        dspan, bs, bl = _span_parts(first.__dict__, ls)
        source = None
        if bs is not None:
            source = src[bs : bs + bl].decode("utf-8", "replace")
        owner_name = None if code == _SP_MODULE else d.get("name")
        docstrings.append(
            f'{{"owner_ast_id":{nid},"owner_kind":"{kind_name}","owner_name":{_q(owner_name)},'
            f'"docstring":{_esc(doc)},"span":{dspan},"source":{_q(source)},"attrs":{{}}}}'
        )
    return docstrings, imports, defs, calls, type_ignores


# ---------------------------------------------------------------------------
# Decoding and errors
# ---------------------------------------------------------------------------


def _base_attrs(max_bytes, max_nodes) -> dict:
    return {
        "parse_mode": "exec",
        "type_comments": "True",
        "max_bytes": str(max_bytes) if max_bytes is not None else None,
        "max_nodes": str(max_nodes) if max_nodes is not None else None,
        "python_version": _PY_VERSION,
    }


def _clean_attrs(attrs: dict) -> dict:
    return {k: str(v) for k, v in attrs.items() if v is not None}


def _error_dict(error_type, message, span=None, attrs=None) -> dict:
    return {
        "error_type": error_type,
        "message": message,
        "span": span if span is not None else dict(_NOSPAN_DICT),
        "attrs": _clean_attrs(attrs or {}),
    }


def _row_dict(rel_path, file_id, repo, sha256, errors, attrs) -> dict:
    return {
        "repo": repo,
        "path": rel_path,
        "file_id": file_id,
        "file_sha256": sha256,
        "nodes": [],
        "edges": [],
        "errors": errors,
        "docstrings": [],
        "imports": [],
        "defs": [],
        "calls": [],
        "type_ignores": [],
        "attrs": _clean_attrs(attrs),
        "source_revision": None,
    }


def _char_col_to_byte(line: str, offset) -> int:
    """1-based character offset (SyntaxError.offset) -> 0-based UTF-8 byte column."""
    n = (offset or 1) - 1
    if n <= 0:
        return 0
    head = line[:n]
    return len(head.encode("utf-8", "surrogatepass")) + max(0, n - len(head))


def _source_line(lines: list, lineno: int, bom: bool) -> str | None:
    if lineno is None or lineno < 1 or lineno > len(lines):
        return None
    b = lines[lineno - 1]
    if lineno == 1 and bom:
        b = b[3:]
    return b.rstrip(b"\r\n").decode("utf-8", "replace")


def _syntax_error_span(exc: SyntaxError, src: bytes, ls: list, bom: bool) -> dict:
    """Span of a SyntaxError; converts CPython's character offsets to byte columns."""
    lineno = exc.lineno
    if not isinstance(lineno, int) or lineno < 1:
        return dict(_NOSPAN_DICT)
    lines = src.splitlines(True)
    line = _source_line(lines, lineno, bom)
    if line is None:
        line = (exc.text or "").rstrip("\r\n")
    offset = exc.offset if isinstance(exc.offset, int) else 1
    col = _char_col_to_byte(line, offset)
    start = {"line0": lineno - 1, "col": col}
    end = None
    end_lineno = getattr(exc, "end_lineno", None)
    end_offset = getattr(exc, "end_offset", None)
    if isinstance(end_lineno, int) and isinstance(end_offset, int) and end_lineno >= 1 and end_offset >= 1:
        if end_lineno == lineno:
            eline = line
        else:
            eline = _source_line(lines, end_lineno, bom)
            if eline is None:
                eline = ""
        end = {"line0": end_lineno - 1, "col": _char_col_to_byte(eline, end_offset)}
    byte_span = None
    if end is not None and lineno <= len(ls) and end_lineno <= len(ls):
        bs = ls[lineno - 1] + col
        bl = max(0, ls[end_lineno - 1] + end["col"] - bs)
        byte_span = {"byte_start": bs, "byte_len": bl}
    return {
        "start": start,
        "end": end,
        "end_exclusive": True,
        "col_unit": "byte",
        "byte_span": byte_span,
    }


def _encoded_error(rel_path, file_id, repo, sha256, error_type, message, attrs, span=None, err_attrs=None):
    row = _row_dict(rel_path, file_id, repo, sha256, [_error_dict(error_type, message, span, err_attrs)], attrs)
    return EncodedRow((_encode(row),), 1)


def _decode(data: bytes):
    """(text, encoding) or raises SyntaxError / UnicodeDecodeError."""
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:
        # detect_encoding reports undecodable bytes on the first two lines as
        # "invalid or missing encoding declaration": surface the real decode
        # error (UnicodeDecodeError) when that is what happened.
        (data[3:] if data.startswith(b"\xef\xbb\xbf") else data).decode("utf-8")
        raise
    return data.decode(encoding), encoding


# ---------------------------------------------------------------------------
# Row builders
# ---------------------------------------------------------------------------


_JOIN_GROUP = 1 << 16
_BIG_PIECE = 4096


def _add_joined(out: list, items: list) -> None:
    """Append the ","-joined items to ``out``, in pieces for very large lists.

    Big rows are never materialised as one string: the harness writes the
    pieces with ``writelines``, so peak memory is the item strings plus one
    group, not twice the row.
    """
    n = len(items)
    if n > 1 and sum(map(len, items)) > n * _BIG_PIECE:
        # pieces that are big already (the native walker's, about 64 KiB each): not copied again
        out.append(items[0])
        for item in items[1:]:
            out.append(",")
            out.append(item)
        return
    if n <= _JOIN_GROUP:
        out.append(",".join(items))
        return
    for i in range(0, n, _JOIN_GROUP):
        if i:
            out.append(",")
        out.append(",".join(items[i : i + _JOIN_GROUP]))


def ast_row_encoded(
    rel_path: str,
    data: bytes,
    file_id: str,
    repo: str | None,
    sha256: str | None,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_nodes: int | None = DEFAULT_MAX_NODES,
    columns: bool = False,
) -> EncodedRow:
    """Build the ``ast_files_v1`` row for one file as compact JSON text.

    ``columns``: the nodes and edges may come as the native walker's Arrow arrays (the row's
    ``columns``, for Arrow staging), the text then holding empty lists for them.
    """
    attrs = _base_attrs(max_bytes, max_nodes)
    if max_bytes is not None and len(data) > max_bytes:
        return _encoded_error(
            rel_path, file_id, repo, sha256, "AstLimitError",
            f"{rel_path}: file is {len(data)} bytes, above max_bytes={max_bytes}", attrs,
        )
    # -- decode -------------------------------------------------------------
    try:
        text, encoding = _decode(data)
    except UnicodeDecodeError as exc:
        return _encoded_error(
            rel_path, file_id, repo, sha256, "UnicodeDecodeError",
            f"{rel_path}: cannot decode source as {exc.encoding}: {exc.reason} "
            f"at byte {exc.start}", attrs, err_attrs={"byte_offset": exc.start},
        )
    except SyntaxError as exc:  # unknown / inconsistent encoding declaration
        return _encoded_error(
            rel_path, file_id, repo, sha256, "SyntaxError", f"{rel_path}: {exc}", attrs,
        )
    except Exception as exc:  # pragma: no cover - defensive (LookupError...)
        return _encoded_error(
            rel_path, file_id, repo, sha256, type(exc).__name__, f"{rel_path}: cannot decode source: {exc}", attrs,
        )
    attrs["encoding"] = encoding
    bom = encoding == "utf-8-sig"
    if encoding == "utf-8" or bom:
        src = data
        over = "raw"
    else:
        src = text.encode("utf-8", "surrogatepass")
        over = "raw" if src == data else "utf8_reencoded"
    attrs["byte_offsets_over"] = over
    ls = list(accumulate(map(len, src.splitlines(True)), initial=0))
    if bom:
        ls[0] = 3

    # -- parse --------------------------------------------------------------
    nul = data.find(b"\x00") if src is data else src.find(b"\x00")
    if nul >= 0:
        # CPython rejects NUL anywhere in the source, as ValueError in older
        # releases and as a position-less SyntaxError in newer ones: checked
        # up front so the row is the same on every version.
        return _encoded_error(
            rel_path, file_id, repo, sha256, "ValueError",
            f"{rel_path}: source code cannot contain null bytes (first NUL at byte {nul})", attrs,
            err_attrs={"byte_offset": nul},
        )
    try:
        tree = ast.parse(text, filename=rel_path, mode="exec", type_comments=True)
    except SyntaxError as exc:
        err_attrs = {"text": exc.text}
        if type(exc) is not SyntaxError:
            err_attrs["exception_class"] = type(exc).__name__
        return _encoded_error(
            rel_path, file_id, repo, sha256, "SyntaxError", str(exc), attrs,
            span=_syntax_error_span(exc, src, ls, bom), err_attrs=err_attrs,
        )
    except RecursionError as exc:
        return _encoded_error(
            rel_path, file_id, repo, sha256, "RecursionError",
            f"{rel_path}: source nests too deeply to parse ({exc})", attrs,
        )
    except MemoryError as exc:
        return _encoded_error(
            rel_path, file_id, repo, sha256, "MemoryError",
            f"{rel_path}: out of memory while parsing (typically extreme nesting){': ' + str(exc) if str(exc) else ''}",
            attrs,
        )
    except ValueError as exc:  # e.g. "source code string cannot contain null bytes"
        return _encoded_error(rel_path, file_id, repo, sha256, "ValueError", f"{rel_path}: {exc}", attrs)
    except Exception as exc:  # pragma: no cover - defensive
        return _encoded_error(rel_path, file_id, repo, sha256, type(exc).__name__, f"{rel_path}: {exc}", attrs)

    # -- walk ---------------------------------------------------------------
    try:
        nodes, edges, lists, node_count = _walk_rows(
            tree, ls, max_nodes if max_nodes is not None else sys.maxsize, src, columns
        )
    except _NodeLimit:
        return _encoded_error(
            rel_path, file_id, repo, sha256, "AstLimitError",
            f"{rel_path}: more than max_nodes={max_nodes} AST nodes", attrs,
        )
    except RecursionError as exc:
        return _encoded_error(
            rel_path, file_id, repo, sha256, "RecursionError", f"{rel_path}: {exc}", attrs,
        )
    except MemoryError:
        return _encoded_error(
            rel_path, file_id, repo, sha256, "MemoryError", f"{rel_path}: out of memory while walking the AST", attrs,
        )
    del tree
    docstrings, imports, defs, calls, type_ignores = lists
    attrs["node_count"] = node_count
    text_parts = [
        '{"repo":', _q(repo),
        ',"path":', _esc(rel_path),
        ',"file_id":', _esc(file_id),
        ',"file_sha256":', _q(sha256),
        ',"nodes":[',
    ]
    walked = None
    if edges is None:  # the native walker's columns
        walked, nodes, edges = nodes, (), ()
    _add_joined(text_parts, nodes)
    del nodes
    text_parts.append('],"edges":[')
    _add_joined(text_parts, edges)
    del edges
    text_parts += [
        '],"errors":[],"docstrings":[', docstrings,
        '],"imports":[', imports,
        '],"defs":[', defs,
        '],"calls":[', calls,
        '],"type_ignores":[', type_ignores,
        '],"attrs":', _encode(_clean_attrs(attrs)),
        UNSTAMPED,
    ]
    return EncodedRow(text_parts, 0, walked)


def ast_row(
    rel_path: str,
    data: bytes,
    file_id: str,
    repo: str | None,
    sha256: str | None,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> dict:
    """Build the ``ast_files_v1`` row for one file as a dict."""
    return json.loads(
        ast_row_encoded(rel_path, data, file_id, repo, sha256, max_bytes=max_bytes, max_nodes=max_nodes).text
    )


def ast_error_row(
    rel_path: str,
    file_id: str,
    repo: str | None,
    error_type: str,
    message: str,
    *,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    max_nodes: int | None = DEFAULT_MAX_NODES,
) -> dict:
    """Row for a file that could not be read: only ``errors`` is non-empty."""
    return _row_dict(
        rel_path, file_id, repo, None, [_error_dict(error_type, message)], _base_attrs(max_bytes, max_nodes)
    )
