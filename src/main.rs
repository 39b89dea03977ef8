//! The `jirafe` command line: a thin layer over the workspace crates.

use clap::{Parser, Subcommand};

/// jirafe: collect Jira project data for analytics without exposing the people in it.
#[derive(Debug, Parser)]
#[command(name = "jirafe", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {}
}
