//! The HTTP client: configuration, authentication, retries, rate limiting and metrics.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;
use tokio::time::Instant;

use crate::auth::{Auth, Secret};
use crate::error::{Error, Result};

/// Which Jira the client talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Flavor {
    /// Jira Cloud: REST v3 (ADF text), enhanced JQL search with `nextPageToken`.
    #[default]
    Cloud,
    /// Jira Data Center / Server: REST v2 (wiki markup), `startAt`/`total` paging.
    DataCenter,
}

/// The version sent in the `User-Agent` header.
pub const USER_AGENT: &str = concat!(
    "jirafe/",
    env!("CARGO_PKG_VERSION"),
    " (jirafe-jira-client)"
);

/// Builds a [`JiraClient`].
///
/// ```
/// use jirafe_jira_client::{Auth, ClientBuilder};
/// let client = ClientBuilder::new("https://example.atlassian.net")
///     .with_auth(Auth::basic("me@example.com", "api-token"))
///     .with_max_concurrency(4)
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "https://example.atlassian.net");
///
/// // Plain http is refused unless the host is loopback.
/// let err = ClientBuilder::new("http://jira.example.com")
///     .with_auth(Auth::bearer("pat"))
///     .build()
///     .unwrap_err();
/// assert!(err.to_string().contains("JIRA_BASE_URL"));
/// ```
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    base_url: String,
    auth: Option<Auth>,
    flavor: Flavor,
    max_concurrency: usize,
    max_retries: u32,
    requests_per_minute: Option<u32>,
    timeout: Duration,
    backoff_base: Duration,
    backoff_max: Duration,
    max_retry_after: Duration,
}

impl ClientBuilder {
    /// A builder for the site at `base_url` (`https://your-site.atlassian.net`).
    pub fn new(base_url: impl Into<String>) -> Self {
        ClientBuilder {
            base_url: base_url.into(),
            auth: None,
            flavor: Flavor::Cloud,
            max_concurrency: 4,
            max_retries: 8,
            requests_per_minute: None,
            timeout: Duration::from_secs(60),
            backoff_base: Duration::from_millis(250),
            backoff_max: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(300),
        }
    }

    /// Reads `JIRA_BASE_URL` and the credentials from the environment: `JIRA_EMAIL` +
    /// `JIRA_API_TOKEN` (Cloud, Basic) or `JIRA_PAT` (Data Center, Bearer; sets the
    /// Data Center flavor unless `JIRA_FLAVOR=cloud`).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the missing or empty variable.
    pub fn from_env() -> Result<Self> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Like [`ClientBuilder::from_env`], reading variables through `get` (for tests and
    /// for layering a config file under the environment).
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] naming the missing or empty variable.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self> {
        let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let base = non_empty("JIRA_BASE_URL").ok_or(Error::InvalidConfig {
            key: "JIRA_BASE_URL",
            reason: "is not set".into(),
        })?;
        let mut b = ClientBuilder::new(base.trim());
        if let Some(pat) = non_empty("JIRA_PAT") {
            b = b.with_auth(Auth::bearer(Secret::new(pat.trim())));
            let cloud = non_empty("JIRA_FLAVOR").is_some_and(|f| f.eq_ignore_ascii_case("cloud"));
            b = b.with_flavor(if cloud {
                Flavor::Cloud
            } else {
                Flavor::DataCenter
            });
        } else {
            let email = non_empty("JIRA_EMAIL").ok_or(Error::InvalidConfig {
                key: "JIRA_EMAIL",
                reason: "is not set (or set JIRA_PAT for a Data Center personal access token)"
                    .into(),
            })?;
            let token = non_empty("JIRA_API_TOKEN").ok_or(Error::InvalidConfig {
                key: "JIRA_API_TOKEN",
                reason: "is not set".into(),
            })?;
            b = b.with_auth(Auth::basic(email.trim(), Secret::new(token.trim())));
        }
        if let Some(f) = non_empty("JIRA_FLAVOR") {
            b = b.with_flavor(match f.to_ascii_lowercase().as_str() {
                "cloud" => Flavor::Cloud,
                "datacenter" | "data-center" | "dc" | "server" => Flavor::DataCenter,
                _ => {
                    return Err(Error::InvalidConfig {
                        key: "JIRA_FLAVOR",
                        reason: "must be 'cloud' or 'datacenter'".into(),
                    });
                }
            });
        }
        Ok(b)
    }

    /// Sets the credentials.
    pub fn with_auth(mut self, auth: Auth) -> Self {
        self.auth = Some(auth);
        self
    }

    /// Cloud (default) or Data Center.
    pub fn with_flavor(mut self, flavor: Flavor) -> Self {
        self.flavor = flavor;
        self
    }

    /// At most this many requests in flight (default 4, at least 1).
    pub fn with_max_concurrency(mut self, n: usize) -> Self {
        self.max_concurrency = n.max(1);
        self
    }

    /// Retries of a retryable failure before giving up (default 8).
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Spend at most this many requests per minute (default: unlimited, bounded only by
    /// Jira's own rate limiting).
    pub fn with_requests_per_minute(mut self, rpm: Option<u32>) -> Self {
        self.requests_per_minute = rpm.filter(|r| *r > 0);
        self
    }

    /// Per-request timeout (default 60 s).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Exponential backoff base and cap for 5xx, timeouts and truncated bodies
    /// (default 250 ms, 30 s; full jitter).
    pub fn with_backoff(mut self, base: Duration, max: Duration) -> Self {
        self.backoff_base = base;
        self.backoff_max = max.max(base);
        self
    }

    /// The longest `Retry-After` honoured before giving up (default 300 s).
    pub fn with_max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// [`Error::InvalidConfig`] when the URL is malformed, uses plain `http://` to a host
    /// that is not loopback, or no credentials were set.
    pub fn build(self) -> Result<JiraClient> {
        let base = check_base_url(&self.base_url)?;
        let auth = self.auth.ok_or(Error::InvalidConfig {
            key: "JIRA_API_TOKEN",
            reason: "no credentials were given".into(),
        })?;
        match &auth {
            Auth::Basic { email, token } if email.trim().is_empty() || token.is_empty() => {
                return Err(Error::InvalidConfig {
                    key: "JIRA_EMAIL",
                    reason: "email and API token must be non-empty".into(),
                });
            }
            Auth::Bearer { token } if token.is_empty() => {
                return Err(Error::InvalidConfig {
                    key: "JIRA_PAT",
                    reason: "the token is empty".into(),
                });
            }
            _ => {}
        }
        let http = reqwest::Client::builder()
            .user_agent(USER_AGENT)
            .timeout(self.timeout)
            .connect_timeout(Duration::from_secs(15).min(self.timeout))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|_| Error::InvalidConfig {
                key: "tls",
                reason: "could not initialise the HTTP client".into(),
            })?;
        Ok(JiraClient {
            inner: Arc::new(Inner {
                http,
                base,
                auth,
                flavor: self.flavor,
                permits: Semaphore::new(self.max_concurrency),
                max_retries: self.max_retries,
                budget_interval: self
                    .requests_per_minute
                    .map(|r| Duration::from_secs(60) / r),
                next_slot: tokio::sync::Mutex::new(None),
                paused_until: Mutex::new(None),
                backoff_base: self.backoff_base,
                backoff_max: self.backoff_max,
                max_retry_after: self.max_retry_after,
                metrics: Mutex::new(Metrics::default()),
            }),
        })
    }
}

/// Validates a base URL: `https://`, or `http://` only to a loopback host.
fn check_base_url(raw: &str) -> Result<url::Url> {
    let bad = |reason: &str| Error::InvalidConfig {
        key: "JIRA_BASE_URL",
        reason: reason.into(),
    };
    let url = url::Url::parse(raw.trim()).map_err(|_| bad("is not a valid URL"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad(
            "must not contain credentials; use JIRA_EMAIL/JIRA_API_TOKEN or JIRA_PAT",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(bad("must not have a query or fragment"));
    }
    match url.scheme() {
        "https" => {}
        "http" => {
            let loopback = match url.host() {
                Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
                Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
                Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
                None => false,
            };
            if !loopback {
                return Err(bad(
                    "uses plain http:// to a host that is not loopback; use https://",
                ));
            }
        }
        _ => return Err(bad("must start with https://")),
    }
    if url.host().is_none() {
        return Err(bad("has no host"));
    }
    Ok(url)
}

#[derive(Debug, Default, Clone)]
struct Metrics {
    requests: BTreeMap<(&'static str, u16), u64>,
    transport_errors: BTreeMap<&'static str, u64>,
    retries: u64,
    rate_limited: u64,
    rate_limit_wait: Duration,
    bytes_received: u64,
}

/// What the client has done so far: the numbers behind the run report and metrics.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricsSnapshot {
    /// Responses received, by endpoint (route template) and HTTP status.
    pub requests: BTreeMap<(&'static str, u16), u64>,
    /// Requests that got no response (timeouts, resets), by endpoint.
    pub transport_errors: BTreeMap<&'static str, u64>,
    /// Retries of any cause.
    pub retries: u64,
    /// Responses that were 429 or 503 with a rate-limit signal.
    pub rate_limited: u64,
    /// Time spent waiting because Jira asked to (`Retry-After`, `X-RateLimit-Reset`).
    pub rate_limit_wait: Duration,
    /// Response body bytes received.
    pub bytes_received: u64,
}

impl MetricsSnapshot {
    /// Every HTTP request sent (responses plus transport failures).
    pub fn total_requests(&self) -> u64 {
        self.requests.values().sum::<u64>() + self.transport_errors.values().sum::<u64>()
    }

    /// Requests sent to one endpoint, whatever the status.
    pub fn requests_to(&self, endpoint: &str) -> u64 {
        self.requests
            .iter()
            .filter(|((e, _), _)| *e == endpoint)
            .map(|(_, n)| n)
            .sum()
    }
}

struct Inner {
    http: reqwest::Client,
    base: url::Url,
    auth: Auth,
    flavor: Flavor,
    permits: Semaphore,
    max_retries: u32,
    budget_interval: Option<Duration>,
    next_slot: tokio::sync::Mutex<Option<Instant>>,
    paused_until: Mutex<Option<Instant>>,
    backoff_base: Duration,
    backoff_max: Duration,
    max_retry_after: Duration,
    metrics: Mutex<Metrics>,
}

/// An async Jira client. Cheap to clone (an `Arc` inside); clones share the connection
/// pool, the concurrency cap, the rate-limit state and the metrics.
#[derive(Clone)]
pub struct JiraClient {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for JiraClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JiraClient")
            .field("base_url", &self.base_url())
            .field("flavor", &self.inner.flavor)
            .field("auth", &self.inner.auth)
            .finish_non_exhaustive()
    }
}

/// An HTTP method the client uses.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Method {
    Get,
    Post,
}

/// A retryable failure's cause, for the backoff decision.
enum Retry {
    After(Option<Duration>),
    Backoff,
}

impl JiraClient {
    /// The site's base URL, without a trailing slash.
    pub fn base_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// Cloud or Data Center.
    pub fn flavor(&self) -> Flavor {
        self.inner.flavor
    }

    /// The REST prefix: `/rest/api/3` (Cloud) or `/rest/api/2` (Data Center).
    pub(crate) fn api(&self) -> &'static str {
        match self.inner.flavor {
            Flavor::Cloud => "/rest/api/3",
            Flavor::DataCenter => "/rest/api/2",
        }
    }

    /// A copy of the request counters.
    pub fn metrics(&self) -> MetricsSnapshot {
        let m = self
            .inner
            .metrics
            .lock()
            .map(|m| m.clone())
            .unwrap_or_default();
        MetricsSnapshot {
            requests: m.requests,
            transport_errors: m.transport_errors,
            retries: m.retries,
            rate_limited: m.rate_limited,
            rate_limit_wait: m.rate_limit_wait,
            bytes_received: m.bytes_received,
        }
    }

    fn with_metrics(&self, f: impl FnOnce(&mut Metrics)) {
        if let Ok(mut m) = self.inner.metrics.lock() {
            f(&mut m);
        }
    }

    /// Waits for the request budget and any rate-limit pause, then returns.
    async fn pace(&self) {
        let paused = self.inner.paused_until.lock().ok().and_then(|p| *p);
        if let Some(until) = paused {
            tokio::time::sleep_until(until).await;
        }
        if let Some(interval) = self.inner.budget_interval {
            let slot = {
                let mut next = self.inner.next_slot.lock().await;
                let now = Instant::now();
                let slot = next.map_or(now, |n| n.max(now));
                *next = Some(slot + interval);
                slot
            };
            tokio::time::sleep_until(slot).await;
        }
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .inner
            .backoff_base
            .saturating_mul(1u32 << attempt.min(16));
        let cap = exp.min(self.inner.backoff_max);
        // Full jitter, never below a tenth of the cap.
        let ms = cap.as_millis().max(1) as u64;
        Duration::from_millis(ms / 10 + jitter() % (ms - ms / 10 + 1))
    }

    /// Sends one request with retries and decodes the JSON answer.
    pub(crate) async fn request<T: DeserializeOwned>(
        &self,
        method: Method,
        endpoint: &'static str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<T> {
        let bytes = self
            .request_bytes(method, endpoint, path, query, body)
            .await?;
        serde_json::from_slice(&bytes).map_err(|e| Error::decode(endpoint, &e))
    }

    /// Sends one request with retries and returns the body of a 2xx answer. A body that is
    /// not complete JSON (a truncated answer) is retried like a 5xx.
    pub(crate) async fn request_bytes(
        &self,
        method: Method,
        endpoint: &'static str,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Bytes> {
        let mut url = self.inner.base.clone();
        {
            let base_path = url.path().trim_end_matches('/').to_owned();
            url.set_path(&format!("{base_path}{path}"));
        }
        if !query.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in query {
                q.append_pair(k, v);
            }
        }
        let mut attempt = 0u32;
        loop {
            self.pace().await;
            let result = {
                let _permit = self.inner.permits.acquire().await;
                let mut req = match method {
                    Method::Get => self.inner.http.get(url.clone()),
                    Method::Post => self.inner.http.post(url.clone()),
                };
                req = match &self.inner.auth {
                    Auth::Basic { email, token } => req.basic_auth(email, Some(token.expose())),
                    Auth::Bearer { token } => req.bearer_auth(token.expose()),
                };
                req = req.header(reqwest::header::ACCEPT, "application/json");
                if let Some(b) = body {
                    req = req
                        .header(reqwest::header::CONTENT_TYPE, "application/json")
                        .body(serde_json::to_vec(b).unwrap_or_default());
                }
                match req.send().await {
                    Ok(resp) => {
                        let status = resp.status().as_u16();
                        let headers = resp.headers().clone();
                        let body = resp.bytes().await;
                        Ok((status, headers, body))
                    }
                    Err(e) => Err(e),
                }
            };
            let retry = match result {
                Err(e) => {
                    self.with_metrics(|m| *m.transport_errors.entry(endpoint).or_default() += 1);
                    if attempt >= self.inner.max_retries
                        || !(e.is_timeout() || e.is_connect() || e.is_request() || e.is_body())
                    {
                        return Err(Error::Transport {
                            endpoint,
                            attempts: attempt + 1,
                            source: e.without_url(),
                        });
                    }
                    Retry::Backoff
                }
                Ok((status, headers, body)) => {
                    self.with_metrics(|m| *m.requests.entry((endpoint, status)).or_default() += 1);
                    match status {
                        200..=299 => match body {
                            Ok(bytes) => {
                                self.with_metrics(|m| m.bytes_received += bytes.len() as u64);
                                // A truncated body is the common fault: check it parses.
                                match serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
                                    Ok(_) => return Ok(bytes),
                                    Err(e)
                                        if attempt < self.inner.max_retries
                                            && (e.is_eof() || e.is_syntax()) =>
                                    {
                                        Retry::Backoff
                                    }
                                    Err(e) => return Err(Error::decode(endpoint, &e)),
                                }
                            }
                            Err(e) if attempt < self.inner.max_retries => {
                                let _ = e;
                                Retry::Backoff
                            }
                            Err(e) => {
                                return Err(Error::Transport {
                                    endpoint,
                                    attempts: attempt + 1,
                                    source: e.without_url(),
                                });
                            }
                        },
                        429 | 503 => {
                            let wait = retry_after(&headers);
                            self.with_metrics(|m| m.rate_limited += 1);
                            if attempt >= self.inner.max_retries
                                || wait.is_some_and(|w| w > self.inner.max_retry_after)
                            {
                                return Err(if status == 429 {
                                    Error::RateLimited {
                                        endpoint,
                                        attempts: attempt + 1,
                                        retry_after: wait,
                                    }
                                } else {
                                    Error::Http {
                                        endpoint,
                                        status,
                                        attempts: attempt + 1,
                                    }
                                });
                            }
                            Retry::After(wait)
                        }
                        500 | 502 | 504 if attempt < self.inner.max_retries => Retry::Backoff,
                        400 => {
                            let messages = body
                                .ok()
                                .and_then(|b| serde_json::from_slice::<JiraErrorBody>(&b).ok())
                                .map_or(0, |e| e.error_messages.len() + e.errors.len());
                            return Err(Error::BadRequest { endpoint, messages });
                        }
                        401 => return Err(Error::Unauthorized { endpoint }),
                        403 => return Err(Error::Forbidden { endpoint }),
                        404 => return Err(Error::NotFound { endpoint }),
                        410 => return Err(Error::Gone { endpoint }),
                        _ => {
                            return Err(Error::Http {
                                endpoint,
                                status,
                                attempts: attempt + 1,
                            });
                        }
                    }
                }
            };
            attempt += 1;
            self.with_metrics(|m| m.retries += 1);
            match retry {
                Retry::After(Some(wait)) => {
                    // Everyone waits: the limit is per account, not per request.
                    let until = Instant::now() + wait;
                    if let Ok(mut p) = self.inner.paused_until.lock() {
                        *p = Some(p.map_or(until, |cur| cur.max(until)));
                    }
                    self.with_metrics(|m| m.rate_limit_wait += wait);
                    tokio::time::sleep(wait).await;
                }
                Retry::After(None) | Retry::Backoff => {
                    let wait = self.backoff(attempt);
                    tokio::time::sleep(wait).await;
                }
            }
            tracing::debug!(endpoint, attempt, "retrying Jira request");
        }
    }
}

/// A random number for backoff jitter (std's randomly keyed hasher; not for secrets).
fn jitter() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

#[derive(serde::Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct JiraErrorBody {
    error_messages: Vec<serde::de::IgnoredAny>,
    errors: BTreeMap<String, serde::de::IgnoredAny>,
}

/// How long Jira asked us to wait: `Retry-After` in seconds, else `X-RateLimit-Reset`
/// as a timestamp.
fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    if let Some(secs) = headers
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
    {
        return Some(Duration::from_secs_f64(secs.min(86_400.0)));
    }
    let reset = headers
        .get("x-ratelimit-reset")
        .and_then(|v| v.to_str().ok())?;
    let at: crate::Timestamp = reset.trim().parse().ok()?;
    let now = time::OffsetDateTime::now_utc();
    let delta = at.as_offset_date_time() - now;
    Some(Duration::from_millis(
        delta.whole_milliseconds().clamp(0, 86_400_000) as u64,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_rules() {
        assert!(check_base_url("https://x.atlassian.net").is_ok());
        assert!(check_base_url("https://jira.corp.example/jira").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080").is_ok());
        assert!(check_base_url("http://[::1]:8080").is_ok());
        assert!(check_base_url("http://localhost:1").is_ok());
        for bad in [
            "http://jira.example.com",
            "http://10.0.0.1",
            "ftp://x",
            "not a url",
            "https://u:p@x.net",
            "https://x.net/?a=b",
            "http://127.0.0.1.evil.com",
        ] {
            let e = check_base_url(bad).unwrap_err();
            assert!(
                matches!(
                    e,
                    Error::InvalidConfig {
                        key: "JIRA_BASE_URL",
                        ..
                    }
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn env_names_the_missing_variable() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| (*v).to_owned())
            }
        };
        let e = ClientBuilder::from_lookup(env(&[])).unwrap_err();
        assert!(e.to_string().contains("JIRA_BASE_URL"), "{e}");
        let e = ClientBuilder::from_lookup(env(&[("JIRA_BASE_URL", "https://x.net")])).unwrap_err();
        assert!(e.to_string().contains("JIRA_EMAIL"), "{e}");
        let e = ClientBuilder::from_lookup(env(&[
            ("JIRA_BASE_URL", "https://x.net"),
            ("JIRA_EMAIL", "a@b.c"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("JIRA_API_TOKEN"), "{e}");
        let b = ClientBuilder::from_lookup(env(&[
            ("JIRA_BASE_URL", "https://x.net"),
            ("JIRA_PAT", "p"),
        ]))
        .unwrap();
        assert_eq!(b.flavor, Flavor::DataCenter);
        let e = ClientBuilder::from_lookup(env(&[
            ("JIRA_BASE_URL", "https://x.net"),
            ("JIRA_PAT", "p"),
            ("JIRA_FLAVOR", "mars"),
        ]))
        .unwrap_err();
        assert!(e.to_string().contains("JIRA_FLAVOR"));
    }

    #[test]
    fn retry_after_parsing() {
        let mut h = reqwest::header::HeaderMap::new();
        h.insert(reqwest::header::RETRY_AFTER, "3".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert(reqwest::header::RETRY_AFTER, "soon".parse().unwrap());
        assert_eq!(retry_after(&h), None);
        let mut h = reqwest::header::HeaderMap::new();
        h.insert("x-ratelimit-reset", "2000-01-01T00:00:00Z".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
    }

    #[test]
    fn debug_hides_credentials() {
        let c = ClientBuilder::new("https://x.net")
            .with_auth(Auth::basic("me@corp.example", "tok"))
            .build()
            .unwrap();
        let s = format!("{c:?}");
        assert!(!s.contains("me@corp") && !s.contains("tok\""), "{s}");
    }
}
