"""Command line: ``python3 -m syntaxlake_extract {ast,cst} --source DIR --out DIR ...``

Exit codes: 0 success (the JSON summary line is printed on stdout), 2 bad
arguments / unusable source or output directory, 3 a required optional
dependency (libcst, for ``cst``) is missing.
"""

from __future__ import annotations

import argparse
import functools
import sys

EXIT_USAGE = 2
EXIT_MISSING_DEPENDENCY = 3


def _int_at_least(minimum: int):
    """An argparse type: an integer no smaller than ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be >= {minimum}: {text!r}")
        return value

    return parse


_positive_int = _int_at_least(1)
_non_negative_int = _int_at_least(0)


def build_parser() -> argparse.ArgumentParser:
    from .harness import ARROW, DEFAULT_BATCH_FILES, DEFAULT_MAX_BYTES, NDJSON

    parser = argparse.ArgumentParser(
        prog="python3 -m syntaxlake_extract",
        description="Extract one row per Python source file into part files (Arrow IPC or NDJSON).",
    )
    sub = parser.add_subparsers(dest="kind", metavar="{ast,cst}")
    sub.required = True
    for kind, help_text in (
        ("ast", "ast_files_v1 rows built with the stdlib ast module"),
        ("cst", "CST rows built with libcst (requires `pip install libcst`)"),
    ):
        p = sub.add_parser(kind, help=help_text)
        p.add_argument("--source", required=True, metavar="DIR", help="tree of Python sources")
        p.add_argument("--out", required=True, metavar="DIR", help="output directory for the part files")
        p.add_argument("--format", choices=(ARROW, NDJSON), default=ARROW, dest="staging",
                       help="part file format: Arrow IPC files (part-*.arrow, default; needs --schema and the "
                            "native extension) or NDJSON (part-*.json)")
        p.add_argument("--schema", default=None, metavar="FILE",
                       help="Arrow IPC stream file holding the dataset's schema (for --format arrow)")
        p.add_argument("--repo", default=None, metavar="NAME", help="repository name recorded in every row")
        p.add_argument(
            "--exclude",
            action="append",
            default=[],
            metavar="GLOB",
            nargs="+",
            help="fnmatch glob matched against the repo-relative path (repeatable)",
        )
        p.add_argument("--workers", type=_positive_int, default=None, metavar="N",
                       help="worker processes (default: os.cpu_count())")
        p.add_argument("--max-bytes", type=_non_negative_int, default=DEFAULT_MAX_BYTES, metavar="N",
                       help=f"files larger than this are not read (default {DEFAULT_MAX_BYTES})")
        p.add_argument("--progress", action="store_true",
                       help="print a progress line on stdout after every batch")
        p.add_argument("--known", default=None, metavar="FILE",
                       help="Arrow IPC file of the sources a table already holds (path, file_sha256; size and "
                            "mtime_ns as a fast pre-check): only added and changed files are extracted")
        p.add_argument("--index-out", default=None, metavar="FILE",
                       help="write the run's source index (every file's path, size, mtime_ns, file_sha256 and "
                            "status: added, changed, unchanged, deleted) as an Arrow IPC file")
        p.add_argument("--index-optional", action="store_true",
                       help="without pyarrow, ignore --known and write no --index-out (every file is extracted; "
                            "the summary says why) instead of failing")
        p.add_argument("--source-revision", default=None, metavar="COMMIT",
                       help="git commit of the source tree (40 or 64 hex digits, -dirty appended for a tree that "
                            "differs from it), recorded in every extracted row's source_revision")
        p.add_argument("--batch-files", type=_positive_int, default=DEFAULT_BATCH_FILES, metavar="N",
                       help=f"files per batch / part file (default {DEFAULT_BATCH_FILES})")
    return parser


def _kind_functions(args):
    """(row_fn, columnar_fn, err_fn, errors_key) for the requested kind."""
    if args.kind == "ast":
        from .ast_rows import ast_error_row, ast_row_encoded

        row_fn = functools.partial(ast_row_encoded, max_bytes=args.max_bytes)
        columnar_fn = functools.partial(ast_row_encoded, max_bytes=args.max_bytes, columns=True)
        err_fn = functools.partial(ast_error_row, max_bytes=args.max_bytes)
        return row_fn, columnar_fn, err_fn, "errors"

    # cst: libcst is an optional dependency, checked before anything else
    try:
        import libcst  # noqa: F401
    except ImportError as exc:
        sys.stderr.write(
            "syntaxlake_extract cst: the 'libcst' package is required but cannot be imported "
            f"({exc}).\nInstall it for the Python interpreter running this command, e.g. in a venv:\n"
            "    python3 -m venv .venv && .venv/bin/pip install libcst\n"
            "then run the extractor with that interpreter (.venv/bin/python -m syntaxlake_extract cst ...).\n"
        )
        sys.stderr.flush()
        raise SystemExit(EXIT_MISSING_DEPENDENCY)
    from . import cst_rows
    from .harness import generic_error_row

    row_fn = cst_rows.cst_row
    columnar_fn = functools.partial(cst_rows.cst_row, columns=True)
    err_fn = getattr(cst_rows, "cst_error_row", None)
    if err_fn is None:
        err_fn = functools.partial(generic_error_row, errors_key="parse_errors")
    return row_fn, columnar_fn, err_fn, "parse_errors"


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    from .harness import HarnessError, print_progress, print_summary, run

    row_fn, columnar_fn, err_fn, errors_key = _kind_functions(args)
    excludes = [g for group in args.exclude for g in group]
    try:
        summary = run(
            args.kind,
            args.source,
            args.out,
            row_fn,
            err_fn,
            repo=args.repo,
            excludes=excludes,
            workers=args.workers,
            max_bytes=args.max_bytes,
            batch_files=args.batch_files,
            errors_key=errors_key,
            progress=print_progress if args.progress else None,
            # LibCST trees are large: a worker per batch keeps each worker at one batch's size
            fresh_worker_per_batch=args.kind == "cst",
            staging=args.staging,
            schema=args.schema,
            columnar_fn=columnar_fn,
            # LibCST rows are ColumnarRows; their metadata's garbage is cyclic
            columnar_repairable=args.kind == "cst",
            collect_after_file=args.kind == "cst",
            known=args.known,
            index_out=args.index_out,
            index_optional=args.index_optional,
            source_revision=args.source_revision,
        )
    except HarnessError as exc:
        sys.stderr.write(f"syntaxlake_extract {args.kind}: {exc}\n")
        return EXIT_USAGE
    print_summary(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
