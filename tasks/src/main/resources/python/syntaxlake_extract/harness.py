"""Shared driver for the ``ast`` and ``cst`` extractors.

* :func:`discover` walks the source tree for ``*.py`` files (sorted,
  repo-relative POSIX paths, ``--exclude`` globs matched with
  :func:`fnmatch.fnmatchcase` against the relative path).  Symlinked
  directories are followed; a symlink that leads back to one of its own
  ancestors (or that the OS reports as ELOOP) becomes an error row instead of
  being walked forever.
* :func:`run` splits the sorted file list into batches of consecutive paths
  and processes them on a :mod:`multiprocessing` pool (``imap_unordered``).
  Batch ``i`` is written to its own part file ``part-<i>.arrow`` (Arrow IPC
  file format, the contract's schema: :class:`_ArrowPart`) or, when asked
  for, ``part-<i>.json`` (NDJSON) (``i`` zero-padded to one width per run)
  under the output directory: rows are streamed to ``.part-<i>.<ext>.tmp``
  and the file is renamed with :func:`os.replace` once complete, so a crash
  never leaves a half-written visible part.  Reading the parts in name order,
  each from start to end, therefore yields the rows in path order (the order
  of the paths' UTF-8 bytes, as the tables compare them): the materialize
  step copies them as they come, without a sort.
* Every discovered file yields exactly one row.  Files that cannot be read
  (I/O error, not a regular file, above ``max_bytes`` - checked with
  :func:`os.stat`, such files are never read -, symlink loop) get the row
  built by the kind's *error row* function; exceptions escaping the kind's
  row builder are turned into error rows as well.

Row builders return a JSON-compatible ``dict``, an :class:`EncodedRow`
(already serialised JSON text plus its error count; it lets a kind render JSON
directly on its hot path) or a :class:`ColumnarRow` (a dict whose biggest lists
are columns that become Arrow arrays without a Python object per element).
"""

from __future__ import annotations

import errno
import fnmatch
import gc
import hashlib
import json
import os
import re
import stat
import sys
import time
from collections import namedtuple

from . import sources
from .ids import file_id as make_file_id
from .sources import stored_path

__all__ = [
    "ColumnarRow",
    "EncodedRow",
    "HarnessError",
    "DEFAULT_BATCH_FILES",
    "DEFAULT_MAX_BYTES",
    "discover",
    "run",
    "generic_error_row",
]

DEFAULT_BATCH_FILES = 64
DEFAULT_MAX_BYTES = 50_000_000
_WRITE_BUFFER = 1 << 20

# staging formats and their part file extensions
ARROW = "arrow"
NDJSON = "ndjson"
_EXTENSIONS = {ARROW: ".arrow", NDJSON: ".json"}

class EncodedRow(namedtuple("EncodedRow", ["chunks", "error_count", "columns"], defaults=(None,))):
    """A row that is already serialised.

    ``chunks`` is a sequence of str whose concatenation is one compact JSON
    object (no trailing newline) - written with ``writelines`` so a large row
    is never copied into one more big string; ``error_count`` is the length of
    the row's error list. ``columns``, from a columnar row builder only, holds
    the row's nodes and edges as the native walker's Arrow arrays (the JSON
    text then has empty ``nodes`` and ``edges``): only Arrow staging takes it.
    """

    __slots__ = ()

    @property
    def text(self) -> str:
        return "".join(self.chunks)


class ColumnarRow(namedtuple("ColumnarRow", ["row", "columns"])):
    """A row as a dict whose biggest lists are kept as columns.

    ``columns`` (e.g. ``cst_columns.CstColumns``) holds no text taken from the source (node
    kinds and slot names only), so no lone surrogate can be in it, and has ``names`` (the row's
    fields it holds, empty lists in ``row``), ``arrow(*types)`` (their one-row pyarrow arrays,
    given the fields' types in ``names`` order) and ``rows()`` (their lists, for JSON text).
    Arrow staging takes the arrays; NDJSON staging and a failed Arrow write fall back to the dict.
    """

    __slots__ = ()

    def repaired(self) -> "ColumnarRow":
        """This row with its dict's strings repaired (:func:`repaired_strings`); the columns
        hold no text taken from the source, so they need no repair."""
        return ColumnarRow(repaired_strings(self.row), self.columns)

    def as_dict(self) -> dict:
        row = self.row
        for name, values in zip(self.columns.names, self.columns.rows()):
            row[name] = values
        return row


#: The end of every row's JSON text: its last member, the tree's git revision, is null in the
#: builders' rows (they see one file) and set by the harness for the run (see ``run``).
UNSTAMPED = ',"source_revision":null}'


class HarnessError(Exception):
    """Bad arguments / environment (reported by the CLI with exit code 2)."""


_encode = json.JSONEncoder(separators=(",", ":"), check_circular=False, ensure_ascii=True).encode

# A Python str may hold lone surrogates (a docstring or string constant written with a "\udc80"
# escape). JSON-encoded they become "\udc80", which strict readers (arrow-json) reject and which
# no UTF-8 column can hold. They are kept as visible text instead (the six characters \udc80):
# the JSON text itself is patched, an extra backslash before each lone escape. Surrogate pairs
# (astral characters, common in test data) are left alone. The scan jumps from one "\ud" to the
# next with str.find, so rows without one cost a single substring search; an earlier version
# decoded and re-encoded every row holding an emoji, which cost more than the extraction.


def _has_surrogates(text) -> bool:
    if text is None:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


# The escapes that make a lone surrogate: \uD800-\uDFFF and \U0000D800-\U0000DFFF, hex digits in
# either case (\x and octal escapes stop at U+01FF, and no \N{...} name is a surrogate).
_SURROGATE_ESCAPE = re.compile(rb"\\(?:u[dD]|U0000[dD])[89a-fA-F]")


def may_hold_lone_surrogates(data: bytes) -> bool:
    """Whether strings built from this source can hold lone surrogates at all.

    UTF-8 source text never holds one (strict decoding; identifiers cannot); a string literal
    gets one only from a surrogate escape (:data:`_SURROGATE_ESCAPE`; a match in a comment, a
    raw string or after an escaped backslash only costs a needless scan). Other declared
    encodings (PEP 263: a ``coding`` cookie on the first two lines) are checked anyway: UTF-7
    decodes to lone surrogates. Otherwise no value the row builders take from the file can need
    :func:`valid_json_text`, whose scan of the row text (about 50 bytes of JSON per source
    byte) is then skipped.
    """
    if _SURROGATE_ESCAPE.search(data) is not None:
        return True
    first = data.find(b"\n")
    second = data.find(b"\n", first + 1) if first >= 0 else -1
    return b"coding" in (data if second < 0 else data[:second])


def valid_json_text(text: str) -> str:
    """``text`` (compact JSON, ensure_ascii) with each lone surrogate escape made literal text.

    Returns ``text`` itself when nothing needs to change.
    """
    find = text.find
    i = find("\\ud")
    if i < 0:
        return text
    pieces = []
    done = 0
    while i >= 0:
        first = i
        while first > 0 and text[first - 1] == "\\":
            first -= 1
        if (i - first) % 2:  # this backslash is escaped itself: "ud..." is plain text
            i = find("\\ud", i + 1)
            continue
        digit = text[i + 3 : i + 4]
        if digit in ("8", "9", "a", "b") and text.startswith("\\ud", i + 6) and text[i + 9 : i + 10] in (
            "c", "d", "e", "f"
        ):
            i = find("\\ud", i + 12)  # a high + low pair: one astral character
            continue
        if digit in ("8", "9", "a", "b", "c", "d", "e", "f"):
            pieces.append(text[done:i])
            pieces.append("\\")
            done = i
        i = find("\\ud", i + 6)
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def repaired_strings(value):
    """``value`` (a row's dicts, lists and scalars) with every str that holds a surrogate as
    JSON text would carry it through :func:`valid_json_text`: a lone one as the six characters
    ``\\udc80``, a high + low pair as the astral character. Returns ``value`` itself when no
    str in it needs to change."""
    if value.__class__ is str:
        if not _has_surrogates(value):
            return value
        return json.loads(valid_json_text(_encode(value)))
    if value.__class__ is dict:
        items = {key: repaired_strings(item) for key, item in value.items()}
        changed = any(items[key] is not item for key, item in value.items())
        return items if changed else value
    if value.__class__ in (list, tuple):
        items = [repaired_strings(item) for item in value]
        changed = any(new is not old for new, old in zip(items, value))
        return value.__class__(items) if changed else value
    return value


def generic_error_row(rel_path, file_id, repo, error_type, message, errors_key="parse_errors"):
    """Fallback error row for kinds that do not provide their own."""
    return {
        "repo": repo,
        "path": rel_path,
        "file_id": file_id,
        "file_sha256": None,
        errors_key: [
            {
                "error_type": error_type,
                "message": message,
                "span": {
                    "start": None,
                    "end": None,
                    "end_exclusive": True,
                    "col_unit": "byte",
                    "byte_span": None,
                },
                "attrs": {},
            }
        ],
        "source_revision": None,
    }


# ---------------------------------------------------------------------------
# Discovery
# ---------------------------------------------------------------------------


def _excluded(rel: str, excludes) -> bool:
    for pat in excludes:
        if fnmatch.fnmatchcase(rel, pat):
            return True
    return False


def discover(source: str, excludes=()) -> list:
    """Sorted list of ``(rel_path, preset_error)`` for every ``*.py`` under source.

    ``preset_error`` is None for ordinary files, or ``(error_type, message)``
    for entries that already failed during discovery (symlink loops,
    unlistable directories).
    """
    root = os.path.abspath(source)
    try:
        st = os.stat(root)
    except OSError as exc:
        raise HarnessError(f"--source {source!r}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(st.st_mode):
        raise HarnessError(f"--source {source!r} is not a directory")
    excludes = tuple(excludes or ())
    found = []
    stack = [("", root, frozenset([(st.st_dev, st.st_ino)]))]
    while stack:
        rel_dir, abs_dir, ancestors = stack.pop()
        try:
            with os.scandir(abs_dir) as it:
                entries = list(it)
        except OSError as exc:
            if rel_dir and not _excluded(rel_dir, excludes):
                found.append(
                    (rel_dir, ("OSError", f"{rel_dir}: cannot list directory: {exc.strerror or exc}"))
                )
            continue
        for entry in entries:
            name = entry.name
            rel = rel_dir + "/" + name if rel_dir else name
            is_py = name.endswith(".py")
            try:
                is_dir = entry.is_dir()  # follows symlinks
            except OSError as exc:
                if exc.errno == errno.ELOOP:
                    if not _excluded(rel, excludes):
                        found.append((rel, ("SymlinkLoopError", f"{rel}: symlink loop: {exc.strerror}")))
                    continue
                is_dir = False
            if is_dir:
                try:
                    dst = entry.stat()
                    key = (dst.st_dev, dst.st_ino)
                except OSError as exc:
                    if not _excluded(rel, excludes):
                        etype = "SymlinkLoopError" if exc.errno == errno.ELOOP else "OSError"
                        found.append((rel, (etype, f"{rel}: cannot stat directory: {exc.strerror or exc}")))
                    continue
                if key in ancestors:
                    if not _excluded(rel, excludes):
                        target = os.path.realpath(entry.path)
                        found.append(
                            (
                                rel,
                                (
                                    "SymlinkLoopError",
                                    f"{rel}: symlink loop: directory resolves to {target!r}, "
                                    "which is one of its own ancestors; not followed",
                                ),
                            )
                        )
                    continue
                stack.append((rel, entry.path, ancestors | {key}))
                if is_py and not _excluded(rel, excludes):
                    # a directory named *.py: reported (as not a regular file)
                    found.append((rel, None))
            elif is_py and not _excluded(rel, excludes):
                found.append((rel, None))
    found.sort(key=_stored_order)
    return found


def _stored_order(entry) -> bytes:
    """Sort key of a discovered path: the UTF-8 bytes of the path as its row stores it.

    A file name with undecodable bytes holds lone surrogates (surrogateescape); its row keeps
    each as the visible text ``\\udcXX`` (:func:`valid_json_text`), which is what
    ``backslashreplace`` writes, so this is the order of the stored strings.
    """
    return entry[0].encode("utf-8", "backslashreplace")


# ---------------------------------------------------------------------------
# Workers
# ---------------------------------------------------------------------------

_CTX = None


def _init_worker(ctx) -> None:
    global _CTX
    _CTX = ctx
    # AST and CST trees are acyclic: reference counting frees them.  The cyclic
    # collector would otherwise run thousands of times per file while the
    # parser allocates; we collect explicitly after every batch instead, or
    # after every file when its garbage holds cycles (``collect_after_file``;
    # cheap: everything alive at start-up is frozen out of its reach).
    gc.disable()
    gc.freeze()


def _read_file(path: str, rel: str, max_bytes):
    """Returns (data, None) or (None, (error_type, message))."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, ("SymlinkLoopError", f"{rel}: symlink loop: {exc.strerror}")
        return None, ("OSError", f"{rel}: cannot stat: {type(exc).__name__}: {exc.strerror or exc}")
    if not stat.S_ISREG(st.st_mode):
        what = "a directory" if stat.S_ISDIR(st.st_mode) else "not a regular file"
        return None, ("OSError", f"{rel}: cannot read: {what}")
    if max_bytes is not None and st.st_size > max_bytes:
        return None, ("AstLimitError", f"{rel}: file is {st.st_size} bytes, above max_bytes={max_bytes}; not read")
    try:
        with open(path, "rb") as fh:
            data = fh.read() if max_bytes is None else fh.read(max_bytes + 1)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, ("SymlinkLoopError", f"{rel}: symlink loop: {exc.strerror}")
        return None, ("OSError", f"{rel}: cannot read: {type(exc).__name__}: {exc.strerror or exc}")
    if max_bytes is not None and len(data) > max_bytes:
        return None, ("AstLimitError", f"{rel}: file grew above max_bytes={max_bytes} while being read")
    return data, None


class _NdjsonPart:
    """A part file of NDJSON text: one line per row."""

    def __init__(self, path: str, schema):
        self._out = open(path, "w", encoding="utf-8", newline="\n", buffering=_WRITE_BUFFER)

    def write_row(self, chunks, columns) -> None:
        self._out.writelines(chunks)
        self._out.write("\n")

    def write_dict(self, row, columns=None) -> bool:
        return False  # NDJSON is text: the caller encodes the row

    def close(self) -> None:
        self._out.close()

    def discard(self) -> None:
        self._out.close()


class _ArrowPart:
    """A part file in the Arrow IPC file format (the native ``ArrowPartWriter``).

    The writer decodes each row's JSON text into the schema of the IPC stream file ``schema``
    (written by the JVM from the dataset's contract). A row that does not fit raises ValueError
    and is not written; rows out of (repo, path) order raise RuntimeError. A row built as Python
    objects (the LibCST rows) skips the text where pyarrow is installed: pyarrow's builders turn
    it into a one-row record batch of the same schema, which the writer takes through the Arrow
    C data interface (about a third of what encoding the JSON and decoding it again costs).
    """

    def __init__(self, path: str, schema):
        self._writer = _native_part_writer()(schema, path)
        self._arrow_schema = _pyarrow_schema(schema)

    def write_row(self, chunks, columns) -> None:
        self._writer.write_row(chunks if chunks.__class__ in (list, tuple) else list(chunks), columns)

    def write_dict(self, row, columns=None) -> bool:
        """Writes ``row`` (a dict; with the ``columns`` of a :class:`ColumnarRow`) through
        pyarrow; False, with nothing written, where pyarrow is missing or refuses the row (the
        caller then writes its JSON text, whose decoding names what does not fit)."""
        schema = self._arrow_schema
        if schema is None:
            return False
        try:
            batch = _pyarrow.RecordBatch.from_pylist([row], schema=schema)
            if columns is not None:
                batch = _with_columns(batch, columns)
        except (_pyarrow.ArrowException, TypeError, ValueError, OverflowError):
            return False
        try:
            self._writer.write_arrow(batch)
        except ValueError:  # the arrays do not hold to the schema (e.g. a null where none may be)
            return False
        return True

    def close(self) -> None:
        self._writer.close()

    def discard(self) -> None:
        pass


_PARTS = {ARROW: _ArrowPart, NDJSON: _NdjsonPart}

try:  # optional: without it dict rows reach the Arrow writer as JSON text
    import pyarrow as _pyarrow
    import pyarrow.ipc as _pyarrow_ipc
except ImportError:  # pragma: no cover - the extractor's environment installs it
    _pyarrow = None

_ARROW_SCHEMAS: dict = {}


def _with_columns(batch, columns):
    """``batch`` with the fields ``columns.names`` replaced by ``columns.arrow(...)``."""
    schema = batch.schema
    names = columns.names
    arrays = dict(zip(names, columns.arrow(*(schema.field(name).type for name in names))))
    return _pyarrow.RecordBatch.from_arrays(
        [arrays.get(name, batch.column(i)) for i, name in enumerate(schema.names)], schema=schema
    )


def _pyarrow_schema(path: str):
    """The pyarrow schema in the IPC stream file ``path`` (read once per process), or None
    without pyarrow."""
    if _pyarrow is None:
        return None
    schema = _ARROW_SCHEMAS.get(path)
    if schema is None:
        with _pyarrow_ipc.open_stream(path) as reader:
            schema = _ARROW_SCHEMAS[path] = reader.schema
    return schema


def _native_part_writer():
    """The native Arrow writer class; HarnessError when the extension is not there."""
    try:
        from ._native_walk import ArrowPartWriter
    except ImportError as exc:
        raise HarnessError(
            "Arrow staging needs the extractor's native extension (syntaxlake_extract._native_walk, "
            f"built from tasks/native), which cannot be imported: {exc}; use --format ndjson without it"
        ) from None
    return ArrowPartWriter


SOURCE_REVISION = re.compile(r"(?:[0-9a-f]{40}|[0-9a-f]{64})(?:-dirty)?")


def _unchanged(row):
    return row


def _revision_stamp(revision):
    """A function that sets ``source_revision`` to ``revision`` in a row of any kind the builders
    return (they see one file and leave it null; the revision is the whole tree's)."""
    if revision is None:
        return _unchanged
    stamped = ',"source_revision":' + json.dumps(revision) + "}"

    def stamp(row):
        cls = row.__class__
        if cls is EncodedRow:
            chunks = list(row.chunks)
            last = chunks[-1]
            if not last.endswith(UNSTAMPED):
                raise ValueError(f"a row's JSON text does not end with {UNSTAMPED!r}: ...{last[-40:]!r}")
            chunks[-1] = last[: -len(UNSTAMPED)] + stamped
            return row._replace(chunks=chunks)
        (row.row if cls is ColumnarRow else row)["source_revision"] = revision
        return row

    return stamp


def _process_batch(numbered) -> dict:
    """Process one ``(part_name, batch of (rel_path, preset_error))``; write that part file."""
    name, batch = numbered
    (root, out_dir, row_fn, columnar_fn, err_fn, repo, max_bytes, errors_key, staging, schema,
     columnar_repairable, collect_after_file, revision) = _CTX
    stamp = _revision_stamp(revision)
    tmp = os.path.join(out_dir, "." + name + ".tmp")
    final = os.path.join(out_dir, name)
    files = rows = error_rows = error_files = nbytes = 0
    digests = {}  # the file_sha256 of every row, for the source index
    sha256 = hashlib.sha256
    repo_surrogates = _has_surrogates(repo)
    part = _PARTS[staging](tmp, schema)
    try:
        write_row = part.write_row
        for rel, preset in batch:
            files += 1
            fid = make_file_id(rel, repo)
            row = None
            digest = None
            if preset is not None:
                err = preset
            else:
                data, err = _read_file(os.path.join(root, rel), rel, max_bytes)
            # the path (undecodable bytes of a file name) and the repo can hold them too
            checked = repo_surrogates or _has_surrogates(rel)
            if err is None:
                nbytes += len(data)
                checked = checked or may_hold_lone_surrogates(data)
                digest = sha256(data).hexdigest()
                # columns only where no JSON text must be repaired (see valid_json_text), or
                # where the rows are ColumnarRows, whose strings are repaired below
                build = columnar_fn if columnar_fn is not None and (columnar_repairable or not checked) else row_fn
                try:
                    row = build(rel, data, fid, repo, digest)
                except Exception as exc:  # a bug or resource failure in the builder
                    err = (type(exc).__name__, f"{rel}: row builder failed: {exc}")
                    row = None
                del data
            if row is None:
                row = err_fn(rel, fid, repo, err[0], err[1])
                digest = None  # an error row holds no digest
            row = stamp(row)
            row_columns = None  # a ColumnarRow's columns, taken apart from its dict
            if row.__class__ is ColumnarRow:
                if checked:
                    row = row.repaired()
                    checked = False  # nothing left to repair
                row, row_columns = row
            if row.__class__ is EncodedRow:
                chunks, nerr, columns = row
                row = None
                # chunks end between JSON values, so no escape or pair is ever split
                if checked:
                    chunks = [valid_json_text(chunk) for chunk in chunks]
            elif not checked and part.write_dict(row, row_columns):
                nerr = len(row.get(errors_key) or ())
                row = chunks = row_columns = None  # written
            else:
                if row_columns is not None:
                    row = ColumnarRow(row, row_columns).as_dict()
                    row_columns = None
                try:
                    text = _encode(row)
                except (TypeError, ValueError) as exc:  # a builder returned non-JSON data
                    row = stamp(err_fn(rel, fid, repo, type(exc).__name__,
                                       f"{rel}: row is not JSON-serialisable: {exc}"))
                    text = _encode(row)
                nerr = len(row.get(errors_key) or ())
                row = None
                chunks = (valid_json_text(text),)
                text = None
                columns = None
            if chunks is not None:
                try:
                    write_row(chunks, columns)
                except ValueError as exc:  # Arrow staging: the row does not fit the contract's schema
                    row = stamp(err_fn(rel, fid, repo, "SchemaMismatchError",
                                       f"{rel}: the row does not fit the dataset's Arrow schema: {exc}"))
                    digest = None
                    nerr = len(row.get(errors_key) or ())
                    write_row((valid_json_text(_encode(row)),), None)
                    row = None
            chunks = columns = None
            digests[stored_path(rel)] = digest
            rows += 1
            if collect_after_file:
                gc.collect()
            if nerr:
                error_rows += nerr
                error_files += 1
        part.close()
    except BaseException:
        part.discard()
        raise
    os.replace(tmp, final)
    gc.collect()
    return {
        "files": files,
        "rows": rows,
        "error_rows": error_rows,
        "error_files": error_files,
        "bytes": nbytes,
        "parts": 1,
        "staging_bytes": os.stat(final).st_size,
        "digests": digests,
    }


# ---------------------------------------------------------------------------
# Driver
# ---------------------------------------------------------------------------


def _batches(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i : i + size]


def run(
    kind: str,
    source: str,
    out: str,
    row_fn,
    err_fn,
    *,
    repo: str | None = None,
    excludes=(),
    workers: int | None = None,
    max_bytes: int | None = DEFAULT_MAX_BYTES,
    batch_files: int = DEFAULT_BATCH_FILES,
    errors_key: str = "errors",
    progress=None,
    fresh_worker_per_batch: bool = False,
    staging: str = NDJSON,
    schema: str | None = None,
    columnar_fn=None,
    columnar_repairable: bool = False,
    collect_after_file: bool = False,
    known: str | None = None,
    index_out: str | None = None,
    index_optional: bool = False,
    source_revision: str | None = None,
) -> dict:
    """Extract one row per ``*.py`` file under ``source`` into part files in ``out``.

    ``row_fn(rel_path, data, file_id, repo, sha256) -> dict | EncodedRow`` and
    ``err_fn(rel_path, file_id, repo, error_type, message) -> dict`` must be
    picklable (module-level functions or :func:`functools.partial` of them).
    Returns the summary dict (``kind, files, rows, error_rows, error_files,
    bytes, seconds, parts, staging, staging_bytes``); ``error_rows`` counts error records (entries of
    ``errors_key``), ``error_files`` rows with at least one, ``bytes`` the
    source bytes read. ``fresh_worker_per_batch`` gives every batch a new worker process (when
    there is a pool, i.e. more than one worker and batch):
    CPython keeps the heap a big tree grew (a LibCST tree of the standard library's
    test_typing.py takes 0.8 GB), so a long-lived worker's memory is the sum of its worst
    files' leftovers; a fresh one holds one batch's. ``staging`` is the part files' format,
    :data:`NDJSON` or :data:`ARROW`; Arrow needs ``schema``, the path of an Arrow IPC stream file
    holding the dataset's schema. ``columnar_fn``, a row builder like ``row_fn`` that may return
    an :class:`EncodedRow` with ``columns`` or a :class:`ColumnarRow`, replaces ``row_fn`` wherever
    the file's strings need no repair (no lone surrogates possible), and for every file when
    ``columnar_repairable``: it returns ColumnarRows, whose strings are repaired in place of the
    JSON text's (the dicts and text of a big LibCST row took twice the memory of its columns).
    ``collect_after_file`` runs the cyclic garbage collector after each file, for builders whose
    garbage holds reference cycles (LibCST's metadata: scopes, assignments and accesses point at
    each other), which would otherwise pile up until the batch ends.
    ``known``, the path of the sources a table already holds (see :mod:`.sources`), limits the
    extraction to added and changed files; ``index_out`` is where the run's source index goes.
    With either, the summary counts the files ``added``, ``changed``, ``unchanged`` and
    ``deleted``; ``files`` counts the extracted ones only. Known sources recorded under another
    extraction configuration are not used: every file is added, and the summary's ``known`` says
    why (``used`` otherwise). With ``index_optional`` an interpreter without pyarrow ignores both
    (every file is extracted) instead of failing, and the summary's ``index`` says so.
    ``source_revision`` (the git commit of the tree, ``-dirty`` appended where the tree differed
    from it) goes into every extracted row's ``source_revision``; it is not part of the extraction
    configuration, so a new commit reuses the rows of the files it did not change.
    """
    t0 = time.perf_counter()
    if batch_files is None or batch_files < 1:
        raise HarnessError("--batch-files must be >= 1")
    if workers is None or workers < 1:
        workers = os.cpu_count() or 1
    if max_bytes is not None and max_bytes < 0:
        raise HarnessError("--max-bytes must be >= 0")
    if source_revision is not None and not SOURCE_REVISION.fullmatch(source_revision):
        raise HarnessError(f"--source-revision {source_revision!r} is not a git commit id (40 or 64 hex digits, "
                           "optionally followed by -dirty)")
    if staging not in _EXTENSIONS:
        raise HarnessError(f"unknown staging format {staging!r} (expected one of {sorted(_EXTENSIONS)})")
    if staging == ARROW:
        if schema is None:
            raise HarnessError("Arrow staging needs --schema, an Arrow IPC stream file with the dataset's schema")
        if not os.path.isfile(schema):
            raise HarnessError(f"--schema {schema!r} is not a file")
        _native_part_writer()
        schema = os.path.abspath(schema)
        try:  # read here once, so that every forked worker has it
            _pyarrow_schema(schema)
        except (OSError, ValueError) as exc:  # pyarrow.ArrowInvalid is a ValueError
            raise HarnessError(f"--schema {schema!r} is not an Arrow IPC stream with a schema: {exc}") from None
    extension = _EXTENSIONS[staging]
    os.makedirs(out, exist_ok=True)
    stale = [n for n in os.listdir(out) if n.startswith("part-") and n.endswith(tuple(_EXTENSIONS.values()))]
    if stale:
        raise HarnessError(
            f"--out {out!r} already contains {len(stale)} part file(s) (e.g. {sorted(stale)[0]}); "
            "use an empty output directory"
        )
    items = discover(source, excludes)
    entries = config = known_use = index_note = None
    if index_optional and (known is not None or index_out is not None):
        try:
            sources.require_pyarrow()
        except sources.SourcesError as exc:
            index_note = f"none: {exc}"
            known_use = None if known is None else "ignored: pyarrow is not installed for this interpreter"
            known = index_out = None
    if known is not None or index_out is not None:
        try:  # before any work: an index that cannot be written would lose the run
            sources.require_pyarrow()
            config = sources.extraction_config(kind, max_bytes, schema)
            known_sources = None
            if known is not None:
                recorded = sources.read_known_config(known)
                if recorded is None or recorded == config:
                    known_sources, known_use = sources.read_known(known), "used"
                else:
                    known_use = "ignored: " + sources.config_change(recorded, config)
            if index_out is not None:
                sources.check_writable(index_out)
        except sources.SourcesError as exc:
            raise HarnessError(str(exc)) from None
        items, entries = sources.plan(os.path.abspath(source), items, known_sources, max_bytes)
    if staging != ARROW:
        columnar_fn = None
    ctx = (os.path.abspath(source), os.path.abspath(out), row_fn, columnar_fn, err_fn, repo, max_bytes, errors_key,
           staging, schema, columnar_repairable, collect_after_file, source_revision)
    consecutive = list(_batches(items, batch_files))
    # one width for every name of the run, so name order is batch order is path order
    width = max(5, len(str(len(consecutive) - 1)))
    batches = [(f"part-{i:0{width}d}{extension}", b) for i, b in enumerate(consecutive)]
    root = ctx[0]
    if len(batches) > 2:
        # Longest batches first (by bytes): keeps both ends of the pool busy
        # until the end instead of leaving one worker on a late, big batch.
        # Each batch still holds consecutive paths and keeps its name.
        def weight(numbered):
            total = 0
            batch = numbered[1]
            for rel, preset in batch:
                if preset is None:
                    try:
                        size = os.stat(os.path.join(root, rel)).st_size
                    except OSError:
                        continue
                    if max_bytes is None or size <= max_bytes:
                        total += size
            return total

        batches.sort(key=weight, reverse=True)
    totals = {"files": 0, "rows": 0, "error_rows": 0, "error_files": 0, "bytes": 0, "parts": 0, "staging_bytes": 0}
    digests = {}

    def add(stats):
        for k in totals:
            totals[k] += stats[k]
        digests.update(stats["digests"])
        if progress is not None:
            progress(totals["files"], len(items))

    if progress is not None:
        progress(0, len(items))

    workers = min(workers, len(batches))
    if workers <= 1:
        # in-process: same code path, no pool overhead
        global _CTX
        saved = (_CTX, gc.isenabled())
        try:
            _init_worker(ctx)
            for b in batches:
                add(_process_batch(b))
        finally:
            _CTX = saved[0]
            gc.unfreeze()
            if saved[1]:
                gc.enable()
    else:
        import multiprocessing

        with multiprocessing.Pool(workers, initializer=_init_worker, initargs=(ctx,),
                                  maxtasksperchild=1 if fresh_worker_per_batch else None) as pool:
            for stats in pool.imap_unordered(_process_batch, batches, chunksize=1):
                add(stats)
            pool.close()
            pool.join()
    summary = {
        "kind": kind,
        "files": totals["files"],
        "rows": totals["rows"],
        "error_rows": totals["error_rows"],
        "error_files": totals["error_files"],
        "bytes": totals["bytes"],
        "seconds": round(time.perf_counter() - t0, 3),
        "parts": totals["parts"],
        "staging": staging,
        "staging_bytes": totals["staging_bytes"],
    }
    if entries is not None:
        if index_out is not None:
            sources.write_index(index_out, entries, digests, config)
        summary.update(sources.counts(entries))
    if known_use is not None:
        summary["known"] = known_use
    if index_note is not None:
        summary["index"] = index_note
    return summary


def print_progress(done: int, total: int, stream=None) -> None:
    """One progress line (``{"progress":[done,total]}``); the summary stays the last line."""
    stream = stream or sys.stdout
    stream.write(json.dumps({"progress": [done, total]}, separators=(",", ":")) + "\n")
    stream.flush()


def print_summary(summary: dict, stream=None) -> None:
    stream = stream or sys.stdout
    stream.write(json.dumps(summary, separators=(",", ":")) + "\n")
    stream.flush()
