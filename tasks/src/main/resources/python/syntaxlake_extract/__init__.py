"""SyntaxLake source extractors (stdlib only).

Run as ``python3 -m syntaxlake_extract ast|cst --source DIR --out DIR ...``.

Modules:

* :mod:`syntaxlake_extract.ids` - stable BLAKE2b based identifiers.
* :mod:`syntaxlake_extract.harness` - file discovery, batching, worker pool,
  part-file writing and the summary line (shared by ``ast`` and ``cst``).
* :mod:`syntaxlake_extract.ast_rows` - ``ast_files_v1`` rows built with the
  stdlib :mod:`ast` module.
* ``syntaxlake_extract.cst_rows`` - libcst based rows (optional dependency,
  imported lazily by the ``cst`` subcommand only).
"""

__all__ = ["__version__"]

__version__ = "1.0.0"
