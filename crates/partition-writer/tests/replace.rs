//! `upsert_replacing`: incoming child rows are the complete set for their owners.

use std::sync::Arc;

use arrow::array::{Array, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use jirafe_partition_writer::{Month, Outcome, PartitionWriter, TableSpec};
use object_store::memory::InMemory;
use object_store::path::Path;

const MARCH: i64 = 1_740_787_200_000_000; // 2025-03-01T00:00:00Z in µs

fn schema() -> Arc<Schema> {
    let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("issue_id", DataType::Int64, false),
        Field::new("issue_created", ts, false),
        Field::new("body", DataType::Utf8, true),
    ]))
}

fn spec() -> TableSpec {
    TableSpec::builder("comments", schema())
        .primary_key(["id"])
        .month_column("issue_created")
        .owner_column("issue_id")
        .build()
        .unwrap()
}

fn rows(rows: &[(i64, i64, &str)]) -> RecordBatch {
    RecordBatch::try_new(
        schema(),
        vec![
            Arc::new(Int64Array::from(
                rows.iter().map(|r| r.0).collect::<Vec<_>>(),
            )),
            Arc::new(Int64Array::from(
                rows.iter().map(|r| r.1).collect::<Vec<_>>(),
            )),
            Arc::new(TimestampMicrosecondArray::from(vec![MARCH; rows.len()]).with_timezone("UTC")),
            Arc::new(StringArray::from(
                rows.iter().map(|r| r.2).collect::<Vec<_>>(),
            )),
        ],
    )
    .unwrap()
}

async fn ids(w: &PartitionWriter, month: Month) -> Vec<i64> {
    let batches = w
        .read_partition("comments", month)
        .await
        .unwrap()
        .unwrap_or_default();
    let mut out: Vec<i64> = batches
        .iter()
        .flat_map(|b| {
            let a = b.column(0).as_any().downcast_ref::<Int64Array>().unwrap();
            (0..a.len()).map(|i| a.value(i)).collect::<Vec<_>>()
        })
        .collect();
    out.sort_unstable();
    out
}

#[tokio::test]
async fn vanished_child_rows_are_removed_in_the_same_write() {
    let w = PartitionWriter::new(Arc::new(InMemory::new()), Path::from("wh"));
    let spec = spec();
    let march: Month = "2025-03".parse().unwrap();
    // Issue 1 has comments 10 and 11, issue 2 has 20, issue 3 has 30.
    w.upsert(
        &spec,
        [rows(&[
            (10, 1, "a"),
            (11, 1, "b"),
            (20, 2, "c"),
            (30, 3, "d"),
        ])],
    )
    .await
    .unwrap();

    // Issue 1 re-read: comment 11 was deleted, 12 added. Issue 2 lost its only comment.
    let owners = [(1, march), (2, march)];
    let rep = w
        .upsert_replacing(&spec, &owners, [rows(&[(10, 1, "a2"), (12, 1, "e")])])
        .await
        .unwrap();
    assert_eq!(
        rep.count(Outcome::Written),
        1,
        "one atomic write for the month"
    );
    assert_eq!(
        rep.partitions[0].rows_removed, 3,
        "stored rows of issues 1 and 2 dropped before the merge"
    );
    assert_eq!(ids(&w, march).await, vec![10, 12, 30], "issue 3 untouched");

    // The same again changes nothing.
    let again = w
        .upsert_replacing(&spec, &owners, [rows(&[(10, 1, "a2"), (12, 1, "e")])])
        .await
        .unwrap();
    assert_eq!(again.count(Outcome::Written), 0);
    assert_eq!(again.count(Outcome::Unchanged), 1);

    // An owner with no rows anywhere and no incoming rows: nothing is written.
    let none = w
        .upsert_replacing(&spec, &[(99, "2024-01".parse().unwrap())], Vec::new())
        .await
        .unwrap();
    assert_eq!(none.count(Outcome::Written), 0);
    assert!(
        w.list_partitions("comments")
            .await
            .unwrap()
            .iter()
            .all(|m| *m == march)
    );
}

#[tokio::test]
async fn needs_an_owner_column() {
    let w = PartitionWriter::new(Arc::new(InMemory::new()), Path::from("wh"));
    let no_owner = TableSpec::builder("comments", schema())
        .primary_key(["id"])
        .month_column("issue_created")
        .build()
        .unwrap();
    let e = w
        .upsert_replacing(&no_owner, &[], [rows(&[(1, 1, "x")])])
        .await
        .unwrap_err();
    assert!(e.to_string().contains("owner"), "{e}");
}
