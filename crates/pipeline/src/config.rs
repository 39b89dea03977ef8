//! Configuration: a TOML file (`jirafe.toml`) under environment variables, so a cron line
//! needs no file. Every error names the setting at fault.

use std::path::{Path, PathBuf};

use jirafe_jira_client::{Auth, ClientBuilder, Flavor, Secret};
use jirafe_pii_scrub::{HashKey, Policy};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where Jira is and how to reach it.
    pub jira: JiraSection,
    /// Where the warehouse is.
    pub warehouse: WarehouseSection,
    /// Which projects to collect.
    pub scope: ScopeSection,
    /// Sync behaviour.
    pub sync: SyncSection,
    /// Privacy settings.
    pub privacy: PrivacySection,
    /// Run report, metrics and alerts.
    pub report: ReportSection,
    /// How long each table is kept.
    pub retention: RetentionSection,
    /// The audit trail.
    pub audit: AuditSection,
    /// The webhook receiver (`jirafe serve`).
    pub webhook: WebhookSection,
    /// Secrets from the environment, never from the file.
    #[serde(skip)]
    pub secrets: Secrets,
}

/// `[jira]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct JiraSection {
    /// `https://your-site.atlassian.net` (env `JIRA_BASE_URL`).
    pub base_url: Option<String>,
    /// The account email for Cloud (env `JIRA_EMAIL`).
    pub email: Option<String>,
    /// `cloud` or `datacenter` (env `JIRA_FLAVOR`).
    pub flavor: Option<String>,
    /// Requests in flight at most.
    pub max_concurrency: usize,
    /// Optional request budget per minute.
    pub requests_per_minute: Option<u32>,
}

impl Default for JiraSection {
    fn default() -> Self {
        JiraSection {
            base_url: None,
            email: None,
            flavor: None,
            max_concurrency: 4,
            requests_per_minute: None,
        }
    }
}

/// `[warehouse]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WarehouseSection {
    /// `file:///path`, a plain path, or `memory://` (env `JIRAFE_WAREHOUSE`).
    pub url: Option<String>,
    /// On local disk, a partition lock older than this many seconds was left by a process
    /// that died (a partition write takes seconds) and is broken (env
    /// `JIRAFE_LOCK_STALE_SECONDS`).
    pub lock_stale_seconds: u64,
    /// Store options for object-store warehouses (`[warehouse.options]`), for example
    /// `region`, `endpoint`, `sse`, `sse_kms_key_id`, `allow_http`. Keys are the store's
    /// own; the standard environment (`AWS_*`, …) fills in what is not given here. Never
    /// put credentials here: they come from the environment.
    pub options: std::collections::BTreeMap<String, String>,
}

impl Default for WarehouseSection {
    fn default() -> Self {
        WarehouseSection {
            url: None,
            lock_stale_seconds: 120,
            options: std::collections::BTreeMap::new(),
        }
    }
}

/// `[scope]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScopeSection {
    /// Allow-list of project keys; empty means every browsable project.
    pub projects: Vec<String>,
    /// Private projects (`isPrivate`) that may be collected anyway.
    pub include_private: Vec<String>,
}

/// `[sync]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SyncSection {
    /// First-run backfill start, `YYYY-MM-DD` (UTC). Absent: everything.
    pub since: Option<String>,
    /// Re-read this many minutes before the cursor on every incremental run.
    pub overlap_minutes: u32,
    /// Run the deletion census every Nth run (1 = every run, 0 = never).
    pub census_every: u32,
    /// Issues flattened and written per batch (bounds memory).
    pub batch_issues: usize,
    /// Issues fetched ahead while a batch is being flattened and written (0 = no
    /// read-ahead: fetching waits for each write). Bounds the memory read-ahead uses.
    pub prefetch_issues: usize,
}

impl Default for SyncSection {
    fn default() -> Self {
        SyncSection {
            since: None,
            overlap_minutes: 10,
            census_every: 1,
            batch_issues: 2000,
            prefetch_issues: 300,
        }
    }
}

/// `[privacy]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySection {
    /// People who opted out: account ids or emails.
    pub opt_out: Vec<String>,
    /// Column policy and detectors (see `jirafe-pii-scrub`'s `Policy`).
    pub policy: Option<Policy>,
}

/// `[report]`: the run report, the Prometheus textfile and the privacy alert.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ReportSection {
    /// Where to write the JSON run report (default: `_reports/` in the warehouse only).
    pub path: Option<PathBuf>,
    /// Where to write the run's metrics in the Prometheus text format, for node_exporter's
    /// textfile collector (a `*.prom` file in its directory; env `JIRAFE_PROMETHEUS_FILE`).
    /// Written atomically (temp file + rename) at the end of every run, failed or not.
    pub prometheus_path: Option<PathBuf>,
    /// An HTTPS endpoint that receives a POST with counts only (never content) when the
    /// leak scan finds something (env `JIRAFE_ALERT_URL`). `http://` only on loopback.
    pub alert_url: Option<String>,
}

/// `[retention]`: days to keep, per table, counted from the month's last day.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionSection {
    /// Days for every table not listed in `tables` (absent: kept forever).
    pub default_days: Option<u32>,
    /// Days per table, e.g. `comments = 365` (table names as in `docs/tables.md`).
    pub tables: std::collections::BTreeMap<String, u32>,
    /// Run retention at the end of every `jirafe sync`.
    pub after_sync: bool,
}

/// `[audit]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AuditSection {
    /// The local copy of the audit records this machine writes (env `JIRAFE_AUDIT_LOCAL`).
    /// Default: `$XDG_STATE_HOME/jirafe/audit-<warehouse digest>.jsonl` (or under
    /// `~/.local/state`). Set to an empty string to keep no local copy.
    pub local_copy: Option<PathBuf>,
}

/// `[webhook]`: the receiver of `jirafe serve`. The secret comes from the environment
/// only (`JIRAFE_WEBHOOK_SECRET`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebhookSection {
    /// Address to listen on (`--listen` overrides).
    pub listen: String,
    /// Where the journal of accepted events lives (local disk; env `JIRAFE_WEBHOOK_DIR`).
    /// Default: `$XDG_STATE_HOME/jirafe/webhook` (or under `~/.local/state`).
    pub data_dir: Option<PathBuf>,
    /// Largest accepted body in bytes.
    pub body_limit_bytes: usize,
}

impl Default for WebhookSection {
    fn default() -> Self {
        WebhookSection {
            listen: "127.0.0.1:8080".into(),
            data_dir: None,
            body_limit_bytes: 1 << 20,
        }
    }
}

/// Secrets, read only from the environment.
#[derive(Clone, Default)]
pub struct Secrets {
    /// `JIRA_API_TOKEN`.
    pub api_token: Option<Secret>,
    /// `JIRA_PAT`.
    pub pat: Option<Secret>,
    /// `JIRAFE_HASH_KEY`.
    pub hash_key: Option<Secret>,
    /// `JIRAFE_WEBHOOK_SECRET`.
    pub webhook_secret: Option<Secret>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field(
                "api_token",
                &self.api_token.as_ref().map(|_| "**REDACTED**"),
            )
            .field("pat", &self.pat.as_ref().map(|_| "**REDACTED**"))
            .field("hash_key", &self.hash_key.as_ref().map(|_| "**REDACTED**"))
            .field(
                "webhook_secret",
                &self.webhook_secret.as_ref().map(|_| "**REDACTED**"),
            )
            .finish()
    }
}

fn bad(key: &'static str, reason: impl Into<String>) -> Error {
    Error::Config {
        key,
        reason: reason.into(),
    }
}

impl Config {
    /// Loads `path` (when given, it must exist; otherwise `jirafe.toml` is read if present)
    /// and applies the environment on top.
    ///
    /// # Errors
    /// [`Error::Config`] naming the file, key or variable at fault.
    pub fn load(path: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config> {
        let (path, required) = match path {
            Some(p) => (p.to_path_buf(), true),
            None => (PathBuf::from("jirafe.toml"), false),
        };
        let mut cfg = match std::fs::read_to_string(&path) {
            Ok(text) => Config::from_toml(&text).map_err(|e| match e {
                Error::Config { key, reason } => Error::Config {
                    key,
                    reason: format!("{reason} (in {})", path.display()),
                },
                other => other,
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => Config::default(),
            Err(e) => return Err(bad("--config", format!("{}: {e}", path.display()))),
        };
        cfg.apply_env(env)?;
        Ok(cfg)
    }

    /// Parses a TOML document (no environment).
    ///
    /// # Errors
    /// [`Error::Config`] with the TOML error (which names the key and line).
    pub fn from_toml(text: &str) -> Result<Config> {
        let cfg: Config =
            toml::from_str(text).map_err(|e| bad("jirafe.toml", e.message().to_owned()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Applies environment variables over the file's values.
    ///
    /// # Errors
    /// [`Error::Config`] naming the variable when a value is malformed.
    pub fn apply_env(&mut self, env: impl Fn(&str) -> Option<String>) -> Result<()> {
        let get = |k: &str| {
            env(k)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        if let Some(v) = get("JIRA_BASE_URL") {
            self.jira.base_url = Some(v);
        }
        if let Some(v) = get("JIRA_EMAIL") {
            self.jira.email = Some(v);
        }
        if let Some(v) = get("JIRA_FLAVOR") {
            self.jira.flavor = Some(v);
        }
        if let Some(v) = get("JIRAFE_WAREHOUSE") {
            self.warehouse.url = Some(v);
        }
        if let Some(v) = get("JIRAFE_LOCK_STALE_SECONDS") {
            self.warehouse.lock_stale_seconds = v.parse().map_err(|_| {
                bad(
                    "JIRAFE_LOCK_STALE_SECONDS",
                    "must be a whole number of seconds",
                )
            })?;
        }
        if let Some(v) = get("JIRAFE_PROMETHEUS_FILE") {
            self.report.prometheus_path = Some(PathBuf::from(v));
        }
        if let Some(v) = get("JIRAFE_ALERT_URL") {
            self.report.alert_url = Some(v);
        }
        if let Some(v) = get("JIRAFE_WEBHOOK_DIR") {
            self.webhook.data_dir = Some(PathBuf::from(v));
        }
        if let Some(v) = env("JIRAFE_AUDIT_LOCAL") {
            self.audit.local_copy = Some(PathBuf::from(v.trim()));
        }
        self.secrets.api_token = get("JIRA_API_TOKEN").map(Secret::new);
        self.secrets.webhook_secret = get("JIRAFE_WEBHOOK_SECRET").map(Secret::new);
        self.secrets.pat = get("JIRA_PAT").map(Secret::new);
        self.secrets.hash_key = get("JIRAFE_HASH_KEY").map(Secret::new);
        self.validate()
    }

    fn validate(&self) -> Result<()> {
        if self.jira.max_concurrency == 0 || self.jira.max_concurrency > 64 {
            return Err(bad("jira.max_concurrency", "must be between 1 and 64"));
        }
        if let Some(f) = &self.jira.flavor {
            parse_flavor(f)?;
        }
        if let Some(s) = &self.sync.since {
            parse_since(s)?;
        }
        for table in self.retention.tables.keys() {
            if !jirafe_schema::Table::ALL.iter().any(|t| t.name() == table) {
                let names: Vec<&str> = jirafe_schema::Table::ALL.iter().map(|t| t.name()).collect();
                return Err(bad(
                    "retention.tables",
                    format!("'{table}' is not a table (tables: {})", names.join(", ")),
                ));
            }
        }
        if self.retention.default_days == Some(0) || self.retention.tables.values().any(|&d| d == 0)
        {
            return Err(bad("retention", "days must be at least 1"));
        }
        if let Some(url) = &self.report.alert_url {
            check_alert_url(url)?;
        }
        if self.webhook.body_limit_bytes < 1024 {
            return Err(bad("webhook.body_limit_bytes", "must be at least 1024"));
        }
        if self.sync.batch_issues == 0 {
            return Err(bad("sync.batch_issues", "must be at least 1"));
        }
        for key in self
            .scope
            .projects
            .iter()
            .chain(&self.scope.include_private)
        {
            if key.is_empty()
                || !key
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
            {
                return Err(bad(
                    "scope.projects",
                    "project keys are upper-case letters, digits and '_'",
                ));
            }
        }
        Ok(())
    }

    /// The first-run lower bound as epoch ms, if `sync.since` is set.
    pub fn since_ms(&self) -> Option<i64> {
        self.sync.since.as_deref().and_then(|s| parse_since(s).ok())
    }

    /// The Jira client these settings describe.
    ///
    /// # Errors
    /// [`Error::Config`] naming the missing setting (`JIRA_BASE_URL`, `JIRA_EMAIL`,
    /// `JIRA_API_TOKEN` or `JIRA_PAT`).
    pub fn jira_client(&self) -> Result<jirafe_jira_client::JiraClient> {
        let base = self
            .jira
            .base_url
            .as_deref()
            .ok_or_else(|| bad("JIRA_BASE_URL", "is not set (or jira.base_url)"))?;
        let mut b = ClientBuilder::new(base)
            .with_max_concurrency(self.jira.max_concurrency)
            .with_requests_per_minute(self.jira.requests_per_minute);
        if let Some(pat) = &self.secrets.pat {
            b = b
                .with_auth(Auth::bearer(pat.clone()))
                .with_flavor(Flavor::DataCenter);
        } else {
            let email =
                self.jira.email.as_deref().ok_or_else(|| {
                    bad("JIRA_EMAIL", "is not set (or jira.email); or set JIRA_PAT")
                })?;
            let token = self
                .secrets
                .api_token
                .clone()
                .ok_or_else(|| bad("JIRA_API_TOKEN", "is not set"))?;
            b = b.with_auth(Auth::basic(email, token));
        }
        if let Some(f) = &self.jira.flavor {
            b = b.with_flavor(parse_flavor(f)?);
        }
        b.build().map_err(|e| match e {
            jirafe_jira_client::Error::InvalidConfig { key, reason } => {
                Error::Config { key, reason }
            }
            other => Error::Jira(other),
        })
    }

    /// The hash key for pseudonyms.
    ///
    /// # Errors
    /// [`Error::Config`] naming `JIRAFE_HASH_KEY` when it is missing or too short.
    pub fn hash_key(&self) -> Result<HashKey> {
        let raw = self.secrets.hash_key.as_ref().ok_or_else(|| {
            bad(
                "JIRAFE_HASH_KEY",
                "is not set: generate one with `openssl rand -hex 32` and keep it secret",
            )
        })?;
        HashKey::from_env_value(raw.expose()).map_err(|e| bad("JIRAFE_HASH_KEY", e.to_string()))
    }

    /// Days `table` is kept, if limited.
    pub fn retention_days(&self, table: &str) -> Option<u32> {
        self.retention
            .tables
            .get(table)
            .copied()
            .or(self.retention.default_days)
    }

    /// The local copy of the audit log: configured, or the default path; `None` when set
    /// to an empty string or no home directory is known.
    pub fn audit_local_copy(&self, env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
        match &self.audit.local_copy {
            Some(p) if p.as_os_str().is_empty() => None,
            Some(p) => Some(p.clone()),
            None => {
                crate::audit::default_local_copy(self.warehouse.url.as_deref().unwrap_or(""), env)
            }
        }
    }

    /// The webhook receiver's journal directory: configured, or the default under the
    /// user's state directory.
    ///
    /// # Errors
    /// [`Error::Config`] when neither is known.
    pub fn webhook_data_dir(&self, env: impl Fn(&str) -> Option<String>) -> Result<PathBuf> {
        if let Some(d) = &self.webhook.data_dir {
            return Ok(d.clone());
        }
        state_dir(env)
            .map(|base| base.join("webhook"))
            .ok_or_else(|| {
                bad(
                    "JIRAFE_WEBHOOK_DIR",
                    "is not set and there is no home directory",
                )
            })
    }

    /// The warehouse URL.
    ///
    /// # Errors
    /// [`Error::Config`] naming `JIRAFE_WAREHOUSE` when it is not set.
    pub fn warehouse_url(&self) -> Result<&str> {
        self.warehouse
            .url
            .as_deref()
            .ok_or_else(|| bad("JIRAFE_WAREHOUSE", "is not set (or warehouse.url)"))
    }

    /// A digest of the configuration for the audit record: settings, never secrets.
    pub fn digest(&self) -> String {
        use sha2::Digest;
        let view = serde_json::json!({
            "base_url": self.jira.base_url, "flavor": self.jira.flavor,
            "warehouse": self.warehouse.url, "projects": self.scope.projects,
            "include_private": self.scope.include_private, "since": self.sync.since,
            "overlap": self.sync.overlap_minutes, "census_every": self.sync.census_every,
            "opt_out_count": self.privacy.opt_out.len(),
            "policy": self.privacy.policy.as_ref().map(|p| format!("{p:?}")),
            "retention": {"default_days": self.retention.default_days, "tables": self.retention.tables},
        });
        hex::encode(sha2::Sha256::digest(view.to_string().as_bytes()))
    }
}

/// jirafe's folder for local state: `$XDG_STATE_HOME/jirafe`, else `~/.local/state/jirafe`.
pub(crate) fn state_dir(env: impl Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            env("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local").join("state"))
        })
        .map(|base| base.join("jirafe"))
}

fn check_alert_url(url: &str) -> Result<()> {
    let parsed = url::Url::parse(url).map_err(|_| bad("report.alert_url", "is not a URL"))?;
    let loopback = match parsed.host() {
        Some(url::Host::Domain(d)) => d == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        _ => Err(bad(
            "report.alert_url",
            "must be https:// (http:// only on loopback)",
        )),
    }
}

fn parse_flavor(f: &str) -> Result<Flavor> {
    match f.to_ascii_lowercase().as_str() {
        "cloud" => Ok(Flavor::Cloud),
        "datacenter" | "data-center" | "dc" | "server" => Ok(Flavor::DataCenter),
        _ => Err(bad("jira.flavor", "must be 'cloud' or 'datacenter'")),
    }
}

fn parse_since(s: &str) -> Result<i64> {
    let d = time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| bad("sync.since", "must be a date like 2024-01-31"))?;
    Ok(d.midnight().assume_utc().unix_timestamp() * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn unknown_keys_are_named() {
        let e = Config::from_toml("[jira]\nbase_ur = 'x'\n").unwrap_err();
        assert!(e.to_string().contains("base_ur"), "{e}");
        let e = Config::from_toml("[sync]\nsince = 'yesterday'\n").unwrap_err();
        assert!(e.to_string().contains("sync.since"), "{e}");
        let e = Config::from_toml("[scope]\nprojects = ['eng']\n").unwrap_err();
        assert!(e.to_string().contains("scope.projects"), "{e}");
    }

    #[test]
    fn environment_overrides_the_file_and_secrets_come_only_from_it() {
        let mut c =
            Config::from_toml("[jira]\nbase_url = 'https://a.example'\nemail = 'x@a.example'\n")
                .unwrap();
        c.apply_env(env(&[
            ("JIRA_BASE_URL", "https://b.example"),
            ("JIRA_API_TOKEN", "t"),
        ]))
        .unwrap();
        assert_eq!(c.jira.base_url.as_deref(), Some("https://b.example"));
        assert!(c.jira_client().is_ok());
        assert!(!format!("{c:?}").contains("\"t\""));
        let e = Config::from_toml("[jira]\napi_token = 'no'\n").unwrap_err();
        assert!(
            e.to_string().contains("api_token"),
            "a token in the file is refused: {e}"
        );
    }

    #[test]
    fn missing_settings_are_named() {
        let c = Config::default();
        assert!(
            c.jira_client()
                .unwrap_err()
                .to_string()
                .contains("JIRA_BASE_URL")
        );
        assert!(
            c.hash_key()
                .unwrap_err()
                .to_string()
                .contains("JIRAFE_HASH_KEY")
        );
        assert!(
            c.warehouse_url()
                .unwrap_err()
                .to_string()
                .contains("JIRAFE_WAREHOUSE")
        );
        let mut c = Config::default();
        c.apply_env(env(&[("JIRA_BASE_URL", "http://jira.example")]))
            .unwrap();
        c.apply_env(env(&[
            ("JIRA_BASE_URL", "http://jira.example"),
            ("JIRA_PAT", "p"),
        ]))
        .unwrap();
        assert!(c.jira_client().unwrap_err().to_string().contains("http://"));
    }
}
