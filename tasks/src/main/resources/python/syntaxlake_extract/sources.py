"""What changed in a source tree since its rows were extracted: the source index.

A row depends only on its file's bytes, its path, the repository and the extraction
configuration, so a file whose bytes a table already holds needs no new row. The caller passes
what the table holds as *known* sources (an Arrow IPC file with ``path`` and ``file_sha256``, and
optionally ``size`` and ``mtime_ns``, as the previous run's index has them). :func:`plan` sorts
every discovered file into one of four statuses:

* ``unchanged``: its size and modification time equal the known ones (not read), or its bytes
  hash to the known ``file_sha256`` (a touched file: read once, not extracted);
* ``changed``: known, with other bytes, or with no known digest (its row was an error row: it is
  extracted again);
* ``added``: not known;
* ``deleted``: known, no longer discovered.

Only added and changed files are extracted. The index the run writes (:func:`write_index`) lists
every file with its status, size, modification time and digest, and the deleted ones last: the
caller keeps the table's rows of unchanged paths, drops those of changed and deleted paths, and
passes the index back as the next run's known sources.

Rows also depend on the extraction configuration (:func:`extraction_config`: the extractor's
code, the Python and LibCST versions, the size limit, the dataset schema). The index records it
in its schema metadata; known sources recorded under another configuration are not used (every
file is extracted again, the summary says why), since their rows may differ from today's.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat as stat_module
import sys
from collections import namedtuple

ADDED = "added"
CHANGED = "changed"
UNCHANGED = "unchanged"
DELETED = "deleted"
STATUSES = (ADDED, CHANGED, UNCHANGED, DELETED)

_READ_CHUNK = 1 << 20

CONFIG_KEY = "syntaxlake.extraction"
"""The index's schema metadata key that holds the extraction configuration (JSON text)."""

Known = namedtuple("Known", ["size", "mtime_ns", "sha256"])
"""What the table holds for a path: the digest of its bytes, and the stat that saw them (or None)."""

Entry = namedtuple("Entry", ["path", "size", "mtime_ns", "sha256", "status"])
"""One line of the index; ``sha256`` of an extracted file is filled in by its row."""


class SourcesError(Exception):
    """An unusable known-sources file; the message names it."""


def require_pyarrow() -> None:
    """SourcesError unless pyarrow, which reads and writes the indexes, is importable."""
    _pyarrow()


def _pyarrow():
    try:
        import pyarrow
        import pyarrow.ipc  # noqa: F401
    except ImportError as exc:  # pragma: no cover - the extractor's environment installs it
        raise SourcesError(
            f"source indexes need pyarrow, which cannot be imported: {exc}; install it for this interpreter, or run "
            "with the one deploy/local/python-env.sh sets up (SYNTAXLAKE_PYTHON)"
        ) from None
    return pyarrow


def extraction_config(kind: str, max_bytes, schema: str | None) -> str:
    """What a row depends on besides its file, its path and the repository, as canonical JSON:
    the dataset kind, a digest of this package's modules, the interpreter's version, LibCST's
    version (``cst``), the size limit and a digest of the dataset schema file (Arrow staging)."""
    package = os.path.dirname(os.path.abspath(__file__))
    modules = hashlib.sha256()
    for name in sorted(n for n in os.listdir(package) if n.endswith(".py")):
        with open(os.path.join(package, name), "rb") as fh:
            modules.update(name.encode() + b"\0" + fh.read() + b"\0")
    config = {"kind": kind, "extractor_sha256": modules.hexdigest(), "python": sys.version, "max_bytes": max_bytes}
    if kind == "cst":
        from importlib import metadata

        try:
            config["libcst"] = metadata.version("libcst")
        except metadata.PackageNotFoundError:
            config["libcst"] = None
    if schema is not None:
        with open(schema, "rb") as fh:
            config["schema_sha256"] = hashlib.sha256(fh.read()).hexdigest()
    return json.dumps(config, sort_keys=True, separators=(",", ":"))


def config_change(before: str, now: str) -> str:
    """Which settings differ between two :func:`extraction_config` texts, for a message."""
    try:
        old, new = json.loads(before), json.loads(now)
    except ValueError:
        return "the recorded configuration is unreadable"
    changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
    return "the extraction configuration changed (" + ", ".join(changed) + ")"


def read_known_config(path: str) -> str | None:
    """The extraction configuration the known-sources file records, None when it records none."""
    pa = _pyarrow()
    try:
        try:
            with pa.ipc.open_file(path) as reader:
                metadata = reader.schema.metadata or {}
        except pa.ArrowInvalid:
            with pa.ipc.open_stream(path) as reader:
                metadata = reader.schema.metadata or {}
    except (OSError, pa.ArrowInvalid) as exc:
        raise SourcesError(f"--known {path!r} is not a readable Arrow IPC file: {exc}") from None
    value = metadata.get(CONFIG_KEY.encode())
    return None if value is None else value.decode("utf-8")


def read_known(path: str) -> dict:
    """``{path: Known}`` from the Arrow IPC file (or stream) ``path``; rows marked deleted are skipped."""
    pa = _pyarrow()
    try:
        try:
            with pa.ipc.open_file(path) as reader:
                table = reader.read_all()
        except pa.ArrowInvalid:
            with pa.ipc.open_stream(path) as reader:
                table = reader.read_all()
    except (OSError, pa.ArrowInvalid) as exc:
        raise SourcesError(f"--known {path!r} is not a readable Arrow IPC file: {exc}") from None
    names = table.column_names
    for required in ("path", "file_sha256"):
        if required not in names:
            raise SourcesError(f"--known {path!r} has no column {required!r} (columns: {names})")
    paths = table.column("path").to_pylist()
    digests = table.column("file_sha256").to_pylist()
    sizes = table.column("size").to_pylist() if "size" in names else [None] * len(paths)
    mtimes = table.column("mtime_ns").to_pylist() if "mtime_ns" in names else [None] * len(paths)
    statuses = table.column("status").to_pylist() if "status" in names else [None] * len(paths)
    known = {}
    for rel, digest, size, mtime, status in zip(paths, digests, sizes, mtimes, statuses):
        if rel is None:
            raise SourcesError(f"--known {path!r} holds a row without a path")
        if status == DELETED:
            continue
        if rel in known:
            raise SourcesError(f"--known {path!r} names {rel!r} twice")
        known[rel] = Known(size, mtime, digest)
    return known


def _file_digest(path: str, max_bytes) -> str | None:
    """The SHA-256 of the file's bytes, or None when it cannot be read or is above ``max_bytes``
    (such a file's row is an error row, built by the extraction)."""
    digest = hashlib.sha256()
    read = 0
    try:
        with open(path, "rb") as fh:
            while chunk := fh.read(_READ_CHUNK):
                read += len(chunk)
                if max_bytes is not None and read > max_bytes:
                    return None
                digest.update(chunk)
    except OSError:
        return None
    return digest.hexdigest()


def stored_path(rel: str) -> str:
    """The path as its row stores it: the lone surrogates of an undecodable file name as the
    visible text ``\\udcXX`` (what the rows' JSON repair writes)."""
    return rel.encode("utf-8", "backslashreplace").decode("utf-8")


def plan(root: str, items: list, known: dict | None, max_bytes) -> tuple:
    """``(to_extract, entries)`` for the discovered ``items`` (``(rel, preset_error)``, sorted).

    ``to_extract`` keeps the items to extract, in their order; ``entries`` maps every discovered
    path (as rows store it, :func:`stored_path`) to its :class:`Entry` and ends with the deleted
    ones (known, not discovered). Without ``known`` every file is added. Files that fail discovery or cannot be stat'ed are extracted:
    their error rows say why.
    """
    known = known if known is not None else {}
    to_extract = []
    entries = {}
    for item in items:
        rel, preset = item
        path = stored_path(rel)
        previous = known.get(path)
        status = ADDED if previous is None else CHANGED
        size = mtime = digest = None
        if preset is None:
            try:
                st = os.stat(os.path.join(root, rel))
            except OSError:
                st = None
            if st is not None and stat_module.S_ISREG(st.st_mode):
                size, mtime = st.st_size, st.st_mtime_ns
                if previous is not None and previous.sha256 is not None:
                    if (previous.size, previous.mtime_ns) == (size, mtime):
                        status, digest = UNCHANGED, previous.sha256
                    elif max_bytes is None or size <= max_bytes:
                        read = _file_digest(os.path.join(root, rel), max_bytes)
                        if read == previous.sha256:
                            status, digest = UNCHANGED, read
        entries[path] = Entry(path, size, mtime, digest, status)
        if status != UNCHANGED:
            to_extract.append(item)
    for rel in sorted(set(known) - set(entries), key=lambda p: p.encode("utf-8", "backslashreplace")):
        entries[rel] = Entry(rel, None, None, known[rel].sha256, DELETED)
    return to_extract, entries


def counts(entries: dict) -> dict:
    """How many entries have each status."""
    out = dict.fromkeys(STATUSES, 0)
    for entry in entries.values():
        out[entry.status] += 1
    return out


def check_writable(path: str) -> None:
    """SourcesError unless the index can be written at ``path`` (its directory exists)."""
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise SourcesError(f"--index-out {path!r}: the directory {directory!r} does not exist")


def write_index(path: str, entries: dict, digests: dict, config: str | None = None) -> None:
    """Writes the index (Arrow IPC file) at ``path``, the digests of extracted files from
    ``digests`` (``{stored path: sha256 or None}``, as their rows hold them) and the extraction
    ``config`` in its schema metadata; atomically, by rename."""
    pa = _pyarrow()
    rows = [e if e.status in (UNCHANGED, DELETED) else e._replace(sha256=digests.get(e.path)) for e in entries.values()]
    schema = pa.schema([
        pa.field("path", pa.utf8(), nullable=False),
        pa.field("size", pa.int64()),
        pa.field("mtime_ns", pa.int64()),
        pa.field("file_sha256", pa.utf8()),
        pa.field("status", pa.utf8(), nullable=False),
    ], metadata=None if config is None else {CONFIG_KEY: config})
    table = pa.table([
        pa.array([r.path for r in rows], pa.utf8()),
        pa.array([r.size for r in rows], pa.int64()),
        pa.array([r.mtime_ns for r in rows], pa.int64()),
        pa.array([r.sha256 for r in rows], pa.utf8()),
        pa.array([r.status for r in rows], pa.utf8()),
    ], schema=schema)
    tmp = os.path.join(os.path.dirname(os.path.abspath(path)), "." + os.path.basename(path) + ".tmp")
    with pa.OSFile(tmp, "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        writer.write_table(table)
    os.replace(tmp, path)
