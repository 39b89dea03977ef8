//! Configuration: the organisation to generate, the faults to inject, the API flavor.

use std::fmt;
use std::time::Duration;

/// What organisation to generate. Same config, same organisation, byte for byte.
#[derive(Debug, Clone, PartialEq)]
pub struct OrgConfig {
    /// Random seed.
    pub seed: u64,
    /// Number of issues (including invisible ones).
    pub issues: usize,
    /// The simulated "now" in epoch milliseconds: the generated history ends shortly
    /// before it and the server clock starts there. Not the wall clock, so output is
    /// deterministic. Clamped to 2001-09-09 ..= 2100-01-01.
    pub now_ms: i64,
    /// How many months of history to spread issues over (1 to 240).
    pub months: u32,
    /// Probability that a free-text value carries a planted PII value or secret.
    pub pii_rate: f64,
}

/// 2026-01-15T09:30:00Z.
pub(crate) const DEFAULT_NOW_MS: i64 = 1_768_469_400_000;

impl Default for OrgConfig {
    fn default() -> Self {
        OrgConfig {
            seed: 42,
            issues: 3000,
            now_ms: DEFAULT_NOW_MS,
            months: 20,
            pii_rate: 0.12,
        }
    }
}

impl OrgConfig {
    /// The default organisation with another seed and size.
    ///
    /// ```
    /// let cfg = jirafe_jira_sim::OrgConfig::new(7, 200);
    /// assert_eq!((cfg.seed, cfg.issues), (7, 200));
    /// ```
    pub fn new(seed: u64, issues: usize) -> Self {
        OrgConfig {
            seed,
            issues,
            ..OrgConfig::default()
        }
    }
}

/// Faults to inject into HTTP responses. `Default` injects none.
///
/// Faults are decided by a request counter (reset by [`crate::SimServer::set_faults`]),
/// so they are deterministic. A faulted request never reaches the handler: it has no
/// side effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Faults {
    /// Every Nth request answers `429` (every third of those a `503`), with
    /// `Retry-After`, `X-RateLimit-Limit`, `X-RateLimit-Remaining: 0` and
    /// `X-RateLimit-Reset`.
    pub rate_limit_every: Option<u32>,
    /// Seconds announced in `Retry-After`.
    pub retry_after_secs: u32,
    /// Every Nth request answers a server error, cycling 500, 502, 503.
    pub server_error_every: Option<u32>,
    /// Every Nth successful response is cut in half (with a matching shorter
    /// `Content-Length`), so the client sees malformed JSON.
    pub truncate_every: Option<u32>,
    /// Delay added before every response.
    pub latency: Option<Duration>,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            rate_limit_every: None,
            retry_after_secs: 1,
            server_error_every: None,
            truncate_every: None,
            latency: None,
        }
    }
}

/// Which Jira deployment to imitate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Flavor {
    /// Jira Cloud: REST v3 with ADF, enhanced JQL search, Agile 1.0.
    #[default]
    Cloud,
    /// Jira Data Center: REST v2 (`/rest/api/2/search` with `startAt`/`total` paging),
    /// wiki markup instead of ADF, users by `name`/`key`, Agile 1.0. Bearer PAT or Basic.
    DataCenter,
}

/// Everything a [`crate::SimServer`] needs.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SimConfig {
    /// The organisation.
    pub org: OrgConfig,
    /// Injected faults (changeable later with [`crate::SimServer::set_faults`]).
    pub faults: Faults,
    /// API flavor.
    pub flavor: Flavor,
}

/// The token owner's credentials. `Debug` hides the secrets.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The owner's email (Basic auth user).
    pub email: String,
    /// API token (Basic auth password).
    pub api_token: String,
    /// Personal access token (Bearer).
    pub pat: String,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("email", &"**REDACTED**")
            .field("api_token", &"**REDACTED**")
            .field("pat", &"**REDACTED**")
            .finish()
    }
}
