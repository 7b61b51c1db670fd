"""Build one ``libcst_files_v1`` row (a JSON-serialisable dict) per Python source file.

``cst_row(rel_path, data, file_id, repo, sha256)`` returns the row for one file (with
``columns=True`` a ``harness.ColumnarRow`` whose nodes and edges are ``cst_columns.CstColumns``);
``cst_error_row(rel_path, file_id, repo, error_type, message)`` the row for a file that
could not be read. Layout and semantics follow the CodeAnatomy reference (sections 1.9,
3 and 5). Plan-era defects of section 12 are fixed:

* a span LibCST does not provide is null, never ``(0, 0)`` (e.g. the unused
  ``MatchMapping.whitespace_before_rest`` is never code-generated);
* ``parse_manifest.future_imports`` holds the module's effective ``from __future__``
  names (the leading run, as CPython defines it);
* ``parse_manifest.parsed_python_version`` comes from ``module.config_for_parsing``;
* ``parse_manifest.libcst_version`` comes from ``importlib.metadata``;
* the manifest field is ``schema_identity_hash`` (null here; the JVM fills it);
* module docstrings have a null ``owner_def_id`` (the contract declares it nullable).

Units and conventions:

* Byte offsets (``*bstart``/``*bend``, ``span.byte_span``) index the raw bytes passed
  in. LibCST counts UTF-8 bytes of the decoded text, so a UTF-8 BOM shifts them by 3
  and files in another declared encoding (``# coding: latin-1``) are mapped back to
  raw-file offsets (if that is impossible, ``attrs["byte_offset_basis"]`` says
  ``utf8_text``). ``line0`` is 0-based, ``col`` counts code points (``utf32``; the BOM
  is not counted).
* Text columns (``callee_text``, ``arg_text``, ``expr_text``, ``decorator_text``,
  non-dotted attribute ``ref_text``) are the exact source slice of the node's span,
  so slicing the file with bstart/bend gives them back. Like every LibCST span they
  exclude the node's own parentheses. Attribute refs that are plain dotted chains keep
  the normalised ``a.b.c`` text.
* Entity lists are in source order (sorted by start offset, outer before inner).
* ``qnames``/``callee_qnames`` are exactly QualifiedNameProvider's values, computed on
  demand with ``scope.get_qualified_names_for`` (what the provider does per node).
  ``def_fqns``/``callee_fqns`` are always empty and ``inferred_type`` always null:
  they need a repository root (FullyQualifiedNameProvider) and Pyre.
* ``module_name``/``package_name`` are derived from ``rel_path`` relative to the
  extraction root (LibCST's ``calculate_module_and_package`` rule).
* Positions come from one code-generation pass (``compute_positions``) that applies the
  rules of PositionProvider, WhitespaceInclusivePositionProvider and
  ByteSpanPositionProvider at once (three passes -> one; the tests compare it with the
  stock providers). ``USE_STOCK_POSITION_PROVIDERS = True`` switches to the stock ones.

The function never raises for bad input: every failure becomes a row whose only
non-empty list is ``parse_errors`` (see the nesting guards below for inputs that would
otherwise crash LibCST's native parser).
"""

from __future__ import annotations

import ast
import dataclasses
import gc
import importlib.metadata
import re
import sys
import threading
import warnings
from collections.abc import Callable
from typing import Any

import libcst as cst
from libcst.metadata import (
    ByteSpanPositionProvider,
    ExpressionContextProvider,
    MetadataWrapper,
    PositionProvider,
    ScopeProvider,
    WhitespaceInclusivePositionProvider,
)

try:  # private, but it is the base class the stock position providers subclass too
    from libcst._nodes.internal import CodegenState
except ImportError:  # pragma: no cover - fall back to the three stock providers
    CodegenState = None  # type: ignore[assignment,misc]

from .cst_columns import COL_UNIT, NO_POS, NO_WS_POS, CstColumns
from .harness import ColumnarRow
from .ids import stable_id

Row = dict[str, Any]

_LIST_FIELDS = (
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
)

PARSER_BACKEND = "native"  # LibCST >= 1.0 only ships the native (Rust) parser.

# CPython's tokenizer refuses more than 200 nested brackets; LibCST's native parser has
# no such guard and overflows the C stack (SIGSEGV, uncatchable) at ~1,100-1,500.
_MAX_BRACKET_DEPTH = 200

try:
    LIBCST_VERSION: str | None = importlib.metadata.version("libcst")
except importlib.metadata.PackageNotFoundError:  # pragma: no cover - vendored copies
    LIBCST_VERSION = getattr(cst, "__version__", None)


# --------------------------------------------------------------------------- helpers


def _empty_row(rel_path: str, file_id: str, repo: str | None, sha256: str | None) -> Row:
    row: Row = {"repo": repo, "path": rel_path, "file_id": file_id, "file_sha256": sha256}
    for name in _LIST_FIELDS:
        row[name] = []
    row["attrs"] = {}
    row["source_revision"] = None  # the harness sets the tree's
    return row


def _error_element(
    identity: Row,
    error_type: str,
    message: str,
    *,
    raw_line: int | None = None,
    raw_column: int | None = None,
    editor_line: int | None = None,
    editor_column: int | None = None,
    context: str | None = None,
    meta: dict[str, str] | None = None,
) -> Row:
    return {
        **identity,
        "error_type": error_type,
        "message": message,
        "raw_line": raw_line,
        "raw_column": raw_column,
        "editor_line": editor_line,
        "editor_column": editor_column,
        "context": context,
        "line_base": 1,
        "col_unit": COL_UNIT,
        "end_exclusive": True,
        "meta": meta if meta is not None else {},
    }


def cst_error_row(
    rel_path: str,
    file_id: str,
    repo: str | None,
    error_type: str,
    message: str,
    sha256: str | None = None,
) -> Row:
    """Row for a file that could not be processed: every list empty except parse_errors."""
    row = _empty_row(rel_path, file_id, repo, sha256)
    identity = {"file_id": file_id, "path": rel_path, "file_sha256": sha256}
    row["parse_errors"].append(_error_element(identity, error_type, message))
    return row


_NATIVE_LOCATION_RE = re.compile(r"error at (\d+):(\d+)")


def _parser_syntax_error_row(
    rel_path: str, file_id: str, repo: str | None, sha256: str | None, exc: cst.ParserSyntaxError
) -> Row:
    row = _empty_row(rel_path, file_id, repo, sha256)
    identity = {"file_id": file_id, "path": rel_path, "file_sha256": sha256}
    raw_line = _safe_int(lambda: exc.raw_line)
    raw_column = _safe_int(lambda: exc.raw_column)
    editor_line = _safe_int(lambda: exc.editor_line)
    editor_column = _safe_int(lambda: exc.editor_column)
    try:
        context = exc.context
    except Exception:  # noqa: BLE001 - context is best effort
        context = None
    try:
        message = str(exc)
    except Exception:  # noqa: BLE001
        message = exc.message
    meta = {
        k: str(v)
        for k, v in (
            ("raw_line", raw_line),
            ("raw_column", raw_column),
            ("editor_line", editor_line),
            ("editor_column", editor_column),
        )
        if v is not None
    }
    # The native parser often reports raw_line/raw_column as 1/0 and puts the real
    # location into the message ("parser error: error at 2:0: ..."); keep that too.
    match = _NATIVE_LOCATION_RE.search(exc.message or "")
    if match:
        meta["message_line"] = match.group(1)
        meta["message_column"] = match.group(2)
    row["parse_errors"].append(
        _error_element(
            identity,
            "ParserSyntaxError",
            message,
            raw_line=raw_line,
            raw_column=raw_column,
            editor_line=editor_line,
            editor_column=editor_column,
            context=context,
            meta=meta,
        )
    )
    return row


def _safe_int(getter: Callable[[], Any]) -> int | None:
    try:
        value = getter()
    except Exception:  # noqa: BLE001
        return None
    return int(value) if value is not None else None


class _NestingTooDeep(RecursionError):
    """Raised before LibCST is called on input that could crash its native parser."""


# ---------------------------------------------------------------- nesting guards
#
# LibCST's native (Rust) parser recurses once per level of the tree it builds and has
# no depth limit: past the C stack it dies with SIGSEGV, which no ``except`` can catch
# and which would take the whole extractor process down. Measured with libcst 1.9 on
# an 8 MB stack: ~1,100-1,500 nested brackets, ~6,500 chained attributes/unary ops,
# ~8,000-10,000 ``and``/``or`` operands, ~10,000-20,000 dotted-import parts.
#
# Three layers keep every input far from that:
# 1. CPython's parser (``ast.parse``) is the probe: it refuses more than 200 nested
#    brackets and ~3,000 levels of any other nesting with an exception, not a crash.
#    When CPython rejects the file for another reason (newer syntax, a typo), a
#    lexical bracket-depth scan replaces it.
# 2. Two chains CPython keeps flat but LibCST nests one level per element are
#    bounded lexically: ``and``/``or`` operands per logical line and dotted-name parts.
# 3. The whole extraction runs on a thread with a 256 MB stack (reserved, committed
#    only when used) and a raised recursion limit, so legitimately deep files (long
#    implicit string concatenations, long elif chains) parse instead of hitting
#    RecursionError, and the native parser has >30x headroom over the bounds above.

_WORKER_STACK_BYTES = 256 * 1024 * 1024
_WORKER_RECURSION_LIMIT = 20_000
_MAX_BOOL_OPERATORS = 5_000  # per logical line
_MAX_DOTTED_PARTS = 2_000

_LEX_RE = re.compile(
    r"""(?:[rRbBuUfF]{0,2})(?:'''(?:\\.|[^\\])*?'''|\"\"\"(?:\\.|[^\\])*?\"\"\"|'(?:\\.|[^\\'\n])*'|"(?:\\.|[^\\"\n])*")"""
    r"""|\#[^\n]*|\\\r?\n|(?P<o>[(\[{])|(?P<c>[)\]}])|(?P<nl>\r?\n|\r)|(?P<b>\b(?:and|or)\b)""",
    re.S,
)
_BOOL_WORD_RE = re.compile(rb"\b(?:and|or)\b")
_IDENT = rb"[A-Za-z_\x80-\xff][A-Za-z0-9_\x80-\xff]*"
_SEP = rb"[ \t\f]*(?:\\\r?\n[ \t\f]*)?"
# Anchored on the dot so that re.search only does work at "." characters.
_DOTTED_RE = re.compile(
    rb"(?:\." + _SEP + _IDENT + _SEP + rb")" + b"{%d,}" % (_MAX_DOTTED_PARTS - 1)
)


def _lexical_limits(text: str) -> tuple[int, int]:
    """(max bracket depth, max ``and``/``or`` count in one logical line), ignoring
    strings and comments (approximately: f-string fields count as string text)."""
    depth = best_depth = bools = best_bools = 0
    for m in _LEX_RE.finditer(text):
        kind = m.lastgroup
        if kind == "o":
            depth += 1
            if depth > best_depth:
                best_depth = depth
        elif kind == "c":
            depth = max(0, depth - 1)
        elif kind == "b":
            bools += 1
            if bools > best_bools:
                best_bools = bools
        elif kind == "nl" and depth == 0:
            bools = 0
    return best_depth, best_bools


def _guard_nesting(rel_path: str, data: bytes) -> None:
    """Raise _NestingTooDeep for input that could overflow LibCST's parser stack."""
    cpython_ok = False
    try:
        ast.parse(data)
        cpython_ok = True
    except (RecursionError, MemoryError) as exc:
        raise _NestingTooDeep(
            f"{rel_path}: nesting too deep to parse safely "
            f"(CPython parser: {type(exc).__name__}: {exc})"
        ) from None
    except SyntaxError as exc:
        if "too many nested" in str(exc.msg or ""):
            raise _NestingTooDeep(
                f"{rel_path}: nesting too deep to parse safely (CPython parser: {exc.msg})"
            ) from None
    except Exception:  # noqa: BLE001 - NUL bytes, bad encodings: LibCST reports those
        pass
    if _DOTTED_RE.search(data):
        raise _NestingTooDeep(
            f"{rel_path}: a dotted name has more than {_MAX_DOTTED_PARTS} parts; "
            "too deep to parse safely"
        )
    many_bools = len(_BOOL_WORD_RE.findall(data)) > _MAX_BOOL_OPERATORS
    if cpython_ok and not many_bools:
        return
    text = data.decode("utf-8", errors="replace")
    depth, bools = _lexical_limits(text)
    if not cpython_ok and depth > _MAX_BRACKET_DEPTH:
        raise _NestingTooDeep(
            f"{rel_path}: bracket nesting depth {depth} exceeds {_MAX_BRACKET_DEPTH}"
        )
    if bools > _MAX_BOOL_OPERATORS:
        raise _NestingTooDeep(
            f"{rel_path}: {bools} 'and'/'or' operators in one statement exceed "
            f"{_MAX_BOOL_OPERATORS}; too deep to parse safely"
        )


def _run_on_big_stack(fn: Callable[..., Row], *args: Any) -> Row:
    """``fn(*args)`` on a thread with a large C stack and a raised recursion limit."""
    result: dict[str, Any] = {}

    def target() -> None:
        old_limit = sys.getrecursionlimit()
        raised = old_limit < _WORKER_RECURSION_LIMIT
        try:
            if raised:
                sys.setrecursionlimit(_WORKER_RECURSION_LIMIT)
            result["row"] = fn(*args)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller
            result["error"] = exc
        finally:
            if raised:
                sys.setrecursionlimit(old_limit)

    thread = None
    try:
        previous = threading.stack_size(_WORKER_STACK_BYTES)
    except (ValueError, RuntimeError):  # platform refuses big stacks
        previous = None
    if previous is not None:
        try:
            thread = threading.Thread(target=target, name="syntaxlake-cst", daemon=True)
            thread.start()
        except RuntimeError:  # cannot reserve the stack (e.g. ulimit -v): run inline
            thread = None
        finally:
            threading.stack_size(previous)
    if thread is None:
        return fn(*args)  # default stack and recursion limit: the guards still apply
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["row"]


# Fields (in dataclass declaration order) of every CSTNode class, cached per class.
_FIELDS_CACHE: dict[type, tuple[str, ...]] = {}


def _node_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS_CACHE.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls))
        _FIELDS_CACHE[cls] = names
    return names


# type -> "is a CSTNode subclass" (avoids the slow ABC isinstance on every field).
_IS_NODE: dict[type, bool] = {}


def _is_node_type(cache: dict[type, bool], cls: type) -> bool:
    hit = cache.get(cls)
    if hit is None:
        hit = cache[cls] = isinstance(cls, type) and issubclass(cls, cst.CSTNode)
    return hit


def _dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for Name/Attribute chains only; None for anything else."""
    parts: list[str] = []
    while isinstance(node, cst.Attribute):
        parts.append(node.attr.value)
        node = node.value
    if not isinstance(node, cst.Name):
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def _callee_shape(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return "NAME"
    if isinstance(node, cst.Attribute):
        return "ATTRIBUTE"
    if isinstance(node, cst.Subscript):
        return "SUBSCRIPT"
    return "OTHER"


def _docstring_expr(body: Any) -> cst.CSTNode | None:
    """The string expression ``get_docstring`` reads (same descent as LibCST)."""
    if isinstance(body, (list, tuple)):
        if not body:
            return None
        expr = body[0]
    else:
        expr = body
    while isinstance(expr, (cst.BaseSuite, cst.SimpleStatementLine)):
        if len(expr.body) == 0:
            return None
        expr = expr.body[0]
    if not isinstance(expr, cst.Expr):
        return None
    if isinstance(expr.value, (cst.SimpleString, cst.ConcatenatedString)):
        return expr.value
    return None


def _future_imports(module: cst.Module) -> list[str]:
    """Names of the module's effective ``from __future__ import`` statements.

    Like CPython, only the leading run (after an optional docstring) counts.
    """
    names: list[str] = []
    for index, stmt in enumerate(module.body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            break
        small = stmt.body
        if (
            index == 0
            and len(small) == 1
            and isinstance(small[0], cst.Expr)
            and isinstance(small[0].value, (cst.SimpleString, cst.ConcatenatedString))
        ):
            continue
        if not small or not all(_is_future_import(s) for s in small):
            break
        for s in small:
            assert isinstance(s, cst.ImportFrom)
            if isinstance(s.names, cst.ImportStar):
                continue
            for alias in s.names:
                if isinstance(alias.name, cst.Name) and alias.name.value not in names:
                    names.append(alias.name.value)
    return names


def _is_future_import(node: cst.CSTNode) -> bool:
    return (
        isinstance(node, cst.ImportFrom)
        and not node.relative
        and isinstance(node.module, cst.Name)
        and node.module.value == "__future__"
    )


def _module_and_package(rel_path: str) -> tuple[str | None, str | None]:
    """Module/package name of ``rel_path`` taken relative to the extraction root.

    Same rule as ``libcst.helpers.calculate_module_and_package(root, root/rel_path)``.
    """
    parts = [p for p in rel_path.replace("\\", "/").split("/") if p and p != "."]
    if not parts or not parts[-1].endswith((".py", ".pyi")):
        return None, None
    parts[-1] = parts[-1].rsplit(".", 1)[0]
    if parts[-1] in ("__init__", "__main__"):
        parts.pop()
        name = ".".join(parts)
        return name, name
    return ".".join(parts), ".".join(parts[:-1])


# ------------------------------------------------------------------ positions
#
# LibCST's PositionProvider, WhitespaceInclusivePositionProvider and
# ByteSpanPositionProvider each run one full code-generation pass over the module.
# _PositionState computes all three in a single pass with exactly their rules (same
# hooks: before_codegen / after_codegen / record_syntactic_position, same newline
# regex, same "first recording wins in after_codegen, syntactic recording always
# overwrites" order). tests/.../test_cst_rows.py checks equality with the stock
# providers. Values are plain tuples instead of CodeRange/CodeSpan objects.

_NEWLINE_RE = re.compile(r"\r\n?|\n")

# syn[node] = (start_line, start_col, end_line, end_col, byte_start, byte_end)
#   == PositionProvider (lines 1-based, cols in code points) + ByteSpanPositionProvider
# ws[node]  = (start_line, start_col, end_line, end_col)
#   == WhitespaceInclusivePositionProvider
SynPos = tuple[int, int, int, int, int, int]
WsPos = tuple[int, int, int, int]


class _SyntacticRecorder:
    __slots__ = ("state", "node", "start_node", "end_node", "line", "column", "byte")

    def __init__(
        self,
        state: _PositionState,
        node: cst.CSTNode,
        start_node: cst.CSTNode | None,
        end_node: cst.CSTNode | None,
    ) -> None:
        self.state = state
        self.node = node
        self.start_node = start_node
        self.end_node = end_node

    def __enter__(self) -> None:
        st = self.state
        self.line = st.line
        self.column = st.column
        self.byte = st.byte

    def __exit__(self, *exc_info: object) -> bool:
        st = self.state
        sl, sc, sb = self.line, self.column, self.byte
        el, ec, eb = st.line, st.column, st.byte
        syn = st.syn
        if self.start_node is not None:
            s = syn[self.start_node]
            sl, sc, sb = s[0], s[1], s[4]
        if self.end_node is not None:
            e = syn[self.end_node]
            el, ec, eb = e[2], e[3], e[5]
        syn[self.node] = (sl, sc, el, ec, sb, eb)
        return False


class _PositionState(CodegenState or object):  # type: ignore[misc]
    __slots__ = ("line", "column", "byte", "syn", "ws", "_stack")

    def __init__(self, default_indent: str, default_newline: str) -> None:
        super().__init__(default_indent=default_indent, default_newline=default_newline)
        self.line = 1  # one-indexed, like LibCST
        self.column = 0  # zero-indexed code points
        self.byte = 0  # UTF-8 bytes of the (decoded) module text
        self.syn: dict[cst.CSTNode, SynPos] = {}
        self.ws: dict[cst.CSTNode, WsPos] = {}
        self._stack: list[tuple[int, int, int]] = []

    def _advance(self, value: str) -> None:
        if "\n" in value or "\r" in value:
            segments = _NEWLINE_RE.split(value)
            self.line += len(segments) - 1
            self.column = len(segments[-1])
        else:
            self.column += len(value)
        if value.isascii():
            self.byte += len(value)
        else:
            self.byte += len(value.encode("utf-8", "surrogatepass"))

    def add_indent_tokens(self) -> None:
        self.tokens.extend(self.indent_tokens)
        for token in self.indent_tokens:
            self._advance(token)

    def add_token(self, value: str) -> None:
        self.tokens.append(value)
        self._advance(value)

    def before_codegen(self, node: cst.CSTNode) -> None:
        self._stack.append((self.line, self.column, self.byte))

    def after_codegen(self, node: cst.CSTNode) -> None:
        sl, sc, sb = self._stack.pop()
        if node not in self.syn:
            self.syn[node] = (sl, sc, self.line, self.column, sb, self.byte)
        if node not in self.ws:
            self.ws[node] = (sl, sc, self.line, self.column)

    def record_syntactic_position(  # type: ignore[override]
        self,
        node: cst.CSTNode,
        *,
        start_node: cst.CSTNode | None = None,
        end_node: cst.CSTNode | None = None,
    ) -> _SyntacticRecorder:
        return _SyntacticRecorder(self, node, start_node, end_node)


# True -> resolve the three stock providers instead (slower: three codegen passes).
USE_STOCK_POSITION_PROVIDERS = CodegenState is None


def compute_positions(module: cst.Module) -> tuple[dict[cst.CSTNode, SynPos], dict[cst.CSTNode, WsPos]]:
    """Syntactic (line/col + byte) and whitespace-inclusive positions in one pass."""
    syn, ws, _ = positions_and_code(module)
    return syn, ws


def positions_and_code(
    module: cst.Module,
) -> tuple[dict[cst.CSTNode, SynPos], dict[cst.CSTNode, WsPos], str]:
    """``compute_positions`` and the module's code (``module.code``) from the same pass: the
    code is the tokens that pass generates, so it costs no second code generation."""
    if USE_STOCK_POSITION_PROVIDERS:
        return (*stock_positions(module), module.code)
    state = _PositionState(module.default_indent, module.default_newline)
    module._codegen(state)  # same entry point the stock position providers use
    return state.syn, state.ws, "".join(state.tokens)


def stock_positions(module: cst.Module) -> tuple[dict[cst.CSTNode, SynPos], dict[cst.CSTNode, WsPos]]:
    """The same maps from LibCST's PositionProvider, ByteSpanPositionProvider and
    WhitespaceInclusivePositionProvider (reference implementation)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    res = wrapper.resolve_many(
        {PositionProvider, ByteSpanPositionProvider, WhitespaceInclusivePositionProvider}
    )
    pos = res[PositionProvider]
    byte = res[ByteSpanPositionProvider]
    syn: dict[cst.CSTNode, SynPos] = {}
    for node, p in pos.items():
        b = byte.get(node)
        if b is None:
            continue
        syn[node] = (
            p.start.line, p.start.column, p.end.line, p.end.column, b.start, b.start + b.length
        )
    ws = {
        node: (p.start.line, p.start.column, p.end.line, p.end.column)
        for node, p in res[WhitespaceInclusivePositionProvider].items()
    }
    return syn, ws


def _aligned_offsets(generated: bytes, data: bytes, shift: int) -> dict[int, int]:
    """Offsets into ``generated`` mapped to offsets into ``data`` where the two agree.

    Lines are aligned first (cheap: the differences are a few characters), then the
    characters of each pair of differing lines; an offset inside a difference has no entry,
    so its position becomes null rather than wrong.
    """
    import difflib

    table: dict[int, int] = {}
    gen_lines = generated.splitlines(True)
    src_lines = data[shift:].splitlines(True)
    gen_starts = [0]
    for line in gen_lines:
        gen_starts.append(gen_starts[-1] + len(line))
    src_starts = [shift]
    for line in src_lines:
        src_starts.append(src_starts[-1] + len(line))

    def equal(a: int, b: int, size: int) -> None:
        for k in range(size + 1):
            table.setdefault(a + k, b + k)

    lines = difflib.SequenceMatcher(None, gen_lines, src_lines, autojunk=False)
    for tag, g1, g2, s1, s2 in lines.get_opcodes():
        if tag == "equal":
            equal(gen_starts[g1], src_starts[s1], gen_starts[g2] - gen_starts[g1])
        elif tag == "replace" and g2 - g1 == s2 - s1:
            for g, t in zip(range(g1, g2), range(s1, s2)):
                chars = difflib.SequenceMatcher(None, gen_lines[g], src_lines[t], autojunk=False)
                for a, b, size in chars.get_matching_blocks():
                    equal(gen_starts[g] + a, src_starts[t] + b, size)
    return table


class _ByteMap:
    """Map LibCST's UTF-8-of-text offsets to offsets into the raw file bytes.

    ``shift`` is added when ``table`` is None (UTF-8, +3 after a BOM); otherwise
    ``table`` maps every character-boundary offset (non-UTF-8 source encodings).
    """

    def __init__(self, data: bytes, module: cst.Module, code: str) -> None:
        self.shift = 0
        self.table: dict[int, int] | None = None
        self.basis = "file"
        self.exact = True  # LibCST's code is the file's text
        encoding = (module.encoding or "utf-8").lower().replace("_", "-")
        if encoding in ("utf-8", "utf8", "utf-8-sig", "utf8-sig"):
            self.shift = 3 if data.startswith(b"\xef\xbb\xbf") else 0
            generated = code.encode("utf-8", "surrogatepass")
            if generated != data[self.shift:]:
                # LibCST does not reproduce every file byte for byte (it drops the blank in
                # "except (A, B) :"); its offsets then drift from the file's after that point.
                self.table = _aligned_offsets(generated, data, self.shift)
                self.exact = False
            return
        # Another declared encoding (e.g. latin-1): build an exact offset table.
        text = code
        table: dict[int, int] = {}
        u = r = 0
        try:
            for ch in text:
                table[u] = r
                u += len(ch.encode("utf-8", "surrogatepass"))
                r += len(ch.encode(module.encoding))
            table[u] = r
        except (UnicodeError, LookupError):
            self.basis = "utf8_text"
            return
        if r != len(data):
            self.basis = "utf8_text"
            return
        self.table = table


# --------------------------------------------------------------------------- main


def cst_row(
    rel_path: str,
    data: bytes,
    file_id: str,
    repo: str | None,
    sha256: str | None,
    *,
    columns: bool = False,
) -> Row | ColumnarRow:
    """One ``libcst_files_v1`` row for one file. Never raises for bad input. With ``columns``
    a row with nodes and edges is a :class:`ColumnarRow` (error rows stay dicts)."""
    # The row and the CST are hundreds of thousands of small containers that are all
    # alive until the end; cyclic GC passes over them are pure overhead (~30%).
    gc_was_enabled = gc.isenabled()
    if gc_was_enabled:
        gc.disable()
    try:
        # ast.parse (nesting probe) and LibCST's docstring evaluation compile string
        # literals; their SyntaxWarning/DeprecationWarning ("invalid escape sequence")
        # would otherwise be printed once per offending file.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _run_on_big_stack(_cst_row, rel_path, data, file_id, repo, sha256, columns)
    finally:
        if gc_was_enabled:
            gc.enable()


def _cst_row(
    rel_path: str,
    data: bytes,
    file_id: str,
    repo: str | None,
    sha256: str | None,
    columns: bool = False,
) -> Row | ColumnarRow:
    try:
        _guard_nesting(rel_path, data)
        try:
            module = cst.parse_module(data)
        except cst.ParserSyntaxError as exc:
            return _parser_syntax_error_row(rel_path, file_id, repo, sha256, exc)
        return _Extractor(rel_path, data, file_id, repo, sha256, module).run(columns)
    except _NestingTooDeep as exc:
        return cst_error_row(rel_path, file_id, repo, "RecursionError", str(exc), sha256)
    except RecursionError as exc:
        return cst_error_row(
            rel_path,
            file_id,
            repo,
            "RecursionError",
            f"{rel_path}: nesting too deep for LibCST (Python recursion limit): {exc}",
            sha256,
        )
    except Exception as exc:  # noqa: BLE001 - the contract is "never raise"
        return cst_error_row(
            rel_path,
            file_id,
            repo,
            type(exc).__name__,
            f"{rel_path}: could not extract LibCST rows: {exc}",
            sha256,
        )


class _Extractor:
    def __init__(
        self,
        rel_path: str,
        data: bytes,
        file_id: str,
        repo: str | None,
        sha256: str | None,
        module: cst.Module,
    ) -> None:
        self.rel_path = rel_path
        self.data = data
        self.file_id = file_id
        self.repo = repo
        self.sha256 = sha256
        self.module = module
        self.identity: Row = {"file_id": file_id, "path": rel_path, "file_sha256": sha256}
        self.row = _empty_row(rel_path, file_id, repo, sha256)
        self.columns = CstColumns()

    # -- spans -------------------------------------------------------------

    def _span(self, node: cst.CSTNode) -> tuple[int | None, int | None]:
        """(bstart, bend) of ``node`` in raw file bytes, or (None, None)."""
        p = self.syn.get(node)
        if p is None:
            return None, None
        table = self.btable
        if table is None:
            shift = self.bshift
            return p[4] + shift, p[5] + shift
        start = table.get(p[4])
        end = table.get(p[5])
        if start is None or end is None:
            return None, None
        return start, end

    def _code(self, node: cst.CSTNode) -> str | None:
        try:
            return self.module.code_for_node(node)
        except (AttributeError, ValueError, TypeError):
            return None

    def _text(self, node: cst.CSTNode, span: tuple[int | None, int | None] | None = None) -> str | None:
        """Exact source text of ``node``'s syntactic span (what slicing the file gives).

        ``Module.code_for_node`` is not used: it re-renders the node without the
        enclosing block's indentation (multi-line expressions differ from the source)
        and it includes the node's own parentheses, which its span excludes.
        """
        start, end = self._span(node) if span is None else span
        if start is None or end is None:
            return self._code(node)
        return self.src_bytes[start:end].decode(self.src_encoding, "replace")

    def _qnames(self, node: cst.CSTNode) -> list[Row]:
        # Exactly what QualifiedNameProvider stores for ``node`` (it calls
        # scope.get_qualified_names_for on every node), computed only where needed.
        scope = self.scopes.get(node)
        if scope is None:
            return []
        qset = scope.get_qualified_names_for(node)
        if not qset:
            return []
        return [
            {"name": q.name, "source": str(q.source)}
            for q in sorted(qset, key=lambda q: (q.name, str(q.source)))
        ]

    # -- driver ------------------------------------------------------------

    def run(self, columns: bool = False) -> Row | ColumnarRow:
        """The row; with ``columns`` a :class:`ColumnarRow` whose nodes and edges are the
        :class:`CstColumns` (the row's own lists stay empty)."""
        module = self.module
        # unsafe_skip_copy: the wrapper works on ``module`` itself (no deep copy), so
        # the node objects keyed by the metadata maps are the ones walked below.
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        try:
            resolved = wrapper.resolve_many({ExpressionContextProvider, ScopeProvider})
            self.ctxs = resolved[ExpressionContextProvider]
            self.scopes = resolved[ScopeProvider]
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001 - degrade: rows without ctx/scope/qnames
            self.ctxs = {}
            self.scopes = {}
            self.row["attrs"]["scope_error"] = f"{type(exc).__name__}: {exc}"
        self.syn, self.ws, code = positions_and_code(module)
        bmap = _ByteMap(self.data, module, code)
        self.bshift = bmap.shift
        self.btable = bmap.table
        if not bmap.exact:
            self.row["attrs"]["codegen_roundtrip"] = "inexact"
        if bmap.basis != "file":
            self.row["attrs"]["byte_offset_basis"] = bmap.basis
            self.src_bytes = code.encode("utf-8", "surrogatepass")
            self.src_encoding = "utf-8"
        else:
            self.src_bytes = self.data
            self.src_encoding = "utf-8" if bmap.table is None else module.encoding

        self.def_stack: list[tuple[str, int | None, int | None]] = []
        self._walk(module)
        self._manifest()

        row = self.row
        row["defs"].sort(key=_key_span("def_bstart", "def_bend"))
        row["refs"].sort(key=_key_span("bstart", "bend"))
        row["callsites"].sort(key=_key_span("call_bstart", "call_bend"))
        row["call_args"].sort(
            key=lambda r: (*_key_span("call_bstart", "call_bend")(r), r["arg_index"])
        )
        row["type_exprs"].sort(key=_key_span("bstart", "bend"))
        row["imports"].sort(
            key=lambda r: (*_key_span("stmt_bstart", "stmt_bend")(r), _nz(r["alias_bstart"]))
        )
        if columns:
            return ColumnarRow(row, self.columns)
        row["nodes"], row["edges"] = self.columns.rows()
        return row

    def _manifest(self) -> None:
        module = self.module
        try:
            v = module.config_for_parsing.parsed_python_version
            parsed_version: str | None = f"{v.major}.{v.minor}"
        except Exception:  # noqa: BLE001
            parsed_version = None
        module_name, package_name = _module_and_package(self.rel_path)
        self.row["parse_manifest"].append(
            {
                **self.identity,
                "encoding": module.encoding,
                "default_indent": module.default_indent,
                "default_newline": module.default_newline,
                "has_trailing_newline": bool(module.has_trailing_newline),
                "future_imports": _future_imports(module),
                "module_name": module_name,
                "package_name": package_name,
                "libcst_version": LIBCST_VERSION,
                "parser_backend": PARSER_BACKEND,
                "parsed_python_version": parsed_version,
                "schema_identity_hash": None,
            }
        )

    def _walk(self, root: cst.Module) -> None:
        """Pre-order over every CSTNode-typed dataclass field (declaration order).

        Emits nodes/edges and dispatches entity handlers. Iterative, so arbitrarily
        deep trees cannot overflow the Python stack here.
        """
        columns = self.columns
        add_record = columns.records.append
        add_position = columns.positions.append
        add_ws_position = columns.ws_positions.append
        syn_get = self.syn.get
        ws_get = self.ws.get
        table = self.btable
        shift = self.bshift
        def_stack = self.def_stack
        class_info = _class_info
        is_node = _IS_NODE
        next_id = 1
        # Stack items: (node, parent_id, parent_node, slot, idx) or a def-exit marker.
        stack: list[Any] = [(root, None, None, None, None)]
        pop = stack.pop
        push = stack.append
        while stack:
            item = pop()
            if item is None:
                def_stack.pop()
                continue
            node, parent_id, parent, slot, idx = item
            cst_id = next_id
            next_id += 1
            pos = syn_get(node)
            if pos is None:
                bstart = bend = None
                add_position(NO_POS)
            else:
                if table is None:
                    bstart = pos[4] + shift
                    bend = pos[5] + shift
                else:
                    bstart = table.get(pos[4])
                    bend = table.get(pos[5])
                    if bstart is None or bend is None:
                        bstart = bend = None
                add_position(pos)
            wpos = ws_get(node)
            add_ws_position(NO_WS_POS if wpos is None else wpos)
            cls = type(node)
            info = class_info.get(cls)
            if info is None:
                info = _register_class(cls)
            kind, fields, handler = info
            add_record((kind, bstart, bend, parent_id, slot, idx))
            if handler is not None and handler(self, node, parent, slot, bstart, bend):
                push(None)  # def-exit marker: popped after all of the def's children
            children: list[Any] = []
            for name in fields:
                value = getattr(node, name)
                vcls = type(value)
                if vcls is tuple or vcls is list:
                    i = 0
                    for child in value:
                        if _is_node_type(is_node, type(child)):
                            children.append((child, cst_id, node, name, i))
                        i += 1
                elif _is_node_type(is_node, vcls):
                    children.append((value, cst_id, node, name, None))
            if children:
                children.reverse()
                stack.extend(children)

    # -- entity handlers (return True to push a def scope) ----------------------

    def _on_module(self, node: cst.Module, parent: Any, slot: Any, bstart: Any, bend: Any) -> bool:
        self._docstring(node, "module", None, None, None)
        return False

    def _docstring(
        self,
        node: cst.Module | cst.FunctionDef | cst.ClassDef,
        owner_kind: str,
        owner_def_id: str | None,
        owner_bstart: int | None,
        owner_bend: int | None,
    ) -> str | None:
        try:
            text = node.get_docstring()
        except Exception:  # noqa: BLE001 - e.g. undecodable escapes in the literal
            text = None
        if not text:
            return text
        expr = _docstring_expr(node.body)
        d_start, d_end = self._span(expr) if expr is not None else (None, None)
        self.row["docstrings"].append(
            {
                **self.identity,
                "owner_def_id": owner_def_id,
                "owner_kind": owner_kind,
                "owner_def_bstart": owner_bstart,
                "owner_def_bend": owner_bend,
                "docstring": text,
                "bstart": d_start,
                "bend": d_end,
            }
        )
        return text

    def _on_def(
        self, node: cst.FunctionDef | cst.ClassDef, parent: Any, slot: Any, bstart: Any, bend: Any
    ) -> bool:
        if isinstance(node, cst.ClassDef):
            kind = "class"
        else:
            kind = "async_function" if node.asynchronous is not None else "function"
        def_id = stable_id("cst_def", self.file_id, kind, bstart, bend)
        name_bstart, name_bend = self._span(node.name)
        container = self.def_stack[-1] if self.def_stack else (None, None, None)
        docstring = self._docstring(node, kind, def_id, bstart, bend)
        self.row["defs"].append(
            {
                **self.identity,
                "def_id": def_id,
                "container_def_kind": container[0],
                "container_def_bstart": container[1],
                "container_def_bend": container[2],
                "kind": kind,
                "name": node.name.value,
                "def_bstart": bstart,
                "def_bend": bend,
                "name_bstart": name_bstart,
                "name_bend": name_bend,
                "qnames": self._qnames(node),
                "def_fqns": [],
                "docstring": docstring,
                "decorator_count": len(node.decorators),
                "attrs": {},
            }
        )
        for index, dec in enumerate(node.decorators):
            d_start, d_end = self._span(dec)
            self.row["decorators"].append(
                {
                    **self.identity,
                    "owner_def_id": def_id,
                    "owner_kind": kind,
                    "owner_def_bstart": bstart,
                    "owner_def_bend": bend,
                    "decorator_text": self._text(dec.decorator),
                    "decorator_index": index,
                    "bstart": d_start,
                    "bend": d_end,
                }
            )
        if isinstance(node, cst.FunctionDef):
            self._type_exprs(node, kind, bstart, bend)
        self.def_stack.append((kind, bstart, bend))
        return True

    def _type_exprs(self, node: cst.FunctionDef, kind: str, bstart: Any, bend: Any) -> None:
        params = node.params
        annotated: list[tuple[str, str | None, cst.Annotation]] = []
        plist: list[Any] = [*params.posonly_params, *params.params]
        if isinstance(params.star_arg, cst.Param):
            plist.append(params.star_arg)
        plist.extend(params.kwonly_params)
        if params.star_kwarg is not None:
            plist.append(params.star_kwarg)
        for param in plist:
            if param.annotation is not None:
                annotated.append(("param", param.name.value, param.annotation))
        if node.returns is not None:
            annotated.append(("return", None, node.returns))
        out = self.row["type_exprs"]
        for role, param_name, annotation in annotated:
            expr = annotation.annotation
            e_start, e_end = self._span(expr)
            text = self._text(expr, (e_start, e_end))
            if text is None:
                continue
            out.append(
                {
                    **self.identity,
                    "owner_def_kind": kind,
                    "owner_def_bstart": bstart,
                    "owner_def_bend": bend,
                    "param_name": param_name,
                    "expr_kind": "annotation",
                    "expr_role": role,
                    "bstart": e_start,
                    "bend": e_end,
                    "expr_text": text,
                }
            )

    def _ref(self, node: cst.CSTNode, parent: Any, kind: str, text: str | None, bstart: Any, bend: Any) -> None:
        ctx = self.ctxs.get(node)
        scope = self.scopes.get(node)
        self.row["refs"].append(
            {
                **self.identity,
                "ref_id": stable_id("cst_ref", self.file_id, bstart, bend),
                "ref_kind": kind,
                "ref_text": text,
                "expr_ctx": str(ctx) if ctx is not None else None,
                "scope_type": type(scope).__name__ if scope is not None else None,
                "scope_name": getattr(scope, "name", None) if scope is not None else None,
                "scope_role": None,
                "parent_kind": type(parent).__name__ if parent is not None else None,
                "inferred_type": None,
                "bstart": bstart,
                "bend": bend,
                "attrs": {},
            }
        )

    def _on_name(self, node: cst.Name, parent: Any, slot: Any, bstart: Any, bend: Any) -> bool:
        if isinstance(parent, cst.Attribute):
            return False
        if slot == "name" and isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
            return False
        self._ref(node, parent, "name", node.value, bstart, bend)
        return False

    def _on_attribute(
        self, node: cst.Attribute, parent: Any, slot: Any, bstart: Any, bend: Any
    ) -> bool:
        text = _dotted(node)
        if text is None:
            text = self._text(node, (bstart, bend))
        self._ref(node, parent, "attribute", text, bstart, bend)
        return False

    def _import_row(
        self,
        kind: str,
        module: str | None,
        level: int,
        name: str | None,
        asname: str | None,
        is_star: bool,
        stmt: tuple[Any, Any],
        alias: tuple[Any, Any],
    ) -> None:
        self.row["imports"].append(
            {
                **self.identity,
                "kind": kind,
                "module": module,
                "relative_level": level,
                "name": name,
                "asname": asname,
                "is_star": is_star,
                "stmt_bstart": stmt[0],
                "stmt_bend": stmt[1],
                "alias_bstart": alias[0],
                "alias_bend": alias[1],
                "attrs": {},
            }
        )

    @staticmethod
    def _asname(alias: cst.ImportAlias) -> str | None:
        if alias.asname is None:
            return None
        target = alias.asname.name
        return _dotted(target) if not isinstance(target, cst.Name) else target.value

    def _on_import(self, node: cst.Import, parent: Any, slot: Any, bstart: Any, bend: Any) -> bool:
        for alias in node.names:
            self._import_row(
                "import",
                None,
                0,
                _dotted(alias.name),
                self._asname(alias),
                False,
                (bstart, bend),
                self._span(alias),
            )
        return False

    def _on_import_from(
        self, node: cst.ImportFrom, parent: Any, slot: Any, bstart: Any, bend: Any
    ) -> bool:
        module = _dotted(node.module) if node.module is not None else None
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            self._import_row(
                "importfrom", module, level, "*", None, True, (bstart, bend), self._span(node.names)
            )
            return False
        for alias in node.names:
            self._import_row(
                "importfrom",
                module,
                level,
                _dotted(alias.name),
                self._asname(alias),
                False,
                (bstart, bend),
                self._span(alias),
            )
        return False

    def _on_call(self, node: cst.Call, parent: Any, slot: Any, bstart: Any, bend: Any) -> bool:
        call_id = stable_id("cst_call", self.file_id, bstart, bend)
        func = node.func
        c_start, c_end = self._span(func)
        qnames = self._qnames(func) or self._qnames(node)
        self.row["callsites"].append(
            {
                **self.identity,
                "call_id": call_id,
                "call_bstart": bstart,
                "call_bend": bend,
                "callee_bstart": c_start,
                "callee_bend": c_end,
                "callee_shape": _callee_shape(func),
                "callee_text": self._text(func, (c_start, c_end)),
                "arg_count": len(node.args),
                "callee_dotted": _dotted(func),
                "callee_qnames": qnames,
                "callee_fqns": [],
                "inferred_type": None,
                "attrs": {},
            }
        )
        out = self.row["call_args"]
        for index, arg in enumerate(node.args):
            a_start, a_end = self._span(arg.value)
            out.append(
                {
                    **self.identity,
                    "call_id": call_id,
                    "call_bstart": bstart,
                    "call_bend": bend,
                    "arg_index": index,
                    "keyword": arg.keyword.value if arg.keyword is not None else None,
                    "star": arg.star,
                    "arg_text": self._text(arg.value, (a_start, a_end)),
                    "bstart": a_start,
                    "bend": a_end,
                }
            )
        return False


_HANDLERS: dict[type, Callable[..., bool]] = {
    cst.Module: _Extractor._on_module,
    cst.FunctionDef: _Extractor._on_def,
    cst.ClassDef: _Extractor._on_def,
    cst.Name: _Extractor._on_name,
    cst.Attribute: _Extractor._on_attribute,
    cst.Import: _Extractor._on_import,
    cst.ImportFrom: _Extractor._on_import_from,
    cst.Call: _Extractor._on_call,
}


# type -> ("libcst.<ClassName>", dataclass field names, entity handler or None)
_class_info: dict[type, tuple[str, tuple[str, ...], Callable[..., bool] | None]] = {}


def _register_class(cls: type) -> tuple[str, tuple[str, ...], Callable[..., bool] | None]:
    info = ("libcst." + cls.__name__, _node_fields(cls), _HANDLERS.get(cls))
    _class_info[cls] = info
    return info


def _nz(value: int | None) -> int:
    return -1 if value is None else value


def _key_span(start: str, end: str) -> Callable[[Row], tuple[int, int]]:
    def key(row: Row) -> tuple[int, int]:
        return (_nz(row[start]), -_nz(row[end]))

    return key
