//! Placeholder docs replaced below.
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
