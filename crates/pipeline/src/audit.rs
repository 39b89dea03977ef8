//! The audit trail: append-only JSON Lines with a hash chain.
//!
//! Every sync, webhook batch, retention run and privacy scan appends one record. Record
//! number `n` is the object `_audit/<n, 12 digits>.jsonl` in the warehouse: a single JSON
//! line (so `cat _audit/*.jsonl`, DuckDB's `read_json` or `jq` read the log in order) that
//! carries `prev`, the SHA-256 of record `n - 1`'s exact bytes. A record is created with a
//! create-only put, so two processes appending at once cannot both take number `n`: the
//! loser re-reads the head and appends after it.
//!
//! A copy of every record this machine writes is appended to a local file as well. The
//! chain alone detects an edited, deleted, inserted or reordered record anywhere but at the
//! end; comparing with the local copy also detects a removed tail or a rewritten chain
//! (records written here must be in the warehouse byte for byte).
//!
//! Records hold ids, counts, digests and pseudonyms: never user content, never secrets.

use std::io::Write;
use std::path::{Path as FsPath, PathBuf};

use futures::TryStreamExt;
use object_store::{ObjectStoreExt, PutMode, PutOptions, PutPayload};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::warehouse::Warehouse;

/// The folder of the audit log in the warehouse.
pub const AUDIT_DIR: &str = "_audit";

/// `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What a record is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum AuditKind {
    /// A `jirafe sync` (or demo) run.
    Sync,
    /// A batch of webhook events processed by `jirafe serve`.
    WebhookBatch,
    /// A `jirafe retention` run (or the retention step of a sync).
    Retention,
    /// A leak scan (after a sync, or `jirafe verify-privacy`).
    PrivacyScan,
}

/// One record of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: u64,
    /// When it was written, RFC 3339 UTC.
    pub at: String,
    /// What it records.
    pub kind: AuditKind,
    /// `jirafe` version.
    pub tool_version: String,
    /// Pseudonym of the account that ran it, when known.
    pub runner: Option<String>,
    /// Digest of the configuration (never secrets).
    pub config_digest: Option<String>,
    /// Kind-specific content: counts, ids, reasons, objects with SHA-256.
    pub detail: serde_json::Value,
    /// SHA-256 (hex) of the previous record's exact bytes; [`GENESIS`] for the first.
    pub prev: String,
}

/// What the caller supplies; the log fills in `seq`, `at` and `prev`.
#[derive(Debug, Clone)]
pub struct AuditEntry {
    /// What it records.
    pub kind: AuditKind,
    /// Pseudonym of the account that ran it.
    pub runner: Option<String>,
    /// Digest of the configuration.
    pub config_digest: Option<String>,
    /// Kind-specific content (no user content).
    pub detail: serde_json::Value,
}

/// The audit log of one warehouse, with an optional local copy.
#[derive(Debug, Clone)]
pub struct AuditLog {
    warehouse: Warehouse,
    local: Option<PathBuf>,
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The object where the problem shows.
    pub object: String,
    /// What is wrong.
    pub reason: String,
}

/// The result of [`AuditLog::verify`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditVerification {
    /// Records in the warehouse chain.
    pub records: u64,
    /// Records of the local copy compared with the warehouse.
    pub local_records_checked: u64,
    /// The first broken link, if any.
    pub first_break: Option<ChainBreak>,
}

impl AuditVerification {
    /// Whether the chain is intact.
    pub fn ok(&self) -> bool {
        self.first_break.is_none()
    }
}

/// SHA-256 of bytes, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

fn object_name(seq: u64) -> String {
    format!("{AUDIT_DIR}/{seq:012}.jsonl")
}

fn parse_seq(name: &str) -> Option<u64> {
    let stem = name.strip_suffix(".jsonl")?;
    if stem.len() != 12 || !stem.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    stem.parse().ok()
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

impl AuditLog {
    /// The log of `warehouse`, mirrored into the local file `local` when given.
    pub fn new(warehouse: Warehouse, local: Option<PathBuf>) -> AuditLog {
        AuditLog { warehouse, local }
    }

    /// The local copy's path, if any.
    pub fn local_path(&self) -> Option<&FsPath> {
        self.local.as_deref()
    }

    fn store_err(&self, rel: &str, source: object_store::Error) -> Error {
        Error::Store {
            path: self.warehouse.path(rel).to_string(),
            source,
        }
    }

    /// Sequence numbers and object names present, in order. Foreign objects (not
    /// `NNNNNNNNNNNN.jsonl`) are returned with `None`.
    async fn listing(&self) -> Result<Vec<(Option<u64>, String)>> {
        let prefix = self.warehouse.path(AUDIT_DIR);
        let mut out: Vec<(Option<u64>, String)> = self
            .warehouse
            .store
            .list(Some(&prefix))
            .map_ok(|m| {
                let name = m.location.filename().unwrap_or_default().to_owned();
                (parse_seq(&name), name)
            })
            .try_collect()
            .await
            .map_err(|e| self.store_err(AUDIT_DIR, e))?;
        out.sort_by(|a, b| a.1.cmp(&b.1));
        Ok(out)
    }

    async fn read(&self, rel: &str) -> Result<Option<bytes::Bytes>> {
        let path = self.warehouse.path(rel);
        match self.warehouse.store.get(&path).await {
            Ok(r) => Ok(Some(r.bytes().await.map_err(|e| self.store_err(rel, e))?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(self.store_err(rel, e)),
        }
    }

    /// Appends a record and returns it as written.
    ///
    /// # Errors
    /// A store failure, or a local copy that cannot be written.
    pub async fn append(&self, entry: AuditEntry) -> Result<AuditRecord> {
        for _attempt in 0..50 {
            let head = self
                .listing()
                .await?
                .into_iter()
                .filter_map(|(seq, _)| seq)
                .max();
            let (seq, prev) = match head {
                None => (1, GENESIS.to_owned()),
                Some(n) => {
                    let rel = object_name(n);
                    let Some(bytes) = self.read(&rel).await? else {
                        continue; // removed between list and get: look again
                    };
                    (n + 1, sha256_hex(trim_newline(&bytes)))
                }
            };
            let record = AuditRecord {
                seq,
                at: now_rfc3339(),
                kind: entry.kind,
                tool_version: env!("CARGO_PKG_VERSION").to_owned(),
                runner: entry.runner.clone(),
                config_digest: entry.config_digest.clone(),
                detail: entry.detail.clone(),
                prev,
            };
            let mut line = serde_json::to_vec(&record).map_err(|e| Error::State {
                path: AUDIT_DIR.into(),
                reason: e.to_string(),
            })?;
            line.push(b'\n');
            let rel = object_name(seq);
            let opts = PutOptions {
                mode: PutMode::Create,
                ..PutOptions::default()
            };
            match self
                .warehouse
                .store
                .put_opts(
                    &self.warehouse.path(&rel),
                    PutPayload::from(line.clone()),
                    opts,
                )
                .await
            {
                Ok(_) => {
                    self.append_local(&line)?;
                    tracing::info!(seq, kind = ?record.kind, "audit record appended");
                    return Ok(record);
                }
                // Another process took this number: chain after it.
                Err(object_store::Error::AlreadyExists { .. }) => continue,
                Err(object_store::Error::NotImplemented { .. }) => {
                    // A store without create-only puts: plain put (single writer assumed).
                    self.warehouse
                        .store
                        .put(&self.warehouse.path(&rel), PutPayload::from(line.clone()))
                        .await
                        .map_err(|e| self.store_err(&rel, e))?;
                    self.append_local(&line)?;
                    return Ok(record);
                }
                Err(e) => return Err(self.store_err(&rel, e)),
            }
        }
        Err(Error::State {
            path: AUDIT_DIR.into(),
            reason: "could not append after 50 attempts (heavy contention)".into(),
        })
    }

    fn append_local(&self, line: &[u8]) -> Result<()> {
        let Some(path) = &self.local else {
            return Ok(());
        };
        let fail = |e: std::io::Error| Error::Config {
            key: "audit.local_copy",
            reason: format!("{}: {e}", path.display()),
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(fail)?;
        }
        let mut f = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(fail)?;
        f.write_all(line).map_err(fail)?;
        f.sync_data().map_err(fail)?;
        Ok(())
    }

    /// Walks the chain and reports the first broken link: a record that is not valid JSON,
    /// a number out of sequence (deleted, inserted or reordered records), a `prev` that is
    /// not the hash of the record before (edited or inserted records), an object name that
    /// does not match its record. Then compares the local copy, when there is one: every
    /// record written from this machine must be in the warehouse unchanged.
    ///
    /// # Errors
    /// A store failure or an unreadable local copy (a broken chain is not an error: it is
    /// the answer).
    pub async fn verify(&self) -> Result<AuditVerification> {
        let mut result = AuditVerification {
            records: 0,
            local_records_checked: 0,
            first_break: None,
        };
        let mut prev_hash = GENESIS.to_owned();
        let mut chain: std::collections::BTreeMap<u64, String> = Default::default();
        for (expected, (seq, name)) in (1u64..).zip(self.listing().await?) {
            let object = format!("{AUDIT_DIR}/{name}");
            let broken = |reason: String| ChainBreak {
                object: object.clone(),
                reason,
            };
            let Some(seq) = seq else {
                result.first_break = Some(broken(
                    "an object that is not an audit record sits in the audit folder".into(),
                ));
                return Ok(result);
            };
            let Some(bytes) = self.read(&object).await? else {
                result.first_break = Some(broken("listed but cannot be read".into()));
                return Ok(result);
            };
            let body = trim_newline(&bytes);
            let record: AuditRecord = match serde_json::from_slice(body) {
                Ok(r) if !body.contains(&b'\n') => r,
                _ => {
                    result.first_break = Some(broken("not a single valid JSON record".into()));
                    return Ok(result);
                }
            };
            if seq != expected {
                result.first_break = Some(broken(format!(
                    "record {expected} is missing (found {seq} next): a record was deleted or renumbered"
                )));
                return Ok(result);
            }
            if record.seq != seq {
                result.first_break = Some(broken(format!(
                    "the object is number {seq} but its record says {}: records were moved",
                    record.seq
                )));
                return Ok(result);
            }
            if record.prev != prev_hash {
                result.first_break = Some(broken(format!(
                    "prev does not match the hash of record {}: that record was edited, or this one inserted or moved",
                    seq - 1
                )));
                return Ok(result);
            }
            prev_hash = sha256_hex(body);
            chain.insert(seq, prev_hash.clone());
            result.records += 1;
        }
        if let Some(path) = &self.local {
            let text = match std::fs::read(path) {
                Ok(t) => t,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
                Err(e) => {
                    return Err(Error::Config {
                        key: "audit.local_copy",
                        reason: format!("{}: {e}", path.display()),
                    });
                }
            };
            for (n, line) in text.split(|&b| b == b'\n').enumerate() {
                if line.is_empty() {
                    continue;
                }
                let Ok(record) = serde_json::from_slice::<AuditRecord>(line) else {
                    // A torn last line of the local copy (crash mid-write) is not evidence.
                    continue;
                };
                result.local_records_checked += 1;
                let same = chain.get(&record.seq) == Some(&sha256_hex(line));
                if !same {
                    let object = object_name(record.seq);
                    result.first_break = Some(ChainBreak {
                        object,
                        reason: format!(
                            "differs from line {} of the local copy: the warehouse record was {}",
                            n + 1,
                            if chain.contains_key(&record.seq) {
                                "changed (or the chain rewritten)"
                            } else {
                                "removed"
                            }
                        ),
                    });
                    return Ok(result);
                }
            }
        }
        Ok(result)
    }

    /// Every record in order (for reports and tests). Stops at the first unreadable one.
    ///
    /// # Errors
    /// A store failure or a record that is not valid JSON.
    pub async fn records(&self) -> Result<Vec<AuditRecord>> {
        let mut out = Vec::new();
        for (seq, name) in self.listing().await? {
            if seq.is_none() {
                continue;
            }
            let rel = format!("{AUDIT_DIR}/{name}");
            if let Some(bytes) = self.read(&rel).await? {
                out.push(serde_json::from_slice(trim_newline(&bytes)).map_err(|e| {
                    Error::State {
                        path: rel.clone(),
                        reason: format!("line {} column {}", e.line(), e.column()),
                    }
                })?);
            }
        }
        Ok(out)
    }
}

fn trim_newline(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\n").unwrap_or(bytes)
}

/// The default local copy: `$XDG_STATE_HOME/jirafe/audit-<warehouse digest>.jsonl`, or
/// under `~/.local/state` — one file per warehouse, so chains do not interleave.
pub fn default_local_copy(
    warehouse_url: &str,
    env: impl Fn(&str) -> Option<String>,
) -> Option<PathBuf> {
    let digest = sha256_hex(warehouse_url.as_bytes());
    Some(crate::config::state_dir(env)?.join(format!("audit-{}.jsonl", &digest[..16])))
}
