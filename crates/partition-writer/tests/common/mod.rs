//! Shared fixtures for the integration tests: small issue/comment tables, store kinds, and a
//! wrapper store that counts writes and can "crash" at a chosen put.
#![allow(dead_code, unreachable_pub)]

use std::fmt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use arrow::array::{AsArray, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef, TimeUnit};
use async_trait::async_trait;
use futures::stream::BoxStream;
use jirafe_partition_writer::{Month, PartitionWriter, TableSpec};
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use object_store::{
    CopyOptions, GetOptions, GetResult, ListResult, MultipartUpload, ObjectMeta, ObjectStore,
    ObjectStoreExt, PutMultipartOptions, PutOptions, PutPayload, PutResult,
};

pub fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// Microseconds since the epoch of `year-month-day` 12:00 UTC.
pub fn ts(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    (days * 86_400 + 12 * 3600) * 1_000_000
}

/// The issues schema carries schema and field metadata, so determinism covers it.
pub fn issues_schema() -> SchemaRef {
    let meta = |pairs: &[(&str, &str)]| -> std::collections::HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    Arc::new(Schema::new_with_metadata(
        vec![
            Field::new("id", DataType::Int64, false).with_metadata(meta(&[
                ("source", "issue.id"),
                ("doc", "Jira id"),
                ("pk", "true"),
            ])),
            Field::new("key", DataType::Utf8, false),
            Field::new("created", ts_type(), false),
            Field::new("updated", ts_type(), true),
            Field::new("summary", DataType::Utf8, true),
        ],
        meta(&[
            ("table", "issues"),
            ("version", "1"),
            ("owner", "jirafe"),
            ("privacy", "scrubbed"),
        ]),
    ))
}

pub fn issues_spec() -> TableSpec {
    TableSpec::builder("issues", issues_schema())
        .primary_key(["id"])
        .month_column("created")
        .version_column("updated")
        .owner_column("id")
        .build()
        .unwrap()
}

pub fn comments_spec() -> TableSpec {
    let schema = Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("issue_id", DataType::Int64, false),
        Field::new("issue_created", ts_type(), false),
        Field::new("updated", ts_type(), true),
        Field::new("body", DataType::Utf8, true),
    ]));
    TableSpec::builder("comments", schema)
        .primary_key(["id"])
        .month_column("issue_created")
        .version_column("updated")
        .owner_column("issue_id")
        .build()
        .unwrap()
}

/// One issue row: (id, created (y, m), updated day, summary).
#[derive(Clone, Debug)]
pub struct Issue {
    pub id: i64,
    pub created: (i64, i64),
    pub updated_day: i64,
    pub summary: String,
}

pub fn issue(id: i64, created: (i64, i64), updated_day: i64, summary: &str) -> Issue {
    Issue {
        id,
        created,
        updated_day,
        summary: summary.to_owned(),
    }
}

pub fn issues_batch(rows: &[Issue]) -> RecordBatch {
    RecordBatch::try_new(
        issues_schema(),
        vec![
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.id))),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| format!("P-{}", r.id)),
            )),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(
                    rows.iter().map(|r| ts(r.created.0, r.created.1, 3)),
                )
                .with_timezone("UTC"),
            ),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(
                    rows.iter()
                        .map(|r| ts(2026, 1, 1) + r.updated_day * 86_400_000_000),
                )
                .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from_iter_values(
                rows.iter().map(|r| r.summary.clone()),
            )),
        ],
    )
    .unwrap()
}

/// Comments: (id, issue id, issue created (y, m), body).
pub fn comments_batch(rows: &[(i64, i64, (i64, i64), &str)]) -> RecordBatch {
    RecordBatch::try_new(
        comments_spec().schema().clone(),
        vec![
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(Int64Array::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(
                    rows.iter().map(|r| ts(r.2.0, r.2.1, 3)),
                )
                .with_timezone("UTC"),
            ),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(rows.iter().map(|_| ts(2026, 1, 1)))
                    .with_timezone("UTC"),
            ),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.3))),
        ],
    )
    .unwrap()
}

pub fn month(s: &str) -> Month {
    s.parse().unwrap()
}

/// `(id, summary)` of every row in a partition, in stored order.
pub async fn read_id_summary(w: &PartitionWriter, table: &str, m: &str) -> Vec<(i64, String)> {
    let Some(batches) = w.read_partition(table, month(m)).await.unwrap() else {
        return Vec::new();
    };
    let text_col = if table == "issues" { "summary" } else { "body" };
    let mut out = Vec::new();
    for b in batches {
        let ids = b.column_by_name("id").unwrap().as_primitive::<Int64Type>();
        let text = b.column_by_name(text_col).unwrap().as_string::<i32>();
        for i in 0..b.num_rows() {
            out.push((ids.value(i), text.value(i).to_owned()));
        }
    }
    out
}

/// All ids of a table across partitions, sorted, with duplicates kept.
pub async fn all_ids(w: &PartitionWriter, table: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    for m in w.list_partitions(table).await.unwrap() {
        for b in w
            .read_partition(table, m)
            .await
            .unwrap()
            .unwrap_or_default()
        {
            let col = b.column_by_name("id").unwrap().as_primitive::<Int64Type>();
            ids.extend((0..col.len()).map(|i| col.value(i)));
        }
    }
    ids.sort_unstable();
    ids
}

/// The two store kinds every behaviour is checked on. The temp dir lives as long as the
/// returned guard.
pub enum Kind {
    Memory,
    Local,
}

pub struct TestStore {
    pub store: Arc<dyn ObjectStore>,
    pub dir: Option<tempfile::TempDir>,
}

pub fn make_store(kind: Kind) -> TestStore {
    match kind {
        Kind::Memory => TestStore {
            store: Arc::new(InMemory::new()),
            dir: None,
        },
        Kind::Local => {
            let dir = tempfile::tempdir().unwrap();
            let store = LocalFileSystem::new_with_prefix(dir.path()).unwrap();
            TestStore {
                store: Arc::new(store),
                dir: Some(dir),
            }
        }
    }
}

/// Counts puts of partition objects and can fail the next put to a chosen partition after
/// writing the payload to a temp object — a writer that died between the temp write and
/// the rename.
#[derive(Debug)]
pub struct CrashStore {
    pub inner: Arc<dyn ObjectStore>,
    pub data_puts: AtomicUsize,
    /// The next put whose path contains this text crashes (once).
    pub crash_on: Mutex<Option<String>>,
}

impl CrashStore {
    pub fn new(inner: Arc<dyn ObjectStore>) -> Self {
        Self {
            inner,
            data_puts: AtomicUsize::new(0),
            crash_on: Mutex::new(None),
        }
    }
}

impl fmt::Display for CrashStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CrashStore({})", self.inner)
    }
}

#[async_trait]
impl ObjectStore for CrashStore {
    async fn put_opts(
        &self,
        location: &Path,
        payload: PutPayload,
        opts: PutOptions,
    ) -> object_store::Result<PutResult> {
        if location.filename() == Some("data.parquet") {
            self.data_puts.fetch_add(1, Ordering::SeqCst);
            let crash = {
                let mut on = self.crash_on.lock().unwrap();
                let hit = on.as_deref().is_some_and(|s| location.as_ref().contains(s));
                if hit {
                    *on = None;
                }
                hit
            };
            if crash {
                let tmp = Path::from(format!("{location}.tmp-crash"));
                self.inner.put(&tmp, payload).await?;
                return Err(object_store::Error::Generic {
                    store: "CrashStore",
                    source: "simulated crash before rename".into(),
                });
            }
        }
        self.inner.put_opts(location, payload, opts).await
    }

    async fn put_multipart_opts(
        &self,
        location: &Path,
        opts: PutMultipartOptions,
    ) -> object_store::Result<Box<dyn MultipartUpload>> {
        self.inner.put_multipart_opts(location, opts).await
    }

    async fn get_opts(
        &self,
        location: &Path,
        options: GetOptions,
    ) -> object_store::Result<GetResult> {
        self.inner.get_opts(location, options).await
    }

    fn delete_stream(
        &self,
        locations: BoxStream<'static, object_store::Result<Path>>,
    ) -> BoxStream<'static, object_store::Result<Path>> {
        self.inner.delete_stream(locations)
    }

    fn list(&self, prefix: Option<&Path>) -> BoxStream<'static, object_store::Result<ObjectMeta>> {
        self.inner.list(prefix)
    }

    async fn list_with_delimiter(&self, prefix: Option<&Path>) -> object_store::Result<ListResult> {
        self.inner.list_with_delimiter(prefix).await
    }

    async fn copy_opts(
        &self,
        from: &Path,
        to: &Path,
        options: CopyOptions,
    ) -> object_store::Result<()> {
        self.inner.copy_opts(from, to, options).await
    }
}
