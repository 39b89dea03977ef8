//! The receiver: builder, axum router, handlers, health and request logs.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http::{HeaderValue, StatusCode, header};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::event::{DeliveryId, Processor};
use crate::journal::{self, Appended, Journal, JournalOptions, Shared};
use crate::payload;
use crate::secret::{self, WebhookSecret};
use crate::worker::Worker;

/// The path Jira posts to.
pub const WEBHOOK_PATH: &str = "/webhooks/jira";
/// The health path.
pub const HEALTH_PATH: &str = "/health";
/// The header whose value Jira repeats on retries of one delivery.
pub const DELIVERY_HEADER: &str = "x-atlassian-webhook-identifier";
/// The default body limit: 1 MiB.
pub const DEFAULT_BODY_LIMIT: usize = 1024 * 1024;

/// Configures and builds a [`Receiver`].
///
/// ```
/// # fn main() -> jirafe_webhook::Result<()> {
/// use jirafe_webhook::{Event, ProcessError, Processor, Receiver, WebhookSecret};
///
/// struct Nothing;
/// #[jirafe_webhook::async_trait]
/// impl Processor for Nothing {
///     async fn process(&self, _: &[Event]) -> Result<(), ProcessError> { Ok(()) }
/// }
///
/// let dir = tempfile::tempdir().unwrap();
/// let receiver = Receiver::builder(dir.path().join("webhook"))
///     .with_secret(WebhookSecret::new("0123456789abcdef0123456789abcdef")?)
///     .with_body_limit(256 * 1024)
///     .build(Nothing)?;
/// assert!(receiver.health().configured);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ReceiverBuilder {
    data_dir: PathBuf,
    secret: Option<WebhookSecret>,
    body_limit: usize,
    max_pending: usize,
    batch_size: usize,
    linger: Duration,
    backoff_min: Duration,
    backoff_max: Duration,
    dedup_capacity: usize,
    dedup_window: Duration,
    compact_threshold: u64,
}

impl ReceiverBuilder {
    /// The shared secret. Without one, every delivery is answered 503.
    pub fn with_secret(mut self, secret: WebhookSecret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// The shared secret, or none (as [`WebhookSecret::from_env`] returns it).
    pub fn with_optional_secret(mut self, secret: Option<WebhookSecret>) -> Self {
        self.secret = secret;
        self
    }

    /// Largest accepted body in bytes (default 1 MiB); larger ones get 413.
    pub fn with_body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Unprocessed events at which deliveries are refused with 503 and `Retry-After`, so
    /// Jira retries later instead of the queue growing without bound (default 100,000).
    pub fn with_max_pending(mut self, events: usize) -> Self {
        self.max_pending = events;
        self
    }

    /// Most events handed to the processor at once (default 100, the size of one Jira
    /// bulk fetch).
    pub fn with_batch_size(mut self, events: usize) -> Self {
        self.batch_size = events;
        self
    }

    /// How long the worker waits after the first event of an idle period so that a burst
    /// is processed as one batch (default 200 ms; zero for none).
    pub fn with_batch_linger(mut self, linger: Duration) -> Self {
        self.linger = linger;
        self
    }

    /// Retry backoff after a failed batch: starts at `min`, doubles, capped at `max`,
    /// with jitter (default 500 ms to 5 min).
    pub fn with_retry_backoff(mut self, min: Duration, max: Duration) -> Self {
        self.backoff_min = min;
        self.backoff_max = max;
        self
    }

    /// How many delivery ids are remembered for de-duplication (default 100,000) and for
    /// how long (default 24 h). Both survive restarts.
    pub fn with_dedup(mut self, capacity: usize, window: Duration) -> Self {
        self.dedup_capacity = capacity;
        self.dedup_window = window;
        self
    }

    /// Journal size in bytes past which it is compacted (default 16 MiB).
    pub fn with_compact_threshold(mut self, bytes: u64) -> Self {
        self.compact_threshold = bytes;
        self
    }

    /// Opens the journal (creating the data directory, mode 0700), replays unprocessed
    /// events, and starts the journal writer thread. Call it inside a Tokio runtime.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidConfig`] for a zero limit or batch size;
    /// [`Error::DataDirInUse`] if another receiver holds the directory;
    /// [`Error::DataDir`] or [`Error::Journal`] if it cannot be created, read or written.
    pub fn build(self, processor: impl Processor) -> Result<Receiver> {
        let zero = |key| Error::InvalidConfig {
            key,
            reason: "must be greater than zero",
        };
        if self.body_limit == 0 {
            return Err(zero("body_limit"));
        }
        if self.batch_size == 0 {
            return Err(zero("batch_size"));
        }
        if self.max_pending == 0 {
            return Err(zero("max_pending"));
        }
        if self.backoff_min.is_zero() || self.backoff_max < self.backoff_min {
            return Err(Error::InvalidConfig {
                key: "retry_backoff",
                reason: "needs 0 < min <= max",
            });
        }
        let journal = journal::open(
            &self.data_dir,
            JournalOptions {
                dedup_capacity: self.dedup_capacity,
                dedup_window_ms: i64::try_from(self.dedup_window.as_millis()).unwrap_or(i64::MAX),
                compact_threshold: self.compact_threshold,
            },
        )?;
        let app = Arc::new(App {
            secret: self.secret,
            journal: journal.clone(),
            max_pending: self.max_pending,
            started: Instant::now(),
        });
        let router = Router::new()
            .route(
                WEBHOOK_PATH,
                post(receive).layer(DefaultBodyLimit::max(self.body_limit)),
            )
            .route(HEALTH_PATH, get(health))
            .with_state(Arc::clone(&app))
            .layer(middleware::from_fn(access_log));
        let worker = Worker {
            journal,
            processor: Arc::new(processor),
            batch_size: self.batch_size,
            linger: self.linger,
            backoff_min: self.backoff_min,
            backoff_max: self.backoff_max,
        };
        Ok(Receiver {
            router,
            worker,
            app,
            data_dir: self.data_dir,
        })
    }
}

/// The webhook receiver: an axum [`Router`] for `POST /webhooks/jira` and `GET /health`,
/// a [`Worker`] that feeds the [`Processor`], and a health view.
///
/// See the [crate docs](crate) for the request rules and the journal's guarantees.
pub struct Receiver {
    router: Router,
    worker: Worker,
    app: Arc<App>,
    data_dir: PathBuf,
}

impl std::fmt::Debug for Receiver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Receiver")
            .field("data_dir", &self.data_dir)
            .field("health", &self.health())
            .finish_non_exhaustive()
    }
}

impl Receiver {
    /// A builder keeping its journal in `data_dir`.
    ///
    /// `data_dir` should be a directory of its own (for example `<state dir>/webhook`):
    /// the receiver writes `journal.log`, `journal.tmp` and `receiver.lock` there and
    /// nothing anywhere else.
    pub fn builder(data_dir: impl Into<PathBuf>) -> ReceiverBuilder {
        ReceiverBuilder {
            data_dir: data_dir.into(),
            secret: None,
            body_limit: DEFAULT_BODY_LIMIT,
            max_pending: 100_000,
            batch_size: 100,
            linger: Duration::from_millis(200),
            backoff_min: Duration::from_millis(500),
            backoff_max: Duration::from_secs(300),
            dedup_capacity: 100_000,
            dedup_window: Duration::from_secs(24 * 3600),
            compact_threshold: 16 * 1024 * 1024,
        }
    }

    /// The router (cheap to clone). Serve it with `axum::serve`.
    pub fn router(&self) -> Router {
        self.router.clone()
    }

    /// A handle that reads [`Health`] at any time.
    pub fn health_handle(&self) -> HealthHandle {
        HealthHandle(Arc::clone(&self.app))
    }

    /// The current health.
    pub fn health(&self) -> Health {
        self.app.health()
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The router and the worker, to run side by side.
    pub fn into_parts(self) -> (Router, Worker) {
        (self.router, self.worker)
    }
}

/// Reads the receiver's [`Health`]; cheap to clone.
#[derive(Clone)]
pub struct HealthHandle(Arc<App>);

impl std::fmt::Debug for HealthHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("HealthHandle").field(&self.get()).finish()
    }
}

impl HealthHandle {
    /// The current health.
    pub fn get(&self) -> Health {
        self.0.health()
    }
}

/// What `GET /health` reports: flags, counts and times only — never a secret, a URL or
/// payload content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Health {
    /// Ready to accept deliveries: a secret is set and the journal is writable. `/health`
    /// answers 200 when true and 503 when false.
    pub configured: bool,
    /// A webhook secret is set.
    pub secret_set: bool,
    /// The journal accepts writes (false after a failed write or sync, or shutdown).
    pub journal_ok: bool,
    /// Accepted events not yet processed.
    pub queue_depth: u64,
    /// When the oldest unprocessed event was accepted (Unix ms).
    pub oldest_pending_ms: Option<i64>,
    /// When a batch was last processed (Unix ms); none since start.
    pub last_processed_ms: Option<i64>,
    /// Events accepted since start.
    pub accepted_total: u64,
    /// Deliveries recognised as retries and not journalled again, since start.
    pub duplicates_total: u64,
    /// Deliveries refused (4xx/5xx), since start.
    pub rejected_total: u64,
    /// Events processed since start.
    pub processed_total: u64,
    /// Failed processing attempts since start.
    pub process_failures_total: u64,
    /// Failed attempts since the last success (alert when it keeps growing).
    pub consecutive_failures: u64,
    /// Unprocessed events found in the journal at start.
    pub replayed_on_start: u64,
    /// Torn or corrupt journal lines skipped at start.
    pub journal_lines_skipped: u64,
    /// Seconds since the receiver was built.
    pub uptime_seconds: u64,
}

struct App {
    secret: Option<WebhookSecret>,
    journal: Journal,
    max_pending: usize,
    started: Instant,
}

impl App {
    fn shared(&self) -> &Shared {
        &self.journal.shared
    }

    fn health(&self) -> Health {
        let s = self.shared();
        let journal_ok = s.journal_ok.load(Ordering::Acquire);
        let last = s.last_processed_ms.load(Ordering::Relaxed);
        Health {
            configured: self.secret.is_some() && journal_ok,
            secret_set: self.secret.is_some(),
            journal_ok,
            queue_depth: s.depth.load(Ordering::Acquire) as u64,
            oldest_pending_ms: s.pending().front().map(|e| e.received_ms),
            last_processed_ms: (last > 0).then_some(last),
            accepted_total: s.accepted.load(Ordering::Relaxed),
            duplicates_total: s.duplicates.load(Ordering::Relaxed),
            rejected_total: s.rejected.load(Ordering::Relaxed),
            processed_total: s.processed.load(Ordering::Relaxed),
            process_failures_total: s.process_failures.load(Ordering::Relaxed),
            consecutive_failures: s.consecutive_failures.load(Ordering::Relaxed),
            replayed_on_start: s.recovered.load(Ordering::Relaxed),
            journal_lines_skipped: s.corrupt_skipped.load(Ordering::Relaxed),
            uptime_seconds: self.started.elapsed().as_secs(),
        }
    }
}

async fn health(State(app): State<Arc<App>>) -> Response {
    let h = app.health();
    let status = if h.configured {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, axum::Json(h)).into_response()
}

/// What the access log says about a delivery (set by the handler as a response extension).
#[derive(Debug, Clone)]
struct LogInfo {
    outcome: &'static str,
    delivery: Option<DeliveryId>,
    first_seq: Option<u64>,
    events: usize,
}

fn reply(
    app: &App,
    status: StatusCode,
    code: &'static str,
    delivery: Option<DeliveryId>,
) -> Response {
    if !status.is_success() {
        app.shared().rejected.fetch_add(1, Ordering::Relaxed);
    }
    let body = if status.is_success() {
        serde_json::json!({ "status": code })
    } else {
        serde_json::json!({ "error": code })
    };
    let mut res = (status, axum::Json(body)).into_response();
    res.extensions_mut().insert(LogInfo {
        outcome: code,
        delivery,
        first_seq: None,
        events: 0,
    });
    res
}

async fn receive(State(app): State<Arc<App>>, req: Request) -> Response {
    // 1. Operator errors first: no secret, broken journal, full queue.
    let Some(secret) = app.secret.as_ref() else {
        return reply(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            None,
        );
    };
    if !app.shared().journal_ok.load(Ordering::Acquire) {
        return reply(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "journal_unavailable",
            None,
        );
    }
    if app.shared().depth.load(Ordering::Acquire) >= app.max_pending {
        let mut res = reply(&app, StatusCode::SERVICE_UNAVAILABLE, "queue_full", None);
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
        return res;
    }
    // 2. Claimed signatures: well-formed, or 401 before reading the body.
    let Some(claimed) = secret::claimed_signatures(req.headers()) else {
        return reply(&app, StatusCode::UNAUTHORIZED, "invalid_signature", None);
    };
    // 3. The delivery id, if any, must be a plain identifier.
    let delivery = {
        let mut values = req.headers().get_all(DELIVERY_HEADER).iter();
        match (values.next(), values.next()) {
            (None, _) => None,
            (Some(v), None) => match v.to_str().ok().and_then(DeliveryId::parse) {
                Some(d) => Some(d),
                None => return reply(&app, StatusCode::BAD_REQUEST, "invalid_delivery_id", None),
            },
            (Some(_), Some(_)) => {
                return reply(&app, StatusCode::BAD_REQUEST, "invalid_delivery_id", None);
            }
        }
    };
    // 4. The raw body, within the limit.
    let body = match Bytes::from_request(req, &()).await {
        Ok(b) => b,
        Err(rejection) => {
            let status = rejection.status();
            let (status, code) = if status == StatusCode::PAYLOAD_TOO_LARGE {
                (status, "body_too_large")
            } else {
                (StatusCode::BAD_REQUEST, "unreadable_body")
            };
            return reply(&app, status, code, delivery);
        }
    };
    // 5. Signature over the raw bytes, constant-time, before any parsing.
    if !secret::verify(secret, &body, &claimed) {
        return reply(
            &app,
            StatusCode::UNAUTHORIZED,
            "invalid_signature",
            delivery,
        );
    }
    // 6. Strict validation: ids and kind only.
    let parsed = match payload::parse(&body) {
        Ok(p) => p,
        Err(r) => return reply(&app, StatusCode::BAD_REQUEST, r.code(), delivery),
    };
    drop(body);
    // 7. Durable, then acknowledged.
    match app
        .journal
        .append(parsed.issue_ids, parsed.kind, delivery.clone())
        .await
    {
        Ok(Appended::Accepted { first_seq, count }) => {
            let mut res = (
                StatusCode::ACCEPTED,
                axum::Json(serde_json::json!({ "status": "accepted", "events": count })),
            )
                .into_response();
            res.extensions_mut().insert(LogInfo {
                outcome: "accepted",
                delivery,
                first_seq: Some(first_seq),
                events: count,
            });
            res
        }
        Ok(Appended::Duplicate) => reply(&app, StatusCode::ACCEPTED, "duplicate", delivery),
        Err(_) => reply(
            &app,
            StatusCode::SERVICE_UNAVAILABLE,
            "journal_unavailable",
            delivery,
        ),
    }
}

/// One line per request: method, route, status, latency and the event id — never the
/// body, the query string, or a path that matched no route.
async fn access_log(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned());
    let res = next.run(req).await;
    let latency_us = start.elapsed().as_micros() as u64;
    let route = route.as_deref().unwrap_or("<unmatched>");
    let status = res.status().as_u16();
    let info = res.extensions().get::<LogInfo>();
    let outcome = info.map_or("-", |i| i.outcome);
    let delivery = info
        .and_then(|i| i.delivery.as_ref())
        .map_or("-", DeliveryId::as_str);
    let seq = info.and_then(|i| i.first_seq);
    let events = info.map_or(0, |i| i.events);
    tracing::info!(
        target: "jirafe_webhook::access",
        method = %method,
        route,
        status,
        latency_us,
        outcome,
        delivery,
        seq,
        events,
        "request"
    );
    res
}
