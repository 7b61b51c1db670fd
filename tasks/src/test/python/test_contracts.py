"""The extractors' rows fit the dataset contracts in config/contracts.

For ast_files_v1 (``ast_rows.ast_row``) and libcst_files_v1 (``cst_rows.cst_row``) every
emitted dict, at every nesting level, must have exactly the contract's field names in
the contract's order, every value's JSON type must fit the declared type, and
non-nullable fields must never be None. The contracts are read with the same rules as
engine/.../contract/ContractLoader.java ("@name" types, nullable unless
``"nullable": false``, list items and map values nullable, map keys not).

Run with an interpreter that has libcst (the CST part is skipped without it):
    /root/.cache/syntaxlake/cst-venv/bin/python -m pytest tasks/src/test/python/test_contracts.py
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os

import pytest

from syntaxlake_extract.ast_rows import ast_error_row, ast_row
from syntaxlake_extract.ids import file_id

CONTRACTS_DIR = os.path.abspath(
    os.path.join(
        os.path.dirname(__file__), os.pardir, os.pardir, os.pardir, os.pardir, "config", "contracts"
    )
)

HAVE_LIBCST = importlib.util.find_spec("libcst") is not None

INT_RANGES = {
    "int8": (-(2**7), 2**7 - 1),
    "int16": (-(2**15), 2**15 - 1),
    "int32": (-(2**31), 2**31 - 1),
    "int64": (-(2**63), 2**63 - 1),
}

# --------------------------------------------------------------------------- fixtures

RICH = '''\
"""Module docstring: a bit of everything."""
from __future__ import annotations

import os
import os.path as osp, sys
from collections import OrderedDict, defaultdict as dd
from . import sibling
from ..pkg.sub import thing as other_thing
from typing import *

CONSTANT: int = 42  # type: ignore[assignment]


def decorate(*dargs, **dkwargs):
    def wrap(fn):
        return fn
    return wrap


@decorate
@decorate(1, key="v")
class Shape(Base, metaclass=Meta):
    """A shape."""

    sides: int = 0

    def __init__(self, name: str, /, sides: int = 3, *rest: object, scale: float = 1.0, **extra: str) -> None:
        """Initialise."""
        super().__init__()
        self.name = name
        self.sides = sides

    @property
    def area(self) -> float:
        return self.scale * self.sides

    @staticmethod
    async def fetch(url: "str", *args, **kwargs) -> bytes:
        """Fetch asynchronously."""
        async with session(url) as resp:
            async for chunk in resp.iter(*args, **kwargs):
                await handle(chunk)
        return b""


def describe(obj, *args, **kwargs):
    global CONSTANT
    values = [v * 2 for v in args if (n := len(str(v))) > 1]
    mapping = {k: v for k, v in kwargs.items()}
    text = f"{obj!r:>10} has {len(values)} values, {mapping=} and {n}"
    nested = f"{'inner ' + f'{obj}'}"
    match obj:
        case Shape(sides=3):
            kind = "triangle"
        case {"name": str(name), **rest}:
            kind = name
        case [first, *others] if first:
            kind = "seq"
        case 1 | 2 | 3:
            kind = "small"
        case _:
            kind = None
    try:
        result = os.path.join(*args, sep=os.sep, **kwargs)
    except (TypeError, ValueError) as exc:
        raise RuntimeError("bad") from exc
    finally:
        del mapping
    lam = lambda x, *y, z=1, **w: (x, y, z, w)
    with open(text) as fh, open(kind) as gh:
        pass
    while False:
        break
    else:
        ...
    return lam(*values, **kwargs), result, fh, gh, nested, dd, OrderedDict


def gen():
    total = 0
    def inner():
        nonlocal total
        total += 1
        yield from range(total)
    yield inner


async def main():
    return [x async for x in agen()] + [await y for y in ys]


if __name__ == "__main__":
    print(describe(Shape("s"), 1, 2, flag=True), file=sys.stderr)
'''

NON_ASCII = '''\
"""Ünïcödé docstring ✓ — 模块."""
x = "é"; y = 1
ñame = "😀"


class Ünï:
    """Dökstring ✓."""

    def 函数(self, ñ: str = "😀") -> str:
        return f"{ñ}→{ñame}" + 'ß'.upper()


print(Ünï().函数("ü"), x, y)
'''

FIXTURES = [
    # (id, rel_path, repo, data)
    ("rich", "pkg/rich.py", "acme", RICH.encode("utf-8")),
    ("empty", "pkg/__init__.py", None, b""),
    ("syntax_error", "pkg/broken.py", "acme", b"def broken(:\n    return 1\n"),
    ("syntax_error_late", "pkg/broken2.py", None, b"x = 1\nclass C:\n    def f(self):\n        return (\n"),
    ("non_ascii", "pkg/ünï.py", None, NON_ASCII.encode("utf-8")),
    ("bom_crlf", "pkg/bom.py", None, b"\xef\xbb\xbfimport os\r\nprint(os.sep, '\xc3\xa9')\r\n"),
    ("latin1", "pkg/latin.py", "acme", b"# -*- coding: latin-1 -*-\ns = '\xe9'\nprint(s)\n"),
    ("nul_byte", "pkg/nul.py", None, b"x = 1\x00\n"),
]

FIXTURE_IDS = [f[0] for f in FIXTURES]


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


# --------------------------------------------------------------------------- contract reading


def load_contract(name: str) -> dict:
    with open(os.path.join(CONTRACTS_DIR, name + ".json"), encoding="utf-8") as fh:
        return json.load(fh)


def resolve(contract: dict, type_spec):
    """A type with every "@name" reference replaced (recursively) by its definition."""
    if isinstance(type_spec, str):
        if type_spec.startswith("@"):
            return resolve(contract, contract["types"][type_spec[1:]])
        assert type_spec in INT_RANGES or type_spec in ("utf8", "bool", "float64", "binary", "timestamp_us_utc"), type_spec
        return type_spec
    if "list" in type_spec:
        return {"list": resolve(contract, type_spec["list"])}
    if "struct" in type_spec:
        return {"struct": [resolve_field(contract, f) for f in type_spec["struct"]]}
    if "map" in type_spec:
        return {
            "map": {
                "key": resolve(contract, type_spec["map"]["key"]),
                "value": resolve(contract, type_spec["map"]["value"]),
            }
        }
    raise AssertionError(f"unknown type {type_spec!r}")


def resolve_field(contract: dict, field: dict) -> dict:
    metadata = field.get("metadata")
    if isinstance(metadata, str):
        metadata = contract["metadata_sets"][metadata[1:]]
    return {
        "name": field["name"],
        "type": resolve(contract, field["type"]),
        "nullable": field.get("nullable", True),
        "metadata": metadata,
    }


def row_type(contract: dict) -> dict:
    """The contract's top-level fields as one (resolved) struct type."""
    return {"struct": [resolve_field(contract, f) for f in contract["fields"]]}


def iter_fields(type_spec, path=""):
    """(path, field) for every field at every nesting level."""
    if isinstance(type_spec, dict):
        if "struct" in type_spec:
            for f in type_spec["struct"]:
                p = f"{path}.{f['name']}" if path else f["name"]
                yield p, f
                yield from iter_fields(f["type"], p)
        elif "list" in type_spec:
            yield from iter_fields(type_spec["list"], path + "[]")
        elif "map" in type_spec:
            yield from iter_fields(type_spec["map"]["value"], path + "{}")


# --------------------------------------------------------------------------- the checker


def check_value(value, type_spec, path: str, problems: list, seen: set) -> None:
    """Append to ``problems`` every way ``value`` (not None) fails to fit ``type_spec``."""
    if isinstance(type_spec, str):
        if type_spec in INT_RANGES:
            lo, hi = INT_RANGES[type_spec]
            if type(value) is not int:
                problems.append(f"{path}: {type_spec} expected, got {type(value).__name__} {value!r}")
            elif not lo <= value <= hi:
                problems.append(f"{path}: {value} outside the {type_spec} range")
        elif type_spec == "utf8":
            if type(value) is not str:
                problems.append(f"{path}: utf8 expected, got {type(value).__name__} {value!r}")
        elif type_spec == "bool":
            if type(value) is not bool:
                problems.append(f"{path}: bool expected, got {type(value).__name__} {value!r}")
        elif type_spec == "float64":
            if type(value) not in (int, float):
                problems.append(f"{path}: float64 expected, got {type(value).__name__} {value!r}")
        elif type_spec == "binary":
            if type(value) not in (bytes, str):
                problems.append(f"{path}: binary expected, got {type(value).__name__}")
        return
    if "list" in type_spec:
        if type(value) is not list:
            problems.append(f"{path}: list expected, got {type(value).__name__} {value!r:.80}")
            return
        if value:
            seen.add(path)
        for i, item in enumerate(value):
            if item is not None:  # list items are nullable
                check_value(item, type_spec["list"], f"{path}[{i}]", problems, seen)
        return
    if "struct" in type_spec:
        check_struct(value, type_spec, path, problems, seen)
        return
    if "map" in type_spec:
        if type(value) is not dict:
            problems.append(f"{path}: map expected, got {type(value).__name__} {value!r:.80}")
            return
        for k, v in value.items():
            if type(k) is not str:
                problems.append(f"{path}: map key {k!r} is not a str")
            if type(v) is not str:
                problems.append(f"{path}[{k!r}]: map value {v!r} is not a str")
        if value:
            seen.add(path)
        return
    raise AssertionError(f"unknown type {type_spec!r}")


def check_struct(value, type_spec, path: str, problems: list, seen: set) -> None:
    if type(value) is not dict:
        problems.append(f"{path or '<row>'}: struct expected, got {type(value).__name__} {value!r:.80}")
        return
    expected = [f["name"] for f in type_spec["struct"]]
    actual = list(value)
    if actual != expected:
        missing = [n for n in expected if n not in value]
        extra = [n for n in actual if n not in expected]
        problems.append(
            f"{path or '<row>'}: fields {actual} != contract {expected}"
            f" (missing {missing}, extra {extra})"
        )
    for f in type_spec["struct"]:
        name = f["name"]
        if name not in value:
            continue
        p = f"{path}.{name}" if path else name
        v = value[name]
        if v is None:
            if not f["nullable"]:
                problems.append(f"{p}: null in a non-nullable field")
            continue
        check_value(v, f["type"], p, problems, seen)


def generic_path(path: str) -> str:
    """``nodes[3].span`` -> ``nodes[].span``."""
    out = []
    depth = 0
    for ch in path:
        if ch == "[":
            depth += 1
            if depth == 1:
                out.append("[]")
            continue
        if ch == "]":
            depth -= 1
            continue
        if depth == 0:
            out.append(ch)
    return "".join(out)


def problems_of(row: dict, contract: dict, seen: set | None = None) -> list[str]:
    problems: list[str] = []
    raw_seen: set = set()
    check_struct(row, row_type(contract), "", problems, raw_seen)
    if seen is not None:
        seen.update(generic_path(p) for p in raw_seen)
    return problems


def assert_fits(row: dict, contract: dict, seen: set | None = None) -> None:
    problems = problems_of(row, contract, seen)
    assert not problems, f"{len(problems)} contract violation(s):\n" + "\n".join(problems[:40])


# --------------------------------------------------------------------------- the checker itself


def test_checker_catches_violations():
    contract = load_contract("ast_files_v1")
    good = ast_row("pkg/m.py", b"import os\nos.sep\n", file_id("pkg/m.py"), None, None)
    assert problems_of(good, contract) == []

    bad = json.loads(json.dumps(good))
    bad["nodes"][1]["ast_id"] = "1"  # str for int32
    bad["nodes"][1]["span"]["byte_span"]["byte_len"] = 2**31  # out of int32 range
    bad["edges"][0]["idx"] = True  # bool is not an int
    bad["imports"][0] = {k: v for k, v in reversed(bad["imports"][0].items())}  # order
    bad["attrs"]["x"] = None  # map value must be a str
    bad["path"] = None  # non-nullable
    del bad["calls"]  # missing field
    bad["extra"] = []  # unknown field
    found = "\n".join(problems_of(bad, contract))
    for needle in (
        "nodes[1].ast_id: int32 expected",
        "nodes[1].span.byte_span.byte_len: 2147483648 outside the int32 range",
        "edges[0].idx: int32 expected, got bool",
        "imports[0]: fields",
        "attrs['x']: map value None",
        "path: null in a non-nullable field",
        "missing ['calls'], extra ['extra']",
    ):
        assert needle in found, (needle, found)


# --------------------------------------------------------------------------- ast_files_v1


@pytest.fixture(scope="module")
def ast_contract() -> dict:
    return load_contract("ast_files_v1")


@pytest.fixture(scope="module")
def ast_rows_by_fixture() -> dict:
    return {
        fid: ast_row(path, data, file_id(path, repo), repo, _sha(data))
        for fid, path, repo, data in FIXTURES
    }


@pytest.mark.parametrize("fixture_id", FIXTURE_IDS)
def test_ast_rows_fit_contract(fixture_id, ast_contract, ast_rows_by_fixture):
    assert_fits(ast_rows_by_fixture[fixture_id], ast_contract)


def test_ast_error_row_fits_contract(ast_contract):
    row = ast_error_row("pkg/gone.py", file_id("pkg/gone.py"), None, "OSError", "cannot read")
    assert_fits(row, ast_contract)


def test_ast_fixtures_exercise_every_list(ast_contract, ast_rows_by_fixture):
    seen: set = set()
    for row in ast_rows_by_fixture.values():
        problems_of(row, ast_contract, seen)
    lists = [f["name"] for f in ast_contract["fields"] if "list" in f["type"]]
    assert [name for name in lists if name not in seen] == []
    assert ast_rows_by_fixture["syntax_error"]["errors"]
    assert ast_rows_by_fixture["nul_byte"]["errors"]
    assert not ast_rows_by_fixture["rich"]["errors"]


def test_ast_contract_shape(ast_contract):
    names = [f["name"] for f in ast_contract["fields"]]
    # hot projections are plain top-level columns, so each can be pushed into the scan
    for projection in ast_contract["table"]["scan_projections"].values():
        assert projection and set(projection) <= set(names)
    meta = ast_contract["schema_metadata"]
    assert meta["schema_name"] == ast_contract["name"] == "ast_files_v1"
    # AST attrs carry no default_value metadata; every span carries the span ABI.
    for path, f in iter_fields(row_type(ast_contract)):
        if f["name"] == "span":
            assert f["metadata"] == {
                "line_base": "0", "col_unit": "byte", "end_exclusive": "true", "semantic_type": "Span"
            }, path
        elif f["name"] == "attrs":
            assert not f["metadata"], path


# --------------------------------------------------------------------------- libcst_files_v1

needs_libcst = pytest.mark.skipif(not HAVE_LIBCST, reason="libcst is not importable")


@pytest.fixture(scope="module")
def cst_contract() -> dict:
    return load_contract("libcst_files_v1")


@pytest.fixture(scope="module")
def cst_rows_by_fixture() -> dict:
    if not HAVE_LIBCST:
        pytest.skip("libcst is not importable")
    from syntaxlake_extract.cst_rows import cst_row

    return {
        fid: cst_row(path, data, file_id(path, repo), repo, _sha(data))
        for fid, path, repo, data in FIXTURES
    }


@needs_libcst
@pytest.mark.parametrize("fixture_id", FIXTURE_IDS)
def test_cst_rows_fit_contract(fixture_id, cst_contract, cst_rows_by_fixture):
    assert_fits(cst_rows_by_fixture[fixture_id], cst_contract)


@needs_libcst
def test_cst_error_row_fits_contract(cst_contract):
    from syntaxlake_extract.cst_rows import cst_error_row

    row = cst_error_row("pkg/gone.py", file_id("pkg/gone.py"), None, "OSError", "cannot read")
    assert_fits(row, cst_contract)


@needs_libcst
def test_cst_fixtures_exercise_every_list(cst_contract, cst_rows_by_fixture):
    seen: set = set()
    for row in cst_rows_by_fixture.values():
        problems_of(row, cst_contract, seen)
    lists = [f["name"] for f in cst_contract["fields"] if "list" in f["type"]]
    assert [name for name in lists if name not in seen] == []
    for nested in (
        "parse_manifest[].future_imports",
        "callsites[].callee_qnames",
        "defs[].qnames",
        "parse_errors[].meta",
    ):
        assert nested in seen, nested
    assert cst_rows_by_fixture["syntax_error"]["parse_errors"]
    assert not cst_rows_by_fixture["rich"]["parse_errors"]


@needs_libcst
def test_cst_rows_use_the_contracts_nested_names(cst_contract, cst_rows_by_fixture):
    """Independent of the order check: the set of keys per list element is the contract's."""
    row = cst_rows_by_fixture["rich"]
    for f in cst_contract["fields"]:
        t = resolve(cst_contract, f["type"])
        if isinstance(t, dict) and "list" in t and isinstance(t["list"], dict) and "struct" in t["list"]:
            want = [c["name"] for c in t["list"]["struct"]]
            for element in row[f["name"]]:
                assert list(element) == want, f["name"]


def test_cst_contract_shape(cst_contract):
    names = [f["name"] for f in cst_contract["fields"]]
    assert names == [
        "repo", "path", "file_id", "file_sha256", "nodes", "edges", "parse_manifest",
        "parse_errors", "refs", "imports", "callsites", "defs", "type_exprs", "docstrings",
        "decorators", "call_args", "attrs", "source_revision",
    ]
    for projection in cst_contract["table"]["scan_projections"].values():
        assert projection and set(projection) <= set(names)
    meta = cst_contract["schema_metadata"]
    assert meta["schema_name"] == cst_contract["name"] == "libcst_files_v1"
    assert meta["schema_version"] == "1"
    assert json.loads(meta["ordering_keys"]) == [
        {"column": "path", "order": "ascending"}, {"column": "file_id", "order": "ascending"}
    ]
    assert json.loads(meta["required_non_null"]) == ["file_id", "path"]
    assert json.loads(meta["key_fields"]) == ["file_id", "path"]
    assert not any(k.endswith(("line_base", "col_unit", "end_exclusive")) for k in meta)
    layout = cst_contract["table"]["layouts"][cst_contract["table"]["default_layout"]]
    assert layout == {"partition_by": ["repo"], "order_by": ["path", "file_id"]}

    default_paths = []
    for path, f in iter_fields(row_type(cst_contract)):
        if f["name"] in ("span", "span_ws"):
            assert not f["metadata"], f"{path}: LibCST spans carry no span-ABI metadata"
        if f["metadata"]:
            assert f["metadata"] == {"default_value": "{}"}, path
            default_paths.append(path)
        if f["name"] in ("file_id", "path"):
            assert f["nullable"] is False, path
    assert default_paths == [
        "nodes[].attrs", "edges[].attrs", "parse_errors[].meta", "refs[].attrs",
        "imports[].attrs", "callsites[].attrs", "defs[].attrs", "attrs",
    ]


# --------------------------------------------------------------------------- every contract


def test_every_contract_names_itself_and_uses_known_types():
    names = sorted(f[:-5] for f in os.listdir(CONTRACTS_DIR) if f.endswith(".json"))
    assert {"ast_files_v1", "libcst_files_v1", "manifest_runs_v1", "manifest_tasks_v1",
            "manifest_artifacts_v1"} <= set(names)
    for name in names:
        contract = load_contract(name)
        assert contract["name"] == name
        assert name.endswith("_v" + str(contract["version"]))
        row_type(contract)  # resolves every type, or fails on an unknown one
        assert contract["table"]["default_layout"] in contract["table"]["layouts"]
        assert "prefix" in contract["views"] and "identity" in contract["views"]


@pytest.mark.parametrize("name", ["manifest_runs_v1", "manifest_tasks_v1", "manifest_artifacts_v1"])
def test_manifest_contracts_are_flat_and_keyed(name):
    contract = load_contract(name)
    fields = {f["name"]: resolve_field(contract, f) for f in contract["fields"]}
    assert all(isinstance(f["type"], str) for f in fields.values()), "flat: no nested types"
    keys = json.loads(contract["schema_metadata"]["key_fields"])
    assert keys == contract["views"]["identity"]
    assert all(fields[k]["nullable"] is False for k in keys)
    assert contract["table"]["layouts"][contract["table"]["default_layout"]]["partition_by"] == []
    stamps = [n for n, f in fields.items() if f["type"] == "timestamp_us_utc"]
    assert stamps and all(n.endswith("_at") for n in stamps)
