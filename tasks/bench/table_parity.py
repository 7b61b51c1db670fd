"""Are two lakes' final tables the same? Row for row, ordered by (repo, path), per dataset.

    table_parity.py LAKE_A LAKE_B [DATASET ...]

For each dataset (default: ast_files_v1 and libcst_files_v1, those both lakes hold) it reads the
Parquet generation each lake's pointer names (pyarrow, independent of the engine that wrote it),
orders the rows by (repo, path) and compares them column by column (the layout's partition
columns come from the directory names, as any Hive reader gets them). Prints one JSON line per dataset (rows,
columns, the columns that differ with the first path where they do) and exits 1 when any
dataset differs. Used to check that a change to the pipeline (e.g. the staging format) leaves its
tables as they were: run the pipeline before and after into two lakes, then this.
"""
import json
import pathlib
import sys

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

DATASETS = ("ast_files_v1", "libcst_files_v1")


def generation(lake: pathlib.Path, dataset: str):
    pointer = lake / "pointers" / f"{dataset}.json"
    if not pointer.is_file():
        return None
    path = lake / "tables" / dataset / f"generation={json.loads(pointer.read_text())['generation']}"
    if not any(path.rglob("*.parquet")):
        raise SystemExit(f"table_parity: {dataset} in {lake}: no Parquet files under {path}")
    # the layout's partition columns (repo) live in the directory names
    table = pq.read_table(path, partitioning="hive")
    for i, field in enumerate(table.schema):  # partition values come as dictionaries
        if pa.types.is_dictionary(field.type):
            table = table.set_column(i, field.name, table[field.name].cast(field.type.value_type))
    return table.take(pc.sort_indices(table, [("repo", "ascending"), ("path", "ascending")]))


def main():
    lakes = [pathlib.Path(p) for p in sys.argv[1:3]]
    datasets = sys.argv[3:] or DATASETS
    differs = False
    for dataset in datasets:
        a, b = (generation(lake, dataset) for lake in lakes)
        if a is None or b is None:
            if sys.argv[3:]:
                raise SystemExit(f"table_parity: {dataset} is not in both lakes")
            continue
        report = {"dataset": dataset, "rows": [a.num_rows, b.num_rows], "columns": a.num_columns}
        if a.schema != b.schema:
            report["schema_differs"] = True
        different = {}
        if a.num_rows == b.num_rows:
            for name in a.column_names:
                if name in b.column_names and not a[name].equals(b[name]):
                    mask = pc.invert(pc.fill_null(pc.equal(a[name], b[name]), False)) if not pa_nested(a[name]) else None
                    different[name] = first_difference(a, b, name, mask)
        report["differing_columns"] = different
        report["equal"] = a.num_rows == b.num_rows and not different and "schema_differs" not in report
        differs |= not report["equal"]
        print(json.dumps(report))
    sys.exit(1 if differs else 0)


def pa_nested(column) -> bool:
    return column.type.num_fields > 0


def first_difference(a, b, name, mask):
    """The path of the first row whose ``name`` differs."""
    if mask is not None:
        rows = pc.indices_nonzero(mask).to_pylist()
        return a["path"][rows[0]].as_py() if rows else None
    for i in range(a.num_rows):  # nested values: compare row by row (only where the column differs)
        if a[name][i] != b[name][i]:
            return a["path"][i].as_py()
    return None


if __name__ == "__main__":
    main()
