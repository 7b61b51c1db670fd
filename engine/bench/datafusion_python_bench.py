"""Runs the benchmark queries through datafusion-python and prints per-query wall times as JSON.

Each iteration plans the query and collects the whole result into pyarrow batches, which is the
Python counterpart of SyntaxLake reading the whole Arrow stream into Java.
"""
import json
import statistics
import sys
import time

import datafusion


def main(data_dir: str, queries_file: str, warmup: int, iterations: int) -> None:
    ctx = datafusion.SessionContext()
    ctx.sql(f"CREATE EXTERNAL TABLE events STORED AS PARQUET LOCATION '{data_dir}/'").collect()
    queries = [q for q in open(queries_file).read().splitlines() if q.strip() and not q.startswith("--")]
    out = {"engine": f"datafusion-python {datafusion.__version__}", "queries": []}
    for query in queries:
        for _ in range(warmup):
            ctx.sql(query).collect()
        times, rows = [], 0
        for _ in range(iterations):
            start = time.perf_counter()
            batches = ctx.sql(query).collect()
            times.append(time.perf_counter() - start)
            rows = sum(b.num_rows for b in batches)
        out["queries"].append({"sql": query, "rows": rows, "median_s": statistics.median(times), "times_s": times})
    print(json.dumps(out))


def generate(data_dir: str, rows: int) -> None:
    ctx = datafusion.SessionContext()
    ctx.sql(
        f"""COPY (SELECT value AS id,
                         'name_' || (value * 7919 % 50000) AS name,
                         'category_' || (value % 17) AS category,
                         (value * 31 % 10007) / 100.0 AS amount
                  FROM generate_series(0, {rows - 1}))
            TO '{data_dir}/' STORED AS PARQUET"""
    ).collect()


if __name__ == "__main__":
    if sys.argv[1] == "generate":
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        main(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
