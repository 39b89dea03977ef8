//! Behaviour of the writer on InMemory and LocalFileSystem: overlapping loads, idempotent
//! re-loads, deletions, crashes, concurrent writers, schema evolution, hostile objects.

mod common;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use arrow::array::{
    Array, AsArray, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray,
};
use arrow::datatypes::{DataType, Field, Schema};
use common::*;
use jirafe_partition_writer::{Concurrency, Error, Outcome, PartitionWriter, TableSpec};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

fn writer(store: &Arc<dyn ObjectStore>) -> PartitionWriter {
    PartitionWriter::new(Arc::clone(store), Path::from("wh"))
}

async fn overlapping_loads(kind: Kind) {
    let s = make_store(kind);
    let w = writer(&s.store);
    let spec = issues_spec();
    let first: Vec<Issue> = (1..=30)
        .map(|id| issue(id, (2025, 1 + id % 3), 1, "v1"))
        .collect();
    let r = w.upsert(&spec, [issues_batch(&first)]).await.unwrap();
    assert_eq!(r.count(Outcome::Written), 3);
    assert_eq!(r.partitions.iter().map(|p| p.rows).sum::<usize>(), 30);

    // Second load overlaps: ids 21..=40; 21..=25 newer, 26..=30 older than stored.
    let mut second: Vec<Issue> = (21..=25)
        .map(|id| issue(id, (2025, 1 + id % 3), 2, "v2"))
        .collect();
    second.extend((26..=30).map(|id| issue(id, (2025, 1 + id % 3), 0, "stale")));
    second.extend((31..=40).map(|id| issue(id, (2025, 1 + id % 3), 1, "v1")));
    second.reverse(); // arrival order must not matter
    let (a, b) = second.split_at(7);
    w.upsert(&spec, [issues_batch(a), issues_batch(b)])
        .await
        .unwrap();

    assert_eq!(all_ids(&w, "issues").await, (1..=40).collect::<Vec<_>>());
    for m in ["2025-01", "2025-02", "2025-03"] {
        let rows = read_id_summary(&w, "issues", m).await;
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let mut sorted = ids.clone();
        sorted.sort_unstable();
        assert_eq!(ids, sorted, "rows sorted by key in {m}");
        for (id, summary) in rows {
            let want = if (21..=25).contains(&id) { "v2" } else { "v1" };
            assert_eq!(summary, want, "id {id} in {m}");
            assert_eq!(month(m).month() as i64, 1 + id % 3);
        }
    }
}

#[tokio::test]
async fn overlapping_loads_in_memory() {
    overlapping_loads(Kind::Memory).await;
}

#[tokio::test]
async fn overlapping_loads_local() {
    overlapping_loads(Kind::Local).await;
}

async fn reload_is_a_no_op(kind: Kind) {
    let s = make_store(kind);
    let crash = Arc::new(CrashStore::new(Arc::clone(&s.store)));
    let store: Arc<dyn ObjectStore> = crash.clone();
    let w = writer(&store);
    let spec = issues_spec();
    let rows: Vec<Issue> = (1..=50)
        .map(|id| issue(id, (2024, 1 + id % 12), 1, "same"))
        .collect();
    let first = w.upsert(&spec, [issues_batch(&rows)]).await.unwrap();
    let puts = crash.data_puts.load(Ordering::SeqCst);
    assert_eq!(puts, 12);

    let mut shuffled = rows.clone();
    shuffled.rotate_left(17);
    let again = w.upsert(&spec, [issues_batch(&shuffled)]).await.unwrap();
    assert_eq!(again.count(Outcome::Unchanged), 12);
    assert_eq!(again.written().count(), 0);
    assert_eq!(
        crash.data_puts.load(Ordering::SeqCst),
        puts,
        "no object rewritten"
    );
    let shas = |r: &jirafe_partition_writer::WriteReport| -> Vec<Option<String>> {
        r.partitions.iter().map(|p| p.sha256.clone()).collect()
    };
    assert_eq!(shas(&first), shas(&again));

    // Same input on a fresh store gives byte-identical objects.
    let other = make_store(Kind::Memory);
    let r = writer(&other.store)
        .upsert(&spec, [issues_batch(&shuffled)])
        .await
        .unwrap();
    assert_eq!(shas(&first), shas(&r));
    for p in &first.partitions {
        let got = s.store.get(&p.path).await.unwrap().bytes().await.unwrap();
        let want = other
            .store
            .get(&p.path)
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(got, want);
    }
}

#[tokio::test]
async fn reload_is_a_no_op_in_memory() {
    reload_is_a_no_op(Kind::Memory).await;
}

#[tokio::test]
async fn reload_is_a_no_op_local() {
    reload_is_a_no_op(Kind::Local).await;
}

async fn deletions(kind: Kind) {
    let s = make_store(kind);
    let crash = Arc::new(CrashStore::new(Arc::clone(&s.store)));
    let store: Arc<dyn ObjectStore> = crash.clone();
    let w = writer(&store);
    let (issues, comments) = (issues_spec(), comments_spec());
    // Ids grow with creation month, as in Jira.
    let rows = vec![
        issue(10, (2025, 1), 1, "a"),
        issue(11, (2025, 1), 1, "b"),
        issue(20, (2025, 2), 1, "c"),
        issue(30, (2025, 3), 1, "d"),
    ];
    w.upsert(&issues, [issues_batch(&rows)]).await.unwrap();
    w.upsert(
        &comments,
        [comments_batch(&[
            (100, 10, (2025, 1), "x"),
            (101, 10, (2025, 1), "y"),
            (102, 11, (2025, 1), "z"),
            (200, 20, (2025, 2), "w"),
            (300, 30, (2025, 3), "v"),
        ])],
    )
    .await
    .unwrap();
    let puts_before = crash.data_puts.load(Ordering::SeqCst);

    let r = w.delete(&issues, &[10, 20, 999]).await.unwrap();
    let touched: Vec<String> = r.partitions.iter().map(|p| p.month.to_string()).collect();
    assert_eq!(
        touched,
        ["2025-01", "2025-02"],
        "footer statistics skip 2025-03"
    );
    assert_eq!(
        r.partitions.iter().map(|p| p.rows_removed).sum::<usize>(),
        2
    );
    let r = w.delete(&comments, &[10, 20, 999]).await.unwrap();
    assert_eq!(
        r.partitions.iter().map(|p| p.rows_removed).sum::<usize>(),
        3
    );

    assert_eq!(all_ids(&w, "issues").await, [11, 30]);
    assert_eq!(all_ids(&w, "comments").await, [102, 300]);
    let feb = r
        .partitions
        .iter()
        .find(|p| p.month == month("2025-02"))
        .unwrap();
    match s.dir {
        // Under a lock an emptied partition is deleted ...
        Some(_) => {
            assert_eq!(feb.outcome, Outcome::Removed);
            assert!(
                !w.list_partitions("comments")
                    .await
                    .unwrap()
                    .contains(&month("2025-02"))
            );
        }
        // ... with conditional puts it becomes a zero-row file.
        None => {
            assert_eq!(feb.outcome, Outcome::Written);
            assert_eq!(feb.rows, 0);
            assert_eq!(
                w.read_partition("comments", month("2025-02"))
                    .await
                    .unwrap()
                    .unwrap()
                    .iter()
                    .map(|b| b.num_rows())
                    .sum::<usize>(),
                0
            );
        }
    }
    // 2025-03 was never rewritten; deleting again changes nothing.
    let puts_after = crash.data_puts.load(Ordering::SeqCst);
    let again = w.delete(&comments, &[10, 20]).await.unwrap();
    assert!(again.written().next().is_none());
    assert_eq!(crash.data_puts.load(Ordering::SeqCst), puts_after);
    assert!(puts_after - puts_before <= 4);

    // When the caller knows the months, no footer scan; absent months are skipped.
    let r = w
        .delete_in_months(&issues, &[11], &[month("2025-01"), month("2031-07")])
        .await
        .unwrap();
    assert_eq!(r.partitions.len(), 1);
    assert_eq!(
        (r.partitions[0].month, r.partitions[0].rows_removed),
        (month("2025-01"), 1)
    );
    assert_eq!(all_ids(&w, "issues").await, [30]);
}

#[tokio::test]
async fn deletions_in_memory() {
    deletions(Kind::Memory).await;
}

#[tokio::test]
async fn deletions_local() {
    deletions(Kind::Local).await;
}

async fn crash_between_temp_write_and_rename(kind: Kind) {
    let s = make_store(kind);
    let crash = Arc::new(CrashStore::new(Arc::clone(&s.store)));
    let store: Arc<dyn ObjectStore> = crash.clone();
    let w = writer(&store);
    let spec = issues_spec();
    let old: Vec<Issue> = (1..=9)
        .map(|id| issue(id, (2025, 1 + id % 3), 1, "old"))
        .collect();
    w.upsert(&spec, [issues_batch(&old)]).await.unwrap();
    let before = read_id_summary(&w, "issues", "2025-02").await;

    let new: Vec<Issue> = (1..=9)
        .map(|id| issue(id, (2025, 1 + id % 3), 2, "new"))
        .collect();
    *crash.crash_on.lock().unwrap() = Some("month=2025-02".into());
    let err = w.upsert(&spec, [issues_batch(&new)]).await.unwrap_err();
    assert!(matches!(err, Error::ObjectStore { .. }), "{err}");
    assert!(
        err.to_string().contains("month=2025-02/data.parquet"),
        "{err}"
    );

    // The crashed partition is the old one, intact; the temp object is ignored by readers.
    assert_eq!(read_id_summary(&w, "issues", "2025-02").await, before);
    assert!(
        read_id_summary(&w, "issues", "2025-01")
            .await
            .iter()
            .all(|r| r.1 == "new")
    );
    assert!(
        read_id_summary(&w, "issues", "2025-03")
            .await
            .iter()
            .all(|r| r.1 == "old")
    );
    assert_eq!(w.list_partitions("issues").await.unwrap().len(), 3);

    // Retrying converges to what a clean run writes.
    let retry = w.upsert(&spec, [issues_batch(&new)]).await.unwrap();
    let outcomes: Vec<Outcome> = retry.partitions.iter().map(|p| p.outcome).collect();
    assert_eq!(
        outcomes,
        [Outcome::Unchanged, Outcome::Written, Outcome::Written]
    );
    let clean = make_store(Kind::Memory);
    let cw = writer(&clean.store);
    cw.upsert(&spec, [issues_batch(&old)]).await.unwrap();
    let clean_report = cw.upsert(&spec, [issues_batch(&new)]).await.unwrap();
    let sha = |r: &jirafe_partition_writer::WriteReport| -> Vec<Option<String>> {
        r.partitions.iter().map(|p| p.sha256.clone()).collect()
    };
    assert_eq!(sha(&retry), sha(&clean_report));
}

#[tokio::test]
async fn crash_between_temp_write_and_rename_in_memory() {
    crash_between_temp_write_and_rename(Kind::Memory).await;
}

#[tokio::test]
async fn crash_between_temp_write_and_rename_local() {
    crash_between_temp_write_and_rename(Kind::Local).await;
}

/// What LocalFileSystem itself leaves when the process dies mid-put: a staged
/// `data.parquet#N` file next to the partition. Readers and the writer ignore it.
#[tokio::test]
async fn leftover_staged_file_on_local_disk_is_ignored() {
    let s = make_store(Kind::Local);
    let w = writer(&s.store);
    let spec = issues_spec();
    w.upsert(&spec, [issues_batch(&[issue(1, (2025, 5), 1, "kept")])])
        .await
        .unwrap();
    let dir = s
        .dir
        .as_ref()
        .unwrap()
        .path()
        .join("wh/issues/month=2025-05");
    std::fs::write(dir.join("data.parquet#1"), b"half a parquet fi").unwrap();

    assert_eq!(
        w.list_partitions("issues").await.unwrap(),
        [month("2025-05")]
    );
    assert_eq!(
        read_id_summary(&w, "issues", "2025-05").await,
        [(1, "kept".to_owned())]
    );
    w.upsert(&spec, [issues_batch(&[issue(2, (2025, 5), 1, "added")])])
        .await
        .unwrap();
    assert_eq!(all_ids(&w, "issues").await, [1, 2]);
}

const ROUNDS: i64 = 12;

fn round_rows(writer_no: i64, round: i64) -> RecordBatch {
    // Each writer owns ids ≡ writer_no (mod 2); every round touches the same two months.
    let rows: Vec<Issue> = (0..4)
        .map(|k| {
            let id = (round * 8 + k * 2 + writer_no) + 1;
            issue(id, (2025, 6 + k % 2), 1, "w")
        })
        .collect();
    issues_batch(&rows)
}

async fn run_writer(w: PartitionWriter, writer_no: i64) -> u32 {
    let spec = issues_spec();
    let mut retries = 0;
    for round in 0..ROUNDS {
        let r = w
            .upsert(&spec, [round_rows(writer_no, round)])
            .await
            .unwrap();
        retries += r.partitions.iter().map(|p| p.attempts - 1).sum::<u32>();
    }
    retries
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_in_memory_lose_nothing() {
    let s = make_store(Kind::Memory);
    let a = tokio::spawn(run_writer(writer(&s.store), 0));
    let b = tokio::spawn(run_writer(writer(&s.store), 1));
    let (a, b) = (a.await.unwrap(), b.await.unwrap());
    let w = writer(&s.store);
    assert_eq!(
        all_ids(&w, "issues").await,
        (1..=ROUNDS * 8).collect::<Vec<_>>(),
        "retries: {a}+{b}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_on_local_disk_lose_nothing() {
    let s = make_store(Kind::Local);
    let a = tokio::spawn(run_writer(writer(&s.store), 0));
    let b = tokio::spawn(run_writer(writer(&s.store), 1));
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(
        all_ids(&writer(&s.store), "issues").await,
        (1..=ROUNDS * 8).collect::<Vec<_>>()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_tasks_with_lock_files_lose_nothing() {
    let s = make_store(Kind::Memory);
    let locked = |st: &Arc<dyn ObjectStore>| writer(st).with_concurrency(Concurrency::LockFile);
    let a = tokio::spawn(run_writer(locked(&s.store), 0));
    let b = tokio::spawn(run_writer(writer(&s.store), 1)); // mixed with a conditional-put writer
    a.await.unwrap();
    b.await.unwrap();
    assert_eq!(
        all_ids(&writer(&s.store), "issues").await,
        (1..=ROUNDS * 8).collect::<Vec<_>>()
    );
    assert!(
        s.store
            .list(Some(&Path::from("wh/_locks")))
            .next()
            .await
            .is_none(),
        "locks released"
    );
}

use futures::StreamExt;

/// Two writers in separate OS threads, each with its own runtime and its own
/// LocalFileSystem instance over the same directory (as two processes would be).
#[test]
fn concurrent_threads_on_local_disk_lose_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let handles: Vec<_> = (0..2)
        .map(|writer_no| {
            let root = dir.path().to_owned();
            std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                let store: Arc<dyn ObjectStore> =
                    Arc::new(object_store::local::LocalFileSystem::new_with_prefix(root).unwrap());
                rt.block_on(run_writer(writer(&store), writer_no))
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let store: Arc<dyn ObjectStore> =
        Arc::new(object_store::local::LocalFileSystem::new_with_prefix(dir.path()).unwrap());
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let w = writer(&store);
        assert_eq!(
            all_ids(&w, "issues").await,
            (1..=ROUNDS * 8).collect::<Vec<_>>()
        );
    });
    assert!(
        !dir.path()
            .join("wh/_locks/issues/month=2025-06.lock")
            .exists()
    );
}

#[tokio::test]
async fn stale_lock_is_broken_and_fresh_lock_times_out() {
    let s = make_store(Kind::Local);
    let w = writer(&s.store)
        .with_concurrency(Concurrency::LockFile)
        .with_lock_stale_after(Duration::from_secs(60))
        .with_lock_wait(Duration::from_millis(300));
    let spec = issues_spec();
    let lock = Path::from("wh/_locks/issues/month=2025-04.lock");
    // A lock held right now by someone else: we give up after the wait.
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let held = format!("token=other\nacquired_ms={now_ms}\n");
    s.store
        .put(&lock, PutPayload::from(held.into_bytes()))
        .await
        .unwrap();
    let err = w
        .upsert(&spec, [issues_batch(&[issue(1, (2025, 4), 1, "x")])])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::LockTimeout { .. }), "{err}");
    assert!(w.list_partitions("issues").await.unwrap().is_empty());

    // A lock from a writer that died long ago is broken.
    s.store
        .put(
            &lock,
            PutPayload::from_static(b"token=dead\nacquired_ms=1000\n"),
        )
        .await
        .unwrap();
    let r = w
        .upsert(&spec, [issues_batch(&[issue(1, (2025, 4), 1, "x")])])
        .await
        .unwrap();
    assert_eq!(r.count(Outcome::Written), 1);
    assert!(s.store.head(&lock).await.is_err(), "our lock released");
}

fn v2_spec(extra: Field) -> TableSpec {
    let mut fields: Vec<Field> = issues_schema()
        .fields()
        .iter()
        .map(|f| f.as_ref().clone())
        .collect();
    fields.push(extra);
    TableSpec::builder("issues", Arc::new(Schema::new(fields)))
        .primary_key(["id"])
        .month_column("created")
        .version_column("updated")
        .owner_column("id")
        .build()
        .unwrap()
}

async fn schema_evolution(kind: Kind) {
    let s = make_store(kind);
    let w = writer(&s.store);
    w.upsert(
        &issues_spec(),
        [issues_batch(&[issue(1, (2025, 8), 1, "old")])],
    )
    .await
    .unwrap();

    // A new nullable column merges: old rows read as null.
    let spec = v2_spec(Field::new("story_points", DataType::Int64, true));
    let base = issues_batch(&[issue(2, (2025, 8), 1, "new")]);
    let mut cols = base.columns().to_vec();
    cols.push(Arc::new(Int64Array::from(vec![5])));
    let batch = RecordBatch::try_new(spec.schema().clone(), cols).unwrap();
    w.upsert(&spec, [batch]).await.unwrap();
    let got = w
        .read_partition("issues", month("2025-08"))
        .await
        .unwrap()
        .unwrap();
    let b = &got[0];
    let sp = b
        .column_by_name("story_points")
        .unwrap()
        .as_primitive::<arrow::datatypes::Int64Type>();
    assert_eq!((b.num_rows(), sp.is_null(0), sp.value(1)), (2, true, 5));

    // Writing with the old spec keeps the column (nulls for the new rows), loses nothing.
    w.upsert(
        &issues_spec(),
        [issues_batch(&[issue(3, (2025, 8), 1, "older spec")])],
    )
    .await
    .unwrap();
    let got = w
        .read_partition("issues", month("2025-08"))
        .await
        .unwrap()
        .unwrap();
    let sp = got[0]
        .column_by_name("story_points")
        .unwrap()
        .as_primitive::<arrow::datatypes::Int64Type>();
    assert_eq!(
        (got[0].num_rows(), sp.value(1), sp.is_null(2)),
        (3, 5, true)
    );

    // A type change is refused, naming table and column.
    let spec = v2_spec(Field::new("story_points", DataType::Utf8, true));
    let base = issues_batch(&[issue(4, (2025, 8), 1, "x")]);
    let mut cols = base.columns().to_vec();
    cols.push(Arc::new(StringArray::from(vec!["5"])));
    let err = w
        .upsert(
            &spec,
            [RecordBatch::try_new(spec.schema().clone(), cols).unwrap()],
        )
        .await
        .unwrap_err();
    match &err {
        Error::IncompatibleSchema {
            table,
            column,
            reason,
        } => {
            assert_eq!(
                (table.as_str(), column.as_str()),
                ("issues", "story_points")
            );
            assert!(
                reason.contains("Int64") && reason.contains("Utf8"),
                "{reason}"
            );
        }
        other => panic!("unexpected {other}"),
    }

    // A new non-nullable column is refused too.
    let spec = v2_spec(Field::new("rank", DataType::Int64, false));
    let base = issues_batch(&[issue(4, (2025, 8), 1, "x")]);
    let mut cols = base.columns().to_vec();
    cols.push(Arc::new(Int64Array::from(vec![1])));
    let err = w
        .upsert(
            &spec,
            [RecordBatch::try_new(spec.schema().clone(), cols).unwrap()],
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::IncompatibleSchema { column, .. } if column == "rank"),
        "{err}"
    );
    // ... but is fine for a month that has no data yet.
    let base = issues_batch(&[issue(5, (2025, 9), 1, "x")]);
    let mut cols = base.columns().to_vec();
    cols.push(Arc::new(Int64Array::from(vec![1])));
    w.upsert(
        &spec,
        [RecordBatch::try_new(spec.schema().clone(), cols).unwrap()],
    )
    .await
    .unwrap();
    assert_eq!(all_ids(&w, "issues").await, [1, 2, 3, 5]);
}

#[tokio::test]
async fn schema_evolution_in_memory() {
    schema_evolution(Kind::Memory).await;
}

#[tokio::test]
async fn schema_evolution_local() {
    schema_evolution(Kind::Local).await;
}

async fn garbage_object(kind: Kind) {
    let s = make_store(kind);
    let w = writer(&s.store);
    let spec = issues_spec();
    let path = Path::from("wh/issues/month=2025-03/data.parquet");
    for junk in [
        &b"definitely not parquet, just text"[..],
        b"PAR1",
        b"\xff\xff\xff\x7fPAR1",
    ] {
        s.store
            .put(&path, PutPayload::from(junk.to_vec()))
            .await
            .unwrap();
        let err = w
            .upsert(&spec, [issues_batch(&[issue(1, (2025, 3), 1, "x")])])
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Parquet { .. }), "{err}");
        assert!(
            err.to_string()
                .contains("wh/issues/month=2025-03/data.parquet"),
            "{err}"
        );
        let err = w.delete(&spec, &[1]).await.unwrap_err();
        assert!(
            err.to_string().contains("month=2025-03/data.parquet"),
            "{err}"
        );
        let err = w
            .read_partition("issues", month("2025-03"))
            .await
            .unwrap_err();
        assert!(matches!(err, Error::Parquet { .. }), "{err}");
        // Untouched.
        assert_eq!(
            s.store.get(&path).await.unwrap().bytes().await.unwrap(),
            junk
        );
    }
}

#[tokio::test]
async fn garbage_object_is_a_clear_error_in_memory() {
    garbage_object(Kind::Memory).await;
}

#[tokio::test]
async fn garbage_object_is_a_clear_error_local() {
    garbage_object(Kind::Local).await;
}

#[tokio::test]
async fn bad_rows_are_refused_without_values_in_the_message() {
    let s = make_store(Kind::Memory);
    let w = writer(&s.store);
    let spec = comments_spec();
    let secret = "alice@example.com";
    let batch = RecordBatch::try_new(
        spec.schema().clone(),
        vec![
            Arc::new(Int64Array::from(vec![1, 2])),
            Arc::new(Int64Array::from(vec![1, 1])),
            Arc::new(
                TimestampMicrosecondArray::from(vec![Some(ts(2025, 1, 1)), Some(ts(12000, 1, 1))])
                    .with_timezone("UTC"),
            ),
            Arc::new(TimestampMicrosecondArray::from(vec![None::<i64>, None]).with_timezone("UTC")),
            Arc::new(StringArray::from(vec![secret, secret])),
        ],
    )
    .unwrap();
    let err = w.upsert(&spec, [batch]).await.unwrap_err();
    assert!(matches!(err, Error::InvalidInput { .. }), "{err}");
    assert!(err.to_string().contains("row 1"), "{err}");
    assert!(!err.to_string().contains(secret));
    assert!(
        w.list_partitions("comments").await.unwrap().is_empty(),
        "nothing written"
    );

    let err = w
        .delete(
            &TableSpec::builder("boards", issues_schema())
                .primary_key(["id"])
                .month_column("created")
                .build()
                .unwrap(),
            &[1],
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidSpec { .. }), "{err}");
}

#[tokio::test]
async fn conditional_put_only_is_refused_on_local_disk() {
    let s = make_store(Kind::Local);
    let w = writer(&s.store).with_concurrency(Concurrency::ConditionalPut);
    let spec = issues_spec();
    // Creating a partition works (PutMode::Create) ...
    w.upsert(&spec, [issues_batch(&[issue(1, (2025, 1), 1, "a")])])
        .await
        .unwrap();
    // ... updating needs PutMode::Update, which LocalFileSystem lacks.
    let err = w
        .upsert(&spec, [issues_batch(&[issue(2, (2025, 1), 1, "b")])])
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::ObjectStore {
                source: object_store::Error::NotImplemented { .. },
                ..
            }
        ),
        "{err}"
    );
    assert_eq!(all_ids(&w, "issues").await, [1]);
}

#[tokio::test]
async fn months_follow_hive_layout_under_the_prefix() {
    let s = make_store(Kind::Memory);
    let w = PartitionWriter::new(Arc::clone(&s.store), Path::default());
    let r = w
        .upsert(
            &issues_spec(),
            [issues_batch(&[
                issue(1, (1999, 12), 1, "a"),
                issue(2, (2000, 1), 1, "b"),
            ])],
        )
        .await
        .unwrap();
    let paths: Vec<String> = r.partitions.iter().map(|p| p.path.to_string()).collect();
    assert_eq!(
        paths,
        [
            "issues/month=1999-12/data.parquet",
            "issues/month=2000-01/data.parquet"
        ]
    );
    let p = &r.partitions[0];
    let bytes = s.store.get(&p.path).await.unwrap().bytes().await.unwrap();
    assert_eq!(p.bytes, bytes.len() as u64);
    use sha2::Digest;
    assert_eq!(
        p.sha256.as_deref(),
        Some(hex::encode(sha2::Sha256::digest(&bytes)).as_str())
    );
    // The Hive column lives in the path only, never in the file.
    let file = w.read_partition("issues", p.month).await.unwrap().unwrap();
    assert!(file[0].schema().field_with_name("month").is_err());
}
