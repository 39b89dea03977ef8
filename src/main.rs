//! The `jirafe` command line: a thin layer over the workspace crates.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

mod secrets;

use anyhow::Context;
use clap::{Parser, Subcommand};
use jirafe::exit;
use jirafe::jira_sim::{OrgConfig, SimConfig, SimServer};
use jirafe::pii_scrub::{HashKey, Person, Scrubber, jsonl};
use jirafe::pipeline::{
    Config, JobOptions, JobOutcome, LeakReport, Progress, ProjectReport, RunReport, Warehouse,
    retention_job, run_demo, run_sync_job, verify_privacy,
};

/// jirafe: collect Jira project data for analytics without exposing the people in it.
#[derive(Debug, Parser)]
#[command(name = "jirafe", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the whole job on a simulated Jira (no credentials needed) into a local folder.
    Demo {
        /// Where to write the warehouse.
        #[arg(long, default_value = "jirafe-demo")]
        out: PathBuf,
        /// Issues in the simulated organisation.
        #[arg(long, default_value_t = 3000)]
        issues: usize,
    },
    /// Incremental sync (the first run is a backfill) from Jira into the warehouse.
    Sync {
        /// Configuration file (default: ./jirafe.toml if present; the environment overrides it).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Check credentials, the projects that would be collected or skipped, the hash key and the warehouse.
    Doctor {
        /// Configuration file (default: ./jirafe.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Run the simulated Jira Cloud as a standalone HTTP server on loopback.
    Sim {
        /// Address to listen on (loopback only).
        #[arg(long, default_value = "127.0.0.1:8089")]
        listen: SocketAddr,
        /// Seed of the generated organisation.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Number of issues to generate.
        #[arg(long, default_value_t = 3000)]
        issues: usize,
    },
    /// Delete partitions past their table's retention period (`[retention]` in the config).
    Retention {
        /// Configuration file (default: ./jirafe.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Only print what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
    /// The webhook receiver: signed Jira webhooks in, re-fetched issues out to the warehouse.
    Serve {
        /// Configuration file (default: ./jirafe.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Address to listen on (default: webhook.listen, 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<SocketAddr>,
    },
    /// The audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Scan every partition of the warehouse for personal data (exit code 3 when found).
    VerifyPrivacy {
        /// Configuration file (default: ./jirafe.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Do not ask Jira for the known people even when credentials are configured:
        /// detectors only.
        #[arg(long)]
        no_jira: bool,
    },
    /// Scrub JSON Lines from stdin to stdout: the `text` field (or --field) of each object.
    ///
    /// Other fields pass through unchanged. Malformed lines are not echoed (they may hold
    /// personal data); their numbers go to stderr and the exit code is 1.
    Scrub {
        /// The field to scrub.
        #[arg(long, default_value = "text")]
        field: String,
        /// Known people, one display name per line (optionally `Name<TAB>email`).
        #[arg(long)]
        names: Option<PathBuf>,
    },
    /// Keep a secret (JIRA_API_TOKEN, JIRA_PAT, JIRAFE_HASH_KEY, JIRAFE_WEBHOOK_SECRET) in
    /// the OS keyring instead of the environment; a variable that is set still wins.
    #[cfg(feature = "keyring")]
    Keyring {
        #[command(subcommand)]
        command: KeyringCommand,
    },
}

/// `jirafe keyring …`.
#[cfg(feature = "keyring")]
#[derive(Debug, Subcommand)]
enum KeyringCommand {
    /// Store NAME, reading its value from the first line of stdin.
    Set {
        /// The secret's variable name.
        name: String,
    },
    /// Remove NAME from the keyring.
    Delete {
        /// The secret's variable name.
        name: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk the hash chain of `_audit/` (and compare this machine's local copy); exit code
    /// 3 at the first broken link.
    Verify {
        /// Configuration file (default: ./jirafe.toml if present).
        #[arg(long)]
        config: Option<PathBuf>,
    },
}

/// Logs go to stderr through `tracing`: `RUST_LOG` filters (default `warn`),
/// `JIRAFE_LOG_FORMAT=json` switches to JSON lines. Events carry ids, counts and error
/// kinds, never user content.
fn init_tracing() {
    use std::io::IsTerminal;
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let json = std::env::var("JIRAFE_LOG_FORMAT").is_ok_and(|v| v.eq_ignore_ascii_case("json"));
    let _ = if json {
        builder.json().try_init()
    } else {
        builder
            .with_ansi(std::io::stderr().is_terminal())
            .try_init()
    };
}

fn main() -> ExitCode {
    init_tracing();
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("jirafe: error: {e:#}");
            e.downcast_ref::<ConfigError>()
                .map_or(exit::FAILURE, |_| exit::CONFIG)
        }
    };
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// An error in the command line or configuration (exit code 2).
#[derive(Debug)]
struct ConfigError(String);

impl std::error::Error for ConfigError {}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

fn run(cli: Cli) -> anyhow::Result<i32> {
    match cli.command {
        Command::Demo { out, issues } => demo(&out, issues),
        Command::Sync { config } => sync(config.as_deref()),
        Command::Doctor { config } => doctor(config.as_deref()),
        Command::Sim {
            listen,
            seed,
            issues,
        } => sim(listen, seed, issues),
        Command::Scrub { field, names } => scrub(&field, names.as_deref()),
        Command::Serve { config, listen } => serve(config.as_deref(), listen),
        Command::Retention { config, dry_run } => retention(config.as_deref(), dry_run),
        Command::Audit {
            command: AuditCommand::Verify { config },
        } => audit_verify(config.as_deref()),
        Command::VerifyPrivacy { config, no_jira } => {
            verify_privacy_cmd(config.as_deref(), !no_jira)
        }
        #[cfg(feature = "keyring")]
        Command::Keyring { command } => keyring_cmd(command),
    }
}

#[cfg(feature = "keyring")]
fn keyring_cmd(command: KeyringCommand) -> anyhow::Result<i32> {
    match command {
        KeyringCommand::Set { name } => {
            let mut value = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut value)
                .context("reading the secret from stdin")?;
            let value = value.trim_end_matches(['\r', '\n']);
            if value.is_empty() {
                return Err(ConfigError(format!("{name}: no value on stdin")).into());
            }
            secrets::store(&name, value)?;
            println!("stored {name} in the keyring");
        }
        KeyringCommand::Delete { name } => {
            if secrets::remove(&name)? {
                println!("removed {name} from the keyring");
            } else {
                println!("{name} was not in the keyring");
            }
        }
    }
    Ok(exit::SUCCESS)
}

/// The progress display: a bar on a terminal, plain `key=value` lines otherwise (cron,
/// pipes, CI). Project keys and counts only.
fn progress() -> Box<dyn Progress> {
    use std::io::IsTerminal;
    if std::io::stderr().is_terminal() && std::env::var_os("JIRAFE_PLAIN_PROGRESS").is_none() {
        Box::new(Bar::new())
    } else {
        Box::new(Lines)
    }
}

/// A spinner per project with its running count of issues, and a line per finished project.
struct Bar {
    bar: indicatif::ProgressBar,
    issues: u64,
}

impl Bar {
    fn new() -> Bar {
        let bar = indicatif::ProgressBar::new_spinner();
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix:.bold} {human_pos} issues ({per_sec}) {elapsed}",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Bar { bar, issues: 0 }
    }
}

impl Progress for Bar {
    fn project_started(&mut self, key: &str) {
        self.bar.reset();
        self.bar.set_prefix(key.to_owned());
    }
    fn issues_written(&mut self, _key: &str, n: u64) {
        self.issues += n;
        self.bar.inc(n);
    }
    fn project_finished(&mut self, r: &ProjectReport) {
        self.bar.println(format!(
            "  {:<10} {:>7} issues  {} skipped (security level)  {} removed",
            r.key, r.issues, r.skipped_security_level, r.removed
        ));
    }
}

impl Drop for Bar {
    fn drop(&mut self) {
        self.bar.finish_and_clear();
    }
}

/// Progress as plain lines on stderr: project keys and counts only.
struct Lines;

impl Progress for Lines {
    fn project_started(&mut self, key: &str) {
        eprintln!("jirafe: project={key} status=started");
    }
    fn issues_written(&mut self, key: &str, n: u64) {
        if n > 0 {
            eprintln!("jirafe: project={key} issues_written={n}");
        }
    }
    fn project_finished(&mut self, r: &ProjectReport) {
        eprintln!(
            "jirafe: project={} status=done issues={} skipped_security_level={} removed={} census={}",
            r.key, r.issues, r.skipped_security_level, r.removed, r.census
        );
    }
}

/// Maps a pipeline error to the exit code: configuration errors are 2.
fn pipeline_err(e: jirafe::pipeline::Error) -> anyhow::Error {
    match e {
        jirafe::pipeline::Error::Config { .. } => ConfigError(e.to_string()).into(),
        other => other.into(),
    }
}

fn print_summary(report: &RunReport) {
    println!(
        "collected {} issues from {} project(s) in {:.1}s:",
        report.issues(),
        report.projects.len(),
        report.duration_ms as f64 / 1000.0
    );
    for (table, rows) in &report.rows {
        println!("  {table:<20} {rows:>8} rows");
    }
    for s in &report.skipped_projects {
        println!("  skipped project {} ({})", s.key, s.reason);
    }
    for (reason, n) in &report.skipped_issues {
        println!("  skipped {n} issue(s): {reason}");
    }
    for (reason, n) in &report.removed_issues {
        println!("  removed {n} issue(s): {reason}");
    }
    println!(
        "  {} HTTP requests ({:.1} per 1,000 issues), {} retries, {} ms waiting on rate limits",
        report.requests_total,
        report.requests_total as f64 * 1000.0 / report.issues().max(1) as f64,
        report.retries,
        report.rate_limit_wait_ms
    );
    println!(
        "  PII scrubbed in memory: {}",
        serde_json::to_string(&report.pii_findings).unwrap_or_default()
    );
}

fn demo(out: &std::path::Path, issues: usize) -> anyhow::Result<i32> {
    let rt = runtime()?;
    let outcome = rt
        .block_on(run_demo(out, issues, progress().as_mut()))
        .map_err(pipeline_err)?;
    println!(
        "jirafe demo: a simulated Jira Cloud, synced into {}",
        out.display()
    );
    print_outcome(&outcome);
    if outcome.privacy_alert() {
        return Ok(exit::PRIVACY_ALERT);
    }
    println!("\ntry it with DuckDB:");
    println!(
        "  duckdb -c \"SELECT status_category, count(*) FROM read_parquet('{}/issues/*/*.parquet', hive_partitioning = true) GROUP BY 1\"",
        out.display()
    );
    Ok(exit::SUCCESS)
}

fn sync(config: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let cfg = Config::load(config, secrets::lookup).map_err(pipeline_err)?;
    let client = cfg.jira_client().map_err(pipeline_err)?;
    let key = cfg.hash_key().map_err(pipeline_err)?;
    let warehouse = open_warehouse(&cfg)?;
    let options = job_options(&cfg);
    let rt = runtime()?;
    let outcome = rt
        .block_on(run_sync_job(
            &cfg,
            client,
            warehouse,
            key,
            &options,
            progress().as_mut(),
        ))
        .map_err(pipeline_err)?;
    print_outcome(&outcome);
    Ok(if outcome.privacy_alert() {
        exit::PRIVACY_ALERT
    } else {
        exit::SUCCESS
    })
}

fn load_config(config: Option<&std::path::Path>) -> anyhow::Result<Config> {
    Config::load(config, secrets::lookup).map_err(pipeline_err)
}

fn open_warehouse(cfg: &Config) -> anyhow::Result<Warehouse> {
    Warehouse::open_with_options(
        cfg.warehouse_url().map_err(pipeline_err)?,
        &cfg.warehouse.options,
    )
    .map_err(pipeline_err)
}

fn job_options(cfg: &Config) -> JobOptions {
    JobOptions {
        audit_local_copy: cfg.audit_local_copy(secrets::lookup),
    }
}

fn print_outcome(outcome: &JobOutcome) {
    print_summary(&outcome.report);
    print_leak(&outcome.leak);
    if let Some(r) = &outcome.retention {
        println!(
            "  retention: {} partition(s) past retention deleted",
            r.expired.len()
        );
    }
    println!("  audit record #{}", outcome.audit_seq);
    for w in &outcome.warnings {
        eprintln!("jirafe: warning: {w}");
    }
}

fn print_leak(leak: &LeakReport) {
    if leak.clean() {
        println!(
            "  leak scan: clean ({} objects, {} values re-read)",
            leak.objects_scanned, leak.values_scanned
        );
    } else {
        println!(
            "  PRIVACY ALERT: the leak scan found {} value(s) of personal data in the output: {}",
            leak.total(),
            serde_json::to_string(&leak.findings).unwrap_or_default()
        );
        for l in leak.locations.iter().take(20) {
            println!(
                "    {} column {} row {}: {}",
                l.object, l.column, l.row, l.kind
            );
        }
    }
}

fn retention(config: Option<&std::path::Path>, dry_run: bool) -> anyhow::Result<i32> {
    let cfg = load_config(config)?;
    if cfg.retention.default_days.is_none() && cfg.retention.tables.is_empty() {
        return Err(ConfigError(
            "retention: no retention is configured (set retention.default_days or retention.tables in jirafe.toml)"
                .into(),
        )
        .into());
    }
    let warehouse = open_warehouse(&cfg)?;
    let options = job_options(&cfg);
    let rt = runtime()?;
    let r = rt
        .block_on(retention_job(&cfg, &warehouse, dry_run, &options))
        .map_err(pipeline_err)?;
    for rule in &r.rules {
        println!(
            "{:<20} keep {:>5} days: oldest month kept {}",
            rule.table, rule.days, rule.oldest_kept_month
        );
    }
    let verb = if dry_run { "would delete" } else { "deleted" };
    for p in &r.expired {
        println!("{verb} {}", p.object);
    }
    println!("{} partition(s) {verb}", r.expired.len());
    Ok(exit::SUCCESS)
}

fn serve(config: Option<&std::path::Path>, listen: Option<SocketAddr>) -> anyhow::Result<i32> {
    use jirafe::webhook::{Receiver, WebhookSecret};
    let cfg = load_config(config)?;
    let listen: SocketAddr = match listen {
        Some(a) => a,
        None => cfg.webhook.listen.parse().map_err(|_| {
            ConfigError(format!(
                "webhook.listen '{}' is not an address like 127.0.0.1:8080",
                cfg.webhook.listen
            ))
        })?,
    };
    let client = cfg.jira_client().map_err(pipeline_err)?;
    let key = cfg.hash_key().map_err(pipeline_err)?;
    let warehouse = open_warehouse(&cfg)?;
    let data_dir = cfg
        .webhook_data_dir(secrets::lookup)
        .map_err(pipeline_err)?;
    let secret = match &cfg.secrets.webhook_secret {
        Some(s) => Some(
            WebhookSecret::new(s.expose())
                .map_err(|e| ConfigError(format!("JIRAFE_WEBHOOK_SECRET: {e}")))?,
        ),
        None => {
            eprintln!(
                "jirafe serve: warning: JIRAFE_WEBHOOK_SECRET is not set; every delivery is refused with 503"
            );
            None
        }
    };
    let audit_local = cfg.audit_local_copy(secrets::lookup);
    let body_limit = cfg.webhook.body_limit_bytes;
    let cfg: &'static Config = Box::leak(Box::new(cfg));
    let rt = runtime()?;
    rt.block_on(async move {
        let processor =
            jirafe::pipeline::WebhookProcessor::new(cfg, client, warehouse, key, audit_local)
                .map_err(pipeline_err)?;
        let receiver = Receiver::builder(&data_dir)
            .with_optional_secret(secret)
            .with_body_limit(body_limit)
            .build(processor)
            .context("starting the webhook receiver")?;
        let (router, worker) = receiver.into_parts();
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("listening on {listen}"))?;
        eprintln!(
            "jirafe serve: listening on http://{}/webhooks/jira (health: /health), journal in {}",
            listener.local_addr().unwrap_or(listen),
            data_dir.display()
        );
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut http_stop = stop_rx.clone();
        let server = tokio::spawn(async move {
            axum::serve(listener, router)
                .with_graceful_shutdown(async move {
                    let _ = http_stop.wait_for(|s| *s).await;
                })
                .await
        });
        drop(stop_rx);
        let (worker_done_tx, worker_done_rx) = tokio::sync::oneshot::channel::<()>();
        let worker = tokio::spawn(worker.run_until(async move {
            let _ = worker_done_rx.await;
        }));
        shutdown_signal().await;
        eprintln!("jirafe serve: stopping (accepted events stay in the journal)");
        let _ = stop_tx.send(true);
        server
            .await
            .context("the HTTP server task")?
            .context("serving HTTP")?;
        let _ = worker_done_tx.send(());
        worker.await.context("the webhook worker")?;
        Ok(exit::SUCCESS)
    })
}

/// Ctrl-C or (on Unix) SIGTERM.
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                    return;
                }
            };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

fn audit_verify(config: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let cfg = load_config(config)?;
    let warehouse = open_warehouse(&cfg)?;
    let log = jirafe::pipeline::AuditLog::new(warehouse, cfg.audit_local_copy(secrets::lookup));
    let rt = runtime()?;
    let v = rt.block_on(log.verify()).map_err(pipeline_err)?;
    match &v.first_break {
        None => {
            println!(
                "audit chain intact: {} record(s); {} record(s) of the local copy match",
                v.records, v.local_records_checked
            );
            Ok(exit::SUCCESS)
        }
        Some(b) => {
            println!(
                "AUDIT CHAIN BROKEN at {}: {} ({} record(s) verified before it)",
                b.object, b.reason, v.records
            );
            Ok(exit::PRIVACY_ALERT)
        }
    }
}

fn verify_privacy_cmd(config: Option<&std::path::Path>, use_jira: bool) -> anyhow::Result<i32> {
    let cfg = load_config(config)?;
    let warehouse = open_warehouse(&cfg)?;
    let options = job_options(&cfg);
    let rt = runtime()?;
    let (leak, directory) = rt
        .block_on(verify_privacy(&cfg, &warehouse, use_jira, &options))
        .map_err(pipeline_err)?;
    println!(
        "verify-privacy: {} objects, {} rows, {} values; known people from {}",
        leak.objects_scanned,
        leak.rows_scanned,
        leak.values_scanned,
        match directory {
            jirafe::pipeline::ScanDirectory::Jira => "Jira's user search",
            _ => "nowhere (detectors only: set Jira credentials to search for known names)",
        }
    );
    print_leak(&leak);
    Ok(if leak.clean() {
        exit::SUCCESS
    } else {
        exit::PRIVACY_ALERT
    })
}

fn doctor(config: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let cfg = load_config(config)?;
    let rt = runtime()?;
    let r = rt.block_on(jirafe::pipeline::doctor(&cfg));
    for c in &r.checks {
        println!(
            "[{}] {:<12} {}",
            if c.ok { " ok " } else { "FAIL" },
            c.name,
            c.detail
        );
    }
    if !r.collect.is_empty() {
        println!("would collect: {}", r.collect.join(", "));
    }
    for s in &r.skip {
        println!("would skip:    {} ({})", s.key, s.reason);
    }
    Ok(if r.ok() { exit::SUCCESS } else { exit::FAILURE })
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")
}

fn sim(listen: SocketAddr, seed: u64, issues: usize) -> anyhow::Result<i32> {
    if !listen.ip().is_loopback() {
        return Err(ConfigError(format!(
            "--listen {listen}: the simulator only listens on loopback"
        ))
        .into());
    }
    let rt = runtime()?;
    rt.block_on(async {
        let cfg = SimConfig {
            org: OrgConfig::new(seed, issues),
            ..SimConfig::default()
        };
        let server = SimServer::bind(listen, cfg)
            .await
            .context("starting the simulator")?;
        let creds = server.credentials();
        let org = server.org();
        println!("jirafe sim: simulated Jira Cloud at {}", server.base_url());
        println!(
            "  {} issues in {} projects ({} browsable), {} users, seed {seed}",
            org.issues.len(),
            org.projects.len(),
            org.visible_projects().count(),
            org.users.len()
        );
        println!("  point jirafe at it with:");
        println!("    export JIRA_BASE_URL={}", server.base_url());
        println!("    export JIRA_EMAIL={}", creds.email);
        println!("    export JIRA_API_TOKEN={}", creds.api_token);
        println!("  Ctrl-C stops it.");
        server
            .run_until(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .context("running the simulator")?;
        Ok(exit::SUCCESS)
    })
}

fn read_names(path: &std::path::Path) -> anyhow::Result<Vec<Person>> {
    let file = std::fs::File::open(path)
        .map_err(|e| ConfigError(format!("--names {}: {e}", path.display())))?;
    let mut people = Vec::new();
    for (n, line) in BufReader::new(file).lines().enumerate() {
        let line = line
            .map_err(|e| ConfigError(format!("--names {} line {}: {e}", path.display(), n + 1)))?;
        let mut parts = line.splitn(2, '\t');
        let name = parts.next().unwrap_or("").trim();
        if name.is_empty() || name.starts_with('#') {
            continue;
        }
        let mut person = Person::new(name);
        if let Some(email) = parts.next().map(str::trim).filter(|e| !e.is_empty()) {
            person = person.with_email(email);
        }
        people.push(person);
    }
    Ok(people)
}

fn scrub(field: &str, names: Option<&std::path::Path>) -> anyhow::Result<i32> {
    let mut builder = Scrubber::builder();
    if let Some(path) = names {
        builder = builder.with_people(read_names(path)?);
    }
    if let Some(raw) = secrets::lookup("JIRAFE_HASH_KEY").filter(|v| !v.is_empty()) {
        let key = HashKey::from_env_value(&raw)
            .map_err(|e| ConfigError(format!("JIRAFE_HASH_KEY: {e}")))?;
        builder = builder.with_key(key);
    }
    let scrubber = builder.build().context("building the scrubber")?;
    let stdin = std::io::stdin().lock();
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 20, stdout);
    let summary = jsonl::scrub_jsonl(
        &scrubber,
        field,
        BufReader::with_capacity(1 << 20, stdin),
        &mut out,
    )?;
    out.flush().context("writing stdout")?;
    if summary.malformed_count > 0 {
        let shown: Vec<String> = summary.malformed.iter().map(u64::to_string).collect();
        eprintln!(
            "jirafe scrub: {} malformed line(s) not written (not a JSON object): line {}{}",
            summary.malformed_count,
            shown.join(", "),
            if summary.malformed_count as usize > shown.len() {
                ", …"
            } else {
                ""
            }
        );
        return Ok(exit::FAILURE);
    }
    eprintln!(
        "jirafe scrub: {} line(s), {} scrubbed, findings: {}",
        summary.lines,
        summary.scrubbed,
        serde_json::to_string(&summary.findings).unwrap_or_default()
    );
    Ok(exit::SUCCESS)
}
