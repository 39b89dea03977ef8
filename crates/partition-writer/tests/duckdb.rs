//! A real consumer reads the warehouse: DuckDB's Python package queries every table with
//! `read_parquet('<table>/*/*.parquet', hive_partitioning = true)`.
//!
//! Needs `python3 -m pip install duckdb`. Without it this test FAILS, unless
//! `JIRAFE_SKIP_DUCKDB=1` is set (CI installs duckdb).

mod common;

use std::process::Command;
use std::sync::Arc;

use common::*;
use jirafe_partition_writer::PartitionWriter;
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::path::Path;

fn duckdb_available() -> bool {
    Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[tokio::test]
async fn duckdb_reads_the_warehouse_with_hive_partitioning() {
    if !duckdb_available() {
        if std::env::var("JIRAFE_SKIP_DUCKDB").as_deref() == Ok("1") {
            return;
        }
        panic!(
            "python3 with the duckdb package is required: `python3 -m pip install duckdb` \
             (or set JIRAFE_SKIP_DUCKDB=1 to skip this check)"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let store: Arc<dyn ObjectStore> =
        Arc::new(LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let w = PartitionWriter::new(store, Path::default());
    let (issues, comments) = (issues_spec(), comments_spec());

    // Five months, two overlapping loads, then a deletion.
    let load = |from: i64, to: i64, day: i64, text: &'static str| {
        let rows: Vec<Issue> = (from..=to)
            .map(|id| issue(id, (2025, 1 + id % 5), day, text))
            .collect();
        issues_batch(&rows)
    };
    w.upsert(&issues, [load(1, 60, 1, "first")]).await.unwrap();
    w.upsert(&issues, [load(40, 100, 2, "second")])
        .await
        .unwrap();
    let comment_rows: Vec<(i64, i64, (i64, i64), &str)> = (1..=100)
        .flat_map(|id| (0..3).map(move |k| (id * 10 + k, id, (2025, 1 + id % 5), "c")))
        .collect();
    w.upsert(&comments, [comments_batch(&comment_rows)])
        .await
        .unwrap();
    w.upsert(&comments, [comments_batch(&comment_rows[..90])])
        .await
        .unwrap();
    w.delete(&issues, &[3, 8]).await.unwrap();
    w.delete(&comments, &[3, 8]).await.unwrap();

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/duckdb_check.py");
    let out = Command::new("python3")
        .arg(script)
        .arg(dir.path())
        .args(["issues:id", "comments:id"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "duckdb script failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let facts: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let t = |table: &str, key: &str| facts["tables"][table][key].clone();

    // 2025-03 holds ids ≡ 2 (mod 5): 20 issues; the deleted ids 3 and 8 were in 2025-04.
    for (table, rows, in_march) in [("issues", 98, 20), ("comments", 294, 60)] {
        assert_eq!(t(table, "rows"), rows, "{table}: {stdout}");
        assert_eq!(t(table, "duplicate_keys"), 0, "{table}");
        assert_eq!(
            t(table, "months"),
            serde_json::json!(["2025-01", "2025-02", "2025-03", "2025-04", "2025-05"])
        );
        assert_eq!(
            t(table, "columns")["month"],
            "VARCHAR",
            "{table}: hive column"
        );
        assert_eq!(t(table, "rows_in_prune_month"), in_march, "{table}");
        assert_eq!(
            t(table, "pruned_rows"),
            in_march,
            "{table}: pruning lets the filtered query skip other months: {stdout}"
        );
        assert_eq!(
            t(table, "unpruned_query_failed"),
            true,
            "{table}: the garbage really is read without a filter"
        );
    }
    assert_eq!(
        t("issues", "columns")["created"],
        "TIMESTAMP WITH TIME ZONE"
    );
    assert_eq!(t("issues", "columns")["id"], "BIGINT");
}
