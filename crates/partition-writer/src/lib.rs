//! Month-partitioned Parquet tables on any [`ObjectStore`](object_store::ObjectStore):
//! upsert by primary key, deletions by owner, atomic replace, and concurrent writers that
//! never lose each other's rows.
//!
//! This crate knows Arrow and `object_store`, nothing of Jira. The pipeline hands it
//! [`RecordBatch`](arrow::record_batch::RecordBatch)es and a [`TableSpec`] per table; it
//! keeps the warehouse correct under repeated, overlapping, interrupted and concurrent loads.
//!
//! # A guided tour
//!
//! ## 1. Describe a table
//!
//! A [`TableSpec`] names the table, its Arrow schema, the primary key, the column that
//! decides the partition month, and optionally a version column (newer wins) and an owner
//! column (what [`PartitionWriter::delete`] removes by).
//!
//! ```
//! use std::sync::Arc;
//! use arrow::array::{Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
//! use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
//! use jirafe_partition_writer::TableSpec;
//!
//! let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
//! let schema = Arc::new(Schema::new(vec![
//!     Field::new("id", DataType::Int64, false),
//!     Field::new("created", ts.clone(), false),
//!     Field::new("updated", ts, true),
//!     Field::new("summary", DataType::Utf8, true),
//! ]));
//! let issues = TableSpec::builder("issues", schema.clone())
//!     .primary_key(["id"])
//!     .month_column("created")
//!     .version_column("updated")
//!     .owner_column("id")
//!     .build()?;
//! # Ok::<(), jirafe_partition_writer::Error>(())
//! ```
//!
//! ## 2. Upsert, re-load, delete, read back
//!
//! [`PartitionWriter::upsert`] groups rows by month and, one month at a time, merges them
//! with the stored partition and replaces it. Loading the same rows again writes nothing.
//!
//! ```
//! # use std::sync::Arc;
//! # use arrow::array::{Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
//! # use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
//! use jirafe_partition_writer::{Month, Outcome, PartitionWriter, TableSpec};
//! use object_store::{memory::InMemory, path::Path};
//! # let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
//! # let schema = Arc::new(Schema::new(vec![
//! #     Field::new("id", DataType::Int64, false),
//! #     Field::new("created", ts.clone(), false),
//! #     Field::new("updated", ts, true),
//! #     Field::new("summary", DataType::Utf8, true),
//! # ]));
//! # let issues = TableSpec::builder("issues", schema.clone()).primary_key(["id"])
//! #     .month_column("created").version_column("updated").owner_column("id").build()?;
//! # let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
//! # rt.block_on(async {
//! const MARCH_2025: i64 = 1_740_787_200_000_000; // 2025-03-01T00:00:00Z in µs
//! const APRIL_2025: i64 = 1_743_465_600_000_000;
//! let batch = |ids: Vec<i64>, created: Vec<i64>, updated: i64, text: &str| {
//!     RecordBatch::try_new(schema.clone(), vec![
//!         Arc::new(Int64Array::from(ids.clone())),
//!         Arc::new(TimestampMicrosecondArray::from(created).with_timezone("UTC")),
//!         Arc::new(TimestampMicrosecondArray::from(vec![updated; ids.len()]).with_timezone("UTC")),
//!         Arc::new(StringArray::from(vec![text; ids.len()])),
//!     ]).unwrap()
//! };
//!
//! let writer = PartitionWriter::new(Arc::new(InMemory::new()), Path::from("warehouse"));
//!
//! // Two issues in March, one in April: two partitions written.
//! let first = batch(vec![1, 2, 3], vec![MARCH_2025, MARCH_2025, APRIL_2025], 10, "v1");
//! let report = writer.upsert(&issues, [first.clone()]).await?;
//! assert_eq!(report.count(Outcome::Written), 2);
//! for p in report.written() {
//!     // what the audit log records: path, size, SHA-256
//!     assert!(p.path.as_ref().ends_with("/data.parquet") && p.bytes > 0);
//!     assert_eq!(p.sha256.as_ref().map(String::len), Some(64));
//! }
//! assert_eq!(
//!     report.partitions[0].path.as_ref(),
//!     "warehouse/issues/month=2025-03/data.parquet"
//! );
//!
//! // The same rows again: byte-identical partitions, nothing written.
//! let again = writer.upsert(&issues, [first]).await?;
//! assert_eq!(again.count(Outcome::Unchanged), 2);
//!
//! // A newer version of issue 2 replaces the stored row; an older one would not.
//! writer.upsert(&issues, [batch(vec![2], vec![MARCH_2025], 11, "v2")]).await?;
//! writer.upsert(&issues, [batch(vec![1], vec![MARCH_2025], 9, "stale")]).await?;
//!
//! // Issue 3 was deleted in Jira: remove it (and, per child table, its child rows).
//! let deleted = writer.delete(&issues, &[3]).await?;
//! assert_eq!(deleted.partitions[0].rows_removed, 1);
//!
//! let march: Month = "2025-03".parse()?;
//! assert_eq!(writer.list_partitions("issues").await?, [march, "2025-04".parse()?]);
//! let rows = writer.read_partition("issues", march).await?.unwrap();
//! let summaries = rows[0].column_by_name("summary").unwrap();
//! let summaries = summaries.as_any().downcast_ref::<StringArray>().unwrap();
//! assert_eq!(summaries.iter().flatten().collect::<Vec<_>>(), ["v1", "v2"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # The warehouse layout
//!
//! `<prefix>/<table>/month=YYYY-MM/data.parquet`, one file per partition, Hive style, so
//! `read_parquet('<table>/*/*.parquet', hive_partitioning = true)` in DuckDB (or Spark,
//! Trino, Athena) sees a `month` column and prunes on it. The month is that of the
//! [month column](TableSpecBuilder::month_column) in UTC — for child tables the parent
//! issue's `created`, so one issue's rows change together.
//!
//! The `month` column lives **only in the directory name**, never inside the files: a
//! column of that name in the file would clash with the Hive column (DuckDB reads it as
//! `VARCHAR` from the path), so [`TableSpecBuilder::build`] refuses schemas that have one.
//! Locks go to `<prefix>/_locks/`, outside every table's glob.
//!
//! # Guarantees, and how they are kept
//!
//! - **Upsert by key.** One row per primary key per partition, sorted by key. With a
//!   version column the greatest version wins (null is oldest) and incoming rows win ties;
//!   without one incoming rows always win. A key is expected to stay in its month (an
//!   issue's `created` does not change); if one moves, the old copy stays in the old month
//!   until deleted by owner — nothing is corrupted.
//! - **Deterministic bytes, no needless rewrites.** Files are ZSTD (level 3; a column whose
//!   values take under 1 KiB in a file is stored uncompressed, where ZSTD gains nothing and
//!   its per-column setup is the larger cost), row groups of at most 131,072 rows, page
//!   statistics, sorting-columns metadata for the key, and a fixed `created_by` with no
//!   version or timestamp. The same rows give the same bytes; a partition whose new bytes
//!   hash (SHA-256) to the stored object's is not written ([`Outcome::Unchanged`]).
//! - **Atomic replace.** Every partition is replaced by one `put`, which object stores
//!   make atomic, and which `LocalFileSystem` implements as write-to-temp (`data.parquet#N`)
//!   then `rename`. Readers see the old file or the new one, never half of one; a crash
//!   leaves the old partition intact (and at worst a stray temp file that no glob matches).
//!   A call that fails half-way has committed the earlier months only; repeating it
//!   converges. *Durability* across power loss is the store's business: build local stores
//!   with `LocalFileSystem::new_with_prefix(dir)?.with_fsync(true)` so a returned write is
//!   on disk before the pipeline commits its cursor.
//! - **Concurrent writers** (see [`Concurrency`]). With conditional puts (InMemory, S3 with
//!   conditional put, GCS, Azure) a partition is created with `PutMode::Create` and
//!   replaced with `PutMode::Update` on the ETag/version read; a lost race is re-read,
//!   re-merged and retried with jittered back-off. On stores without conditional updates
//!   (`LocalFileSystem`) the read-merge-write runs under a lock object created with
//!   `PutMode::Create` (on disk: an exclusive hard link), released afterwards; a lock older
//!   than the stale limit (its writer died) is broken.
//! - **Deletions** ([`PartitionWriter::delete`]) find the partitions to rewrite from Parquet
//!   footers: one ranged read per partition, rewritten only where a row group's min/max of the
//!   owner column can hold one of the ids. No side index to keep consistent.
//! - **Schema evolution.** A new nullable column merges with old partitions (old rows read
//!   null); columns dropped from the spec are kept (new rows null). A type change, or a new
//!   non-nullable column in a month that already has rows, is
//!   [`Error::IncompatibleSchema`] naming table and column.
//! - **Bounded memory.** Incoming rows are grouped by month, then each month is read,
//!   merged, encoded and written before the next, so memory is the incoming rows plus about
//!   three copies of one partition, whatever the warehouse size.
//!
//! The futures returned here do CPU work (Parquet encoding) between their awaits; run them
//! on a multi-threaded runtime, or with `spawn_blocking` around them, if that matters.
#![deny(missing_docs)]

mod error;
mod lock;
mod merge;
mod month;
mod parquet_io;
mod spec;
mod writer;

pub use error::{Error, Result};
pub use month::{Month, ParseMonthError};
pub use spec::{PARTITION_COLUMN, TableSpec, TableSpecBuilder};
pub use writer::{
    Concurrency, DATA_FILE, LOCKS_DIR, Outcome, PartitionReport, PartitionWriter, WriteReport,
};
