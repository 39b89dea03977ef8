//! `jirafe scrub` in miniature: JSON Lines on stdin, scrubbed JSON Lines on stdout.
//!
//! ```sh
//! cargo run --release -p jirafe-pii-scrub --example scrub_stdin -- [FIELD] [NAMES_FILE] < in.jsonl > out.jsonl
//! ```
//! Prints a summary (and malformed line numbers) on stderr; exits 1 when a line was malformed.
#![allow(clippy::print_stderr)]

use std::io::{BufReader, BufWriter};

use jirafe_pii_scrub::{Person, Scrubber, jsonl};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let field = std::env::args().nth(1).unwrap_or_else(|| "text".into());
    let mut builder = Scrubber::builder();
    if let Some(path) = std::env::args().nth(2) {
        let names = std::fs::read_to_string(path)?;
        builder = builder.with_people(
            names
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(Person::new),
        );
    }
    let scrubber = builder.build()?;
    let stdin = BufReader::with_capacity(1 << 16, std::io::stdin().lock());
    let stdout = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let summary = jsonl::scrub_jsonl(&scrubber, &field, stdin, stdout)?;
    eprintln!(
        "lines={} written={} scrubbed={} malformed={} findings={}",
        summary.lines,
        summary.written,
        summary.scrubbed,
        summary.malformed_count,
        serde_json::to_string(&summary.findings)?
    );
    for line in &summary.malformed {
        eprintln!("malformed JSON at line {line}");
    }
    if !summary.is_clean() {
        std::process::exit(1);
    }
    Ok(())
}
