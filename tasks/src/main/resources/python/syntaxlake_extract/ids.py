"""Stable identifiers shared by every SyntaxLake extractor.

``hash128`` is the lowercase hex BLAKE2b digest (16 bytes) of the UTF-8
encoding of a string.  ``stable_id`` joins a prefix and its parts with the
ASCII unit separator (0x1F) before hashing, so ids never depend on Python's
``hash()`` randomisation, on the process, or on the platform.
"""

from __future__ import annotations

from hashlib import blake2b

__all__ = ["SEP", "hash128", "stable_id", "file_id"]

SEP = "\x1f"


def hash128(s: str) -> str:
    """Lowercase hex BLAKE2b-128 digest of ``s`` encoded as UTF-8.

    Lone surrogates (file names that are not valid UTF-8 arrive from
    ``os.scandir`` as surrogate escapes) are hashed as their original bytes
    instead of raising; every valid string hashes its plain UTF-8 encoding.
    """
    return blake2b(s.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()


def _part(p: object) -> str:
    # None -> "None", ints -> decimal text, str unchanged; anything else str().
    if p.__class__ is str:
        return p  # type: ignore[return-value]
    return str(p)


def stable_id(prefix: str, *parts: object) -> str:
    """``prefix + ":" + hash128("\\x1f".join([prefix, *parts]))``."""
    return prefix + ":" + hash128(SEP.join([prefix, *map(_part, parts)]))


def file_id(path: str, repo: str | None = None) -> str:
    """Id of a source file: ``file:`` + hash128("file\\x1f[repo\\x1f]path")."""
    if repo is None:
        return "file:" + hash128("file" + SEP + path)
    return "file:" + hash128("file" + SEP + repo + SEP + path)
