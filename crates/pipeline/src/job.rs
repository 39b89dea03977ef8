//! The whole job around a sync: the run, then the checks that make it trustworthy.
//!
//! 1. [`Sync::run`](crate::Sync::run) (the run report is kept even when it fails);
//! 2. the leak scan over every object the run wrote;
//! 3. retention, when `retention.after_sync` is set;
//! 4. the run report under `_reports/` (and `report.path`);
//! 5. audit records: the sync, the privacy scan, the retention run;
//! 6. the Prometheus textfile, when `report.prometheus_path` is set;
//! 7. the alert POST (counts only), when the scan found something and `report.alert_url`
//!    is set.
//!
//! A failed sync still gets its audit record and metrics; then its error is returned.

use jirafe_jira_client::JiraClient;
use jirafe_pii_scrub::HashKey;
use serde_json::json;

use crate::audit::{AuditEntry, AuditKind, AuditLog};
use crate::config::Config;
use crate::error::Result;
use crate::leak_scan::{LeakReport, LeakScanner};
use crate::metrics::{RunMetrics, post_alert, write_textfile};
use crate::report::RunReport;
use crate::retention::{RetentionReport, run_retention};
use crate::sync::{Progress, Sync};
use crate::warehouse::Warehouse;

/// What the job did.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JobOutcome {
    /// The run report.
    pub report: RunReport,
    /// The leak scan over what the run wrote.
    pub leak: LeakReport,
    /// Retention, when it ran.
    pub retention: Option<RetentionReport>,
    /// The sequence number of the run's audit record.
    pub audit_seq: u64,
    /// Problems after the data was safely written (metrics file, alert POST): reported,
    /// never silently dropped.
    pub warnings: Vec<String>,
}

impl JobOutcome {
    /// Whether the leak scan found personal data in the output.
    pub fn privacy_alert(&self) -> bool {
        !self.leak.clean()
    }
}

/// Options of the job that are not in the configuration file.
#[derive(Debug, Clone, Default)]
pub struct JobOptions {
    /// The local copy of the audit log (see [`Config::audit_local_copy`]).
    pub audit_local_copy: Option<std::path::PathBuf>,
}

/// The audit record of a run report: counts, ids, reasons, digests. No user content.
pub fn sync_audit_detail(r: &RunReport, error: Option<&str>) -> serde_json::Value {
    json!({
        "success": r.success,
        "error": error,
        "started_at": r.started_at,
        "duration_ms": r.duration_ms,
        "key_id": r.key_id,
        "directory": r.directory,
        "projects_collected": r.projects.iter().map(|p| json!({
            "id": p.id, "key": p.key, "issues": p.issues,
            "skipped_security_level": p.skipped_security_level, "removed": p.removed,
        })).collect::<Vec<_>>(),
        "projects_skipped": r.skipped_projects,
        "rows": r.rows,
        "skipped_issues": r.skipped_issues,
        "removed_issues": r.removed_issues,
        "pii_findings": r.pii_findings,
        "requests_total": r.requests_total,
        "objects_written": r.objects_written,
        "bytes_written": r.bytes_written,
    })
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// Runs the job. On a failed sync, the audit record and metrics are still written and
/// the sync's error is returned.
///
/// # Errors
/// The sync's error, or a store failure while scanning, auditing or applying retention.
#[tracing::instrument(name = "sync_job", skip_all)]
pub async fn run_sync_job(
    cfg: &Config,
    client: JiraClient,
    warehouse: Warehouse,
    key: HashKey,
    options: &JobOptions,
    progress: &mut dyn Progress,
) -> Result<JobOutcome> {
    let audit = AuditLog::new(warehouse.clone(), options.audit_local_copy.clone());
    let mut sync = Sync::new(cfg, client, warehouse.clone(), key)?;
    let mut report = match sync.run(progress).await {
        Ok(r) => r,
        Err(e) => {
            let failed = sync.report().clone();
            let reason = e.to_string();
            tracing::error!(error = %reason, "sync failed");
            // Best effort: the sync's error is what the caller must see.
            let _ = crate::report::save(&warehouse, &failed, cfg.report.path.as_deref()).await;
            if let Err(a) = audit
                .append(AuditEntry {
                    kind: AuditKind::Sync,
                    runner: failed.runner.clone(),
                    config_digest: Some(failed.config_digest.clone()),
                    detail: sync_audit_detail(&failed, Some(&reason)),
                })
                .await
            {
                tracing::error!(error = %a, "audit record of the failed run not written");
            }
            if let Some(path) = &cfg.report.prometheus_path {
                let m = RunMetrics {
                    report: Some(&failed),
                    finished_unix: unix_now(),
                    ..RunMetrics::default()
                };
                if let Err(w) = write_textfile(path, &m) {
                    tracing::error!(error = %w, "metrics textfile not written");
                }
            }
            return Err(e);
        }
    };

    tracing::info!(
        issues = report.issues(),
        projects = report.projects.len(),
        requests = report.requests_total,
        retries = report.retries,
        rate_limit_wait_ms = report.rate_limit_wait_ms,
        bytes_written = report.bytes_written,
        pii_scrubbed = report.pii_findings.total(),
        duration_ms = report.duration_ms,
        "sync finished"
    );
    // The data is durable: record the run first, so nothing after this can lose it.
    let digest = Some(report.config_digest.clone());
    let record = audit
        .append(AuditEntry {
            kind: AuditKind::Sync,
            runner: report.runner.clone(),
            config_digest: digest.clone(),
            detail: sync_audit_detail(&report, None),
        })
        .await?;

    // Verify, don't trust: re-read every object written and look for personal data.
    // Then retention. A failure in either still leaves the report and the metrics.
    let checks = async {
        let policy = cfg.privacy.policy.clone().unwrap_or_default();
        let scanner = LeakScanner::new(sync.privacy().people(), sync.privacy().scrubber(), policy)?;
        let written: Vec<String> = report
            .objects_written
            .iter()
            .map(|o| o.path.clone())
            .collect();
        let leak = scanner.scan_warehouse(&warehouse, Some(&written)).await?;
        if !leak.clean() {
            tracing::error!(
                findings = leak.total(),
                "privacy alert: the leak scan found personal data in the output"
            );
        }
        audit
            .append(AuditEntry {
                kind: AuditKind::PrivacyScan,
                runner: report.runner.clone(),
                config_digest: digest.clone(),
                detail: scan_audit_detail(&leak, "after_sync", Some(record.seq)),
            })
            .await?;
        let retention = if cfg.retention.after_sync {
            let r = run_retention(cfg, &warehouse, time::OffsetDateTime::now_utc(), false).await?;
            audit
                .append(AuditEntry {
                    kind: AuditKind::Retention,
                    runner: report.runner.clone(),
                    config_digest: digest.clone(),
                    detail: serde_json::to_value(&r).unwrap_or_default(),
                })
                .await?;
            Some(r)
        } else {
            None
        };
        Ok::<_, crate::error::Error>((leak, retention))
    }
    .await;

    let (leak, retention) = match &checks {
        Ok((leak, retention)) => (Some(leak), retention.as_ref()),
        Err(_) => (None, None),
    };
    if let Some(leak) = leak {
        report.leak_findings = leak.findings.clone();
        report.privacy_alert = !leak.clean();
    }
    let mut warnings = Vec::new();
    if let Err(e) = crate::report::save(&warehouse, &report, cfg.report.path.as_deref()).await {
        warnings.push(format!("run report not saved: {e}"));
    }
    if let Some(path) = &cfg.report.prometheus_path {
        let m = RunMetrics {
            report: Some(&report),
            leak,
            retention_deleted: retention.map(|r| r.expired.len() as u64),
            finished_unix: unix_now(),
        };
        if let Err(e) = write_textfile(path, &m) {
            warnings.push(format!("metrics textfile {}: {e}", path.display()));
        }
    }
    let (leak, retention) = checks?;
    if let (Some(url), false) = (&cfg.report.alert_url, leak.clean())
        && let Err(e) = post_alert(url, &warehouse.url, &leak).await
    {
        warnings.push(e);
    }
    for w in &warnings {
        tracing::warn!(warning = %w, "after the sync");
    }
    Ok(JobOutcome {
        report,
        leak,
        retention,
        audit_seq: record.seq,
        warnings,
    })
}

/// The audit detail of a leak scan.
pub fn scan_audit_detail(
    leak: &LeakReport,
    trigger: &str,
    sync_seq: Option<u64>,
) -> serde_json::Value {
    json!({
        "trigger": trigger,
        "sync_record": sync_seq,
        "clean": leak.clean(),
        "findings": leak.findings,
        "objects_scanned": leak.objects_scanned,
        "rows_scanned": leak.rows_scanned,
        "values_scanned": leak.values_scanned,
        "known_people": leak.known_people,
        "locations": leak.locations,
    })
}

/// Where the on-demand leak scan took its known people from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ScanDirectory {
    /// Every user Jira lists to the configured credentials.
    Jira,
    /// No credentials configured, `--no-jira`, or the account may not list users:
    /// detectors only.
    None,
}

/// `jirafe verify-privacy`: the leak scan over every partition of a warehouse, recorded
/// in the audit log. Known people come from Jira's user search when credentials are
/// configured and `use_jira` is set; the detectors always run.
///
/// # Errors
/// A Jira, store or Parquet failure.
pub async fn verify_privacy(
    cfg: &Config,
    warehouse: &Warehouse,
    use_jira: bool,
    options: &JobOptions,
) -> Result<(LeakReport, ScanDirectory)> {
    use futures::TryStreamExt;
    let key = match cfg.hash_key() {
        Ok(k) => k,
        // The key only shapes pseudonyms, which the scan does not produce.
        Err(_) => HashKey::from_bytes(&ephemeral_key())?,
    };
    let policy = cfg.privacy.policy.clone().unwrap_or_default();
    let mut privacy =
        crate::privacy::RunPrivacy::new(key, policy.clone(), cfg.privacy.opt_out.iter().cloned())?;
    let mut directory = ScanDirectory::None;
    let mut runner = None;
    if use_jira && let Ok(client) = cfg.jira_client() {
        let me = client.myself().await?;
        privacy.observe(&me);
        match client.users().try_collect::<Vec<_>>().await {
            Ok(users) => {
                for u in &users {
                    privacy.observe(u);
                }
                directory = ScanDirectory::Jira;
            }
            // Without "Browse users and groups" there is no directory to search for:
            // the detectors still run.
            Err(
                jirafe_jira_client::Error::Forbidden { .. }
                | jirafe_jira_client::Error::NotFound { .. },
            ) => {}
            Err(e) => return Err(e.into()),
        }
        privacy.refresh()?;
        runner = me.stable_id().and_then(|id| privacy.pseudonym_of(id));
    }
    let scanner = LeakScanner::new(privacy.people(), privacy.scrubber(), policy)?;
    let leak = scanner.scan_warehouse(warehouse, None).await?;
    let audit = AuditLog::new(warehouse.clone(), options.audit_local_copy.clone());
    let mut detail = scan_audit_detail(&leak, "on_demand", None);
    detail["directory"] = serde_json::to_value(directory).unwrap_or_default();
    audit
        .append(AuditEntry {
            kind: AuditKind::PrivacyScan,
            runner,
            config_digest: Some(cfg.digest()),
            detail,
        })
        .await?;
    if let (Some(url), false) = (&cfg.report.alert_url, leak.clean())
        && let Err(e) = post_alert(url, &warehouse.url, &leak).await
    {
        tracing::error!(error = %e, "privacy alert POST failed");
    }
    Ok((leak, directory))
}

/// Who runs a command that does not otherwise talk to Jira: the pseudonym of the
/// configured account, when credentials and the hash key are configured and Jira answers.
async fn runner_pseudonym(cfg: &Config) -> Option<String> {
    let client = cfg.jira_client().ok()?;
    let key = cfg.hash_key().ok()?;
    let me = client.myself().await.ok()?;
    let privacy = crate::privacy::RunPrivacy::new(
        key,
        cfg.privacy.policy.clone().unwrap_or_default(),
        cfg.privacy.opt_out.iter().cloned(),
    )
    .ok()?;
    me.stable_id().and_then(|id| privacy.pseudonym_of(id))
}

fn ephemeral_key() -> [u8; 32] {
    use std::hash::{BuildHasher, Hasher};
    let mut out = [0u8; 32];
    for chunk in out.chunks_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0),
        );
        chunk.copy_from_slice(&h.finish().to_le_bytes());
    }
    out
}

/// `jirafe retention`: applies retention now and, unless it is a dry run, records it in
/// the audit log.
///
/// # Errors
/// A store failure.
pub async fn retention_job(
    cfg: &Config,
    warehouse: &Warehouse,
    dry_run: bool,
    options: &JobOptions,
) -> Result<RetentionReport> {
    let report = run_retention(cfg, warehouse, time::OffsetDateTime::now_utc(), dry_run).await?;
    if !dry_run {
        AuditLog::new(warehouse.clone(), options.audit_local_copy.clone())
            .append(AuditEntry {
                kind: AuditKind::Retention,
                runner: runner_pseudonym(cfg).await,
                config_digest: Some(cfg.digest()),
                detail: serde_json::to_value(&report).unwrap_or_default(),
            })
            .await?;
    }
    Ok(report)
}
