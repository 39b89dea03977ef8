//! Pure Arrow steps: conforming batches to a schema, merging schemas, upserting and
//! deleting rows. No I/O here.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, BooleanArray, UInt32Array, new_null_array};
use arrow::compute::{cast, concat_batches, filter_record_batch, take_record_batch};
use arrow::datatypes::{DataType, Field, Int64Type, Schema, SchemaRef};
use arrow::record_batch::{RecordBatch, RecordBatchOptions};
use arrow::row::{RowConverter, Rows, SortField};

use crate::error::{Error, Result};
use crate::month::{Month, MonthError, months_of};
use crate::spec::TableSpec;

fn invalid_input(spec: &TableSpec, reason: String) -> Error {
    Error::InvalidInput {
        table: spec.name().to_owned(),
        reason,
    }
}

/// Checks an incoming batch against the spec and returns it with exactly the spec's
/// schema (columns matched by name; absent nullable columns filled with nulls).
pub(crate) fn conform_incoming(spec: &TableSpec, batch: &RecordBatch) -> Result<RecordBatch> {
    let target = spec.schema();
    let incoming = batch.schema();
    for f in incoming.fields() {
        if target.field_with_name(f.name()).is_err() {
            return Err(invalid_input(
                spec,
                format!("column `{}` is not in the table spec", f.name()),
            ));
        }
    }
    let mut columns = Vec::with_capacity(target.fields().len());
    for field in target.fields() {
        let column = match incoming.index_of(field.name()) {
            Ok(i) => {
                let col = batch.column(i).clone();
                if col.data_type() != field.data_type() {
                    return Err(invalid_input(
                        spec,
                        format!(
                            "column `{}` has type {}, the spec says {}",
                            field.name(),
                            col.data_type(),
                            field.data_type()
                        ),
                    ));
                }
                if !field.is_nullable() && col.null_count() > 0 {
                    return Err(invalid_input(
                        spec,
                        format!(
                            "column `{}` is not nullable but has {} null(s)",
                            field.name(),
                            col.null_count()
                        ),
                    ));
                }
                col
            }
            Err(_) if field.is_nullable() => new_null_array(field.data_type(), batch.num_rows()),
            Err(_) => {
                return Err(invalid_input(
                    spec,
                    format!("required column `{}` is missing", field.name()),
                ));
            }
        };
        columns.push(column);
    }
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(target.clone(), columns, &options)
        .map_err(|e| Error::arrow(spec.name(), e))
}

/// Splits conformed incoming batches by partition month.
pub(crate) fn split_by_month(
    spec: &TableSpec,
    batch: RecordBatch,
    out: &mut BTreeMap<Month, Vec<RecordBatch>>,
) -> Result<()> {
    if batch.num_rows() == 0 {
        return Ok(());
    }
    let col = batch
        .column_by_name(spec.month_column())
        .ok_or_else(|| invalid_input(spec, "month column missing".into()))?;
    let months = months_of(col).map_err(|e| {
        let reason = match e {
            MonthError::Null(row) => format!(
                "month column `{}` is null at row {row}",
                spec.month_column()
            ),
            MonthError::OutOfRange(row) => format!(
                "month column `{}` at row {row} is not a month between 0000-01 and 9999-12",
                spec.month_column()
            ),
            MonthError::Unsupported => {
                format!(
                    "month column `{}` has an unsupported type",
                    spec.month_column()
                )
            }
        };
        invalid_input(spec, reason)
    })?;
    let first = months.first().copied();
    if let Some(first) = first.filter(|f| months.iter().all(|m| m == f)) {
        out.entry(first).or_default().push(batch);
        return Ok(());
    }
    // One take puts the rows in month order (stable: arrival order within a month), then
    // each month is a zero-copy slice of it.
    let mut distinct: Vec<Month> = Vec::new();
    for m in &months {
        if distinct.last() != Some(m) {
            distinct.push(*m);
        }
    }
    distinct.sort_unstable();
    distinct.dedup();
    // The month of each row as an index into `distinct` (rows of one issue share it).
    let mut slots = Vec::with_capacity(months.len());
    let mut last: Option<(Month, usize)> = None;
    let mut counts = vec![0usize; distinct.len()];
    for m in &months {
        let slot = match last {
            Some((seen, slot)) if seen == *m => slot,
            _ => distinct.binary_search(m).unwrap_or_default(),
        };
        last = Some((*m, slot));
        if let Some(n) = counts.get_mut(slot) {
            *n += 1;
        }
        slots.push(slot);
    }
    let mut starts = Vec::with_capacity(counts.len());
    let mut next = 0;
    for n in &counts {
        starts.push(next);
        next += n;
    }
    let mut fill = starts.clone();
    let mut order = vec![0u32; months.len()];
    for (i, slot) in slots.into_iter().enumerate() {
        let i = u32::try_from(i)
            .map_err(|_| invalid_input(spec, "a batch has more than 2^32 rows".into()))?;
        if let Some(at) = fill.get_mut(slot)
            && let Some(o) = order.get_mut(*at)
        {
            *o = i;
            *at += 1;
        }
    }
    let sorted = take_record_batch(&batch, &UInt32Array::from(order))
        .map_err(|e| Error::arrow(spec.name(), e))?;
    drop(batch);
    for ((month, start), len) in distinct.into_iter().zip(starts).zip(counts) {
        out.entry(month).or_default().push(sorted.slice(start, len));
    }
    Ok(())
}

/// The schema a partition is written with, given the spec and what is stored.
///
/// Spec columns come first, in spec order; stored columns the spec no longer has are kept
/// at the end (they must be nullable; new rows get nulls). A stored partition with no rows
/// imposes nothing.
pub(crate) fn output_schema(
    spec: &TableSpec,
    stored: Option<(&Schema, usize)>,
    month: Month,
) -> Result<SchemaRef> {
    let Some((stored, stored_rows)) = stored.filter(|(_, rows)| *rows > 0) else {
        return Ok(spec.schema().clone());
    };
    let incompatible = |column: &str, reason: String| Error::IncompatibleSchema {
        table: spec.name().to_owned(),
        column: column.to_owned(),
        reason,
    };
    let mut fields: Vec<Field> = Vec::with_capacity(spec.schema().fields().len());
    for field in spec.schema().fields() {
        match stored.field_with_name(field.name()) {
            Ok(old) => {
                if old.data_type() != field.data_type() {
                    return Err(incompatible(
                        field.name(),
                        format!(
                            "stored as {} in month={month}, incoming as {}",
                            old.data_type(),
                            field.data_type()
                        ),
                    ));
                }
                let nullable = field.is_nullable() || old.is_nullable();
                fields.push(field.as_ref().clone().with_nullable(nullable));
            }
            Err(_) if field.is_nullable() => fields.push(field.as_ref().clone()),
            Err(_) => {
                return Err(incompatible(
                    field.name(),
                    format!(
                        "new column is not nullable, but month={month} already holds {stored_rows} row(s) without it; add it as nullable"
                    ),
                ));
            }
        }
    }
    for old in stored.fields() {
        if spec.schema().field_with_name(old.name()).is_err() {
            if !old.is_nullable() {
                return Err(incompatible(
                    old.name(),
                    format!(
                        "stored as a non-nullable column in month={month} but missing from the incoming schema"
                    ),
                ));
            }
            fields.push(old.as_ref().clone());
        }
    }
    Ok(Arc::new(Schema::new_with_metadata(
        fields,
        spec.schema().metadata().clone(),
    )))
}

/// Re-shapes a batch to `target` (columns by name, missing ones as nulls). Types were
/// checked by [`output_schema`].
pub(crate) fn conform_to(
    table: &str,
    batch: &RecordBatch,
    target: &SchemaRef,
) -> Result<RecordBatch> {
    let columns: Vec<ArrayRef> = target
        .fields()
        .iter()
        .map(|f| {
            batch
                .column_by_name(f.name())
                .cloned()
                .unwrap_or_else(|| new_null_array(f.data_type(), batch.num_rows()))
        })
        .collect();
    let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
    RecordBatch::try_new_with_options(target.clone(), columns, &options)
        .map_err(|e| Error::arrow(table, e))
}

fn row_keys(table: &str, batch: &RecordBatch, columns: &[&str]) -> Result<Rows> {
    let mut fields = Vec::with_capacity(columns.len());
    let mut arrays = Vec::with_capacity(columns.len());
    for name in columns {
        let col = batch
            .column_by_name(name)
            .ok_or_else(|| Error::InvalidInput {
                table: table.to_owned(),
                reason: format!("column `{name}` is missing"),
            })?;
        fields.push(SortField::new(col.data_type().clone()));
        arrays.push(col.clone());
    }
    let converter = RowConverter::new(fields).map_err(|e| Error::arrow(table, e))?;
    converter
        .convert_columns(&arrays)
        .map_err(|e| Error::arrow(table, e))
}

/// Concatenates `batches` (stored rows first, then incoming rows in arrival order), keeps
/// one row per primary key — the one with the greatest version, the latest on ties — and
/// returns the rows sorted by primary key.
pub(crate) fn upsert_rows(
    spec: &TableSpec,
    schema: &SchemaRef,
    batches: &[RecordBatch],
) -> Result<RecordBatch> {
    let table = spec.name();
    let all = concat_batches(schema, batches).map_err(|e| Error::arrow(table, e))?;
    let n = u32::try_from(all.num_rows()).map_err(|_| Error::InvalidInput {
        table: table.to_owned(),
        reason: "a partition would exceed 2^32 rows".into(),
    })?;
    for key in spec.primary_key() {
        if let Some(col) = all.column_by_name(key).filter(|c| c.null_count() > 0) {
            return Err(Error::InvalidInput {
                table: table.to_owned(),
                reason: format!(
                    "primary key column `{key}` has {} null(s)",
                    col.null_count()
                ),
            });
        }
    }
    let pk: Vec<&str> = spec.primary_key().iter().map(String::as_str).collect();
    let keys = row_keys(table, &all, &pk)?;
    let versions = match spec.version_column() {
        Some(v) => Some(row_keys(table, &all, &[v])?),
        None => None,
    };
    let mut order: Vec<u32> = (0..n).collect();
    order.sort_unstable_by(|&a, &b| {
        let (a, b) = (a as usize, b as usize);
        keys.row(a)
            .cmp(&keys.row(b))
            .then_with(|| match &versions {
                Some(v) => v.row(a).cmp(&v.row(b)),
                None => std::cmp::Ordering::Equal,
            })
            .then(a.cmp(&b))
    });
    let mut kept: Vec<u32> = Vec::with_capacity(order.len());
    for (pos, &i) in order.iter().enumerate() {
        let last_of_key = match order.get(pos + 1) {
            Some(&next) => keys.row(next as usize) != keys.row(i as usize),
            None => true,
        };
        if last_of_key {
            kept.push(i);
        }
    }
    if kept.len() == all.num_rows() && kept.iter().enumerate().all(|(p, &i)| p as u32 == i) {
        return Ok(all);
    }
    take_record_batch(&all, &UInt32Array::from(kept)).map_err(|e| Error::arrow(table, e))
}

/// Removes rows whose owner column holds one of `owners` (sorted, deduplicated).
/// Returns the remaining rows and how many were removed.
pub(crate) fn remove_owned(
    spec: &TableSpec,
    owner_column: &str,
    batch: &RecordBatch,
    owners: &[i64],
) -> Result<(RecordBatch, usize)> {
    let table = spec.name();
    let Some(col) = batch.column_by_name(owner_column) else {
        // Partitions written before the owner column existed hold no owned rows.
        return Ok((batch.clone(), 0));
    };
    let ids = cast(col, &DataType::Int64).map_err(|e| Error::arrow(table, e))?;
    let ids = ids.as_primitive::<Int64Type>();
    let keep: BooleanArray = (0..ids.len())
        .map(|i| Some(ids.is_null(i) || owners.binary_search(&ids.value(i)).is_err()))
        .collect();
    let kept = keep.true_count();
    let removed = batch.num_rows() - kept;
    if removed == 0 {
        return Ok((batch.clone(), 0));
    }
    let out = filter_record_batch(batch, &keep).map_err(|e| Error::arrow(table, e))?;
    Ok((out, removed))
}

#[cfg(test)]
mod tests {
    use arrow::array::{Int64Array, StringArray};

    use super::*;

    fn spec(with_version: bool) -> TableSpec {
        let schema = Arc::new(Schema::new(vec![
            Field::new("id", DataType::Int64, false),
            Field::new("v", DataType::Int64, true),
            Field::new("m", DataType::Utf8, false),
            Field::new("x", DataType::Utf8, true),
        ]));
        let b = TableSpec::builder("t", schema)
            .primary_key(["id"])
            .month_column("m")
            .owner_column("id");
        let b = if with_version {
            b.version_column("v")
        } else {
            b
        };
        b.build().unwrap()
    }

    fn batch(spec: &TableSpec, ids: &[i64], v: &[Option<i64>], x: &[&str]) -> RecordBatch {
        RecordBatch::try_new(
            spec.schema().clone(),
            vec![
                Arc::new(Int64Array::from(ids.to_vec())),
                Arc::new(Int64Array::from(v.to_vec())),
                Arc::new(StringArray::from(vec!["2025-01"; ids.len()])),
                Arc::new(StringArray::from(x.to_vec())),
            ],
        )
        .unwrap()
    }

    fn xs(b: &RecordBatch) -> Vec<String> {
        let ids = b.column(0).as_primitive::<Int64Type>();
        let x = b.column(3).as_string::<i32>();
        (0..b.num_rows())
            .map(|i| format!("{}:{}", ids.value(i), x.value(i)))
            .collect()
    }

    #[test]
    fn splits_by_month_keeping_arrival_order_within_each_month() {
        let spec = spec(false);
        let months = [
            "2025-03", "2025-01", "2025-03", "2024-12", "2025-01", "2025-03",
        ];
        let batch = RecordBatch::try_new(
            spec.schema().clone(),
            vec![
                Arc::new(Int64Array::from(vec![1, 2, 3, 4, 5, 6])),
                Arc::new(Int64Array::from(vec![None::<i64>; 6])),
                Arc::new(StringArray::from(months.to_vec())),
                Arc::new(StringArray::from(vec!["a", "b", "c", "d", "e", "f"])),
            ],
        )
        .unwrap();
        let mut out = BTreeMap::new();
        split_by_month(&spec, batch, &mut out).unwrap();
        let got: Vec<(String, Vec<String>)> = out
            .iter()
            .map(|(m, batches)| (m.to_string(), batches.iter().flat_map(xs).collect()))
            .collect();
        assert_eq!(
            got,
            [
                ("2024-12".to_owned(), vec!["4:d".to_owned()]),
                (
                    "2025-01".to_owned(),
                    vec!["2:b".to_owned(), "5:e".to_owned()]
                ),
                (
                    "2025-03".to_owned(),
                    vec!["1:a".to_owned(), "3:c".to_owned(), "6:f".to_owned()]
                ),
            ]
        );
    }

    #[test]
    fn newer_version_wins_and_ties_go_to_the_later_row() {
        let s = spec(true);
        let stored = batch(
            &s,
            &[3, 1, 2],
            &[Some(5), Some(5), None],
            &["old3", "old1", "old2"],
        );
        let incoming = batch(
            &s,
            &[1, 2, 3, 4],
            &[Some(4), Some(1), Some(5), None],
            &["new1", "new2", "new3", "new4"],
        );
        let out = upsert_rows(&s, s.schema(), &[stored, incoming]).unwrap();
        assert_eq!(xs(&out), ["1:old1", "2:new2", "3:new3", "4:new4"]);
    }

    #[test]
    fn without_version_the_latest_row_wins() {
        let s = spec(false);
        let a = batch(&s, &[2, 1], &[Some(9), Some(9)], &["a2", "a1"]);
        let b = batch(&s, &[1, 1], &[Some(0), Some(0)], &["b1", "c1"]);
        let out = upsert_rows(&s, s.schema(), &[a, b]).unwrap();
        assert_eq!(xs(&out), ["1:c1", "2:a2"]);
    }

    #[test]
    fn removes_owned_rows_only() {
        let s = spec(false);
        let a = batch(&s, &[1, 2, 3], &[None, None, None], &["a", "b", "c"]);
        let (out, removed) = remove_owned(&s, "id", &a, &[2, 7]).unwrap();
        assert_eq!(removed, 1);
        assert_eq!(xs(&out), ["1:a", "3:c"]);
    }

    #[test]
    fn incoming_must_match_the_spec() {
        let s = spec(false);
        let wrong = RecordBatch::try_from_iter(vec![(
            "id",
            Arc::new(StringArray::from(vec!["1"])) as ArrayRef,
        )])
        .unwrap();
        let err = conform_incoming(&s, &wrong).unwrap_err().to_string();
        assert!(err.contains("`id` has type Utf8"), "{err}");
        let extra = RecordBatch::try_from_iter(vec![(
            "secret",
            Arc::new(StringArray::from(vec!["1"])) as ArrayRef,
        )])
        .unwrap();
        let err = conform_incoming(&s, &extra).unwrap_err().to_string();
        assert!(err.contains("`secret` is not in the table spec"), "{err}");
    }
}
