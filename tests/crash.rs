//! `kill -9` at 20 points of a sync, then resume: the warehouse converges to exactly what an
//! uninterrupted run produces — no lost rows, no duplicates.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use jirafe::jira_sim::{Org, OrgConfig};
use jirafe::partition_writer::PartitionWriter;
use jirafe::pipeline::Warehouse;

const SEED: u64 = 13;
const ISSUES: usize = 300;
const KEY: &str = "crash-test-key-crash-test-key-crash-test-key!";

struct Sim(Child);

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_sim() -> (Sim, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(env!("CARGO_BIN_EXE_jirafe"))
        .args([
            "sim",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--seed",
            &SEED.to_string(),
            "--issues",
            &ISSUES.to_string(),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let sim = Sim(child);
    for _ in 0..200 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (sim, format!("http://127.0.0.1:{port}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("the simulator did not start");
}

fn sync_cmd(base: &str, dir: &Path) -> Command {
    let creds = Org::generate(&OrgConfig::new(SEED, ISSUES)).credentials();
    let mut c = Command::new(env!("CARGO_BIN_EXE_jirafe"));
    c.arg("sync")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("JIRA_BASE_URL", base)
        .env("JIRA_EMAIL", creds.email)
        .env("JIRA_API_TOKEN", creds.api_token)
        .env("JIRAFE_HASH_KEY", KEY)
        .env("JIRAFE_WAREHOUSE", dir)
        .env("JIRAFE_LOCK_STALE_SECONDS", "1")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

fn run_to_end(base: &str, dir: &Path) -> Duration {
    let start = Instant::now();
    let status = sync_cmd(base, dir).status().unwrap();
    assert!(status.success(), "sync failed in {}", dir.display());
    start.elapsed()
}

/// Every table's partitions, month by month.
fn snapshot(dir: &Path) -> Vec<(String, String, Vec<arrow::array::RecordBatch>)> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let w = Warehouse::open(dir.to_str().unwrap()).unwrap();
        let pw = PartitionWriter::new(w.store.clone(), object_store::path::Path::default());
        let mut out = Vec::new();
        for t in jirafe::schema::Table::ALL {
            for m in pw.list_partitions(t.name()).await.unwrap() {
                let batches = pw
                    .read_partition(t.name(), m)
                    .await
                    .unwrap()
                    .unwrap_or_default();
                out.push((t.name().to_owned(), m.to_string(), batches));
            }
        }
        out
    })
}

#[test]
fn killed_at_twenty_points_then_resumed_equals_an_uninterrupted_run() {
    let (_sim, base) = start_sim();
    let reference = tempfile::tempdir().unwrap();
    let full = run_to_end(&base, reference.path());
    let want = snapshot(reference.path());
    assert!(want.iter().any(|(t, _, b)| t == "issues" && !b.is_empty()));

    let points = 20u32;
    let mut killed_mid_run = 0;
    for k in 0..points {
        let dir = tempfile::tempdir().unwrap();
        // Spread the kills over the whole run, from just after start to near the end.
        let delay = Duration::from_millis(20) + full.mul_f64(f64::from(k) / f64::from(points));
        let mut child = sync_cmd(&base, dir.path()).spawn().unwrap();
        std::thread::sleep(delay);
        if child.try_wait().unwrap().is_none() {
            killed_mid_run += 1;
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
        run_to_end(&base, dir.path());
        let got = snapshot(dir.path());
        assert_eq!(
            got.len(),
            want.len(),
            "kill point {k} ({delay:?}): partitions differ"
        );
        for (g, w) in got.iter().zip(&want) {
            assert_eq!((&g.0, &g.1), (&w.0, &w.1), "kill point {k}");
            assert_eq!(
                g.2, w.2,
                "kill point {k} ({delay:?}): table {} month {} differs",
                g.0, g.1
            );
        }
    }
    assert!(
        killed_mid_run >= points / 2,
        "only {killed_mid_run} kills landed mid-run"
    );
}
