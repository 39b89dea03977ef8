//! The crate's error type. Like every jirafe error, it carries no user content: paths
//! are the operator's own data directory, never anything taken from a payload.

use std::path::PathBuf;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can stop the receiver from starting or the journal from accepting.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is invalid. Nothing was started.
    #[error("webhook configuration: {key} {reason}")]
    InvalidConfig {
        /// The setting (builder method or environment variable).
        key: &'static str,
        /// What is wrong and how to fix it.
        reason: &'static str,
    },
    /// The data directory could not be created or read.
    #[error("webhook data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// Another receiver holds the data directory. Stop it, or give this one its own
    /// directory: two writers would interleave one journal.
    #[error(
        "webhook data directory {path} is in use by another receiver{}; stop it or use another directory",
        pid.map(|p| format!(" (pid {p})")).unwrap_or_default()
    )]
    DataDirInUse {
        /// The directory.
        path: PathBuf,
        /// The process that holds it, when known.
        pid: Option<u32>,
    },
    /// Reading, writing, syncing or compacting the journal failed.
    #[error("webhook journal {path}: {source}")]
    Journal {
        /// The journal file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The journal stopped accepting: a write or fsync failed earlier (restart the
    /// receiver: it replays what was durable), or it was shut down.
    #[error("webhook journal is not accepting events (failed earlier or shut down)")]
    JournalClosed,
}
