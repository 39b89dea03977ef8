//! Parquet encoding (deterministic), decoding, and footer statistics.

use arrow::array::{Array, AsArray};
use arrow::compute::cast;
use arrow::datatypes::{DataType, Int64Type, SchemaRef};
use arrow::record_batch::RecordBatch;
use bytes::Bytes;
use parquet::arrow::ArrowWriter;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::arrow_reader::statistics::StatisticsConverter;
use parquet::arrow::parquet_to_arrow_schema;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::metadata::{ParquetMetaData, ParquetMetaDataReader, SortingColumn};
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use crate::error::{Error, Result};

/// The `created_by` string written into every file. Fixed (no version number) so that the
/// same rows give the same bytes across releases unless the encoding itself changes.
pub(crate) const CREATED_BY: &str = "jirafe-partition-writer";

/// Rows read per batch when decoding.
const READ_BATCH_ROWS: usize = 8192;

/// Encodes `batch` as one Parquet file: ZSTD level 3, page statistics, row groups of at
/// most `row_group_rows` rows, sorting-columns metadata for the primary key, and a fixed
/// `created_by`. The output depends only on the input (no timestamps, no randomness).
pub(crate) fn encode(
    path: &str,
    batch: &RecordBatch,
    primary_key: &[String],
    row_group_rows: usize,
) -> Result<Bytes> {
    let schema = batch.schema();
    let sorting: Vec<SortingColumn> = primary_key
        .iter()
        .filter_map(|k| schema.index_of(k).ok())
        .filter_map(|i| i32::try_from(i).ok())
        .map(|column_idx| SortingColumn {
            column_idx,
            descending: false,
            nulls_first: true,
        })
        .collect();
    let level = ZstdLevel::try_new(3).map_err(|e| Error::parquet(path, e))?;
    let props = WriterProperties::builder()
        .set_compression(Compression::ZSTD(level))
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_max_row_group_row_count(Some(row_group_rows.max(1)))
        .set_created_by(CREATED_BY.to_owned())
        .set_sorting_columns(Some(sorting))
        .build();
    let mut writer = ArrowWriter::try_new(Vec::with_capacity(1 << 16), schema, Some(props))
        .map_err(|e| Error::parquet(path, e))?;
    let mut offset = 0;
    // Write in row-group-sized slices so the writer never buffers more than one group.
    while offset < batch.num_rows() {
        let len = row_group_rows.max(1).min(batch.num_rows() - offset);
        writer
            .write(&batch.slice(offset, len))
            .map_err(|e| Error::parquet(path, e))?;
        offset += len;
    }
    let buf = writer.into_inner().map_err(|e| Error::parquet(path, e))?;
    Ok(Bytes::from(buf))
}

/// Decodes a whole Parquet object, streaming it batch by batch.
pub(crate) fn decode(path: &str, bytes: Bytes) -> Result<(SchemaRef, Vec<RecordBatch>)> {
    let builder =
        ParquetRecordBatchReaderBuilder::try_new(bytes).map_err(|e| Error::parquet(path, e))?;
    let schema = builder.schema().clone();
    let reader = builder
        .with_batch_size(READ_BATCH_ROWS)
        .build()
        .map_err(|e| Error::parquet(path, e))?;
    let batches = reader
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Error::parquet(path, e.into()))?;
    Ok((schema, batches))
}

/// Length of the Parquet footer: 4-byte metadata length and the `PAR1` magic.
pub(crate) const FOOTER_LEN: usize = 8;

/// Parses the 8-byte footer: the length of the metadata that precedes it.
pub(crate) fn metadata_len(path: &str, footer: &[u8]) -> Result<usize> {
    let bad = |what: &str| {
        Error::parquet(
            path,
            parquet::errors::ParquetError::General(format!("not a Parquet file: {what}")),
        )
    };
    let [a, b, c, d, m0, m1, m2, m3] = footer else {
        return Err(bad("shorter than a footer"));
    };
    if [*m0, *m1, *m2, *m3] != *b"PAR1" {
        return Err(bad("missing PAR1 magic"));
    }
    usize::try_from(u32::from_le_bytes([*a, *b, *c, *d])).map_err(|_| bad("metadata length"))
}

/// Decodes footer metadata bytes.
pub(crate) fn decode_metadata(path: &str, meta: &[u8]) -> Result<ParquetMetaData> {
    ParquetMetaDataReader::decode_metadata(meta).map_err(|e| Error::parquet(path, e))
}

/// Whether any row group's min/max statistics for `column` could contain one of `ids`
/// (sorted). Missing statistics or a missing column count as "could".
pub(crate) fn may_contain(
    path: &str,
    meta: &ParquetMetaData,
    column: &str,
    ids: &[i64],
) -> Result<bool> {
    let file_meta = meta.file_metadata();
    if meta.num_row_groups() == 0 || ids.is_empty() {
        return Ok(false);
    }
    let schema = parquet_to_arrow_schema(file_meta.schema_descr(), file_meta.key_value_metadata())
        .map_err(|e| Error::parquet(path, e))?;
    let Ok(converter) = StatisticsConverter::try_new(column, &schema, file_meta.schema_descr())
    else {
        return Ok(true);
    };
    let to_i64 = |a: arrow::array::ArrayRef| -> Result<arrow::array::ArrayRef> {
        cast(&a, &DataType::Int64).map_err(|e| Error::parquet(path, e.into()))
    };
    let mins = to_i64(
        converter
            .row_group_mins(meta.row_groups())
            .map_err(|e| Error::parquet(path, e))?,
    )?;
    let maxes = to_i64(
        converter
            .row_group_maxes(meta.row_groups())
            .map_err(|e| Error::parquet(path, e))?,
    )?;
    let (mins, maxes) = (
        mins.as_primitive::<Int64Type>(),
        maxes.as_primitive::<Int64Type>(),
    );
    for rg in 0..mins.len().min(maxes.len()) {
        if mins.is_null(rg) || maxes.is_null(rg) {
            return Ok(true);
        }
        let (lo, hi) = (mins.value(rg), maxes.value(rg));
        let first_ge = ids.partition_point(|&id| id < lo);
        if ids.get(first_ge).is_some_and(|&id| id <= hi) {
            return Ok(true);
        }
    }
    Ok(false)
}
