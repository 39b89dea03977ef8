//! The pipeline's error type. Like every jirafe error, it carries no user content.

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can stop a run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is missing or malformed. Nothing was done.
    #[error("configuration: {key} {reason}")]
    Config {
        /// The setting (file key or environment variable).
        key: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// Talking to Jira failed.
    #[error(transparent)]
    Jira(#[from] jirafe_jira_client::Error),
    /// Writing or reading the warehouse's tables failed.
    #[error(transparent)]
    Warehouse(#[from] jirafe_partition_writer::Error),
    /// The object store failed outside the table writer (state, reports).
    #[error("warehouse object {path}: {source}")]
    Store {
        /// The object.
        path: String,
        /// The store's error.
        #[source]
        source: object_store::Error,
    },
    /// The scrubber could not be built.
    #[error(transparent)]
    Scrub(#[from] jirafe_pii_scrub::Error),
    /// Turning Jira data into tables failed.
    #[error(transparent)]
    Schema(#[from] jirafe_schema::Error),
    /// The saved sync state is unreadable.
    #[error("sync state {path} is unreadable ({reason}); delete it to start a full backfill")]
    State {
        /// The state object.
        path: String,
        /// Why.
        reason: String,
    },
    /// The simulator (demo) failed.
    #[error(transparent)]
    Sim(#[from] jirafe_jira_sim::Error),
}
