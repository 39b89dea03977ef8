//! Scrub a JSON Lines file: the `text` field of each object, into another file.
//!
//! ```sh
//! cargo run --example scrub_file -- input.jsonl output.jsonl [field]
//! ```
//! With no arguments it scrubs a small built-in sample to stdout.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};

use jirafe::pii_scrub::{Scrubber, jsonl};

const SAMPLE: &str = r#"{"id":1,"text":"Ping ada@example.com or +44 20 7946 0958 about ENG-42"}
{"id":2,"text":"token ghp_0123456789abcdefghijklmnopqrstuvwxyzAB leaked in build 1.4.2"}
"#;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let field = args.get(2).map_or("text", String::as_str);
    let scrubber = Scrubber::builder().build()?;
    let summary = match (args.first(), args.get(1)) {
        (Some(input), Some(output)) => {
            let mut out = BufWriter::new(File::create(output)?);
            let s = jsonl::scrub_jsonl(
                &scrubber,
                field,
                BufReader::new(File::open(input)?),
                &mut out,
            )?;
            out.flush()?;
            s
        }
        _ => jsonl::scrub_jsonl(
            &scrubber,
            field,
            SAMPLE.as_bytes(),
            std::io::stdout().lock(),
        )?,
    };
    eprintln!(
        "{} lines, {} scrubbed, malformed lines: {:?}",
        summary.lines, summary.scrubbed, summary.malformed
    );
    anyhow::ensure!(summary.is_clean(), "malformed lines were not written");
    Ok(())
}
