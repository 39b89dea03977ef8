//! # jirafe
//!
//! A privacy-first collector of Jira project data for analytics. This facade
//! crate re-exports the workspace's stage crates under short names so that an
//! embedding application can depend on one crate:
//!
//! | module | crate | stage |
//! | --- | --- | --- |
//! | [`jira_client`] | `jirafe-jira-client` | async Jira REST client (Cloud v3 + Agile, Data Center v2) |
//! | [`adf_to_text`] | `jirafe-adf-to-text` | Atlassian Document Format and wiki markup to plain text |
//! | [`pii_scrub`] | `jirafe-pii-scrub` | keyed pseudonyms, PII and secret detectors, policy |
//! | [`schema`] | `jirafe-schema` | the warehouse tables: Arrow schemas, Jira models to record batches |
//! | [`partition_writer`] | `jirafe-partition-writer` | month partitions, upserts, atomic replace on any object store |
//! | [`pipeline`] | `jirafe-pipeline` | the sync engine: scope, privacy gates, checkpoints, deletions, reports |
//! | [`webhook`] | `jirafe-webhook` | the signed-webhook receiver: validation, journal, worker |
//! | [`jira_sim`] | `jirafe-jira-sim` | a simulated Jira Cloud for tests, benchmarks and the demo |
//!
//! The `jirafe` binary in this package is a thin command line over these crates.
#![deny(missing_docs)]

pub use jirafe_adf_to_text as adf_to_text;
pub use jirafe_jira_client as jira_client;
pub use jirafe_jira_sim as jira_sim;
pub use jirafe_partition_writer as partition_writer;
pub use jirafe_pii_scrub as pii_scrub;
pub use jirafe_pipeline as pipeline;
pub use jirafe_schema as schema;
pub use jirafe_webhook as webhook;

/// Process exit codes of the `jirafe` command.
pub mod exit {
    /// Everything worked.
    pub const SUCCESS: i32 = 0;
    /// The job failed (Jira, the warehouse, or malformed input); see the error on stderr.
    pub const FAILURE: i32 = 1;
    /// Bad command line or configuration: nothing was done.
    pub const CONFIG: i32 = 2;
    /// A privacy alert: the leak scan found personal data in the output.
    pub const PRIVACY_ALERT: i32 = 3;
}
