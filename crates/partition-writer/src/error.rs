//! The crate's error type.

use std::time::Duration;

/// Everything that can go wrong while reading or writing a partitioned table.
///
/// Messages name tables, columns, months and object paths — never row values, so an
/// error can be logged without leaking user content.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A [`TableSpec`](crate::TableSpec) is not usable: an unknown column, an unsupported
    /// column type, or a table name that is not a safe path segment.
    ///
    /// Fix the spec; nothing was written.
    #[error("invalid table spec for `{table}`: {reason}")]
    InvalidSpec {
        /// The table the spec describes.
        table: String,
        /// What is wrong, naming the column where there is one.
        reason: String,
    },

    /// An incoming batch cannot be written: a column the spec requires is missing, a
    /// primary key or partition value is null, or a month is out of range.
    ///
    /// Nothing of the call was written for the month concerned.
    #[error("invalid input for table `{table}`: {reason}")]
    InvalidInput {
        /// The table being written.
        table: String,
        /// What is wrong (column names and counts, never values).
        reason: String,
    },

    /// The incoming schema cannot be merged with data already in the warehouse: a column
    /// changed type, a new column is not nullable, or a stored non-nullable column is missing
    /// from the incoming schema.
    ///
    /// New *nullable* columns are always accepted (old rows read as null). Anything else
    /// needs a migration: rewrite the table under a new name, or make the column nullable.
    #[error("incompatible schema for `{table}`, column `{column}`: {reason}")]
    IncompatibleSchema {
        /// The table being written.
        table: String,
        /// The column that does not fit.
        column: String,
        /// Why, with both types where relevant.
        reason: String,
    },

    /// The object or partition asked for does not exist.
    #[error("object not found: {path}")]
    NotFound {
        /// The path that was read.
        path: String,
    },

    /// An existing object could not be read as Parquet (corrupt, truncated, or not Parquet at
    /// all), or encoding a new partition failed.
    ///
    /// The object is left untouched; move it away or delete it to let the writer recreate
    /// the partition from the next load.
    #[error("parquet error at {path}: {source}")]
    Parquet {
        /// The object being read or written.
        path: String,
        /// The underlying error.
        #[source]
        source: parquet::errors::ParquetError,
    },

    /// An Arrow compute step (concatenation, casting, sorting) failed.
    #[error("arrow error while processing table `{table}`: {source}")]
    Arrow {
        /// The table being processed.
        table: String,
        /// The underlying error.
        #[source]
        source: arrow::error::ArrowError,
    },

    /// The object store failed (I/O, permissions, network).
    #[error("object store error at {path}: {source}")]
    ObjectStore {
        /// The object or prefix concerned.
        path: String,
        /// The underlying error.
        #[source]
        source: object_store::Error,
    },

    /// Other writers kept changing the partition: the conditional put lost the race more
    /// often than the configured number of attempts.
    ///
    /// Nothing was lost; retry the call later or raise
    /// [`PartitionWriter::with_max_attempts`](crate::PartitionWriter::with_max_attempts).
    #[error("gave up on {path} after {attempts} conflicting attempts")]
    Conflict {
        /// The partition object.
        path: String,
        /// How many times the write was tried.
        attempts: u32,
    },

    /// The partition lock stayed held by another writer for longer than the wait limit.
    ///
    /// A lock older than the stale limit is broken automatically; if a writer is really
    /// still running, wait for it, otherwise delete the lock object named here.
    #[error("timed out after {waited:?} waiting for lock {path}")]
    LockTimeout {
        /// The lock object.
        path: String,
        /// How long this writer waited.
        waited: Duration,
    },
}

/// The crate's `Result`, defaulting to [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn store(path: impl ToString, source: object_store::Error) -> Self {
        match source {
            object_store::Error::NotFound { .. } => Error::NotFound {
                path: path.to_string(),
            },
            source => Error::ObjectStore {
                path: path.to_string(),
                source,
            },
        }
    }

    pub(crate) fn parquet(path: impl ToString, source: parquet::errors::ParquetError) -> Self {
        Error::Parquet {
            path: path.to_string(),
            source,
        }
    }

    pub(crate) fn arrow(table: &str, source: arrow::error::ArrowError) -> Self {
        Error::Arrow {
            table: table.to_owned(),
            source,
        }
    }
}
