//! The crate's error type.

use std::net::SocketAddr;

/// Errors of the simulator's Rust API. HTTP-level errors are Jira-shaped responses, not
/// values of this type.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listener could not be bound. Pick another address or port (`127.0.0.1:0`
    /// lets the OS choose).
    #[error("cannot bind the simulated Jira to {addr}")]
    Bind {
        /// The requested address.
        addr: SocketAddr,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The bound listener's address could not be read.
    #[error("cannot read the simulated Jira's bound address")]
    LocalAddr(#[source] std::io::Error),
    /// The server task ended abnormally.
    #[error("the simulated Jira's server task failed")]
    Task(#[source] tokio::task::JoinError),
    /// A mutation named an issue (id or key) that does not exist.
    #[error("issue {issue} does not exist in the simulated organisation")]
    IssueNotFound {
        /// The id or key as given.
        issue: String,
    },
    /// A mutation named a project (key or id) that does not exist.
    #[error("project {project} does not exist in the simulated organisation")]
    ProjectNotFound {
        /// The key or id as given.
        project: String,
    },
    /// A mutation named a worklog that the issue does not have.
    #[error("worklog {worklog_id} does not exist on issue {issue}")]
    WorklogNotFound {
        /// The issue id or key as given.
        issue: String,
        /// The worklog id.
        worklog_id: u64,
    },
    /// A mutation named a field that is not a custom field of the catalog.
    #[error("field {field_id} is not a custom field of the catalog (see GET /rest/api/3/field)")]
    UnknownField {
        /// The field id as given.
        field_id: String,
    },
    /// A mutation's arguments are invalid.
    #[error("invalid mutation: {reason}")]
    InvalidMutation {
        /// What is wrong.
        reason: &'static str,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
