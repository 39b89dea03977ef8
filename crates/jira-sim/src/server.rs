//! The HTTP server: state, auth, faults, counters and the Jira endpoints.

// Parameter helpers return a ready-made Jira error `Response` as their error; it is
// produced at most once per request, so its size does not matter.
#![allow(clippy::result_large_err)]

use std::collections::BTreeMap;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{MatchedPath, Path, Query, Request, State};
use axum::http::header::{AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use serde_json::{Value, json};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::config::{Credentials, Faults, Flavor, SimConfig};
use crate::error::{Error, Result};
use crate::jql::Query as Jql;
use crate::model::Issue;
use crate::mutate::{self, Applied, Mutation};
use crate::org::Org;
use crate::render::{
    BULK_INLINE_CHANGELOG, Ctx, DefaultSel, FieldSel, INLINE_CHANGELOG, parse_fields,
};
use crate::tz::{OWNER_TZ, iso_seconds, jira_timestamp};

/// Request counters: total, per endpoint (`"GET /rest/api/3/myself"`, route templates
/// such as `"GET /rest/api/3/issue/{issueIdOrKey}/comment"`), per status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// All requests, including faulted and unauthorised ones.
    pub total: u64,
    /// Requests per `"METHOD /route/template"`; unknown paths count as `"<unmatched>"`.
    pub by_endpoint: BTreeMap<String, u64>,
    /// Requests per HTTP status code.
    pub by_status: BTreeMap<u16, u64>,
}

impl RequestStats {
    /// Requests to one endpoint, e.g. `stats.endpoint("POST /rest/api/3/search/jql")`.
    pub fn endpoint(&self, method_and_route: &str) -> u64 {
        self.by_endpoint.get(method_and_route).copied().unwrap_or(0)
    }

    /// Requests answered with `status`.
    pub fn status(&self, status: u16) -> u64 {
        self.by_status.get(&status).copied().unwrap_or(0)
    }
}

struct Clock {
    base_ms: i64,
    started: Instant,
    manual_ms: i64,
    last_stamp: i64,
}

impl Clock {
    fn now(&self) -> i64 {
        let wall = i64::try_from(self.started.elapsed().as_millis()).unwrap_or(i64::MAX / 4);
        self.base_ms
            .saturating_add(wall)
            .saturating_add(self.manual_ms)
    }

    fn stamp(&mut self) -> i64 {
        let t = self.now().max(self.last_stamp.saturating_add(1));
        self.last_stamp = t;
        t
    }
}

struct Shared {
    org: RwLock<Arc<Org>>,
    faults: Mutex<Faults>,
    fault_counter: AtomicU64,
    stats: Mutex<RequestStats>,
    clock: Mutex<Clock>,
    base_url: String,
    creds: Credentials,
    flavor: Flavor,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The simulator's shared state, for embedding its [`router`] in another server.
///
/// ```
/// use jirafe_jira_sim::{OrgConfig, SimConfig, SimState, router};
/// let cfg = SimConfig { org: OrgConfig::new(1, 50), ..SimConfig::default() };
/// let state = SimState::new(cfg, "http://127.0.0.1:9999");
/// let _app: axum::Router = router(state.clone());
/// assert_eq!(state.org().issues.len(), 50);
/// ```
#[derive(Clone)]
pub struct SimState(Arc<Shared>);

impl std::fmt::Debug for SimState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimState")
            .field("base_url", &self.0.base_url)
            .finish_non_exhaustive()
    }
}

impl SimState {
    /// Generates the organisation and prepares the state; `base_url` is used in `self`
    /// links and `nextPage` URLs.
    pub fn new(cfg: SimConfig, base_url: impl Into<String>) -> SimState {
        let org = Org::generate(&cfg.org);
        let creds = org.credentials();
        let now = org.now_ms;
        SimState(Arc::new(Shared {
            org: RwLock::new(Arc::new(org)),
            faults: Mutex::new(cfg.faults),
            fault_counter: AtomicU64::new(0),
            stats: Mutex::new(RequestStats::default()),
            clock: Mutex::new(Clock {
                base_ms: now,
                started: Instant::now(),
                manual_ms: 0,
                last_stamp: now,
            }),
            base_url: base_url.into().trim_end_matches('/').to_owned(),
            creds,
            flavor: cfg.flavor,
        }))
    }

    /// A snapshot of the ground truth (cheap; later mutations do not change it).
    pub fn org(&self) -> Arc<Org> {
        self.0.org.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The token owner's credentials.
    pub fn credentials(&self) -> Credentials {
        self.0.creds.clone()
    }

    /// Request counters so far.
    pub fn stats(&self) -> RequestStats {
        lock(&self.0.stats).clone()
    }

    /// Clears the request counters.
    pub fn reset_stats(&self) {
        *lock(&self.0.stats) = RequestStats::default();
    }

    /// Replaces the injected faults and restarts the fault counter.
    pub fn set_faults(&self, f: Faults) {
        *lock(&self.0.faults) = f;
        self.0.fault_counter.store(0, Ordering::SeqCst);
    }

    /// The simulator clock (epoch ms): the org's "now", plus wall time since start,
    /// plus every [`SimState::advance_clock`].
    pub fn now_ms(&self) -> i64 {
        lock(&self.0.clock).now()
    }

    /// Moves the simulator clock forward (e.g. past `/worklog/updated`'s one-minute lag).
    pub fn advance_clock(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX / 4);
        let mut c = lock(&self.0.clock);
        c.manual_ms = c.manual_ms.saturating_add(ms);
    }

    /// Applies a mutation.
    ///
    /// # Errors
    ///
    /// [`Error::IssueNotFound`], [`Error::ProjectNotFound`], [`Error::WorklogNotFound`],
    /// [`Error::UnknownField`] or [`Error::InvalidMutation`] when the mutation does not
    /// fit the organisation; nothing changes then.
    pub fn mutate(&self, m: Mutation) -> Result<Applied> {
        let mut guard = self.0.org.write().unwrap_or_else(|e| e.into_inner());
        let mut draft: Org = (**guard).clone();
        let stamp = lock(&self.0.clock).stamp();
        let applied = mutate::apply(&mut draft, m, stamp)?;
        *guard = Arc::new(draft);
        Ok(applied)
    }

    fn record(&self, key: String, status: StatusCode) {
        let mut s = lock(&self.0.stats);
        s.total += 1;
        *s.by_endpoint.entry(key).or_insert(0) += 1;
        *s.by_status.entry(status.as_u16()).or_insert(0) += 1;
    }
}

/// A running simulated Jira on a loopback port.
#[derive(Debug)]
pub struct SimServer {
    state: SimState,
    addr: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<std::io::Result<()>>,
}

impl SimServer {
    /// Starts a server on `127.0.0.1:0` (an OS-chosen free port).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> jirafe_jira_sim::Result<()> {
    /// use jirafe_jira_sim::{OrgConfig, SimConfig, SimServer};
    /// let sim = SimServer::start(SimConfig { org: OrgConfig::new(5, 100), ..Default::default() }).await?;
    /// assert!(sim.base_url().starts_with("http://127.0.0.1:"));
    /// sim.shutdown().await;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] if no loopback port can be bound.
    pub async fn start(cfg: SimConfig) -> Result<SimServer> {
        SimServer::bind(SocketAddr::from(([127, 0, 0, 1], 0)), cfg).await
    }

    /// Starts a server on `addr`.
    ///
    /// # Errors
    ///
    /// [`Error::Bind`] if the address cannot be bound, [`Error::LocalAddr`] if the bound
    /// address cannot be read.
    pub async fn bind(addr: SocketAddr, cfg: SimConfig) -> Result<SimServer> {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind { addr, source })?;
        let local = listener.local_addr().map_err(Error::LocalAddr)?;
        let state = SimState::new(cfg, format!("http://{local}"));
        let app = router(state.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = rx.await;
                })
                .await
        });
        Ok(SimServer {
            state,
            addr: local,
            stop: Some(tx),
            task,
        })
    }

    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token owner's credentials (Basic: email + API token; Bearer: PAT).
    pub fn credentials(&self) -> Credentials {
        self.state.credentials()
    }

    /// The ground truth as of now (after mutations). A snapshot: cheap to take.
    pub fn org(&self) -> Arc<Org> {
        self.state.org()
    }

    /// Request counters.
    pub fn stats(&self) -> RequestStats {
        self.state.stats()
    }

    /// Clears the request counters.
    pub fn reset_stats(&self) {
        self.state.reset_stats()
    }

    /// Replaces the injected faults.
    pub fn set_faults(&self, f: Faults) {
        self.state.set_faults(f)
    }

    /// Applies a mutation; see [`SimState::mutate`].
    ///
    /// # Errors
    ///
    /// As [`SimState::mutate`].
    pub fn mutate(&self, m: Mutation) -> Result<Applied> {
        self.state.mutate(m)
    }

    /// The simulator clock in epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.state.now_ms()
    }

    /// Moves the simulator clock forward.
    pub fn advance_clock(&self, by: Duration) {
        self.state.advance_clock(by)
    }

    /// The shared state (for [`router`]-style embedding or direct inspection).
    pub fn state(&self) -> SimState {
        self.state.clone()
    }

    /// Serves until `signal` completes, then shuts down gracefully.
    ///
    /// # Errors
    ///
    /// [`Error::Task`] if the server task panicked.
    pub async fn run_until(self, signal: impl Future<Output = ()>) -> Result<()> {
        signal.await;
        self.stop().await
    }

    /// Stops the server and waits for it to finish.
    pub async fn shutdown(self) {
        let _ = self.stop().await;
    }

    async fn stop(mut self) -> Result<()> {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        match (&mut self.task).await {
            Ok(_) => Ok(()),
            Err(e) => Err(Error::Task(e)),
        }
    }
}

/// The axum router serving the simulated Jira API for `state` (Cloud or Data Center,
/// as configured).
pub fn router(state: SimState) -> Router {
    if state.0.flavor == Flavor::DataCenter {
        return Router::new()
            .route("/rest/api/2/myself", get(myself))
            .route("/rest/api/2/serverInfo", get(server_info))
            .route("/rest/api/2/project", get(dc_projects))
            .route("/rest/api/2/field", get(fields))
            .route(
                "/rest/api/2/search",
                get(dc_search_get).post(dc_search_post),
            )
            .route("/rest/api/2/issue/{issueIdOrKey}", get(issue_get))
            .route(
                "/rest/api/2/issue/{issueIdOrKey}/comment",
                get(issue_comments),
            )
            .route(
                "/rest/api/2/issue/{issueIdOrKey}/worklog",
                get(issue_worklogs),
            )
            .route(
                "/rest/api/2/issue/{issueIdOrKey}/remotelink",
                get(issue_remotelinks),
            )
            .route("/rest/agile/1.0/board", get(boards))
            .route("/rest/agile/1.0/board/{boardId}/sprint", get(board_sprints))
            .route_layer(middleware::from_fn_with_state(state.clone(), gate))
            .fallback(not_found)
            .with_state(state);
    }
    Router::new()
        .route("/rest/api/3/myself", get(myself))
        .route("/rest/api/3/users/search", get(users_search))
        .route("/rest/api/3/serverInfo", get(server_info))
        .route("/rest/api/3/project/search", get(project_search))
        .route("/rest/api/3/field", get(fields))
        .route("/rest/api/3/search/jql", get(search_get).post(search_post))
        .route("/rest/api/3/search", get(search_gone).post(search_gone))
        .route("/rest/api/3/issue/bulkfetch", post(issue_bulkfetch))
        .route("/rest/api/3/issue/{issueIdOrKey}", get(issue_get))
        .route(
            "/rest/api/3/issue/{issueIdOrKey}/changelog",
            get(issue_changelog),
        )
        .route(
            "/rest/api/3/issue/{issueIdOrKey}/comment",
            get(issue_comments),
        )
        .route(
            "/rest/api/3/issue/{issueIdOrKey}/worklog",
            get(issue_worklogs),
        )
        .route(
            "/rest/api/3/issue/{issueIdOrKey}/remotelink",
            get(issue_remotelinks),
        )
        .route("/rest/api/3/changelog/bulkfetch", post(changelog_bulkfetch))
        .route("/rest/api/3/worklog/updated", get(worklog_updated))
        .route("/rest/api/3/worklog/deleted", get(worklog_deleted))
        .route("/rest/api/3/worklog/list", post(worklog_list))
        .route("/rest/agile/1.0/board", get(boards))
        .route("/rest/agile/1.0/board/{boardId}/sprint", get(board_sprints))
        .route_layer(middleware::from_fn_with_state(state.clone(), gate))
        .fallback(not_found)
        .with_state(state)
}

// ---------------------------------------------------------------------------------------
// Responses and parameters

fn json_resp(status: StatusCode, v: &Value) -> Response {
    json_bytes(status, serde_json::to_vec(v).unwrap_or_default())
}

fn json_bytes(status: StatusCode, body: Vec<u8>) -> Response {
    (
        status,
        [(
            CONTENT_TYPE,
            HeaderValue::from_static("application/json;charset=UTF-8"),
        )],
        body,
    )
        .into_response()
}

fn ok(v: &Value) -> Response {
    json_resp(StatusCode::OK, v)
}

fn err(status: StatusCode, msg: impl Into<String>) -> Response {
    json_resp(
        status,
        &json!({"errorMessages": [msg.into()], "errors": {}}),
    )
}

fn bad(msg: impl Into<String>) -> Response {
    err(StatusCode::BAD_REQUEST, msg)
}

fn issue_404() -> Response {
    err(
        StatusCode::NOT_FOUND,
        "Issue does not exist or you do not have permission to see it.",
    )
}

struct Params(Vec<(String, String)>);

impl Params {
    fn get(&self, k: &str) -> Option<&str> {
        self.0.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
    }

    fn all(&self, k: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(a, _)| a == k)
            .map(|(_, v)| v.clone())
            .collect()
    }

    fn int(&self, k: &str) -> std::result::Result<Option<i64>, Response> {
        match self.get(k) {
            None | Some("") => Ok(None),
            Some(v) => v
                .parse::<i64>()
                .map(Some)
                .map_err(|_| bad(format!("The value of '{k}' must be an integer."))),
        }
    }

    /// `(startAt, maxResults)` with defaults and a cap.
    fn page(&self, default_max: i64, cap: i64) -> std::result::Result<(usize, usize), Response> {
        let start = self.int("startAt")?.unwrap_or(0);
        let max = self.int("maxResults")?.unwrap_or(default_max);
        if start < 0 {
            return Err(bad("'startAt' must not be negative."));
        }
        if max < 0 {
            return Err(bad("'maxResults' must not be negative."));
        }
        Ok((start as usize, max.min(cap) as usize))
    }
}

fn parse_body(body: &Bytes) -> std::result::Result<Value, Response> {
    if body.is_empty() {
        return Err(bad("The request body is empty."));
    }
    serde_json::from_slice::<Value>(body)
        .map_err(|_| bad("The request body is not valid JSON."))
        .and_then(|v| {
            if v.is_object() {
                Ok(v)
            } else {
                Err(bad("The request body must be a JSON object."))
            }
        })
}

/// A list of strings from a JSON array of strings or a comma-separated string.
fn str_list(v: Option<&Value>, name: &str) -> std::result::Result<Vec<String>, Response> {
    match v {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(s
            .split(',')
            .map(|x| x.trim().to_owned())
            .filter(|x| !x.is_empty())
            .collect()),
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                _ => Err(bad(format!("'{name}' must be a list of strings."))),
            })
            .collect(),
        Some(_) => Err(bad(format!("'{name}' must be a list of strings."))),
    }
}

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn make_token(offset: usize, digest: u64) -> String {
    URL_SAFE_NO_PAD.encode(format!("sim1:{offset}:{digest:016x}"))
}

fn read_token(tok: &str, digest: u64) -> Option<usize> {
    let raw = URL_SAFE_NO_PAD.decode(tok).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let mut it = s.split(':');
    if it.next()? != "sim1" {
        return None;
    }
    let off: usize = it.next()?.parse().ok()?;
    let d = u64::from_str_radix(it.next()?, 16).ok()?;
    (d == digest).then_some(off)
}

fn now_wall_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(0))
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------------------
// Middleware: auth, faults, counters

async fn gate(State(st): State<SimState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "<unmatched>".to_owned());
    let key = format!("{} {}", req.method(), route);
    let resp = gate_inner(&st, req, next).await;
    st.record(key, resp.status());
    resp
}

fn authorised(st: &SimState, req: &Request) -> bool {
    let Some(h) = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let c = &st.0.creds;
    if let Some(b) = h.strip_prefix("Basic ") {
        let Ok(raw) = STANDARD.decode(b.trim()) else {
            return false;
        };
        let expected = format!("{}:{}", c.email, c.api_token);
        return raw == expected.as_bytes();
    }
    if let Some(t) = h.strip_prefix("Bearer ") {
        return t.trim() == c.pat;
    }
    false
}

async fn gate_inner(st: &SimState, req: Request, next: Next) -> Response {
    if !authorised(st, &req) {
        return err(
            StatusCode::UNAUTHORIZED,
            "Client must be authenticated to access this resource.",
        );
    }
    let faults = lock(&st.0.faults).clone();
    let n = st.0.fault_counter.fetch_add(1, Ordering::SeqCst) + 1;
    if let Some(d) = faults.latency {
        tokio::time::sleep(d).await;
    }
    if let Some(every) = faults.rate_limit_every.filter(|e| *e > 0) {
        let every = u64::from(every);
        if n.is_multiple_of(every) {
            let secs = faults.retry_after_secs;
            let status = if (n / every).is_multiple_of(3) {
                StatusCode::SERVICE_UNAVAILABLE
            } else {
                StatusCode::TOO_MANY_REQUESTS
            };
            let mut r = err(status, "Rate limit exceeded.");
            let h = r.headers_mut();
            let reset = iso_seconds(now_wall_ms() + i64::from(secs) * 1000);
            for (k, v) in [
                ("retry-after", secs.to_string()),
                ("x-ratelimit-limit", "350".to_owned()),
                ("x-ratelimit-remaining", "0".to_owned()),
                ("x-ratelimit-reset", reset),
                ("ratelimit-reason", "jira-burst-based".to_owned()),
            ] {
                if let Ok(v) = HeaderValue::from_str(&v) {
                    h.insert(k, v);
                }
            }
            return r;
        }
    }
    if let Some(every) = faults.server_error_every.filter(|e| *e > 0) {
        let every = u64::from(every);
        if n.is_multiple_of(every) {
            let status = match (n / every) % 3 {
                1 => StatusCode::INTERNAL_SERVER_ERROR,
                2 => StatusCode::BAD_GATEWAY,
                _ => StatusCode::SERVICE_UNAVAILABLE,
            };
            return err(status, "Internal server error (injected by the simulator).");
        }
    }
    let resp = next.run(req).await;
    if let Some(every) = faults.truncate_every.filter(|e| *e > 0)
        && n.is_multiple_of(u64::from(every))
        && resp.status() == StatusCode::OK
    {
        let (mut parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        let cut = bytes.slice(0..bytes.len() / 2);
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(cut.len()));
        return Response::from_parts(parts, Body::from(cut));
    }
    resp
}

async fn not_found(State(st): State<SimState>, method: Method) -> Response {
    let r = err(StatusCode::NOT_FOUND, "No resource found for this path.");
    st.record(format!("{method} <unmatched>"), r.status());
    r
}

// ---------------------------------------------------------------------------------------
// Handlers

fn ctx<'a>(st: &'a SimState, org: &'a Org) -> Ctx<'a> {
    let dc = st.0.flavor == Flavor::DataCenter;
    Ctx {
        org,
        base: &st.0.base_url,
        rest: format!("{}/rest/api/{}", st.0.base_url, if dc { 2 } else { 3 }),
        dc,
    }
}

async fn myself(State(st): State<SimState>) -> Response {
    let org = st.org();
    let c = ctx(&st, &org);
    let mut v = c.user(&org.owner_account_id);
    if let (Some(o), Some(u)) = (v.as_object_mut(), org.owner()) {
        o.insert("emailAddress".into(), json!(u.email));
        o.insert("timeZone".into(), json!(OWNER_TZ));
        o.insert("locale".into(), json!(u.locale));
        o.insert("groups".into(), json!({"size": 2, "items": []}));
        o.insert("applicationRoles".into(), json!({"size": 1, "items": []}));
        o.insert("expand".into(), json!("groups,applicationRoles"));
    }
    ok(&v)
}

/// `GET /rest/api/3/users/search`: every user, a plain array paged by `startAt` /
/// `maxResults` (default 50, at most 1000), as Jira Cloud answers it.
async fn users_search(
    State(st): State<SimState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let (start, max) = match p.page(50, 1000) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let org = st.org();
    let c = ctx(&st, &org);
    let values: Vec<Value> = org
        .users
        .iter()
        .skip(start)
        .take(max)
        .map(|u| c.user(&u.account_id))
        .collect();
    ok(&Value::Array(values))
}

async fn server_info(State(st): State<SimState>) -> Response {
    let now = st.now_ms();
    if st.0.flavor == Flavor::DataCenter {
        return ok(&json!({
            "baseUrl": st.0.base_url,
            "version": "9.12.15",
            "versionNumbers": [9, 12, 15],
            "deploymentType": "Server",
            "buildNumber": 9_120_015,
            "buildDate": jira_timestamp(now - 90 * 86_400_000),
            "serverTime": jira_timestamp(now),
            "scmInfo": "0a1b2c3d4e5f60718293a4b5c6d7e8f901234567",
            "serverTitle": "Jira",
        }));
    }
    ok(&json!({
        "baseUrl": st.0.base_url,
        "version": "1001.0.0-SNAPSHOT",
        "versionNumbers": [1001, 0, 0],
        "deploymentType": "Cloud",
        "buildNumber": 100_282,
        "buildDate": jira_timestamp(now - 3 * 86_400_000),
        "serverTime": jira_timestamp(now),
        "scmInfo": "5c4e1f0b9d1c2a3e4f5a6b7c8d9e0f1a2b3c4d5e",
        "serverTitle": "Jira",
        "defaultLocale": {"locale": "en_US"},
        "serverTimeZone": "Etc/UTC",
    }))
}

async fn project_search(
    State(st): State<SimState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let (start, max) = match p.page(50, 50) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let expand_raw = p.all("expand").join(",");
    let expand: Vec<&str> = expand_raw.split(',').map(str::trim).collect();
    let query = p.get("query").map(str::to_lowercase);
    let org = st.org();
    let c = ctx(&st, &org);
    let list: Vec<_> = org
        .visible_projects()
        .filter(|pr| {
            query
                .as_deref()
                .map(|q| pr.key.to_lowercase().contains(q) || pr.name.to_lowercase().contains(q))
                .unwrap_or(true)
        })
        .collect();
    let total = list.len();
    let values: Vec<Value> = list
        .iter()
        .skip(start)
        .take(max)
        .map(|pr| c.project_full(pr, &expand))
        .collect();
    let is_last = start.saturating_add(max) >= total;
    let mut v = json!({
        "self": format!("{}/rest/api/3/project/search?startAt={start}&maxResults={max}", st.0.base_url),
        "maxResults": max, "startAt": start, "total": total, "isLast": is_last, "values": values,
    });
    if !is_last {
        v["nextPage"] = json!(format!(
            "{}/rest/api/3/project/search?startAt={}&maxResults={max}",
            st.0.base_url,
            start.saturating_add(max)
        ));
    }
    ok(&v)
}

async fn fields(State(st): State<SimState>) -> Response {
    let org = st.org();
    let c = ctx(&st, &org);
    ok(&Value::Array(
        org.fields.iter().map(|f| c.field_def(f)).collect(),
    ))
}

async fn search_gone() -> Response {
    err(
        StatusCode::GONE,
        "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046",
    )
}

struct SearchReq {
    jql: String,
    token: Option<String>,
    max: Option<i64>,
    fields: Vec<String>,
    expand: Vec<String>,
}

async fn search_get(
    State(st): State<SimState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let max = match p.int("maxResults") {
        Ok(m) => m,
        Err(r) => return r,
    };
    let req = SearchReq {
        jql: p.get("jql").unwrap_or("").to_owned(),
        token: p.get("nextPageToken").map(str::to_owned),
        max,
        fields: p.all("fields"),
        expand: p
            .all("expand")
            .iter()
            .flat_map(|e| e.split(',').map(|x| x.trim().to_owned()))
            .collect(),
    };
    search(&st, req)
}

async fn search_post(State(st): State<SimState>, body: Bytes) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let jql = match v.get("jql") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return bad("'jql' must be a string."),
    };
    let token = match v.get("nextPageToken") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return bad("'nextPageToken' must be a string."),
    };
    let max = match v.get("maxResults") {
        None | Some(Value::Null) => None,
        Some(m) => match m.as_i64() {
            Some(m) => Some(m),
            None => return bad("'maxResults' must be an integer."),
        },
    };
    let fields = match str_list(v.get("fields"), "fields") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let expand = match str_list(v.get("expand"), "expand") {
        Ok(f) => f,
        Err(r) => return r,
    };
    search(
        &st,
        SearchReq {
            jql,
            token,
            max,
            fields,
            expand,
        },
    )
}

fn search(st: &SimState, req: SearchReq) -> Response {
    let org = st.org();
    let query = match Jql::parse(&req.jql, &org, st.now_ms()) {
        Ok(q) => q,
        Err(m) => return bad(m),
    };
    let sel = parse_fields(&org, &req.fields, DefaultSel::Id);
    let changelog = req.expand.iter().any(|e| e == "changelog");
    let names = req.expand.iter().any(|e| e == "names");
    let cap: i64 = if matches!(sel, FieldSel::IdOnly { .. }) && !changelog {
        5000
    } else {
        100
    };
    let max = req.max.unwrap_or(50);
    if max < 1 {
        return bad("'maxResults' must be at least 1.");
    }
    let page = max.min(cap) as usize;
    let digest = fnv(req.jql.trim());
    let offset = match &req.token {
        None => 0,
        Some(t) => match read_token(t, digest) {
            Some(o) => o,
            None => return bad("The provided next page token is invalid or expired."),
        },
    };
    let mut hits: Vec<&Issue> = org.visible_issues().filter(|i| query.matches(i)).collect();
    query.sort(&mut hits);
    let c = ctx(st, &org);
    let is_last = offset.saturating_add(page) >= hits.len();
    // Written issue by issue (keys in the order a JSON object map sorts them): a page of
    // full issues is megabytes, and one tree of all of them costs the simulator more
    // than the client it serves.
    let mut body = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(format!("{{\"isLast\":{is_last},\"issues\":[").as_bytes());
    for (n, i) in hits.iter().skip(offset).take(page).enumerate() {
        if n > 0 {
            body.push(b',');
        }
        let v = c.issue(i, &sel, changelog.then_some(INLINE_CHANGELOG));
        if serde_json::to_writer(&mut body, &v).is_err() {
            return err(StatusCode::INTERNAL_SERVER_ERROR, "Serialisation failed.");
        }
    }
    body.push(b']');
    for (key, v) in [
        ("names", names.then(|| c.names(&sel))),
        (
            "nextPageToken",
            (!is_last).then(|| json!(make_token(offset.saturating_add(page), digest))),
        ),
    ] {
        if let Some(v) = v {
            body.extend_from_slice(format!(",\"{key}\":").as_bytes());
            if serde_json::to_writer(&mut body, &v).is_err() {
                return err(StatusCode::INTERNAL_SERVER_ERROR, "Serialisation failed.");
            }
        }
    }
    body.push(b'}');
    json_bytes(StatusCode::OK, body)
}

fn visible<'a>(org: &'a Org, id_or_key: &str) -> Option<&'a Issue> {
    org.issue(id_or_key).filter(|i| i.visible_to_owner)
}

async fn issue_get(
    State(st): State<SimState>,
    Path(id): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let org = st.org();
    let Some(issue) = visible(&org, &id) else {
        return issue_404();
    };
    let sel = parse_fields(&org, &p.all("fields"), DefaultSel::All);
    let changelog = p
        .all("expand")
        .iter()
        .any(|e| e.split(',').any(|x| x.trim() == "changelog"));
    ok(&ctx(&st, &org).issue(issue, &sel, changelog.then_some(INLINE_CHANGELOG)))
}

async fn issue_bulkfetch(State(st): State<SimState>, body: Bytes) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let ids = match str_list(v.get("issueIdsOrKeys"), "issueIdsOrKeys") {
        Ok(i) => i,
        Err(r) => return r,
    };
    if ids.is_empty() {
        return bad("'issueIdsOrKeys' must contain at least one issue ID or key.");
    }
    if ids.len() > 100 {
        return bad("The number of issue IDs or keys must not exceed 100.");
    }
    let fields = match str_list(v.get("fields"), "fields") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let expand = match str_list(v.get("expand"), "expand") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let org = st.org();
    let sel = parse_fields(&org, &fields, DefaultSel::Navigable);
    let changelog = expand.iter().any(|e| e == "changelog");
    let mut found: Vec<&Issue> = ids.iter().filter_map(|i| visible(&org, i)).collect();
    found.sort_by_key(|i| i.id);
    found.dedup_by_key(|i| i.id);
    let c = ctx(&st, &org);
    let issues: Vec<Value> = found
        .iter()
        .map(|i| c.issue(i, &sel, changelog.then_some(BULK_INLINE_CHANGELOG)))
        .collect();
    ok(&json!({"expand": "schema,names", "issues": issues, "issueErrors": []}))
}

async fn changelog_bulkfetch(State(st): State<SimState>, body: Bytes) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let ids = match str_list(v.get("issueIdsOrKeys"), "issueIdsOrKeys") {
        Ok(i) => i,
        Err(r) => return r,
    };
    if ids.is_empty() || ids.len() > 1000 {
        return bad("'issueIdsOrKeys' must contain between 1 and 1000 issue IDs or keys.");
    }
    let field_ids = match str_list(v.get("fieldIds"), "fieldIds") {
        Ok(i) => i,
        Err(r) => return r,
    };
    if field_ids.len() > 10 {
        return bad("'fieldIds' must contain at most 10 field IDs.");
    }
    let max = match v.get("maxResults") {
        None | Some(Value::Null) => 1000,
        Some(m) => match m.as_i64() {
            Some(m) if (1..=10_000).contains(&m) => m as usize,
            _ => return bad("'maxResults' must be an integer between 1 and 10000."),
        },
    };
    let mut sorted_ids = ids.clone();
    sorted_ids.sort();
    let digest = fnv(&format!("{}|{}", sorted_ids.join(","), field_ids.join(",")));
    let offset = match v.get("nextPageToken") {
        None | Some(Value::Null) => 0,
        Some(Value::String(t)) => match read_token(t, digest) {
            Some(o) => o,
            None => return bad("The provided next page token is invalid or expired."),
        },
        Some(_) => return bad("'nextPageToken' must be a string."),
    };
    let org = st.org();
    let mut found: Vec<&Issue> = ids.iter().filter_map(|i| visible(&org, i)).collect();
    found.sort_by_key(|i| i.id);
    found.dedup_by_key(|i| i.id);
    let c = ctx(&st, &org);
    // Flatten (issue, history) in issue-id order, histories oldest first.
    let mut out: Vec<Value> = Vec::new();
    let mut seen = 0usize;
    let mut emitted = 0usize;
    let mut more = false;
    'outer: for i in &found {
        let mut group: Vec<Value> = Vec::new();
        for h in &i.histories {
            let items: Vec<_> = h
                .items
                .iter()
                .filter(|it| field_ids.is_empty() || field_ids.contains(&it.field_id))
                .cloned()
                .collect();
            if items.is_empty() {
                continue;
            }
            if seen < offset {
                seen += 1;
                continue;
            }
            if emitted == max {
                more = true;
                if !group.is_empty() {
                    out.push(json!({"issueId": i.id.to_string(), "changeHistories": group}));
                }
                break 'outer;
            }
            let filtered = crate::model::History { items, ..h.clone() };
            group.push(c.history(&filtered));
            seen += 1;
            emitted += 1;
        }
        if !group.is_empty() {
            out.push(json!({"issueId": i.id.to_string(), "changeHistories": group}));
        }
    }
    let mut resp = json!({"issueChangeLogs": out});
    if more {
        resp["nextPageToken"] = json!(make_token(offset.saturating_add(emitted), digest));
    }
    ok(&resp)
}

async fn issue_changelog(
    State(st): State<SimState>,
    Path(id): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let (start, max) = match p.page(100, 100) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let org = st.org();
    let Some(issue) = visible(&org, &id) else {
        return issue_404();
    };
    let c = ctx(&st, &org);
    let total = issue.histories.len();
    let values: Vec<Value> = issue
        .histories
        .iter()
        .skip(start)
        .take(max)
        .map(|h| c.history(h))
        .collect();
    let is_last = start.saturating_add(max) >= total;
    let base = format!("{}/rest/api/3/issue/{}/changelog", st.0.base_url, issue.id);
    let mut v = json!({
        "self": format!("{base}?startAt={start}&maxResults={max}"),
        "maxResults": max, "startAt": start, "total": total, "isLast": is_last, "values": values,
    });
    if !is_last {
        v["nextPage"] = json!(format!(
            "{base}?startAt={}&maxResults={max}",
            start.saturating_add(max)
        ));
    }
    ok(&v)
}

async fn issue_comments(
    State(st): State<SimState>,
    Path(id): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let (start, max) = match p.page(100, 100) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let desc = match p.get("orderBy") {
        None | Some("created") | Some("+created") => false,
        Some("-created") => true,
        Some(_) => return bad("'orderBy' must be one of created, +created, -created."),
    };
    let org = st.org();
    let Some(issue) = visible(&org, &id) else {
        return issue_404();
    };
    let c = ctx(&st, &org);
    let mut list: Vec<_> = issue.comments.iter().collect();
    if desc {
        list.reverse();
    }
    let comments: Vec<Value> = list
        .iter()
        .skip(start)
        .take(max)
        .map(|cm| c.comment(issue, cm))
        .collect();
    ok(&json!({
        "startAt": start, "maxResults": max, "total": issue.comments.len(), "comments": comments,
    }))
}

async fn issue_worklogs(
    State(st): State<SimState>,
    Path(id): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let (start, max) = match p.page(5000, 5000) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let after = match p.int("startedAfter") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let before = match p.int("startedBefore") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let org = st.org();
    let Some(issue) = visible(&org, &id) else {
        return issue_404();
    };
    let c = ctx(&st, &org);
    let list: Vec<_> = issue
        .worklogs
        .iter()
        .filter(|w| after.map(|a| w.started_ms >= a).unwrap_or(true))
        .filter(|w| before.map(|b| w.started_ms < b).unwrap_or(true))
        .collect();
    let worklogs: Vec<Value> = list
        .iter()
        .skip(start)
        .take(max)
        .map(|w| c.worklog(issue, w))
        .collect();
    ok(&json!({"startAt": start, "maxResults": max, "total": list.len(), "worklogs": worklogs}))
}

async fn issue_remotelinks(State(st): State<SimState>, Path(id): Path<String>) -> Response {
    let org = st.org();
    let Some(issue) = visible(&org, &id) else {
        return issue_404();
    };
    let c = ctx(&st, &org);
    ok(&Value::Array(
        issue
            .remote_links
            .iter()
            .map(|r| c.remote_link(issue, r))
            .collect(),
    ))
}

/// `/worklog/updated` and `/worklog/deleted`: up to 1000 per page, oldest first,
/// nothing from the last minute.
fn changed_worklogs(st: &SimState, p: &Params, deleted: bool) -> Response {
    let since = match p.int("since") {
        Ok(s) => s.unwrap_or(0),
        Err(r) => return r,
    };
    let cutoff = st.now_ms() - 60_000;
    let org = st.org();
    let mut items: Vec<(i64, u64)> = if deleted {
        org.deleted_worklogs
            .iter()
            .map(|(id, t)| (*t, *id))
            .filter(|(t, _)| *t >= since && *t <= cutoff)
            .collect()
    } else {
        org.visible_issues()
            .flat_map(|i| i.worklogs.iter())
            .map(|w| (w.updated_ms, w.id))
            .filter(|(t, _)| *t >= since && *t <= cutoff)
            .collect()
    };
    items.sort_unstable();
    let last_page = items.len() <= 1000;
    items.truncate(1000);
    let until = if last_page {
        cutoff.max(since)
    } else {
        items.last().map(|x| x.0).unwrap_or(cutoff)
    };
    let path = if deleted { "deleted" } else { "updated" };
    let base = format!("{}/rest/api/3/worklog/{path}", st.0.base_url);
    let values: Vec<Value> = items
        .iter()
        .map(|(t, id)| json!({"worklogId": id, "updatedTime": t, "properties": []}))
        .collect();
    let mut v = json!({
        "values": values, "since": since, "until": until,
        "self": format!("{base}?since={since}"), "lastPage": last_page,
    });
    if !last_page {
        v["nextPage"] = json!(format!("{base}?since={until}"));
    }
    ok(&v)
}

async fn worklog_updated(
    State(st): State<SimState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    changed_worklogs(&st, &Params(q), false)
}

async fn worklog_deleted(
    State(st): State<SimState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    changed_worklogs(&st, &Params(q), true)
}

async fn worklog_list(State(st): State<SimState>, body: Bytes) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let Some(arr) = v.get("ids").and_then(Value::as_array) else {
        return bad("'ids' must be a list of worklog IDs.");
    };
    if arr.len() > 1000 {
        return bad("The number of worklog IDs must not exceed 1000.");
    }
    let mut wanted = Vec::with_capacity(arr.len());
    for x in arr {
        match x
            .as_u64()
            .or_else(|| x.as_str().and_then(|s| s.parse().ok()))
        {
            Some(id) => wanted.push(id),
            None => return bad("'ids' must be a list of worklog IDs."),
        }
    }
    wanted.sort_unstable();
    wanted.dedup();
    let org = st.org();
    let c = ctx(&st, &org);
    let mut out: Vec<(u64, Value)> = Vec::new();
    for i in org.visible_issues() {
        for w in &i.worklogs {
            if wanted.binary_search(&w.id).is_ok() {
                out.push((w.id, c.worklog(i, w)));
            }
        }
    }
    out.sort_by_key(|x| x.0);
    ok(&Value::Array(out.into_iter().map(|x| x.1).collect()))
}

async fn boards(State(st): State<SimState>, Query(q): Query<Vec<(String, String)>>) -> Response {
    let p = Params(q);
    let (start, max) = match p.page(50, 50) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let org = st.org();
    let filter = p.get("projectKeyOrId");
    if let Some(f) = filter
        && !org
            .visible_projects()
            .any(|pr| pr.key.eq_ignore_ascii_case(f) || pr.id.to_string() == f)
    {
        return bad(format!("No project could be found with key or id '{f}'."));
    }
    let kind = p.get("type");
    let c = ctx(&st, &org);
    let list: Vec<_> = org
        .boards
        .iter()
        .filter(|b| {
            org.project(b.project_id)
                .map(|pr| pr.browsable)
                .unwrap_or(false)
        })
        .filter(|b| {
            filter
                .map(|f| {
                    org.project(b.project_id)
                        .map(|pr| pr.key.eq_ignore_ascii_case(f) || pr.id.to_string() == f)
                        .unwrap_or(false)
                })
                .unwrap_or(true)
        })
        .filter(|b| kind.map(|k| b.kind == k).unwrap_or(true))
        .collect();
    let total = list.len();
    let values: Vec<Value> = list
        .iter()
        .skip(start)
        .take(max)
        .map(|b| c.board(b))
        .collect();
    ok(&json!({
        "maxResults": max, "startAt": start, "total": total,
        "isLast": start.saturating_add(max) >= total, "values": values,
    }))
}

async fn board_sprints(
    State(st): State<SimState>,
    Path(board): Path<String>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let (start, max) = match p.page(50, 50) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let org = st.org();
    let b = board.parse::<u64>().ok().and_then(|id| {
        org.boards.iter().find(|b| {
            b.id == id
                && org
                    .project(b.project_id)
                    .map(|pr| pr.browsable)
                    .unwrap_or(false)
        })
    });
    let Some(b) = b else {
        return err(
            StatusCode::NOT_FOUND,
            "Board does not exist or you do not have permission to see it.",
        );
    };
    if b.kind != "scrum" {
        return bad("The board does not support sprints");
    }
    let states: Vec<String> = p
        .all("state")
        .iter()
        .flat_map(|s| s.split(',').map(|x| x.trim().to_owned()))
        .filter(|s| !s.is_empty())
        .collect();
    let c = ctx(&st, &org);
    let list: Vec<_> = org
        .sprints
        .iter()
        .filter(|s| s.board_id == b.id)
        .filter(|s| states.is_empty() || states.contains(&s.state))
        .collect();
    let values: Vec<Value> = list
        .iter()
        .skip(start)
        .take(max)
        .map(|s| c.sprint(s))
        .collect();
    ok(&json!({
        "maxResults": max, "startAt": start, "isLast": start.saturating_add(max) >= list.len(), "values": values,
    }))
}

// ---------------------------------------------------------------------------------------
// Data Center

async fn dc_projects(State(st): State<SimState>) -> Response {
    let org = st.org();
    let c = ctx(&st, &org);
    ok(&Value::Array(
        org.visible_projects()
            .map(|p| c.project_full(p, &[]))
            .collect(),
    ))
}

async fn dc_search_get(
    State(st): State<SimState>,
    Query(q): Query<Vec<(String, String)>>,
) -> Response {
    let p = Params(q);
    let (start, max) = match (p.int("startAt"), p.int("maxResults")) {
        (Ok(s), Ok(m)) => (s, m),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let expand: Vec<String> = p
        .all("expand")
        .iter()
        .flat_map(|e| e.split(',').map(|x| x.trim().to_owned()))
        .collect();
    dc_search(
        &st,
        p.get("jql").unwrap_or(""),
        start,
        max,
        &p.all("fields"),
        &expand,
    )
}

async fn dc_search_post(State(st): State<SimState>, body: Bytes) -> Response {
    let v = match parse_body(&body) {
        Ok(v) => v,
        Err(r) => return r,
    };
    let jql = v
        .get("jql")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let start = v.get("startAt").and_then(Value::as_i64);
    let max = v.get("maxResults").and_then(Value::as_i64);
    let fields = match str_list(v.get("fields"), "fields") {
        Ok(f) => f,
        Err(r) => return r,
    };
    let expand = match str_list(v.get("expand"), "expand") {
        Ok(f) => f,
        Err(r) => return r,
    };
    dc_search(&st, &jql, start, max, &fields, &expand)
}

/// Data Center search: `startAt`/`maxResults` (≤ 1000) with `total`; fields default to
/// `*navigable`; `expand=changelog` inlines every history.
fn dc_search(
    st: &SimState,
    jql: &str,
    start: Option<i64>,
    max: Option<i64>,
    fields: &[String],
    expand: &[String],
) -> Response {
    let start = start.unwrap_or(0);
    let max = max.unwrap_or(50);
    if start < 0 || max < 0 {
        return bad("'startAt' and 'maxResults' must not be negative.");
    }
    let (start, max) = (start as usize, max.min(1000) as usize);
    let org = st.org();
    let query = match Jql::parse(jql, &org, st.now_ms()) {
        Ok(q) => q,
        Err(m) => return bad(m),
    };
    let sel = parse_fields(&org, fields, DefaultSel::Navigable);
    let changelog = expand.iter().any(|e| e == "changelog");
    let mut hits: Vec<&Issue> = org.visible_issues().filter(|i| query.matches(i)).collect();
    query.sort(&mut hits);
    let c = ctx(st, &org);
    let issues: Vec<Value> = hits
        .iter()
        .skip(start)
        .take(max)
        .map(|i| c.issue(i, &sel, changelog.then_some(usize::MAX)))
        .collect();
    ok(&json!({
        "expand": "schema,names", "startAt": start, "maxResults": max,
        "total": hits.len(), "issues": issues,
    }))
}
