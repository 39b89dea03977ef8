//! Retention: partitions whose month is past a table's retention period are deleted.
//!
//! The guarantee: a month partition of a table with `days` of retention is deleted by the
//! first retention run after the month's last day is more than `days` days old, i.e. once
//! `start of the next month + days <= now`. Until then it is kept whole. Sync never writes
//! rows into a month that is already past retention, so a late update to an old issue does
//! not bring an expired partition back.
//!
//! Retention applies to the dated tables (issues and their child rows, `deletions`). The
//! dimension tables (`projects`, `boards`, `sprints`, `fields`, `users`) hold the current
//! state, are rewritten by every sync and are not subject to it. `_audit/`, `_state/` and
//! `_reports/` are never touched.

use arrow::array::{Array, BooleanArray, RecordBatch, TimestampMicrosecondArray};
use arrow::datatypes::DataType;
use jirafe_partition_writer::Month;
use jirafe_schema::Table;
use object_store::ObjectStoreExt;
use serde::Serialize;
use time::OffsetDateTime;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::warehouse::Warehouse;

/// One partition retention deleted (or would delete, in a dry run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiredPartition {
    /// The table.
    pub table: String,
    /// The month, `YYYY-MM`.
    pub month: String,
    /// The object.
    pub object: String,
}

/// What a retention run did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RetentionReport {
    /// Whether nothing was deleted on purpose.
    pub dry_run: bool,
    /// When the run evaluated the rules, RFC 3339 UTC.
    pub evaluated_at: String,
    /// Per table with a retention period: the days and the oldest month kept.
    pub rules: Vec<RetentionRule>,
    /// Partitions deleted (or to delete, in a dry run).
    pub expired: Vec<ExpiredPartition>,
}

/// The retention applied to one table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionRule {
    /// The table.
    pub table: String,
    /// Days kept.
    pub days: u32,
    /// The oldest month kept, `YYYY-MM`.
    pub oldest_kept_month: String,
}

/// Whether a table is partitioned by a date (retention applies) rather than being a
/// current-state dimension table in one constant partition.
pub fn is_dated(table: Table) -> bool {
    let schema = table.schema();
    schema
        .field_with_name(table.month_column())
        .map(|f| matches!(f.data_type(), DataType::Timestamp(..)))
        .unwrap_or(false)
}

/// The oldest month that is kept with `days` of retention at `now`: the month after the
/// newest month whose end (the start of the following month) is at least `days` days old.
pub fn oldest_kept_month(now: OffsetDateTime, days: u32) -> Month {
    let cutoff = now - time::Duration::days(i64::from(days));
    // Month M is expired iff start(M + 1) <= cutoff. The oldest kept month is therefore
    // the month containing the cutoff instant (its end is after the cutoff), unless the
    // cutoff is exactly a month start, in which case it is that month.
    let (y, m) = (cutoff.year(), u8::from(cutoff.month()));
    month_of(y, m)
}

fn month_of(year: i32, month: u8) -> Month {
    let y = u16::try_from(year.clamp(1970, 9999)).unwrap_or(1970);
    Month::new(y, month).unwrap_or_else(|| Month::new(1970, 1).expect("1970-01 is a valid month"))
}

/// The first microsecond of `month`, UTC.
pub fn month_start_micros(month: Month) -> i64 {
    let date = time::Date::from_calendar_date(
        i32::from(month.year()),
        time::Month::try_from(month.month()).unwrap_or(time::Month::January),
        1,
    )
    .unwrap_or(time::Date::MIN);
    date.midnight().assume_utc().unix_timestamp() * 1_000_000
}

/// Per dated table with a retention period, the first microsecond that is still kept.
pub(crate) fn keep_from_micros(cfg: &Config, now: OffsetDateTime) -> Vec<(Table, i64)> {
    Table::ALL
        .into_iter()
        .filter(|t| is_dated(*t))
        .filter_map(|t| {
            let days = cfg.retention_days(t.name())?;
            Some((t, month_start_micros(oldest_kept_month(now, days))))
        })
        .collect()
}

/// Drops the rows of `batch` whose month column is before `keep_from` (µs). Rows with a
/// null month are kept (the writer rejects them with a clear error).
pub(crate) fn drop_expired(
    batch: &RecordBatch,
    month_column: &str,
    keep_from: i64,
) -> Result<RecordBatch> {
    let Some(col) = batch
        .column_by_name(month_column)
        .and_then(|c| c.as_any().downcast_ref::<TimestampMicrosecondArray>())
    else {
        return Ok(batch.clone());
    };
    if col.iter().all(|v| v.is_none_or(|v| v >= keep_from)) {
        return Ok(batch.clone());
    }
    let keep: BooleanArray = col
        .iter()
        .map(|v| Some(v.is_none_or(|v| v >= keep_from)))
        .collect();
    arrow::compute::filter_record_batch(batch, &keep).map_err(|e| Error::State {
        path: month_column.to_owned(),
        reason: format!("retention filter: {e}"),
    })
}

/// Applies retention to the warehouse: lists every dated table's partitions and deletes
/// (or, with `dry_run`, only reports) those past the table's retention at `now`.
///
/// # Errors
/// A store failure; partitions deleted before it stay deleted and are in no report, so
/// run it again.
pub async fn run_retention(
    cfg: &Config,
    warehouse: &Warehouse,
    now: OffsetDateTime,
    dry_run: bool,
) -> Result<RetentionReport> {
    let writer = warehouse.writer();
    let mut report = RetentionReport {
        dry_run,
        evaluated_at: now
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default(),
        ..RetentionReport::default()
    };
    for table in Table::ALL.into_iter().filter(|t| is_dated(*t)) {
        let Some(days) = cfg.retention_days(table.name()) else {
            continue;
        };
        let oldest = oldest_kept_month(now, days);
        report.rules.push(RetentionRule {
            table: table.name().to_owned(),
            days,
            oldest_kept_month: oldest.to_string(),
        });
        let mut months = writer.list_partitions(table.name()).await?;
        months.sort();
        for month in months.into_iter().filter(|m| *m < oldest) {
            let path = writer.partition_path(table.name(), month);
            if !dry_run {
                match warehouse.store.delete(&path).await {
                    Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                    Err(source) => {
                        return Err(Error::Store {
                            path: path.to_string(),
                            source,
                        });
                    }
                }
                tracing::info!(table = table.name(), month = %month, "retention deleted a partition");
            }
            report.expired.push(ExpiredPartition {
                table: table.name().to_owned(),
                month: month.to_string(),
                object: path.to_string(),
            });
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn a_month_goes_once_its_last_day_is_older_than_the_period() {
        // 30 days after 2025-01-31T23:59:59 is 2025-03-02T23:59:59: January is kept
        // until the end of January is 30 days old, i.e. until 2025-03-03T00:00Z.
        let kept = oldest_kept_month(datetime!(2025-03-02 23:59:59 UTC), 30);
        assert_eq!(kept.to_string(), "2025-01");
        let kept = oldest_kept_month(datetime!(2025-03-03 00:00:00 UTC), 30);
        assert_eq!(kept.to_string(), "2025-02");
        // a year
        let kept = oldest_kept_month(datetime!(2026-11-23 12:00:00 UTC), 365);
        assert_eq!(kept.to_string(), "2025-11");
    }

    #[test]
    fn dimension_tables_are_not_dated() {
        assert!(is_dated(Table::Issues));
        assert!(is_dated(Table::Comments));
        assert!(is_dated(Table::Deletions));
        assert!(!is_dated(Table::Projects));
        assert!(!is_dated(Table::Users));
    }
}
