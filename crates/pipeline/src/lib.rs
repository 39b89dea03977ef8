//! # jirafe-pipeline
//!
//! The sync engine, and the only crate that joins the stages: it reads Jira with
//! `jirafe-jira-client`, turns every person into a pseudonym and scrubs every text column
//! with `jirafe-pii-scrub` (in memory), flattens issues into tables with `jirafe-schema`,
//! and upserts month partitions with `jirafe-partition-writer`.
//!
//! ## A guided tour
//!
//! 1. [`Config`] reads `jirafe.toml` and the environment (`JIRA_BASE_URL`, `JIRA_EMAIL`,
//!    `JIRA_API_TOKEN` or `JIRA_PAT`, `JIRAFE_HASH_KEY`, `JIRAFE_WAREHOUSE`); a missing or
//!    bad setting is an [`Error::Config`] naming it.
//! 2. [`Warehouse::open`] opens the warehouse from its URL.
//! 3. [`Sync`] runs: scope (browsable projects, allow-list, `isPrivate` skipped unless
//!    allowed), extraction (incremental by `updated` in epoch ms with an overlap window),
//!    privacy ([`RunPrivacy`]), flattening, upserts, and — only after a project's partitions
//!    are durable — its checkpoint. A deletion census removes issues that are gone.
//! 4. The [`RunReport`] counts everything, with no user content.
//!
//! ```
//! use jirafe_pipeline::{Config, Warehouse};
//! let cfg = Config::from_toml("[sync]\noverlap_minutes = 15\n")?;
//! assert_eq!(cfg.sync.overlap_minutes, 15);
//! let err = cfg.jira_client().unwrap_err();
//! assert!(err.to_string().contains("JIRA_BASE_URL"));
//! let w = Warehouse::open("memory://")?;
//! # Ok::<(), jirafe_pipeline::Error>(())
//! ```
#![deny(missing_docs)]

pub mod audit;
mod config;
mod demo;
mod doctor;
mod error;
mod job;
pub mod leak_scan;
pub mod metrics;
mod privacy;
mod report;
pub mod retention;
mod state;
mod sync;
mod warehouse;
pub mod webhook;

pub use audit::{AuditEntry, AuditKind, AuditLog, AuditRecord, AuditVerification};
pub use job::{
    JobOptions, JobOutcome, ScanDirectory, retention_job, run_sync_job, scan_audit_detail,
    sync_audit_detail, verify_privacy,
};
pub use leak_scan::{LeakReport, LeakScanner};
pub use retention::{RetentionReport, run_retention};

pub use config::{
    AuditSection, Config, JiraSection, PrivacySection, ReportSection, RetentionSection,
    ScopeSection, Secrets, SyncSection, WarehouseSection, WebhookSection,
};
pub use demo::{run_demo, simulated_jira};
pub use doctor::{Check, DoctorReport, doctor};
pub use error::{Error, Result};
pub use privacy::{KnownPerson, RunPrivacy};
pub use report::{ProjectReport, RunReport, SkippedProject, WrittenObject, save as save_report};
pub use state::{ProjectCursor, SyncState};
pub use sync::{NoProgress, Progress, RefreshReport, Sync};
pub use warehouse::Warehouse;
pub use webhook::WebhookProcessor;
