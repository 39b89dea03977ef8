//! The crate's error type. Errors name tables, columns and Jira ids, never user content.

use jirafe_jira_client::Id;

/// What can go wrong while flattening. No variant carries text from Jira (names, summaries,
/// bodies): only table and column names and numeric ids.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The issue has no (parseable) `created` timestamp, so it has no partition month.
    /// Request the `created` field in the search (`fields=*all` includes it).
    #[error(
        "issue {issue_id} has no `created` timestamp; it cannot be placed in a month partition"
    )]
    MissingCreated {
        /// The issue id.
        issue_id: Id,
    },
    /// The issue is under a security level. Such issues are skipped (and counted) before
    /// flattening; this crate refuses them as a second line of defence.
    #[error("issue {issue_id} has a security level and must be skipped, not stored")]
    SecurityLevel {
        /// The issue id.
        issue_id: Id,
    },
    /// Building a table's record batch failed (a non-nullable column received a null).
    #[error("building the `{table}` batch failed")]
    Arrow {
        /// The table.
        table: &'static str,
        /// Arrow's error.
        #[source]
        source: arrow_schema::ArrowError,
    },
    /// The partition writer refused a table specification.
    #[error("the partition writer refused the `{table}` table spec")]
    InvalidSpec {
        /// The table.
        table: &'static str,
        /// The partition writer's error.
        #[source]
        source: Box<jirafe_partition_writer::Error>,
    },
    /// A table name that is not one of [`Table::ALL`](crate::Table::ALL).
    #[error("not a jirafe table name")]
    UnknownTable,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
