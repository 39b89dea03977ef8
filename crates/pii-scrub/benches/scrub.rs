//! Scrub throughput on the evaluation corpus (all detectors, 500-person directory),
//! on clean prose, and through the JSON Lines path.
//!
//! ```sh
//! cargo bench -p jirafe-pii-scrub --bench scrub -- --warm-up-time 1 --measurement-time 3
//! ```

#![allow(missing_docs)] // criterion_group! generates an undocumented pub fn.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jirafe_pii_scrub::{Person, Scrubber, jsonl};

const CORPUS: &str = include_str!("../tests/data/corpus.jsonl");
const DIRECTORY: &str = include_str!("../tests/data/directory.txt");

fn texts() -> Vec<String> {
    CORPUS
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect()
}

fn scrubber() -> Scrubber {
    let people = DIRECTORY.lines().filter(|l| !l.is_empty()).map(Person::new);
    Scrubber::builder()
        .with_people(people)
        .build()
        .expect("scrubber")
}

fn bench(c: &mut Criterion) {
    let scrubber = scrubber();
    let texts = texts();
    let bytes: usize = texts.iter().map(String::len).sum();

    let mut g = c.benchmark_group("scrub");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("corpus_all_detectors_500_people", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for t in &texts {
                n += scrubber.scrub(t).text.len();
            }
            n
        });
    });

    let clean: Vec<String> = texts
        .iter()
        .map(|t| scrubber.scrub(t).text.into_owned())
        .collect();
    let clean_bytes: usize = clean.iter().map(String::len).sum();
    g.throughput(Throughput::Bytes(clean_bytes as u64));
    g.bench_function("already_scrubbed_corpus", |b| {
        b.iter(|| {
            clean
                .iter()
                .map(|t| scrubber.scrub(t).text.len())
                .sum::<usize>()
        });
    });

    let input: Vec<u8> = CORPUS.as_bytes().to_vec();
    g.throughput(Throughput::Bytes(input.len() as u64));
    g.bench_function("jsonl_corpus", |b| {
        let mut out = Vec::with_capacity(input.len() * 2);
        b.iter(|| {
            out.clear();
            jsonl::scrub_jsonl(&scrubber, "text", &input[..], &mut out).map(|s| s.lines)
        });
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
