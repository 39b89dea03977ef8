//! # jirafe
//!
//! A privacy-first collector of Jira project data for analytics. This facade
//! crate re-exports the workspace's stage crates under short names so that an
//! embedding application can depend on one crate:
//!
//! | module | crate | stage |
//! | --- | --- | --- |
//! | [`jira_client`] | `jirafe-jira-client` | async Jira REST client (Cloud v3 + Agile, Data Center v2) |
//! | [`jira_sim`] | `jirafe-jira-sim` | a simulated Jira Cloud for tests, benchmarks and the demo |
//!
//! The `jirafe` binary in this package is a thin command line over these crates.
#![deny(missing_docs)]

pub use jirafe_jira_client as jira_client;

