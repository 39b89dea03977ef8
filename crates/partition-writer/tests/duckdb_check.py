"""Reads a jirafe warehouse with DuckDB, as an analyst would, and prints facts as JSON.

Usage: python3 duckdb_check.py WAREHOUSE_DIR TABLE:PK [TABLE:PK ...]
Called by tests/duckdb.rs; the Rust side asserts on the JSON.
"""
import json
import os
import shutil
import sys
import tempfile

import duckdb

PRUNE_MONTH = "2025-03"


def scan(root, table):
    return f"read_parquet('{root}/{table}/*/*.parquet', hive_partitioning = true)"


def main():
    root, tables = sys.argv[1], [a.split(":") for a in sys.argv[2:]]
    con = duckdb.connect()
    out = {"duckdb": duckdb.__version__, "tables": {}}
    for table, pk in tables:
        rel = scan(root, table)
        facts = {}
        facts["rows"] = con.execute(f"select count(*) from {rel}").fetchone()[0]
        facts["duplicate_keys"] = con.execute(
            f"select count(*) from (select {pk} from {rel} group by {pk} having count(*) > 1)"
        ).fetchone()[0]
        facts["columns"] = {
            name: typ for name, typ, *_ in con.execute(f"describe select * from {rel}").fetchall()
        }
        facts["months"] = [
            r[0] for r in con.execute(f"select distinct month from {rel} order by 1").fetchall()
        ]
        facts["rows_in_prune_month"] = con.execute(
            f"select count(*) from {rel} where month = '{PRUNE_MONTH}'"
        ).fetchone()[0]
        plan = "\n".join(
            r[1] for r in con.execute(
                f"explain select count(*) from {rel} where month = '{PRUNE_MONTH}'"
            ).fetchall()
        )
        facts["plan_mentions_file_filter"] = "month" in plan and "Filter" in plan

        # Behavioural pruning check: in a copy of the table, replace every partition except
        # the filtered month with garbage. Only a query that prunes can still succeed.
        # DuckDB binds the schema from the first file of the glob, so that one stays intact.
        with tempfile.TemporaryDirectory() as tmp:
            shutil.copytree(os.path.join(root, table), os.path.join(tmp, table))
            dirs = sorted(os.listdir(os.path.join(tmp, table)))
            for d in dirs[1:]:
                if d != f"month={PRUNE_MONTH}":
                    with open(os.path.join(tmp, table, d, "data.parquet"), "wb") as f:
                        f.write(b"not parquet")
            crel = scan(tmp, table)
            try:
                facts["pruned_rows"] = con.execute(
                    f"select count(*) from {crel} where month = '{PRUNE_MONTH}'"
                ).fetchone()[0]
            except duckdb.Error as e:
                facts["pruned_rows"] = None
                facts["pruned_error"] = str(e).splitlines()[0]
            try:
                con.execute(f"select count(*) from {crel}").fetchone()
                facts["unpruned_query_failed"] = False
            except duckdb.Error:
                facts["unpruned_query_failed"] = True
        out["tables"][table] = facts
    print(json.dumps(out))


if __name__ == "__main__":
    main()
