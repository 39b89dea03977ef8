//! The pipeline against a real S3 server (s3s-fs, started by each test on 127.0.0.1; or
//! `JIRAFE_TEST_S3_ENDPOINT` for the tests that do not kill the server): the same sync into
//! S3 and into a local folder give the same objects; two concurrent syncs lose nothing; a
//! server killed mid-upload leaves the previous partitions readable and the next run
//! converges; DuckDB reads what was written. No mocks.

use std::collections::BTreeMap;
use std::path::Path as FsPath;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use arrow::array::RecordBatch;
use futures::TryStreamExt;
use jirafe::jira_sim::{OrgConfig, SimConfig, SimServer};
use jirafe::partition_writer::PartitionWriter;
use jirafe::pipeline::{Config, NoProgress, Sync, Warehouse};
use jirafe_sink_s3::testing::{Fault, FaultProxy, S3Target};
use object_store::ObjectStoreExt;

const SEED: u64 = 7;
const ISSUES: usize = 80;
const KEY: &str = "s3-test-key-s3-test-key-s3-test-key-s3-test-key!";

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

fn start_sim(rt: &tokio::runtime::Runtime) -> SimServer {
    rt.block_on(SimServer::start(SimConfig {
        org: OrgConfig::new(SEED, ISSUES),
        ..SimConfig::default()
    }))
    .unwrap()
}

fn target() -> S3Target {
    S3Target::from_env_or_start().unwrap_or_else(|e| panic!("{e}"))
}

fn own_target() -> S3Target {
    S3Target::start_own().unwrap_or_else(|e| panic!("{e}"))
}

/// A configuration for the simulator, collecting `projects` (all when empty).
fn config(sim: &SimServer, warehouse_url: &str, projects: &[&str]) -> Config {
    let c = sim.credentials();
    let vars: Vec<(&str, String)> = vec![
        ("JIRA_BASE_URL", sim.base_url()),
        ("JIRA_EMAIL", c.email),
        ("JIRA_API_TOKEN", c.api_token),
        ("JIRAFE_HASH_KEY", KEY.to_owned()),
        ("JIRAFE_WAREHOUSE", warehouse_url.to_owned()),
    ];
    let mut cfg = Config::default();
    cfg.apply_env(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
        .unwrap();
    cfg.scope.projects = projects.iter().map(|p| (*p).to_owned()).collect();
    cfg.warehouse.lock_stale_seconds = 2;
    cfg
}

async fn sync(cfg: &Config, w: Warehouse) -> jirafe::pipeline::Result<()> {
    let mut s = Sync::new(cfg, cfg.jira_client()?, w, cfg.hash_key()?)?;
    s.run(&mut NoProgress).await.map(|_| ())
}

fn s3_warehouse(t: &S3Target, url: &str, extra: &[(&str, &str)]) -> Warehouse {
    Warehouse::from_opened(url, t.open(url, extra).unwrap())
}

/// Every object under the warehouse, by key relative to the prefix.
async fn objects(w: &Warehouse) -> BTreeMap<String, Vec<u8>> {
    use futures::StreamExt;
    let metas: Vec<_> = w.store.list(Some(&w.prefix)).try_collect().await.unwrap();
    futures::stream::iter(metas)
        .map(|m| async move {
            let rel = m
                .location
                .prefix_match(&w.prefix)
                .map(|parts| {
                    parts
                        .map(|p| p.as_ref().to_owned())
                        .collect::<Vec<_>>()
                        .join("/")
                })
                .unwrap();
            let bytes = w
                .store
                .get(&m.location)
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            (rel, bytes.to_vec())
        })
        .buffer_unordered(16)
        .collect()
        .await
}

/// Every table's partitions, month by month, as read back by the partition writer.
async fn snapshot(w: &Warehouse) -> Vec<(String, String, Vec<RecordBatch>)> {
    let pw = PartitionWriter::new(w.store.clone(), w.prefix.clone());
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
}

fn assert_same_tables(
    got: &[(String, String, Vec<RecordBatch>)],
    want: &[(String, String, Vec<RecordBatch>)],
    what: &str,
) {
    let names = |v: &[(String, String, Vec<RecordBatch>)]| {
        v.iter()
            .map(|(t, m, _)| format!("{t}/{m}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(names(got), names(want), "{what}: partitions differ");
    for (g, w) in got.iter().zip(want) {
        assert_eq!(g.2, w.2, "{what}: table {} month {} differs", g.0, g.1);
    }
}

fn rows(snap: &[(String, String, Vec<RecordBatch>)]) -> usize {
    snap.iter()
        .flat_map(|(_, _, b)| b)
        .map(RecordBatch::num_rows)
        .sum()
}

fn is_table_object(key: &str) -> bool {
    jirafe::schema::Table::ALL
        .iter()
        .any(|t| key.starts_with(&format!("{}/month=", t.name())) && key.ends_with("/data.parquet"))
}

#[test]
fn a_sync_into_s3_equals_the_same_sync_into_a_local_folder() {
    let rt = runtime();
    let sim = start_sim(&rt);
    let t = target();
    let dir = tempfile::tempdir().unwrap();
    let local_url = dir.path().to_str().unwrap().to_owned();

    let local = Warehouse::open(&local_url).unwrap();
    rt.block_on(sync(&config(&sim, &local_url, &[]), local.clone()))
        .unwrap();
    let want_objects = rt.block_on(objects(&local));
    let want = rt.block_on(snapshot(&local));
    assert!(rows(&want) > ISSUES, "the reference run wrote rows");

    // The server's conditional puts (lock mode is compared with local runs in the
    // concurrency and outage tests below).
    {
        let mode = "conditional_put";
        let url = t.fresh_url("equal");
        let extra: &[(&str, &str)] = &[("concurrency", mode), ("lock_settle_ms", "")];
        let w = s3_warehouse(&t, &url, extra);
        rt.block_on(sync(&config(&sim, &url, &[]), w.clone()))
            .unwrap();
        let got_objects = rt.block_on(objects(&w));

        // Exactly the same keys (no lock or temporary object left behind).
        let keys = |m: &BTreeMap<String, Vec<u8>>| m.keys().cloned().collect::<Vec<_>>();
        assert_eq!(
            keys(&got_objects),
            keys(&want_objects),
            "{mode}: object keys"
        );
        // Table partitions are byte-identical (the encoding embeds no time); state
        // objects too.
        for (key, bytes) in &want_objects {
            if is_table_object(key) || key.starts_with("_state/") {
                assert!(
                    got_objects.get(key) == Some(bytes),
                    "{mode}: {key} differs from the local run"
                );
            }
        }
        assert_same_tables(&rt.block_on(snapshot(&w)), &want, mode);

        // Run again: nothing changes.
        rt.block_on(sync(&config(&sim, &url, &[]), w.clone()))
            .unwrap();
        let again = rt.block_on(objects(&w));
        for (key, bytes) in &got_objects {
            if is_table_object(key) {
                assert!(again.get(key) == Some(bytes), "{mode}: {key} rewritten");
            }
        }
    }
    rt.block_on(sim.shutdown());
}

#[test]
fn two_concurrent_syncs_of_different_projects_into_one_bucket_lose_nothing() {
    let rt = runtime();
    let sim = start_sim(&rt);
    let t = target();
    let a: &[&str] = &["PLAT", "WEB"];
    let b: &[&str] = &["OPS", "MOB"];

    // Reference: the two syncs one after the other, into a local folder.
    let dir = tempfile::tempdir().unwrap();
    let local_url = dir.path().to_str().unwrap().to_owned();
    let local = Warehouse::open(&local_url).unwrap();
    rt.block_on(sync(&config(&sim, &local_url, a), local.clone()))
        .unwrap();
    rt.block_on(sync(&config(&sim, &local_url, b), local.clone()))
        .unwrap();
    let want = rt.block_on(snapshot(&local));

    // The same two syncs at once: two `jirafe sync` processes, configured by a file with
    // `[warehouse.options]` (the harness's: s3s-fs's own conditional writes are not
    // atomic, so `concurrency = "lock"` with a 100 ms settle) and the environment.
    let url = t.fresh_url("concurrent");
    let home = tempfile::tempdir().unwrap();
    let creds = sim.credentials();
    let options: String = t
        .options()
        .iter()
        .map(|(k, v)| format!("{k} = {v:?}\n"))
        .collect();
    let procs: Vec<std::process::Child> = [a, b]
        .iter()
        .enumerate()
        .map(|(i, projects)| {
            let file = home.path().join(format!("jirafe-{i}.toml"));
            let list: Vec<String> = projects.iter().map(|p| format!("{p:?}")).collect();
            std::fs::write(
                &file,
                format!(
                    "[scope]\nprojects = [{}]\n\n[warehouse.options]\n{options}",
                    list.join(", ")
                ),
            )
            .unwrap();
            std::process::Command::new(env!("CARGO_BIN_EXE_jirafe"))
                .arg("sync")
                .arg("--config")
                .arg(&file)
                .env_clear()
                .env("PATH", std::env::var("PATH").unwrap_or_default())
                .env("HOME", home.path())
                .env("JIRA_BASE_URL", sim.base_url())
                .env("JIRA_EMAIL", &creds.email)
                .env("JIRA_API_TOKEN", &creds.api_token)
                .env("JIRAFE_HASH_KEY", KEY)
                .env("JIRAFE_WAREHOUSE", &url)
                .envs(t.credentials_env())
                .current_dir(home.path())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for p in procs {
        let out = p.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let w = s3_warehouse(&t, &url, &[]);
    let got = rt.block_on(snapshot(&w));
    assert_same_tables(&got, &want, "concurrent syncs");
    // Both runs are in the audit log, and the chain is whole: its create-only appends raced
    // too.
    let log = jirafe::pipeline::AuditLog::new(w.clone(), None);
    let records = rt.block_on(log.records()).unwrap();
    let syncs = records
        .iter()
        .filter(|r| r.kind == jirafe::pipeline::AuditKind::Sync)
        .count();
    assert_eq!(syncs, 2, "{records:?}");
    assert!(rt.block_on(log.verify()).unwrap().ok());
    let leftover_locks: Vec<String> = rt
        .block_on(objects(&w))
        .into_keys()
        .filter(|k| k.starts_with("_locks/"))
        .collect();
    assert!(leftover_locks.is_empty(), "{leftover_locks:?}");
    rt.block_on(sim.shutdown());
}

#[test]
fn a_server_killed_mid_upload_leaves_readable_partitions_and_the_next_run_converges() {
    let rt = runtime();
    let sim = start_sim(&rt);
    let mut t = own_target();

    // The proxy passes everything until armed; then it sends only half of the third
    // partition upload, and the server is killed while it waits for the rest.
    let armed = Arc::new(AtomicBool::new(false));
    let parquet_puts = Arc::new(AtomicU64::new(0));
    let plan_armed = Arc::clone(&armed);
    let plan_puts = Arc::clone(&parquet_puts);
    let proxy = rt
        .block_on(FaultProxy::start(t.endpoint(), move |_, method, path| {
            let armed = plan_armed.load(Ordering::SeqCst);
            if armed
                && method == "PUT"
                && path.contains("data.parquet")
                && plan_puts.fetch_add(1, Ordering::SeqCst) == 2
            {
                return Fault::Truncate;
            }
            Fault::Forward
        }))
        .unwrap();
    let proxied = proxy.endpoint();
    let url = t.fresh_url("killed");
    let open = |t: &S3Target| {
        s3_warehouse(
            t,
            &url,
            &[
                ("endpoint", proxied.as_str()),
                ("max_retries", "3"),
                ("retry_timeout_secs", "5"),
                ("timeout_secs", "5"),
                // Locks, so the killed run leaves one behind for run 3 to break; one
                // writer at a time, so a short settle.
                ("concurrency", "lock"),
                ("lock_settle_ms", "10"),
            ],
        )
    };

    // Run 1 (two projects) completes.
    let first: &[&str] = &["PLAT", "WEB"];
    rt.block_on(sync(&config(&sim, &url, first), open(&t)))
        .unwrap();
    let before = rt.block_on(snapshot(&open(&t)));
    assert!(rows(&before) > 0);

    // Run 2 (all projects: it replaces run 1's partitions) dies with the server.
    armed.store(true, Ordering::SeqCst);
    let run2 = {
        let cfg = config(&sim, &url, &[]);
        let w = open(&t);
        std::thread::spawn(move || runtime().block_on(sync(&cfg, w)))
    };
    while proxy.stats().truncated.load(Ordering::SeqCst) == 0 {
        assert!(
            !run2.is_finished(),
            "run 2 ended before the truncated upload"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    t.server().unwrap().kill();
    let failed = run2.join().unwrap();
    assert!(failed.is_err(), "run 2 cannot finish without the server");

    // Restarted: every partition is readable, and no row of run 1 is lost (a partition is
    // either run 1's or a complete newer one).
    t.server().unwrap().restart().unwrap();
    armed.store(false, Ordering::SeqCst);
    let w = open(&t);
    let after = rt.block_on(snapshot(&w));
    for (table, month, batches) in &before {
        let now = after
            .iter()
            .find(|(t2, m2, _)| t2 == table && m2 == month)
            .unwrap_or_else(|| panic!("{table}/{month} disappeared"));
        let n: usize = now.2.iter().map(RecordBatch::num_rows).sum();
        let was: usize = batches.iter().map(RecordBatch::num_rows).sum();
        assert!(n >= was, "{table}/{month}: {n} rows, had {was}");
    }

    // Run 3 converges to what one uninterrupted run 1 + run 2 gives on local disk.
    rt.block_on(sync(&config(&sim, &url, &[]), w.clone()))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let local_url = dir.path().to_str().unwrap().to_owned();
    let local = Warehouse::open(&local_url).unwrap();
    rt.block_on(sync(&config(&sim, &local_url, first), local.clone()))
        .unwrap();
    rt.block_on(sync(&config(&sim, &local_url, &[]), local.clone()))
        .unwrap();
    assert_same_tables(
        &rt.block_on(snapshot(&w)),
        &rt.block_on(snapshot(&local)),
        "after the outage",
    );
    drop(proxy);
    rt.block_on(sim.shutdown());
}

#[test]
fn duckdb_reads_the_partitions_written_through_s3() {
    // DuckDB's httpfs extension would have to be downloaded, and pyarrow is not installed
    // by scripts/test: DuckDB reads the objects where s3s-fs stores them, a plain
    // directory per bucket, with Hive partitioning, as it would read them from S3.
    let rt = runtime();
    let sim = start_sim(&rt);
    let t = own_target();
    let url = t.fresh_url("duckdb");
    let w = s3_warehouse(
        &t,
        &url,
        &[("concurrency", "conditional_put"), ("lock_settle_ms", "")],
    );
    rt.block_on(sync(&config(&sim, &url, &[]), w.clone()))
        .unwrap();
    let snap = rt.block_on(snapshot(&w));
    let issues: usize = snap
        .iter()
        .filter(|(t, _, _)| t == "issues")
        .flat_map(|(_, _, b)| b)
        .map(RecordBatch::num_rows)
        .sum();
    let months = snap.iter().filter(|(t, _, _)| t == "issues").count();
    let prefix = url.rsplit('/').next().unwrap();
    let root = t.bucket_dir().unwrap().join(prefix);
    let out = duckdb(
        &root,
        "SELECT count(*), count(DISTINCT id), count(DISTINCT month) \
         FROM read_parquet('issues/*/data.parquet', hive_partitioning = true)",
    );
    assert_eq!(out.trim(), format!("{issues},{issues},{months}"));
    let first_month = &snap.iter().find(|(t, _, _)| t == "issues").unwrap().1;
    let one = duckdb(
        &root,
        &format!(
            "SELECT count(*) FROM read_parquet('issues/*/data.parquet', hive_partitioning = true) \
             WHERE month = '{first_month}'"
        ),
    );
    let want: usize = snap
        .iter()
        .filter(|(t, m, _)| t == "issues" && m == first_month)
        .flat_map(|(_, _, b)| b)
        .map(RecordBatch::num_rows)
        .sum();
    assert_eq!(one.trim(), want.to_string());
    rt.block_on(sim.shutdown());
}

fn duckdb(dir: &FsPath, sql: &str) -> String {
    let script = format!(
        "import duckdb, os\nos.chdir({dir:?})\nfor row in duckdb.sql({sql:?}).fetchall():\n    print(','.join(str(v) for v in row))\n",
        dir = dir.to_str().unwrap(),
    );
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .output()
        .unwrap_or_else(|e| panic!("python3: {e} (scripts/test installs DuckDB's Python package)"));
    assert!(
        out.status.success(),
        "duckdb failed (install it with `python3 -m pip install duckdb`; scripts/test does): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// `jirafe sync` and `jirafe doctor` as a cron line runs them: everything from the
/// environment (`JIRAFE_WAREHOUSE=s3://…`, `AWS_*`), no configuration file.
#[test]
fn the_cli_syncs_into_s3_and_doctor_probes_it_from_the_environment_alone() {
    let rt = runtime();
    let sim = start_sim(&rt);
    let t = target();
    let url = t.fresh_url("cli");
    let home = tempfile::tempdir().unwrap();
    let creds = sim.credentials();
    let run = |cmd: &str, s3_env: &[(String, String)]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_jirafe"));
        c.args(cmd.split(' '))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("HOME", home.path())
            .env("JIRA_BASE_URL", sim.base_url())
            .env("JIRA_EMAIL", &creds.email)
            .env("JIRA_API_TOKEN", &creds.api_token)
            .env("JIRAFE_HASH_KEY", KEY)
            .env("JIRAFE_WAREHOUSE", &url)
            .envs(s3_env.iter().map(|(k, v)| (k, v)))
            .current_dir(home.path());
        c.output().unwrap()
    };
    let env = t.env();

    let out = run("doctor", &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("warehouse") && stdout.contains("conditional create, delete"),
        "{stdout}"
    );

    let out = run("sync", &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let w = s3_warehouse(&t, &url, &[]);
    let snap = rt.block_on(snapshot(&w));
    assert!(snap.iter().any(|(t, _, b)| t == "issues" && !b.is_empty()));

    // A wrong secret: doctor fails at the first request and names it, without the secret.
    let wrong: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| {
            if k == "AWS_SECRET_ACCESS_KEY" {
                (k.clone(), "wrong-secret-do-not-print".to_owned())
            } else {
                (k.clone(), v.clone())
            }
        })
        .collect();
    let out = run("doctor", &wrong);
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!out.status.success(), "{all}");
    assert!(all.contains("FAIL") && all.contains("'list'"), "{all}");
    assert!(!all.contains("wrong-secret-do-not-print"), "{all}");

    // `[warehouse.options]` from the file reach the store: lock mode is reported, and an
    // unknown key is a configuration error (exit 2) listing the accepted keys.
    let file = home.path().join("jirafe.toml");
    std::fs::write(
        &file,
        "[warehouse.options]\nconcurrency = \"lock\"\nlock_settle_ms = \"20\"\n",
    )
    .unwrap();
    let out = run("doctor --config jirafe.toml", &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("partition locks"), "{stdout}");
    std::fs::write(&file, "[warehouse.options]\nregoin = \"eu-west-1\"\n").unwrap();
    let out = run("sync --config jirafe.toml", &env);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("'regoin'") && stderr.contains("accepted keys: addressing_style"),
        "{stderr}"
    );
    rt.block_on(sim.shutdown());
}
