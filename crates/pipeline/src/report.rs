//! The JSON run report: counts, skips, requests, findings, objects written. No user
//! content: ids, keys, counts, pseudonyms and digests only.

use std::collections::BTreeMap;

use jirafe_pii_scrub::Findings;
use serde::Serialize;

/// A project the run collected.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ProjectReport {
    /// Project id.
    pub id: i64,
    /// Project key.
    pub key: String,
    /// Issues read from Jira and written.
    pub issues: u64,
    /// Issues skipped because they have a security level.
    pub skipped_security_level: u64,
    /// Issues removed (deleted or no longer visible).
    pub removed: u64,
    /// Whether the deletion census ran.
    pub census: bool,
    /// The cursor after the run (epoch ms of the newest `updated` stored).
    pub cursor_ms: Option<i64>,
}

/// A project the run did not collect, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SkippedProject {
    /// Project id, when Jira listed it.
    pub id: Option<i64>,
    /// Project key.
    pub key: String,
    /// `private`, `not_in_allow_list`, `not_browsable`, `archived`.
    pub reason: &'static str,
}

/// An object the run wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WrittenObject {
    /// Path in the warehouse.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256, hex.
    pub sha256: String,
}

/// Everything a run did.
#[derive(Debug, Clone, Default, Serialize)]
#[non_exhaustive]
pub struct RunReport {
    /// `jirafe` version.
    pub tool_version: String,
    /// Start, RFC 3339 UTC.
    pub started_at: String,
    /// Wall time.
    pub duration_ms: u64,
    /// Whether the run finished.
    pub success: bool,
    /// Pseudonym of the account that ran it.
    pub runner: Option<String>,
    /// Digest of the configuration (never secrets).
    pub config_digest: String,
    /// The hash key's id (not the key), so rotations are traceable.
    pub key_id: String,
    /// Where the scrubber's name directory came from: `users_search` (every user Jira
    /// lists) or `people_seen` (only the people in the issues read; the account may not
    /// browse users).
    pub directory: &'static str,
    /// Projects collected.
    pub projects: Vec<ProjectReport>,
    /// Projects skipped, with reasons.
    pub skipped_projects: Vec<SkippedProject>,
    /// Rows upserted per table.
    pub rows: BTreeMap<String, u64>,
    /// Issues skipped, by reason.
    pub skipped_issues: BTreeMap<String, u64>,
    /// Issues removed, by reason (`deleted`, `access_lost`, `unknown`).
    pub removed_issues: BTreeMap<String, u64>,
    /// HTTP requests by `endpoint status`.
    pub requests: BTreeMap<String, u64>,
    /// Total HTTP requests.
    pub requests_total: u64,
    /// Retries.
    pub retries: u64,
    /// Time spent waiting on Jira's rate limits.
    pub rate_limit_wait_ms: u64,
    /// PII findings scrubbed, per kind.
    pub pii_findings: Findings,
    /// Objects written, with SHA-256.
    pub objects_written: Vec<WrittenObject>,
    /// Partitions left unchanged because the content was identical.
    pub partitions_unchanged: u64,
    /// Bytes written.
    pub bytes_written: u64,
    /// What the post-write leak scan found in the objects written, per kind (empty when
    /// clean).
    pub leak_findings: BTreeMap<String, u64>,
    /// Whether the leak scan raised a privacy alert.
    pub privacy_alert: bool,
}

impl RunReport {
    /// Issues collected across projects.
    pub fn issues(&self) -> u64 {
        self.projects.iter().map(|p| p.issues).sum()
    }
}

/// Saves the report under `_reports/` in the warehouse, and to `local` when given.
///
/// # Errors
/// A store or file error.
pub async fn save(
    w: &crate::warehouse::Warehouse,
    report: &RunReport,
    local: Option<&std::path::Path>,
) -> crate::error::Result<()> {
    let name = format!("_reports/{}.json", report.started_at.replace(':', "-"));
    w.put_json(&name, report).await?;
    if let Some(path) = local {
        let bytes = serde_json::to_vec_pretty(report).map_err(|e| crate::error::Error::Config {
            key: "report.path",
            reason: e.to_string(),
        })?;
        std::fs::write(path, bytes).map_err(|e| crate::error::Error::Config {
            key: "report.path",
            reason: format!("{}: {e}", path.display()),
        })?;
    }
    Ok(())
}
