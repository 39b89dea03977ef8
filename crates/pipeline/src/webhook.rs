//! The webhook processor behind `jirafe serve`: each batch of journalled events (issue
//! ids and kinds only) is re-fetched from Jira with the engineer's credentials, scrubbed,
//! flattened and upserted exactly as a sync would, and recorded in the audit log.
//!
//! Polling sync stays the source of truth: this path never moves the sync cursors or
//! the known-id lists, so a `jirafe sync` running beside `jirafe serve` reads everything
//! again and cannot be confused by it.

use std::collections::BTreeSet;

use jirafe_jira_client::{Id, JiraClient};
use jirafe_pii_scrub::{Findings, HashKey};
use jirafe_webhook::{Event, ProcessError, Processor};
use serde_json::json;

use crate::audit::{AuditEntry, AuditKind, AuditLog};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::sync::Sync;
use crate::warehouse::Warehouse;

/// The [`Processor`] of `jirafe serve`.
pub struct WebhookProcessor {
    sync: tokio::sync::Mutex<(Sync<'static>, Findings)>,
    audit: AuditLog,
    config_digest: String,
}

impl std::fmt::Debug for WebhookProcessor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookProcessor").finish_non_exhaustive()
    }
}

impl WebhookProcessor {
    /// A processor writing into `warehouse` with `client`'s credentials. The configuration
    /// lives as long as the server (`Box::leak` it once at start-up).
    ///
    /// # Errors
    /// When the privacy gate cannot be built.
    pub fn new(
        cfg: &'static Config,
        client: JiraClient,
        warehouse: Warehouse,
        key: HashKey,
        audit_local_copy: Option<std::path::PathBuf>,
    ) -> Result<WebhookProcessor> {
        let audit = AuditLog::new(warehouse.clone(), audit_local_copy);
        let sync = Sync::new(cfg, client, warehouse, key)?;
        Ok(WebhookProcessor {
            sync: tokio::sync::Mutex::new((sync, Findings::default())),
            audit,
            config_digest: cfg.digest(),
        })
    }

    /// Processes one batch (what [`Processor::process`] does, with this crate's error).
    ///
    /// # Errors
    /// A Jira, warehouse or audit failure: the batch is retried as a whole.
    pub async fn process_batch(&self, events: &[Event]) -> Result<()> {
        let mut ids: BTreeSet<Id> = BTreeSet::new();
        let mut deleted: BTreeSet<Id> = BTreeSet::new();
        for e in events {
            let Ok(id) = Id::try_from(e.issue_id) else {
                continue;
            };
            ids.insert(id);
            if e.kind.is_issue_deletion() {
                deleted.insert(id);
            } else {
                // A later event in the batch says it lives (re-created ids never happen in
                // Jira, but a delete followed by an update in one batch must not win).
                deleted.remove(&id);
            }
        }
        let ids: Vec<Id> = ids.into_iter().collect();
        let mut guard = self.sync.lock().await;
        let (sync, seen) = &mut *guard;
        let refreshed = sync.refresh_issues(&ids, &deleted).await?;
        let batch = sync.take_batch_report();
        // Findings are cumulative in the gate: record this batch's share.
        let mut findings = Findings::default();
        for (kind, n) in batch.pii_findings.iter() {
            findings.add_n(kind, n.saturating_sub(seen.get(kind)));
        }
        *seen = batch.pii_findings;
        let first_seq = events.first().map(|e| e.seq);
        let last_seq = events.last().map(|e| e.seq);
        self.audit
            .append(AuditEntry {
                kind: AuditKind::WebhookBatch,
                runner: batch.runner.clone(),
                config_digest: Some(self.config_digest.clone()),
                detail: json!({
                    "events": events.len(),
                    "journal_seq": [first_seq, last_seq],
                    "issues": ids.len(),
                    "result": refreshed,
                    "rows": batch.rows,
                    "removed_issues": batch.removed_issues,
                    "pii_findings": findings,
                    "objects_written": batch.objects_written,
                    "bytes_written": batch.bytes_written,
                }),
            })
            .await?;
        tracing::info!(
            events = events.len(),
            written = refreshed.written,
            removed = refreshed.removed,
            "webhook batch processed"
        );
        Ok(())
    }
}

#[jirafe_webhook::async_trait]
impl Processor for WebhookProcessor {
    async fn process(&self, events: &[Event]) -> std::result::Result<(), ProcessError> {
        self.process_batch(events).await.map_err(|e| {
            tracing::warn!(error = %e, events = events.len(), "webhook batch failed; will retry");
            let retry = match &e {
                Error::Jira(jirafe_jira_client::Error::RateLimited { .. }) => {
                    Some(std::time::Duration::from_secs(30))
                }
                _ => None,
            };
            let err = ProcessError::new(e);
            match retry {
                Some(d) => err.with_retry_after(d),
                None => err,
            }
        })
    }
}
