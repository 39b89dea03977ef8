//! Crash test with a real process: this binary re-executes itself as a receiver, the
//! parent sends it signed deliveries, kills it with SIGKILL, and restarts the receiver on
//! the same data directory. Every accepted event must be processed; events processed
//! before the kill may come again (at most the batches in flight), none may be missing.
//!
//! `harness = false`: `main` is the test; a non-zero exit is a failure.

#![allow(clippy::print_stdout)]

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::Arc;
use std::time::Duration;

use common::{Recorder, Server, issue_body, secret};
use jirafe_webhook::{Event, ProcessError, Processor, Receiver};

const CHILD_ENV: &str = "JIRAFE_WEBHOOK_CRASH_CHILD";
const BATCH: usize = 5;

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    if let Ok(mode) = std::env::var(CHILD_ENV) {
        rt.block_on(child(&mode));
        return;
    }
    rt.block_on(killed_before_processing());
    println!("crash: killed before processing ... ok");
    rt.block_on(killed_while_processing());
    println!("crash: killed while processing ... ok");
}

// ---------------------------------------------------------------------------------------
// The child: a receiver that never finishes (`block`) or processes slowly (`slow`).

struct Block;
#[jirafe_webhook::async_trait]
impl Processor for Block {
    async fn process(&self, _: &[Event]) -> Result<(), ProcessError> {
        std::future::pending().await
    }
}

/// Appends each processed issue id to a file, fsynced, then takes its time.
struct Slow(PathBuf);
#[jirafe_webhook::async_trait]
impl Processor for Slow {
    async fn process(&self, events: &[Event]) -> Result<(), ProcessError> {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(&self.0)
            .map_err(ProcessError::new)?;
        for e in events {
            writeln!(f, "{}", e.issue_id).map_err(ProcessError::new)?;
        }
        f.sync_all().map_err(ProcessError::new)?;
        tokio::time::sleep(Duration::from_millis(20)).await;
        Ok(())
    }
}

async fn child(mode: &str) {
    let root = PathBuf::from(std::env::var("CRASH_ROOT").unwrap());
    let builder = Receiver::builder(root.join("data"))
        .with_secret(secret())
        .with_batch_size(BATCH)
        .with_batch_linger(Duration::ZERO);
    let receiver = match mode {
        "block" => builder.build(Block),
        _ => builder.build(Slow(root.join("processed.txt"))),
    }
    .unwrap();
    let (router, worker) = receiver.into_parts();
    tokio::spawn(worker.run_until(std::future::pending()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    std::fs::write(root.join("port.tmp"), port.to_string()).unwrap();
    std::fs::rename(root.join("port.tmp"), root.join("port")).unwrap();
    axum::serve(listener, router).await.unwrap();
}

// ---------------------------------------------------------------------------------------
// The parent.

struct Killed {
    root: tempfile::TempDir,
    accepted: BTreeSet<u64>,
}

fn spawn(mode: &str, root: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .env(CHILD_ENV, mode)
        .env("CRASH_ROOT", root)
        .spawn()
        .unwrap()
}

async fn wait_for(path: &Path) -> String {
    for _ in 0..3000 {
        if let Ok(s) = std::fs::read_to_string(path) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("child never wrote {path:?}");
}

/// Starts a child, has it accept `n` deliveries (plus retries of some), then kills it
/// once `kill_when` holds.
async fn accept_then_kill(mode: &str, n: u64, kill_when: impl AsyncFn(&Path) -> bool) -> Killed {
    let root = tempfile::tempdir().unwrap();
    let mut child = spawn(mode, root.path());
    let port = wait_for(&root.path().join("port")).await;
    let client = reqwest::Client::new();
    let url = format!("http://127.0.0.1:{port}/webhooks/jira");
    let mut tasks = Vec::new();
    for i in 1..=n {
        let (client, url) = (client.clone(), url.clone());
        tasks.push(tokio::spawn(async move {
            let body = issue_body("jira:issue_updated", &i.to_string(), &format!("CRASH-{i}"));
            let sig = secret().sign(&body);
            let mut statuses = Vec::new();
            // Every tenth delivery is retried by "Jira" with the same identifier.
            for _ in 0..(1 + usize::from(i % 10 == 0)) {
                let res = client
                    .post(&url)
                    .header("x-hub-signature", &sig)
                    .header("x-atlassian-webhook-identifier", format!("crash-{i}"))
                    .body(body.clone())
                    .send()
                    .await
                    .unwrap();
                statuses.push(res.status().as_u16());
            }
            (i, statuses)
        }));
    }
    let mut accepted = BTreeSet::new();
    for t in tasks {
        let (i, statuses) = t.await.unwrap();
        assert!(
            statuses.iter().all(|&s| s == 202),
            "delivery {i}: {statuses:?}"
        );
        accepted.insert(i);
    }
    for _ in 0..3000 {
        if kill_when(root.path()).await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    child.kill().unwrap(); // SIGKILL: no destructor, no flush
    child.wait().unwrap();
    assert!(
        root.path().join("data/receiver.lock").exists(),
        "the killed child left its lock"
    );
    Killed { root, accepted }
}

async fn restart(data: &Path) -> (Arc<Recorder>, Server) {
    let rec = Arc::new(Recorder::default());
    let srv = Server::start(
        Receiver::builder(data)
            .with_secret(secret())
            .with_batch_size(BATCH),
        rec.clone(),
    )
    .await;
    (rec, srv)
}

async fn killed_before_processing() {
    let k = accept_then_kill("block", 300, async |_: &Path| true).await;
    let (rec, srv) = restart(&k.root.path().join("data")).await;
    assert_eq!(srv.health.get().replayed_on_start, 300);
    srv.wait_processed(300).await;
    // Retries after the restart are still recognised.
    let body = issue_body("jira:issue_updated", "10", "CRASH-10");
    let (status, text) = srv.post_signed_with_id(&body, "crash-10").await;
    assert_eq!(status, 202);
    assert!(text.contains("duplicate"), "{text}");
    srv.shutdown().await;
    let mut ids = rec.issue_ids();
    ids.sort_unstable();
    // Exactly once: nothing was processed before the kill.
    assert_eq!(ids, k.accepted.iter().copied().collect::<Vec<_>>());
}

async fn killed_while_processing() {
    let n = 200;
    let k = accept_then_kill("slow", n, async |root: &Path| {
        let done = std::fs::read_to_string(root.join("processed.txt")).unwrap_or_default();
        done.lines().count() >= 40
    })
    .await;
    let before: Vec<u64> = std::fs::read_to_string(k.root.path().join("processed.txt"))
        .unwrap_or_default()
        .lines()
        .map(|l| l.parse().unwrap())
        .collect();
    assert!(
        before.len() >= 40 && (before.len() as u64) < n,
        "killed after {} events",
        before.len()
    );
    let (rec, srv) = restart(&k.root.path().join("data")).await;
    let replayed = srv.health.get().replayed_on_start;
    srv.wait_processed(replayed).await;
    srv.shutdown().await;
    let after = rec.issue_ids();
    let all: BTreeSet<u64> = before.iter().chain(after.iter()).copied().collect();
    assert_eq!(all, k.accepted, "an accepted event was lost");
    let again: Vec<u64> = after
        .iter()
        .filter(|id| before.contains(id))
        .copied()
        .collect();
    assert!(
        again.len() <= 2 * BATCH,
        "{} events processed twice",
        again.len()
    );
    let unique: BTreeSet<u64> = after.iter().copied().collect();
    assert_eq!(
        unique.len(),
        after.len(),
        "the replay handed an event over twice"
    );
}
