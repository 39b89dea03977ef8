#![allow(unreachable_pub, dead_code)]
//! The evaluation scorer, shared by `tests/eval.rs` (which asserts the targets)
//! and `examples/eval.rs` (which prints the table).
//!
//! Recall per kind: the share of planted values that no longer appear in the
//! scrubbed text (for names: none of the name's parts appears as a whole word).
//! Noise: the share of noise tokens (issue keys, versions, hashes, timestamps,
//! UUIDs, hostnames, …) that no longer appear unchanged.

use std::collections::BTreeMap;

use jirafe_pii_scrub::{Person, Scrubber};

/// The committed corpus and directory.
pub const CORPUS: &str = include_str!("../data/corpus.jsonl");
/// One display name per line.
pub const DIRECTORY: &str = include_str!("../data/directory.txt");

/// Targets from the issue, by planted kind.
pub const TARGETS: &[(&str, f64)] = &[
    ("email", 0.99),
    ("ip", 0.99),
    ("card", 0.99),
    ("iban", 0.99),
    ("secret", 0.99),
    ("phone", 0.97),
    ("directory", 0.99),
    ("person", 0.90),
    ("national_id", 0.99),
    ("url_credentials", 0.99),
];
/// At most this share of noise tokens may be altered.
pub const MAX_NOISE_ALTERED: f64 = 0.01;

#[derive(Debug, Default, Clone, Copy)]
pub struct Tally {
    pub planted: u64,
    pub removed: u64,
}

impl Tally {
    pub fn recall(&self) -> f64 {
        if self.planted == 0 {
            1.0
        } else {
            self.removed as f64 / self.planted as f64
        }
    }
}

#[derive(Debug, Default)]
pub struct Report {
    pub kinds: BTreeMap<String, Tally>,
    pub noise: u64,
    pub noise_altered: u64,
    pub bytes: usize,
    pub comments: usize,
    pub misses: Vec<(String, String)>,
    pub altered: Vec<String>,
    /// (input, output) of records with a miss or an altered noise token.
    pub examples: Vec<(String, String)>,
}

impl Report {
    pub fn noise_share(&self) -> f64 {
        if self.noise == 0 {
            0.0
        } else {
            self.noise_altered as f64 / self.noise as f64
        }
    }
    pub fn overall(&self) -> f64 {
        let (p, r) = self
            .kinds
            .values()
            .fold((0, 0), |(p, r), t| (p + t.planted, r + t.removed));
        if p == 0 { 1.0 } else { r as f64 / p as f64 }
    }
    pub fn table(&self) -> String {
        let mut s = format!(
            "{} comments, {} bytes\n| kind | planted | removed | recall | target |\n| --- | ---: | ---: | ---: | ---: |\n",
            self.comments, self.bytes
        );
        for (k, t) in &self.kinds {
            let target = TARGETS
                .iter()
                .find(|(n, _)| n == k)
                .map_or(0.0, |(_, v)| *v);
            s.push_str(&format!(
                "| {k} | {} | {} | {:.4} | ≥ {target:.2} |\n",
                t.planted,
                t.removed,
                t.recall()
            ));
        }
        s.push_str(&format!("| **all** | | | {:.4} | |\n", self.overall()));
        s.push_str(&format!(
            "| noise altered | {} | {} | {:.4} | ≤ {MAX_NOISE_ALTERED:.2} |\n",
            self.noise,
            self.noise_altered,
            self.noise_share()
        ));
        s
    }
}

pub fn directory() -> Vec<Person> {
    DIRECTORY
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(Person::new)
        .collect()
}

pub fn scrubber() -> Scrubber {
    Scrubber::builder()
        .with_people(directory())
        .build()
        .expect("scrubber builds")
}

fn contains_word(hay: &str, needle: &str) -> bool {
    let mut from = 0;
    while let Some(i) = hay.get(from..).and_then(|h| h.find(needle)) {
        let s = from + i;
        let e = s + needle.len();
        let before = hay.get(..s).and_then(|t| t.chars().next_back());
        let after = hay.get(e..).and_then(|t| t.chars().next());
        if !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric) {
            return true;
        }
        from = s + needle.len().max(1);
    }
    false
}

pub fn evaluate(scrubber: &Scrubber) -> Report {
    let mut report = Report::default();
    for line in CORPUS.lines() {
        let rec: serde_json::Value = serde_json::from_str(line).expect("corpus line is JSON");
        let text = rec["text"].as_str().unwrap_or_default();
        report.bytes += text.len();
        report.comments += 1;
        let out = scrubber.scrub(text).text;
        let bad_before = report.misses.len() + report.altered.len();
        for p in rec["planted"].as_array().into_iter().flatten() {
            let kind = p[0].as_str().unwrap_or_default().to_string();
            let value = p[1].as_str().unwrap_or_default();
            let survived = if kind == "person" || kind == "directory" {
                value
                    .split_whitespace()
                    .filter(|w| w.chars().count() >= 2)
                    .any(|w| contains_word(&out, w))
            } else {
                out.contains(value)
            };
            let t = report.kinds.entry(kind.clone()).or_default();
            t.planted += 1;
            if survived {
                report.misses.push((kind, value.to_string()));
            } else {
                t.removed += 1;
            }
        }
        for n in rec["noise"].as_array().into_iter().flatten() {
            let n = n.as_str().unwrap_or_default();
            report.noise += 1;
            if !out.contains(n) {
                report.noise_altered += 1;
                report.altered.push(n.to_string());
            }
        }
        if report.misses.len() + report.altered.len() > bad_before {
            report.examples.push((text.to_string(), out.to_string()));
        }
    }
    report
}
