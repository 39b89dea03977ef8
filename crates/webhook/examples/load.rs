//! Load generator: starts the receiver on loopback, fires signed Jira-like deliveries
//! concurrently, prints accepted requests/s and p50/p99 accept latency, then checks that
//! every accepted event was processed exactly once.
//!
//! ```text
//! cargo run --release -p jirafe-webhook --example load -- [--requests 20000] [--concurrency 64] [--dir PATH]
//! ```
//!
//! The journal goes to a temporary directory under `--dir` (default: the system temp
//! dir), which should be on a real disk: every accept waits for `fdatasync`.
#![allow(clippy::print_stdout)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering::Relaxed};
use std::time::{Duration, Instant};

use axum::serve::ListenerExt;
use jirafe_webhook::{Event, ProcessError, Processor, Receiver, WebhookSecret};

/// Counts how often each issue id was processed.
struct Count(Vec<AtomicU32>);

#[jirafe_webhook::async_trait]
impl Processor for Count {
    async fn process(&self, events: &[Event]) -> Result<(), ProcessError> {
        for e in events {
            if let Some(c) = self.0.get(e.issue_id as usize) {
                c.fetch_add(1, Relaxed);
            }
        }
        Ok(())
    }
}

fn arg(name: &str, default: &str) -> String {
    let args: Vec<String> = std::env::args().collect();
    let pos = args.iter().position(|a| a == name);
    pos.and_then(|i| args.get(i + 1))
        .cloned()
        .unwrap_or_else(|| default.to_owned())
}

/// A delivery shaped like Jira's `jira:issue_updated` (about 2.5 KB).
fn body(id: usize) -> Vec<u8> {
    serde_json::json!({
        "timestamp": 1_700_000_000_000_i64 + id as i64, "webhookEvent": "jira:issue_updated",
        "issue_event_type_name": "issue_updated",
        "user": {"accountId": "5b10ac8d82e05b22cc7d4ef5", "displayName": "Load Tester", "active": true},
        "issue": {"id": id.to_string(), "key": format!("LOAD-{id}"), "self": "https://example.invalid/rest/api/2/issue/1",
            "fields": {"summary": "x".repeat(200), "description": "y".repeat(1500),
                "status": {"name": "In Progress", "id": "3"}, "labels": ["a", "b"]}},
        "changelog": {"id": "1", "items": [{"field": "status", "fromString": "To Do", "toString": "In Progress"}]}
    })
    .to_string()
    .into_bytes()
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = arg("--requests", "20000").parse()?;
    let concurrency: usize = arg("--concurrency", "64").parse()?;
    let dir = tempfile::tempdir_in(arg("--dir", &std::env::temp_dir().to_string_lossy()))?;
    let secret = WebhookSecret::new("load-test-secret-0123456789abcdef")?;
    let counts = Arc::new(Count((0..=n).map(|_| AtomicU32::new(0)).collect()));
    let receiver = Receiver::builder(dir.path().join("webhook"))
        .with_secret(secret.clone())
        .with_max_pending(n + 1)
        .build(Arc::clone(&counts))?;
    let health = receiver.health_handle();
    let (router, worker) = receiver.into_parts();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/webhooks/jira", listener.local_addr()?);
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    tokio::spawn(async move { axum::serve(listener, router).await });
    tokio::spawn(worker.run_until(std::future::pending()));

    // Jira signs; sign everything up front so the clock measures the receiver.
    let bodies: Arc<Vec<(Vec<u8>, String)>> = Arc::new(
        (1..=n)
            .map(|i| {
                let b = body(i);
                let s = secret.sign(&b);
                (b, s)
            })
            .collect(),
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let (client, url, bodies, next) =
            (client.clone(), url.clone(), bodies.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut refused = 0usize;
            loop {
                let i = next.fetch_add(1, Relaxed);
                let Some((b, sig)) = bodies.get(i) else { break };
                let t = Instant::now();
                let res = client
                    .post(&url)
                    .header("x-hub-signature", sig)
                    .header("x-atlassian-webhook-identifier", format!("load-{i}"))
                    .body(b.clone())
                    .send()
                    .await;
                match res {
                    Ok(r) if r.status() == 202 => lat.push(t.elapsed()),
                    _ => refused += 1,
                }
            }
            (lat, refused)
        }));
    }
    let (mut lat, mut refused) = (Vec::with_capacity(n), 0);
    for t in tasks {
        let (l, r) = t.await?;
        lat.extend(l);
        refused += r;
    }
    let elapsed = start.elapsed();
    lat.sort_unstable();
    let pct = |p: f64| {
        lat.get(((lat.len() as f64 * p) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or_default()
    };
    println!(
        "requests {n}, concurrency {concurrency}, body {} bytes",
        bodies[0].0.len()
    );
    println!(
        "accepted {} ({refused} refused) in {:.2} s = {:.0} req/s; accept latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1e3,
        pct(0.99).as_secs_f64() * 1e3,
        pct(1.0).as_secs_f64() * 1e3,
    );

    let wait = Instant::now();
    while health.get().processed_total < lat.len() as u64
        && wait.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let once = counts.0.iter().filter(|c| c.load(Relaxed) == 1).count();
    let h = health.get();
    println!(
        "processed {} events in {:.2} s after the last accept; {once} issues exactly once; queue depth {}",
        h.processed_total,
        wait.elapsed().as_secs_f64(),
        h.queue_depth
    );
    if refused > 0 || once != n {
        return Err(format!(
            "{refused} refused, {} issues not processed exactly once",
            n - once
        )
        .into());
    }
    Ok(())
}
