//! The `jirafe` command line: a thin layer over the workspace crates.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::{BufRead, BufReader, BufWriter, Write};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use jirafe::exit;
use jirafe::jira_sim::{OrgConfig, SimConfig, SimServer};
use jirafe::pii_scrub::{HashKey, Person, Scrubber, jsonl};

/// jirafe: collect Jira project data for analytics without exposing the people in it.
#[derive(Debug, Parser)]
#[command(name = "jirafe", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
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
}

fn main() -> ExitCode {
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
        Command::Sim {
            listen,
            seed,
            issues,
        } => sim(listen, seed, issues),
        Command::Scrub { field, names } => scrub(&field, names.as_deref()),
    }
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
    if let Some(raw) = std::env::var("JIRAFE_HASH_KEY")
        .ok()
        .filter(|v| !v.is_empty())
    {
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
