//! A real S3 server for integration tests (feature `testing`): [`S3sFs`] starts
//! [`s3s-fs`](https://crates.io/crates/s3s-fs) on `127.0.0.1`, on a free port, over a fresh
//! temporary directory, with its own access key, and kills it when dropped. No mocks.
//!
//! [`S3Target`] is what most tests want: the server named by `JIRAFE_TEST_S3_ENDPOINT`
//! when that is set (with `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and
//! `JIRAFE_TEST_S3_BUCKET`, default `jirafe-test`), otherwise a fresh [`S3sFs`]. Every
//! target hands out unique prefixes, so tests sharing one external server do not collide.
//!
//! The `s3s-fs` binary is looked up as `$JIRAFE_S3S_FS`, then on `PATH`, then in
//! `$CARGO_HOME/bin` (default `~/.cargo/bin`). When it is missing the error says how to
//! install it: `cargo install s3s-fs@0.14.1 --features binary --locked`.
//!
//! [`FaultProxy`] sits between a store and the server and answers chosen requests with
//! `503 Slow Down` or a connection reset, for retry tests.
//!
//! This module is for tests: it spawns processes and reads the environment as a test
//! harness does, but returns errors instead of panicking.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path as FsPath, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// The install command printed when `s3s-fs` is missing.
pub const INSTALL_HINT: &str = "cargo install s3s-fs@0.14.1 --features binary --locked";

/// The region every test store uses (s3s-fs accepts any).
pub const REGION: &str = "us-east-1";

/// Why a test server could not be provided.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// `s3s-fs` is not installed.
    #[error(
        "the S3 integration tests need s3s-fs: install it with `{INSTALL_HINT}` (scripts/test does), or point JIRAFE_TEST_S3_ENDPOINT (with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, JIRAFE_TEST_S3_BUCKET) at an S3 server"
    )]
    NotInstalled,
    /// Starting or stopping the server failed.
    #[error("s3s-fs: {0}")]
    Server(String),
    /// This operation needs a server the test owns (not `JIRAFE_TEST_S3_ENDPOINT`).
    #[error("this test needs its own s3s-fs (it stops and restarts the server)")]
    External,
}

fn server(reason: impl std::fmt::Display) -> HarnessError {
    HarnessError::Server(reason.to_string())
}

/// Locates the `s3s-fs` binary.
///
/// # Errors
/// [`HarnessError::NotInstalled`], whose message says how to install it.
pub fn find_binary() -> Result<PathBuf, HarnessError> {
    if let Some(p) = std::env::var_os("JIRAFE_S3S_FS").map(PathBuf::from)
        && p.is_file()
    {
        return Ok(p);
    }
    let on_path = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")));
    on_path
        .into_iter()
        .chain(cargo_home.map(|c| c.join("bin")))
        .map(|dir| dir.join("s3s-fs"))
        .find(|p| p.is_file())
        .ok_or(HarnessError::NotInstalled)
}

static SERIAL: AtomicU64 = AtomicU64::new(0);

fn unique(label: &str) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!(
        "{label}-{}-{nanos:x}-{}",
        std::process::id(),
        SERIAL.fetch_add(1, Ordering::Relaxed)
    )
}

/// A running `s3s-fs`, killed (and its directory removed) on drop.
#[derive(Debug)]
pub struct S3sFs {
    binary: PathBuf,
    child: Option<Child>,
    root: tempfile::TempDir,
    port: u16,
    access_key: String,
    secret_key: String,
    bucket: String,
}

impl S3sFs {
    /// Starts a server with one bucket (`jirafe-test`).
    ///
    /// # Errors
    /// [`HarnessError::NotInstalled`] or a failure to start.
    pub fn start() -> Result<S3sFs, HarnessError> {
        let binary = find_binary()?;
        let root = tempfile::Builder::new()
            .prefix("jirafe-s3s-")
            .tempdir()
            .map_err(server)?;
        let bucket = "jirafe-test".to_owned();
        std::fs::create_dir_all(root.path().join(&bucket)).map_err(server)?;
        let mut s = S3sFs {
            binary,
            child: None,
            root,
            port: 0,
            access_key: unique("AKTEST"),
            secret_key: unique("secret"),
            bucket,
        };
        // A free port can be taken between probing and binding: try a few.
        let mut last = None;
        for _ in 0..5 {
            s.port = free_port()?;
            match s.spawn() {
                Ok(()) => return Ok(s),
                Err(e) => last = Some(e),
            }
        }
        Err(last.unwrap_or_else(|| server("did not start")))
    }

    fn spawn(&mut self) -> Result<(), HarnessError> {
        let mut child = Command::new(&self.binary)
            .arg("--host")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(self.port.to_string())
            .arg("--access-key")
            .arg(&self.access_key)
            .arg("--secret-key")
            .arg(&self.secret_key)
            .arg(self.root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(server)?;
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, self.port));
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(20) {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(server(format!("exited at start ({status})")));
            }
            if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
                self.child = Some(child);
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        Err(server("did not accept connections within 20 s"))
    }

    /// Kills the server at once (SIGKILL): requests in flight fail mid-way.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// Starts the server again on the same port and directory (after [`kill`](Self::kill)).
    ///
    /// # Errors
    /// When it does not come up (for example the port was taken meanwhile).
    pub fn restart(&mut self) -> Result<(), HarnessError> {
        self.kill();
        self.spawn()
    }

    /// `http://127.0.0.1:<port>`.
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The bucket's directory on disk: object `a/b` of the bucket is the file `a/b` here.
    pub fn bucket_dir(&self) -> PathBuf {
        self.root.path().join(&self.bucket)
    }

    /// The server's root directory.
    pub fn root(&self) -> &FsPath {
        self.root.path()
    }
}

impl Drop for S3sFs {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> Result<u16, HarnessError> {
    let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(server)?;
    Ok(l.local_addr().map_err(server)?.port())
}

/// An S3 server for a test: an external one from the environment, or an owned `s3s-fs`.
#[derive(Debug)]
pub struct S3Target {
    endpoint: String,
    access_key: String,
    secret_key: String,
    bucket: String,
    own: Option<S3sFs>,
}

impl S3Target {
    /// `JIRAFE_TEST_S3_ENDPOINT` (+ `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `JIRAFE_TEST_S3_BUCKET`) when set, otherwise a fresh [`S3sFs`].
    ///
    /// # Errors
    /// As [`S3sFs::start`], or a missing credential variable next to the endpoint.
    pub fn from_env_or_start() -> Result<S3Target, HarnessError> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        if let Some(endpoint) = var("JIRAFE_TEST_S3_ENDPOINT") {
            let (Some(access_key), Some(secret_key)) =
                (var("AWS_ACCESS_KEY_ID"), var("AWS_SECRET_ACCESS_KEY"))
            else {
                return Err(server(
                    "JIRAFE_TEST_S3_ENDPOINT is set but AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not",
                ));
            };
            return Ok(S3Target {
                endpoint,
                access_key,
                secret_key,
                bucket: var("JIRAFE_TEST_S3_BUCKET").unwrap_or_else(|| "jirafe-test".into()),
                own: None,
            });
        }
        S3Target::start_own()
    }

    /// Always a fresh, owned [`S3sFs`] (for tests that kill the server).
    ///
    /// # Errors
    /// As [`S3sFs::start`].
    pub fn start_own() -> Result<S3Target, HarnessError> {
        let s = S3sFs::start()?;
        Ok(S3Target {
            endpoint: s.endpoint(),
            access_key: s.access_key.clone(),
            secret_key: s.secret_key.clone(),
            bucket: s.bucket.clone(),
            own: Some(s),
        })
    }

    /// The owned server, to kill or restart it.
    ///
    /// # Errors
    /// [`HarnessError::External`] for a server from `JIRAFE_TEST_S3_ENDPOINT`.
    pub fn server(&mut self) -> Result<&mut S3sFs, HarnessError> {
        self.own.as_mut().ok_or(HarnessError::External)
    }

    /// The bucket's directory on disk, for an owned server (`None` for an external one).
    pub fn bucket_dir(&self) -> Option<PathBuf> {
        self.own.as_ref().map(S3sFs::bucket_dir)
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The bucket.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// A warehouse URL under a fresh prefix: `s3://<bucket>/<label>-<unique>`.
    pub fn fresh_url(&self, label: &str) -> String {
        format!("s3://{}/{}", self.bucket, unique(label))
    }

    /// The warehouse options for this server: `endpoint`, `region`, retries short enough
    /// for a test, and the concurrency mode that is safe on it — `lock` with a 100 ms
    /// settle for s3s-fs, whose conditional writes are not atomic; for an external server
    /// `JIRAFE_TEST_S3_CONCURRENCY` (default `lock`).
    pub fn options(&self) -> BTreeMap<String, String> {
        let mut o = self.server_options();
        let mode = match &self.own {
            Some(_) => "lock".to_owned(),
            None => std::env::var("JIRAFE_TEST_S3_CONCURRENCY").unwrap_or_else(|_| "lock".into()),
        };
        if mode == "lock" {
            o.insert("lock_settle_ms".into(), "100".into());
        }
        o.insert("concurrency".into(), mode);
        o
    }

    /// Only `endpoint`, `region` and test-length retries (default concurrency).
    pub fn server_options(&self) -> BTreeMap<String, String> {
        [
            ("endpoint", self.endpoint.as_str()),
            ("region", REGION),
            ("max_retries", "4"),
            ("retry_initial_backoff_ms", "50"),
            ("retry_max_backoff_secs", "1"),
            ("retry_timeout_secs", "20"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
    }

    /// The environment a process needs to reach this server: the credentials plus
    /// `AWS_ENDPOINT`, `AWS_REGION` and `AWS_ALLOW_HTTP` (for a child `jirafe` process
    /// started with `env_clear`).
    pub fn env(&self) -> Vec<(String, String)> {
        let mut v = self.credentials_env();
        v.push(("AWS_ENDPOINT".into(), self.endpoint.clone()));
        v.push(("AWS_REGION".into(), REGION.into()));
        if crate::s3::is_loopback_http(&self.endpoint) {
            v.push(("AWS_ALLOW_HTTP".into(), "true".into()));
        }
        v
    }

    /// Only the credential variables.
    pub fn credentials_env(&self) -> Vec<(String, String)> {
        vec![
            ("AWS_ACCESS_KEY_ID".into(), self.access_key.clone()),
            ("AWS_SECRET_ACCESS_KEY".into(), self.secret_key.clone()),
        ]
    }

    /// Opens `url` on this server with [`Self::options`] (with `extra` on top; a key with
    /// an empty value is removed) and the credentials, ignoring the process environment.
    ///
    /// # Errors
    /// As [`crate::open_with_env`].
    pub fn open(&self, url: &str, extra: &[(&str, &str)]) -> crate::Result<crate::Opened> {
        let mut opts = self.options();
        for (k, v) in extra {
            if v.is_empty() {
                opts.remove(*k);
            } else {
                opts.insert((*k).to_owned(), (*v).to_owned());
            }
        }
        crate::open_with_env(url, &opts, self.credentials_env())
    }
}

/// What [`FaultProxy`] does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// Forward it to the server.
    Forward,
    /// Answer `503 Slow Down` (the S3 throttling answer) without forwarding.
    SlowDown,
    /// Reset the connection (TCP RST) without answering or forwarding.
    Reset,
    /// Forward the request head and half of its body, then stop sending: the server is
    /// left mid-upload (for a test that kills it there). Counted in
    /// [`ProxyStats::truncated`]; the connection is held until either side closes.
    Truncate,
}

/// Counts of what a [`FaultProxy`] did.
#[derive(Debug, Default)]
pub struct ProxyStats {
    /// Requests seen.
    pub requests: AtomicU64,
    /// Requests answered with 503.
    pub slow_downs: AtomicU64,
    /// Connections reset.
    pub resets: AtomicU64,
    /// Requests forwarded only half-way ([`Fault::Truncate`]).
    pub truncated: AtomicU64,
}

type Plan = dyn Fn(u64, &str, &str) -> Fault + Send + Sync;

/// A TCP proxy on `127.0.0.1` in front of a real S3 server that injects transient faults:
/// the plan is asked, for the n-th request (0-based), its method and its path, whether to
/// forward it, answer 503, reset the connection, or forward only half of it. Every connection carries one request (the proxy
/// asks the server to close after answering), so faults hit requests, not connections.
/// Stopped when dropped.
#[derive(Debug)]
pub struct FaultProxy {
    addr: SocketAddr,
    stats: Arc<ProxyStats>,
    task: tokio::task::JoinHandle<()>,
}

impl FaultProxy {
    /// Starts the proxy in front of `upstream` (an `http://host:port` endpoint).
    ///
    /// # Errors
    /// When the endpoint is not `http://127.0.0.1:<port>`-like or no port can be bound.
    pub async fn start(
        upstream: &str,
        plan: impl Fn(u64, &str, &str) -> Fault + Send + Sync + 'static,
    ) -> Result<FaultProxy, HarnessError> {
        let u = url::Url::parse(upstream).map_err(server)?;
        let host = u
            .host_str()
            .ok_or_else(|| server("endpoint without host"))?;
        let port = u
            .port_or_known_default()
            .ok_or_else(|| server("endpoint without port"))?;
        let upstream = format!("{host}:{port}");
        let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .await
            .map_err(server)?;
        let addr = listener.local_addr().map_err(server)?;
        let stats = Arc::new(ProxyStats::default());
        let plan: Arc<Plan> = Arc::new(plan);
        let task_stats = Arc::clone(&stats);
        let task = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let upstream = upstream.clone();
                let plan = Arc::clone(&plan);
                let stats = Arc::clone(&task_stats);
                tokio::spawn(async move {
                    let _ = proxy_one(client, &upstream, plan.as_ref(), &stats).await;
                });
            }
        });
        Ok(FaultProxy { addr, stats, task })
    }

    /// `http://127.0.0.1:<port>` of the proxy.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// What the proxy did so far.
    pub fn stats(&self) -> &ProxyStats {
        &self.stats
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn proxy_one(
    mut client: tokio::net::TcpStream,
    upstream: &str,
    plan: &Plan,
    stats: &ProxyStats,
) -> std::io::Result<()> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut buf = Vec::with_capacity(4096);
    let head_end = loop {
        let mut chunk = [0u8; 4096];
        let n = client.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(chunk.get(..n).unwrap_or_default());
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        if buf.len() > 64 * 1024 {
            return Ok(());
        }
    };
    let (head, rest) = buf.split_at(head_end);
    let head = String::from_utf8_lossy(head).into_owned();
    let mut words = head.split(' ');
    let method = words.next().unwrap_or_default().to_owned();
    let target = words.next().unwrap_or_default().to_owned();
    let n = stats.requests.fetch_add(1, Ordering::Relaxed);
    match plan(n, &method, &target) {
        Fault::SlowDown => {
            stats.slow_downs.fetch_add(1, Ordering::Relaxed);
            let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>";
            let answer = format!(
                "HTTP/1.1 503 Slow Down\r\ncontent-type: application/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            client.write_all(answer.as_bytes()).await?;
            client.shutdown().await
        }
        Fault::Reset => {
            stats.resets.fetch_add(1, Ordering::Relaxed);
            client.set_zero_linger()?;
            drop(client);
            Ok(())
        }
        Fault::Truncate => {
            let length: usize = head
                .split("\r\n")
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().ok())?
                })
                .unwrap_or(0);
            let half = length / 2;
            let mut up = tokio::net::TcpStream::connect(upstream).await?;
            up.write_all(head.as_bytes()).await?;
            let mut sent = rest.len().min(half);
            up.write_all(rest.get(..sent).unwrap_or_default()).await?;
            let mut chunk = vec![0u8; 16 * 1024];
            while sent < half {
                let n = client.read(&mut chunk).await?;
                if n == 0 {
                    break;
                }
                let take = n.min(half - sent);
                up.write_all(chunk.get(..take).unwrap_or_default()).await?;
                sent += take;
            }
            up.flush().await?;
            stats.truncated.fetch_add(1, Ordering::Relaxed);
            // Hold both connections until one side goes away (the server is killed, or the
            // client gives up).
            let (mut a, mut b) = ([0u8; 1], [0u8; 1]);
            tokio::select! {
                _ = up.read(&mut a) => {}
                _ = client.read(&mut b) => {}
            }
            Ok(())
        }
        Fault::Forward => {
            let mut up = tokio::net::TcpStream::connect(upstream).await?;
            let mut rewritten = String::with_capacity(head.len() + 20);
            for line in head.trim_end_matches("\r\n").split("\r\n") {
                if !line.to_ascii_lowercase().starts_with("connection:") {
                    rewritten.push_str(line);
                    rewritten.push_str("\r\n");
                }
            }
            rewritten.push_str("connection: close\r\n\r\n");
            up.write_all(rewritten.as_bytes()).await?;
            up.write_all(rest).await?;
            tokio::io::copy_bidirectional(&mut client, &mut up).await?;
            Ok(())
        }
    }
}
