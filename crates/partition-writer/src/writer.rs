//! The partition writer: read, merge, encode, compare, conditionally replace.

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use arrow::compute::concat_batches;
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;
use object_store::{
    GetOptions, GetRange, ObjectStore, ObjectStoreExt, PutMode, PutOptions, PutPayload,
    UpdateVersion,
};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::lock;
use crate::merge::{
    conform_incoming, conform_to, output_schema, remove_owned, split_by_month, upsert_rows,
};
use crate::month::Month;
use crate::parquet_io::{self, FOOTER_LEN};
use crate::spec::TableSpec;

/// File name of every partition object.
pub const DATA_FILE: &str = "data.parquet";

/// Directory (under the prefix) holding partition locks.
pub const LOCKS_DIR: &str = "_locks";

/// How concurrent writers on one warehouse are kept from losing each other's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Concurrency {
    /// Conditional puts where the store supports them; falls back to lock objects the first
    /// time the store answers `NotImplemented` to a conditional update (LocalFileSystem),
    /// and keeps using locks from then on.
    ///
    /// Mixing is safe: without a lock, a writer only ever *creates* a missing partition
    /// (`PutMode::Create`) or *updates* the exact version it read (`PutMode::Update`);
    /// neither can overwrite rows it has not seen.
    #[default]
    Auto,
    /// Conditional puts only (`PutMode::Create` / `PutMode::Update`); a store without them
    /// is an error. For S3 with conditional put enabled, GCS, Azure, InMemory.
    ConditionalPut,
    /// Always take the partition lock (`_locks/<table>/month=YYYY-MM.lock`, created with
    /// `PutMode::Create`) around read-merge-write; conditional updates are still used inside
    /// the lock where the store has them.
    LockFile,
}

/// What happened to one partition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// A new object was written (a new partition or a replacement).
    Written,
    /// The merged partition was byte-identical to the stored one; nothing was written.
    Unchanged,
    /// The partition lost its last row and its object was deleted (under a lock only;
    /// with conditional puts an emptied partition is written as a zero-row file, because
    /// a delete cannot be made conditional).
    Removed,
}

/// The result for one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PartitionReport {
    /// The partition month.
    pub month: Month,
    /// The partition object.
    pub path: Path,
    /// What happened.
    pub outcome: Outcome,
    /// Rows in the partition afterwards.
    pub rows: usize,
    /// Rows removed by a delete (0 for upserts).
    pub rows_removed: usize,
    /// Size of the object now stored (0 when removed).
    pub bytes: u64,
    /// Lower-case hex SHA-256 of the object now stored (`None` when removed).
    pub sha256: Option<String>,
    /// How many read-merge-write rounds it took (more than 1 after lost races).
    pub attempts: u32,
}

/// The result of an [`upsert`](PartitionWriter::upsert) or a
/// [`delete`](PartitionWriter::delete): one entry per partition touched, in month order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct WriteReport {
    /// The table.
    pub table: String,
    /// The partitions looked at, in month order.
    pub partitions: Vec<PartitionReport>,
}

impl WriteReport {
    fn new(table: &str) -> Self {
        Self {
            table: table.to_owned(),
            partitions: Vec::new(),
        }
    }

    /// The partitions whose object was written (for the audit log: path, size, SHA-256).
    pub fn written(&self) -> impl Iterator<Item = &PartitionReport> {
        self.partitions
            .iter()
            .filter(|p| p.outcome == Outcome::Written)
    }

    /// How many partitions had the given outcome.
    pub fn count(&self, outcome: Outcome) -> usize {
        self.partitions
            .iter()
            .filter(|p| p.outcome == outcome)
            .count()
    }
}

/// What a planning step decided for one partition.
struct Plan {
    /// `None`: nothing to change.
    batch: Option<RecordBatch>,
    rows: usize,
    rows_removed: usize,
}

struct Stored {
    bytes: Bytes,
    version: UpdateVersion,
    sha256: [u8; 32],
}

enum AttemptError {
    /// The store cannot update conditionally; take the lock and try again.
    NeedLock,
    Fail(Error),
}

impl From<Error> for AttemptError {
    fn from(e: Error) -> Self {
        AttemptError::Fail(e)
    }
}

/// Writes month-partitioned Parquet tables into an [`ObjectStore`].
///
/// Cheap to clone (the store is shared). See the [crate documentation](crate) for a tour.
#[derive(Debug, Clone)]
pub struct PartitionWriter {
    store: Arc<dyn ObjectStore>,
    prefix: Path,
    concurrency: Concurrency,
    max_attempts: u32,
    lock_stale_after: Duration,
    lock_wait: Duration,
    row_group_rows: usize,
    update_unsupported: Arc<AtomicBool>,
}

impl PartitionWriter {
    /// A writer for tables under `prefix` in `store` (`Path::default()` for the root).
    ///
    /// Defaults: [`Concurrency::Auto`], 20 attempts, locks stale after 10 minutes, waits of
    /// up to 15 minutes for a lock, row groups of 131,072 rows.
    pub fn new(store: Arc<dyn ObjectStore>, prefix: Path) -> Self {
        Self {
            store,
            prefix,
            concurrency: Concurrency::Auto,
            max_attempts: 20,
            lock_stale_after: Duration::from_secs(600),
            lock_wait: Duration::from_secs(900),
            row_group_rows: 128 * 1024,
            update_unsupported: Arc::new(AtomicBool::new(false)),
        }
    }

    /// Sets the [`Concurrency`] strategy.
    #[must_use]
    pub fn with_concurrency(mut self, concurrency: Concurrency) -> Self {
        self.concurrency = concurrency;
        self
    }

    /// How many read-merge-write rounds a partition gets when other writers keep winning
    /// the conditional put (at least 1). Then [`Error::Conflict`].
    #[must_use]
    pub fn with_max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Age after which a partition lock is considered abandoned and broken. Must be longer
    /// than any single partition write takes.
    #[must_use]
    pub fn with_lock_stale_after(mut self, after: Duration) -> Self {
        self.lock_stale_after = after;
        self
    }

    /// How long to wait for a partition lock before [`Error::LockTimeout`]. Keep it longer
    /// than [`with_lock_stale_after`](Self::with_lock_stale_after), so that a lock left by a
    /// crashed writer is broken rather than waited out.
    #[must_use]
    pub fn with_lock_wait(mut self, wait: Duration) -> Self {
        self.lock_wait = wait;
        self
    }

    /// Maximum rows per Parquet row group (at least 1).
    #[must_use]
    pub fn with_row_group_rows(mut self, rows: usize) -> Self {
        self.row_group_rows = rows.max(1);
        self
    }

    /// The store written to.
    pub fn store(&self) -> &Arc<dyn ObjectStore> {
        &self.store
    }

    /// The prefix tables live under.
    pub fn prefix(&self) -> &Path {
        &self.prefix
    }

    /// The directory of `table`: `<prefix>/<table>`.
    pub fn table_path(&self, table: &str) -> Path {
        self.prefix.clone().join(table)
    }

    /// The object of one partition: `<prefix>/<table>/month=YYYY-MM/data.parquet`.
    pub fn partition_path(&self, table: &str, month: Month) -> Path {
        self.table_path(table)
            .join(format!("month={month}").as_str())
            .join(DATA_FILE)
    }

    fn lock_path(&self, table: &str, month: Month) -> Path {
        self.prefix
            .clone()
            .join(LOCKS_DIR)
            .join(table)
            .join(format!("month={month}.lock").as_str())
    }

    /// Inserts or replaces rows by primary key.
    ///
    /// The batches are checked against the spec and grouped by month; then each month is
    /// processed on its own, in order: the stored partition is read, merged with the
    /// incoming rows (newer version wins, incoming wins ties, one row per key, sorted by
    /// key), encoded, and written only if the bytes differ from what is stored. So memory
    /// is bounded by the incoming rows plus one partition, and re-loading the same rows
    /// writes nothing.
    ///
    /// The batches are consumed before the returned future first runs, so `batches` need
    /// not be `Send`.
    ///
    /// Partitions are committed one by one: if the call fails half-way, earlier months are
    /// written and later ones are untouched. Calling again with the same input converges
    /// (the finished months report [`Outcome::Unchanged`]).
    ///
    /// # Errors
    ///
    /// - [`Error::InvalidInput`]: a batch does not follow the spec, or has a null key or month.
    /// - [`Error::IncompatibleSchema`]: the spec cannot be merged with a stored partition.
    /// - [`Error::Parquet`]: a stored object is not readable Parquet (the error names it).
    /// - [`Error::Conflict`] / [`Error::LockTimeout`]: other writers kept the partition busy.
    /// - [`Error::ObjectStore`]: the store failed.
    pub fn upsert<'a, I>(
        &'a self,
        spec: &'a TableSpec,
        batches: I,
    ) -> impl Future<Output = Result<WriteReport>> + Send + 'a
    where
        I: IntoIterator<Item = RecordBatch>,
    {
        let grouped = group_by_month(spec, batches);
        async move {
            let mut grouped = grouped?;
            let mut report = WriteReport::new(spec.name());
            while let Some((month, incoming)) = grouped.pop_first() {
                let path = self.partition_path(spec.name(), month);
                let plan =
                    |stored: Option<Bytes>| plan_upsert(spec, month, &path, stored, &incoming);
                if let Some(r) = self.commit(spec, month, plan).await? {
                    report.partitions.push(r);
                }
            }
            Ok(report)
        }
    }

    /// Like [`upsert`](Self::upsert), but the incoming rows are the *complete* set for
    /// each owner in `owners`: stored rows of those owners that are not in `batches` are
    /// removed in the same atomic write. Use it for child rows (comments, worklogs, links)
    /// when an issue is re-read, so a comment deleted in Jira disappears here too.
    ///
    /// `owners` pairs each owner id with the month its rows live in (the parent issue's
    /// created month); an owner whose rows are all gone is listed with no incoming rows.
    /// In the report, `rows_removed` counts the stored rows of those owners that were
    /// dropped before the incoming rows were merged (re-sent rows included).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSpec`] if the spec has no owner column; otherwise as for
    /// [`upsert`](Self::upsert).
    pub fn upsert_replacing<'a, I>(
        &'a self,
        spec: &'a TableSpec,
        owners: &'a [(i64, Month)],
        batches: I,
    ) -> impl Future<Output = Result<WriteReport>> + Send + 'a
    where
        I: IntoIterator<Item = RecordBatch>,
    {
        let grouped = group_by_month(spec, batches);
        async move {
            let owner = owner_column(spec)?;
            let mut grouped: BTreeMap<Month, Vec<RecordBatch>> = grouped?;
            let mut by_month: BTreeMap<Month, Vec<i64>> = BTreeMap::new();
            for (id, month) in owners {
                by_month.entry(*month).or_default().push(*id);
                grouped.entry(*month).or_default();
            }
            for ids in by_month.values_mut() {
                ids.sort_unstable();
                ids.dedup();
            }
            let mut report = WriteReport::new(spec.name());
            while let Some((month, incoming)) = grouped.pop_first() {
                let path = self.partition_path(spec.name(), month);
                let ids = by_month.get(&month).map(Vec::as_slice).unwrap_or(&[]);
                let plan = |stored: Option<Bytes>| {
                    plan_upsert_replacing(spec, owner, month, &path, stored, &incoming, ids)
                };
                if let Some(r) = self.commit(spec, month, plan).await? {
                    report.partitions.push(r);
                }
            }
            Ok(report)
        }
    }

    /// Removes every row whose owner column holds one of `owner_ids`, in every partition
    /// of the table.
    ///
    /// Which partitions to rewrite is decided from Parquet footers: for each partition only
    /// the footer is fetched (one ranged read), and the partition is rewritten only if a
    /// row group's min/max statistics of the owner column can contain one of the ids.
    /// Issue ids grow with creation time, so a month's range rarely overlaps others and an
    /// id usually touches one partition. If you already know the months, call
    /// [`delete_in_months`](Self::delete_in_months) and skip the scan.
    ///
    /// Call it once per table (issues and each child table).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSpec`] if the spec has no owner column; otherwise as for
    /// [`delete_in_months`](Self::delete_in_months).
    pub async fn delete(&self, spec: &TableSpec, owner_ids: &[i64]) -> Result<WriteReport> {
        let owner = owner_column(spec)?;
        let ids = sorted_ids(owner_ids);
        if ids.is_empty() {
            return Ok(WriteReport::new(spec.name()));
        }
        let months = self.list_partitions(spec.name()).await?;
        let ids_ref = &ids;
        let candidates: Vec<Month> = futures::stream::iter(months)
            .map(|m| async move {
                let path = self.partition_path(spec.name(), m);
                let hit = self.footer_may_contain(&path, owner, ids_ref).await?;
                Ok::<_, Error>(hit.then_some(m))
            })
            .buffered(8)
            .try_filter_map(|m| async move { Ok(m) })
            .try_collect()
            .await?;
        self.delete_in_months(spec, &ids, &candidates).await
    }

    /// Like [`delete`](Self::delete), but only looks in the given months (missing
    /// partitions are skipped).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSpec`] if the spec has no owner column; [`Error::Parquet`] for an
    /// unreadable stored object; [`Error::Conflict`], [`Error::LockTimeout`],
    /// [`Error::ObjectStore`] as for [`upsert`](Self::upsert).
    pub async fn delete_in_months(
        &self,
        spec: &TableSpec,
        owner_ids: &[i64],
        months: &[Month],
    ) -> Result<WriteReport> {
        let owner = owner_column(spec)?;
        let ids = sorted_ids(owner_ids);
        let mut report = WriteReport::new(spec.name());
        if ids.is_empty() {
            return Ok(report);
        }
        let mut months = months.to_vec();
        months.sort_unstable();
        months.dedup();
        for month in months {
            let path = self.partition_path(spec.name(), month);
            let plan = |stored: Option<Bytes>| plan_delete(spec, owner, &path, stored, &ids);
            if let Some(r) = self.commit(spec, month, plan).await? {
                report.partitions.push(r);
            }
        }
        Ok(report)
    }

    /// The months for which `table` has a partition object, in order.
    ///
    /// # Errors
    ///
    /// [`Error::ObjectStore`] if listing fails.
    pub async fn list_partitions(&self, table: &str) -> Result<Vec<Month>> {
        let prefix = self.table_path(table);
        let mut listing = self.store.list(Some(&prefix));
        let mut months = Vec::new();
        while let Some(meta) = listing
            .try_next()
            .await
            .map_err(|e| Error::store(&prefix, e))?
        {
            let parts: Vec<_> = match meta.location.prefix_match(&prefix) {
                Some(parts) => parts.collect(),
                None => continue,
            };
            if let [dir, file] = parts.as_slice()
                && file.as_ref() == DATA_FILE
                && let Some(month) = dir
                    .as_ref()
                    .strip_prefix("month=")
                    .and_then(|m| m.parse::<Month>().ok())
            {
                months.push(month);
            }
        }
        months.sort_unstable();
        months.dedup();
        Ok(months)
    }

    /// Reads one partition whole, or `None` if it does not exist.
    ///
    /// # Errors
    ///
    /// [`Error::Parquet`] naming the object if it is not readable Parquet;
    /// [`Error::ObjectStore`] if the store fails.
    pub async fn read_partition(
        &self,
        table: &str,
        month: Month,
    ) -> Result<Option<Vec<RecordBatch>>> {
        let path = self.partition_path(table, month);
        match self.fetch(&path).await? {
            None => Ok(None),
            Some(stored) => Ok(Some(parquet_io::decode(path.as_ref(), stored.bytes)?.1)),
        }
    }

    async fn fetch(&self, path: &Path) -> Result<Option<Stored>> {
        match self.store.get(path).await {
            Ok(r) => {
                let version = UpdateVersion {
                    e_tag: r.meta.e_tag.clone(),
                    version: r.meta.version.clone(),
                };
                let bytes = r.bytes().await.map_err(|e| Error::store(path, e))?;
                let sha256 = Sha256::digest(&bytes).into();
                Ok(Some(Stored {
                    bytes,
                    version,
                    sha256,
                }))
            }
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(Error::store(path, e)),
        }
    }

    async fn footer_may_contain(&self, path: &Path, column: &str, ids: &[i64]) -> Result<bool> {
        const TAIL: u64 = 64 * 1024;
        let opts = GetOptions::new().with_range(Some(GetRange::Suffix(TAIL)));
        let got = match self.store.get_opts(path, opts).await {
            Ok(got) => got,
            Err(object_store::Error::NotFound { .. }) => return Ok(false),
            Err(e) => return Err(Error::store(path, e)),
        };
        let size = got.meta.size;
        let tail = got.bytes().await.map_err(|e| Error::store(path, e))?;
        let footer_at = tail.len().checked_sub(FOOTER_LEN).ok_or_else(|| {
            Error::parquet(
                path,
                parquet::errors::ParquetError::General("not a Parquet file: too short".into()),
            )
        })?;
        let meta_len =
            parquet_io::metadata_len(path.as_ref(), tail.get(footer_at..).unwrap_or_default())?;
        let meta = if let Some(start) = footer_at.checked_sub(meta_len) {
            tail.slice(start..footer_at)
        } else {
            let end = size.saturating_sub(FOOTER_LEN as u64);
            let start = end.checked_sub(meta_len as u64).ok_or_else(|| {
                Error::parquet(
                    path,
                    parquet::errors::ParquetError::General(
                        "not a Parquet file: metadata longer than the file".into(),
                    ),
                )
            })?;
            self.store
                .get_range(path, start..end)
                .await
                .map_err(|e| Error::store(path, e))?
        };
        let meta = parquet_io::decode_metadata(path.as_ref(), &meta)?;
        parquet_io::may_contain(path.as_ref(), &meta, column, ids)
    }

    /// Read-merge-write of one partition under the configured concurrency strategy.
    /// Returns `None` when the partition does not exist and nothing was to be written.
    async fn commit<F>(
        &self,
        spec: &TableSpec,
        month: Month,
        mut plan: F,
    ) -> Result<Option<PartitionReport>>
    where
        F: FnMut(Option<Bytes>) -> Result<Plan> + Send,
    {
        let locked = match self.concurrency {
            Concurrency::LockFile => true,
            Concurrency::ConditionalPut => false,
            Concurrency::Auto => self.update_unsupported.load(Ordering::Relaxed),
        };
        if !locked {
            match self.attempts(spec, month, &mut plan, false).await {
                Ok(r) => return Ok(r),
                Err(AttemptError::Fail(e)) => return Err(e),
                Err(AttemptError::NeedLock) if self.concurrency == Concurrency::Auto => {
                    tracing::debug!(
                        table = spec.name(),
                        "store has no conditional update; using partition locks"
                    );
                    self.update_unsupported.store(true, Ordering::Relaxed);
                }
                Err(AttemptError::NeedLock) => {
                    return Err(Error::store(
                        self.partition_path(spec.name(), month),
                        object_store::Error::NotImplemented {
                            operation: "`put_opts` with mode `PutMode::Update`".into(),
                            implementer: self.store.to_string(),
                        },
                    ));
                }
            }
        }
        let lock_path = self.lock_path(spec.name(), month);
        let guard = lock::acquire(
            &self.store,
            &lock_path,
            self.lock_stale_after,
            self.lock_wait,
        )
        .await?;
        let result = self.attempts(spec, month, &mut plan, true).await;
        let released = guard.release().await;
        let report = match result {
            Ok(r) => r,
            Err(AttemptError::Fail(e)) => return Err(e),
            Err(AttemptError::NeedLock) => {
                return Err(Error::Conflict {
                    path: self.partition_path(spec.name(), month).to_string(),
                    attempts: self.max_attempts,
                });
            }
        };
        released?;
        Ok(report)
    }

    async fn attempts<F>(
        &self,
        spec: &TableSpec,
        month: Month,
        plan: &mut F,
        locked: bool,
    ) -> Result<Option<PartitionReport>, AttemptError>
    where
        F: FnMut(Option<Bytes>) -> Result<Plan> + Send,
    {
        let path = self.partition_path(spec.name(), month);
        let report = |outcome, rows, rows_removed, bytes, sha: Option<[u8; 32]>, attempts| {
            Some(PartitionReport {
                month,
                path: path.clone(),
                outcome,
                rows,
                rows_removed,
                bytes,
                sha256: sha.map(hex::encode),
                attempts,
            })
        };
        let mut attempt = 0u32;
        while attempt < self.max_attempts {
            attempt += 1;
            let stored = self.fetch(&path).await?;
            let planned = plan(stored.as_ref().map(|s| s.bytes.clone()))?;
            let Some(batch) = planned.batch else {
                return Ok(stored.and_then(|s| {
                    let bytes = s.bytes.len() as u64;
                    report(
                        Outcome::Unchanged,
                        planned.rows,
                        0,
                        bytes,
                        Some(s.sha256),
                        attempt,
                    )
                }));
            };
            let rows = batch.num_rows();
            if rows == 0 && locked {
                let Some(_) = stored else { return Ok(None) };
                match self.store.delete(&path).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(e) => return Err(Error::store(&path, e).into()),
                }
                tracing::debug!(table = spec.name(), %month, "partition emptied and removed");
                return Ok(report(
                    Outcome::Removed,
                    0,
                    planned.rows_removed,
                    0,
                    None,
                    attempt,
                ));
            }
            if rows == 0 && stored.is_none() {
                return Ok(None);
            }
            let bytes = parquet_io::encode(
                path.as_ref(),
                &batch,
                spec.primary_key(),
                self.row_group_rows,
            )?;
            drop(batch);
            let sha: [u8; 32] = Sha256::digest(&bytes).into();
            let size = bytes.len() as u64;
            if stored.as_ref().is_some_and(|s| s.sha256 == sha) {
                tracing::debug!(table = spec.name(), %month, "partition unchanged");
                return Ok(report(
                    Outcome::Unchanged,
                    rows,
                    planned.rows_removed,
                    size,
                    Some(sha),
                    attempt,
                ));
            }
            let mode = match stored {
                None => PutMode::Create,
                Some(s) => {
                    let no_version = s.version.e_tag.is_none() && s.version.version.is_none();
                    if self.update_unsupported.load(Ordering::Relaxed) || no_version {
                        if !locked {
                            return Err(AttemptError::NeedLock);
                        }
                        PutMode::Overwrite
                    } else {
                        PutMode::Update(s.version)
                    }
                }
            };
            let is_update = matches!(mode, PutMode::Update(_));
            let opts = PutOptions {
                mode,
                ..PutOptions::default()
            };
            match self
                .store
                .put_opts(&path, PutPayload::from(bytes), opts)
                .await
            {
                Ok(_) => {
                    tracing::debug!(table = spec.name(), %month, rows, bytes = size, attempt, "partition written");
                    return Ok(report(
                        Outcome::Written,
                        rows,
                        planned.rows_removed,
                        size,
                        Some(sha),
                        attempt,
                    ));
                }
                Err(
                    object_store::Error::Precondition { .. }
                    | object_store::Error::AlreadyExists { .. },
                ) => {
                    tracing::debug!(table = spec.name(), %month, attempt, "partition changed meanwhile; merging again");
                    tokio::time::sleep(lock::backoff(attempt, Duration::from_secs(1))).await;
                }
                Err(object_store::Error::NotImplemented { .. }) if is_update => {
                    self.update_unsupported.store(true, Ordering::Relaxed);
                    if !locked {
                        return Err(AttemptError::NeedLock);
                    }
                    attempt -= 1; // the store refused the mode, not a lost race
                }
                Err(e) => return Err(Error::store(&path, e).into()),
            }
        }
        Err(Error::Conflict {
            path: path.to_string(),
            attempts: self.max_attempts,
        }
        .into())
    }
}

fn owner_column(spec: &TableSpec) -> Result<&str> {
    spec.owner_column().ok_or_else(|| Error::InvalidSpec {
        table: spec.name().to_owned(),
        reason: "deleting by owner needs an owner column (TableSpecBuilder::owner_column)".into(),
    })
}

fn sorted_ids(ids: &[i64]) -> Vec<i64> {
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn plan_upsert(
    spec: &TableSpec,
    month: Month,
    path: &Path,
    stored: Option<Bytes>,
    incoming: &[RecordBatch],
) -> Result<Plan> {
    plan_merge(spec, month, path, stored, incoming, None)
}

/// Groups incoming batches by partition month, checking each against the spec.
fn group_by_month<I>(spec: &TableSpec, batches: I) -> Result<BTreeMap<Month, Vec<RecordBatch>>>
where
    I: IntoIterator<Item = RecordBatch>,
{
    batches
        .into_iter()
        .try_fold(BTreeMap::new(), |mut map, batch| {
            let batch = conform_incoming(spec, &batch)?;
            split_by_month(spec, batch, &mut map)?;
            Ok(map)
        })
}

fn plan_upsert_replacing(
    spec: &TableSpec,
    owner: &str,
    month: Month,
    path: &Path,
    stored: Option<Bytes>,
    incoming: &[RecordBatch],
    owners: &[i64],
) -> Result<Plan> {
    plan_merge(spec, month, path, stored, incoming, Some((owner, owners)))
}

/// Merges `incoming` into the stored partition; with `replace`, the stored rows of those
/// owners are dropped first.
fn plan_merge(
    spec: &TableSpec,
    month: Month,
    path: &Path,
    stored: Option<Bytes>,
    incoming: &[RecordBatch],
    replace: Option<(&str, &[i64])>,
) -> Result<Plan> {
    if stored.is_none() && incoming.iter().all(|b| b.num_rows() == 0) {
        return Ok(Plan {
            batch: None,
            rows: 0,
            rows_removed: 0,
        });
    }
    let stored = match stored {
        Some(bytes) => Some(parquet_io::decode(path.as_ref(), bytes)?),
        None => None,
    };
    let stored_shape = stored.as_ref().map(|(schema, batches)| {
        (
            schema.as_ref(),
            batches.iter().map(RecordBatch::num_rows).sum::<usize>(),
        )
    });
    let schema = output_schema(spec, stored_shape, month)?;
    let mut parts = Vec::new();
    let mut removed = 0;
    for batch in stored.iter().flat_map(|(_, b)| b) {
        let kept = match replace {
            Some((owner, owners)) => {
                let (kept, n) = remove_owned(spec, owner, batch, owners)?;
                removed += n;
                kept
            }
            None => batch.clone(),
        };
        parts.push(conform_to(spec.name(), &kept, &schema)?);
    }
    for batch in incoming {
        parts.push(conform_to(spec.name(), batch, &schema)?);
    }
    drop(stored);
    let merged = upsert_rows(spec, &schema, &parts)?;
    Ok(Plan {
        rows: merged.num_rows(),
        batch: Some(merged),
        rows_removed: removed,
    })
}

fn plan_delete(
    spec: &TableSpec,
    owner: &str,
    path: &Path,
    stored: Option<Bytes>,
    ids: &[i64],
) -> Result<Plan> {
    let Some(bytes) = stored else {
        return Ok(Plan {
            batch: None,
            rows: 0,
            rows_removed: 0,
        });
    };
    let (schema, batches) = parquet_io::decode(path.as_ref(), bytes)?;
    let all = concat_batches(&schema, &batches).map_err(|e| Error::arrow(spec.name(), e))?;
    drop(batches);
    let (kept, removed) = remove_owned(spec, owner, &all, ids)?;
    Ok(Plan {
        rows: kept.num_rows(),
        batch: (removed > 0).then_some(kept),
        rows_removed: removed,
    })
}
