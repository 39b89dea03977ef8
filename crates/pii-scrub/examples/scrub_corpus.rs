//! A fixed workload for instruction-count profiling: scrubs the evaluation
//! corpus `N` times (default 2) with the 500-person directory, as the
//! `corpus_all_detectors_500_people` bench does.
//!
//! ```sh
//! cargo build --release -p jirafe-pii-scrub --example scrub_corpus
//! valgrind --tool=callgrind target/release/examples/scrub_corpus 2
//! ```
//! Run it with `0` as well and subtract to leave out the set-up. `ONLY=card,phone`
//! in the environment runs only those detectors (kind names as in findings);
//! `CLEAN=1` scrubs the corpus once first and measures the already-scrubbed
//! text (prose and placeholders, as the `already_scrubbed_corpus` bench does).
#![allow(clippy::print_stdout)]

use jirafe_pii_scrub::{Kind, Person, Scrubber};

const CORPUS: &str = include_str!("../tests/data/corpus.jsonl");
const DIRECTORY: &str = include_str!("../tests/data/directory.txt");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(2), |a| a.parse())?;
    let texts: Vec<String> = CORPUS
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    let people = DIRECTORY.lines().filter(|l| !l.is_empty()).map(Person::new);
    let mut builder = Scrubber::builder().with_people(people);
    if let Ok(only) = std::env::var("ONLY") {
        for kind in Kind::ALL {
            builder = builder.with_detector(kind, only.split(',').any(|k| k == kind.name()));
        }
    }
    let scrubber = builder.build()?;
    let texts: Vec<String> = if std::env::var_os("CLEAN").is_some() {
        texts
            .iter()
            .map(|t| scrubber.scrub(t).text.into_owned())
            .collect()
    } else {
        texts
    };
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut out = 0usize;
    for _ in 0..n {
        for t in &texts {
            out += scrubber.scrub(t).text.len();
        }
    }
    println!(
        "texts={} bytes={} rounds={n} out={out}",
        texts.len(),
        bytes * n
    );
    Ok(())
}
