//! Table specifications: what the writer needs to know about a table.

use arrow::datatypes::{DataType, SchemaRef};
use arrow::row::{RowConverter, SortField};

use crate::error::{Error, Result};
use crate::month::supported_month_type;

/// The name of the Hive partition column. It lives in the directory name
/// (`month=YYYY-MM`), never inside the Parquet files, so no table may have a column of that
/// name (engines would see it twice, with conflicting types).
pub const PARTITION_COLUMN: &str = "month";

/// Everything the writer knows about one table: its name, its Arrow schema, its primary key,
/// the column that decides the partition month, and optionally the version and owner columns.
///
/// Built with [`TableSpec::builder`], which checks the columns exist and have usable types:
///
/// ```
/// use std::sync::Arc;
/// use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
/// use jirafe_partition_writer::TableSpec;
///
/// let ts = DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()));
/// let schema = Arc::new(Schema::new(vec![
///     Field::new("id", DataType::Int64, false),
///     Field::new("issue_id", DataType::Int64, false),
///     Field::new("issue_created", ts.clone(), false),
///     Field::new("updated", ts, true),
///     Field::new("body", DataType::Utf8, true),
/// ]));
/// let comments = TableSpec::builder("comments", schema)
///     .primary_key(["id"])
///     .month_column("issue_created")   // the parent issue's created month
///     .version_column("updated")       // newer `updated` wins
///     .owner_column("issue_id")        // `delete(&[issue ids])` removes these rows
///     .build()?;
/// assert_eq!(comments.name(), "comments");
/// # Ok::<(), jirafe_partition_writer::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct TableSpec {
    name: String,
    schema: SchemaRef,
    primary_key: Vec<String>,
    month_column: String,
    version_column: Option<String>,
    owner_column: Option<String>,
}

impl TableSpec {
    /// Starts a spec for table `name` (lower-case ASCII letters, digits and `_`, not starting
    /// with `_`, which is reserved for `_locks/`, `_audit/` and `_state/`).
    pub fn builder(name: impl Into<String>, schema: SchemaRef) -> TableSpecBuilder {
        TableSpecBuilder {
            name: name.into(),
            schema,
            primary_key: Vec::new(),
            month_column: None,
            version_column: None,
            owner_column: None,
        }
    }

    /// The table name, also its directory in the warehouse.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The Arrow schema incoming batches follow.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The primary key columns, in sort order.
    pub fn primary_key(&self) -> &[String] {
        &self.primary_key
    }

    /// The column whose value decides the partition month.
    pub fn month_column(&self) -> &str {
        &self.month_column
    }

    /// The version column (newer wins), if any.
    pub fn version_column(&self) -> Option<&str> {
        self.version_column.as_deref()
    }

    /// The owner column used by [`delete`](crate::PartitionWriter::delete), if any.
    pub fn owner_column(&self) -> Option<&str> {
        self.owner_column.as_deref()
    }
}

/// Builder for [`TableSpec`]; see there for an example.
#[derive(Debug, Clone)]
#[must_use]
pub struct TableSpecBuilder {
    name: String,
    schema: SchemaRef,
    primary_key: Vec<String>,
    month_column: Option<String>,
    version_column: Option<String>,
    owner_column: Option<String>,
}

impl TableSpecBuilder {
    /// The primary key column(s), required. Rows are unique by this key within the table and
    /// sorted by it inside each partition. Key columns must not contain nulls.
    pub fn primary_key<I, S>(mut self, columns: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.primary_key = columns.into_iter().map(Into::into).collect();
        self
    }

    /// The column that decides the partition month, required: a `Timestamp` of any unit (read
    /// as a UTC instant), `Date32`, `Date64`, or `Utf8` holding `YYYY-MM`. For child tables
    /// this is the parent issue's `created`, so an issue's rows change together.
    pub fn month_column(mut self, column: impl Into<String>) -> Self {
        self.month_column = Some(column.into());
        self
    }

    /// The version column, optional: when set, an incoming row replaces a stored row with the
    /// same key only if its version is greater or equal (null is oldest). Without it the
    /// incoming row always wins.
    pub fn version_column(mut self, column: impl Into<String>) -> Self {
        self.version_column = Some(column.into());
        self
    }

    /// The owner column, optional: an integer column holding the id of the issue a row
    /// belongs to (`issue_id` for child tables, `id` for `issues` itself).
    /// [`PartitionWriter::delete`](crate::PartitionWriter::delete) removes rows by it.
    pub fn owner_column(mut self, column: impl Into<String>) -> Self {
        self.owner_column = Some(column.into());
        self
    }

    /// Checks and builds the spec.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidSpec`] when the name is not a safe path segment, a named column is
    /// missing from the schema or has a type it cannot serve with, the primary key is empty,
    /// or the schema has a column named [`PARTITION_COLUMN`].
    pub fn build(self) -> Result<TableSpec> {
        let table = self.name.clone();
        let invalid = |reason: String| Error::InvalidSpec {
            table: table.clone(),
            reason,
        };
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 128
            && !self.name.starts_with('_')
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !name_ok {
            return Err(invalid(
                "table names are 1-128 of [a-z0-9_] and do not start with `_`".into(),
            ));
        }
        let column_type = |col: &str, role: &str| -> Result<DataType> {
            self.schema
                .field_with_name(col)
                .map(|f| f.data_type().clone())
                .map_err(|_| invalid(format!("{role} column `{col}` is not in the schema")))
        };
        if self.schema.field_with_name(PARTITION_COLUMN).is_ok() {
            return Err(invalid(format!(
                "column `{PARTITION_COLUMN}` is reserved for the Hive partition directory"
            )));
        }
        if self.primary_key.is_empty() {
            return Err(invalid("the primary key needs at least one column".into()));
        }
        for col in &self.primary_key {
            let dt = column_type(col, "primary key")?;
            if !sortable(&dt) {
                return Err(invalid(format!(
                    "primary key column `{col}` has type {dt}, which cannot be ordered"
                )));
            }
        }
        let month_column = self
            .month_column
            .ok_or_else(|| invalid("a month column is required".into()))?;
        let dt = column_type(&month_column, "month")?;
        if !supported_month_type(&dt) {
            return Err(invalid(format!(
                "month column `{month_column}` has type {dt}; use a Timestamp, Date32, Date64 or Utf8 `YYYY-MM`"
            )));
        }
        if let Some(col) = &self.version_column {
            let dt = column_type(col, "version")?;
            if !sortable(&dt) {
                return Err(invalid(format!(
                    "version column `{col}` has type {dt}, which cannot be ordered"
                )));
            }
        }
        if let Some(col) = &self.owner_column {
            let dt = column_type(col, "owner")?;
            if !dt.is_integer() {
                return Err(invalid(format!(
                    "owner column `{col}` has type {dt}; it must be an integer id"
                )));
            }
        }
        Ok(TableSpec {
            name: self.name,
            schema: self.schema,
            primary_key: self.primary_key,
            month_column,
            version_column: self.version_column,
            owner_column: self.owner_column,
        })
    }
}

fn sortable(dt: &DataType) -> bool {
    !dt.is_nested() && RowConverter::new(vec![SortField::new(dt.clone())]).is_ok()
}
