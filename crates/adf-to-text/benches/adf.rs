//! ADF JSON bytes -> plain text, parse included, on a realistic mix: the real
//! fixture documents plus generated comments shaped like Jira's (paragraphs,
//! mentions, links, lists, code, tables, panels, emoji, dates, statuses).
//!
//! Run: `cargo bench -p jirafe-adf-to-text --bench adf -- --warm-up-time 1 --measurement-time 3`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use jirafe_adf_to_text::{Renderer, wiki_to_text};
use serde_json::{Value, json};
use std::hint::black_box;
use std::path::Path;

const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");

/// Every ADF document under the fixture folders, as compact JSON.
fn fixture_docs() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut dirs = vec![
        Path::new(FIXTURES).join("adf/docs"),
        Path::new(FIXTURES).join("jira"),
    ];
    while let Some(dir) = dirs.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                let Ok(bytes) = std::fs::read(&p) else {
                    continue;
                };
                let Ok(v) = serde_json::from_slice::<Value>(&bytes) else {
                    continue;
                };
                let mut stack = vec![&v];
                while let Some(n) = stack.pop() {
                    match n {
                        Value::Object(m) => {
                            if m.get("type").and_then(Value::as_str) == Some("doc")
                                && m.contains_key("content")
                            {
                                out.push(serde_json::to_vec(n).unwrap_or_default());
                            } else {
                                stack.extend(m.values());
                            }
                        }
                        Value::Array(a) => stack.extend(a),
                        _ => {}
                    }
                }
            }
        }
    }
    out
}

/// A tiny deterministic generator (no dependency needed for a bench mix).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

const WORDS: &[&str] = &[
    "the",
    "build",
    "fails",
    "when",
    "deploying",
    "to",
    "staging",
    "after",
    "merge",
    "of",
    "branch",
    "customer",
    "reported",
    "that",
    "login",
    "page",
    "returns",
    "error",
    "timeout",
    "database",
    "migration",
    "needs",
    "review",
    "please",
    "check",
    "logs",
    "again",
    "tomorrow",
    "fixed",
    "in",
    "release",
    "performance",
    "regression",
    "écran",
    "naïve",
    "café",
    "service",
    "latency",
    "p99",
];

fn sentence(r: &mut Lcg, words: usize) -> String {
    let mut s = String::new();
    for i in 0..words {
        if i > 0 {
            s.push(' ');
        }
        s.push_str(WORDS[r.next(WORDS.len())]);
    }
    s
}

fn text(t: String) -> Value {
    json!({"type": "text", "text": t})
}

fn paragraph(r: &mut Lcg) -> Value {
    let n = 8 + r.next(20);
    let mut content = vec![text(sentence(r, n))];
    match r.next(6) {
        0 => {
            let id = format!("5b10ac8d82e05b22cc7d4e{:02x}", r.next(255));
            content.push(json!({"type": "mention", "attrs": {"id": id, "text": "@Someone", "accessLevel": ""}}));
            content.push(text(format!(" {}", sentence(r, 6))));
        }
        1 => {
            content.push(text(" see ".into()));
            let href = format!("https://ci.example.com/job/{}", r.next(10_000));
            content.push(json!({"type": "text", "text": "the pipeline", "marks": [{"type": "link", "attrs": {"href": href}}]}));
        }
        2 => {
            let bold = sentence(r, 3);
            content.push(json!({"type": "text", "text": bold, "marks": [{"type": "strong"}]}));
            content.push(json!({"type": "hardBreak"}));
            content.push(text(sentence(r, 10)));
        }
        3 => {
            content.push(json!({"type": "emoji", "attrs": {"shortName": ":thumbsup:", "id": "1f44d", "text": "👍"}}));
            let url = format!("https://example.atlassian.net/browse/PRJ-{}", r.next(5000));
            content.push(json!({"type": "inlineCard", "attrs": {"url": url}}));
        }
        4 => {
            content
                .push(json!({"type": "text", "text": "config.yaml", "marks": [{"type": "code"}]}));
            content.push(json!({"type": "date", "attrs": {"timestamp": "1718841600000"}}));
            content.push(json!({"type": "status", "attrs": {"text": "IN REVIEW", "color": "blue", "localId": "abc"}}));
        }
        _ => {}
    }
    json!({"type": "paragraph", "content": content})
}

fn comment(r: &mut Lcg) -> Value {
    let mut blocks = Vec::new();
    let paras = 1 + r.next(4);
    for _ in 0..paras {
        blocks.push(paragraph(r));
    }
    match r.next(5) {
        0 => {
            let n = 2 + r.next(4);
            let items: Vec<Value> = (0..n)
                .map(|_| json!({"type": "listItem", "content": [paragraph(r)]}))
                .collect();
            blocks.push(json!({"type": "bulletList", "content": items}));
        }
        1 => {
            let line = r.next(900);
            let msg = sentence(r, 4);
            let code = format!(
                "at com.example.Service.call(Service.java:{line})\n\tat com.example.Main.main(Main.java:12)\nCaused by: java.net.SocketTimeoutException: {msg}"
            );
            blocks.push(json!({"type": "codeBlock", "attrs": {"language": "java"}, "content": [text(code)]}));
        }
        2 => {
            let mut rows = Vec::new();
            for _ in 0..3 {
                let mut cells = Vec::new();
                for _ in 0..3 {
                    cells.push(json!({"type": "tableCell", "attrs": {}, "content": [{"type": "paragraph", "content": [text(sentence(r, 2))]}]}));
                }
                rows.push(json!({"type": "tableRow", "content": cells}));
            }
            blocks.push(json!({"type": "table", "attrs": {"isNumberColumnEnabled": false, "layout": "default"}, "content": rows}));
        }
        3 => {
            let para = paragraph(r);
            blocks
                .push(json!({"type": "panel", "attrs": {"panelType": "info"}, "content": [para]}));
        }
        _ => {}
    }
    json!({"version": 1, "type": "doc", "content": blocks})
}

fn mix() -> Vec<Vec<u8>> {
    let mut docs = fixture_docs();
    let mut r = Lcg(42);
    for _ in 0..2000 {
        docs.push(serde_json::to_vec(&comment(&mut r)).unwrap_or_default());
    }
    docs
}

fn bench(c: &mut Criterion) {
    let docs = mix();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    #[allow(clippy::print_stderr)]
    {
        eprintln!("mix: {} documents, {} bytes of ADF JSON", docs.len(), bytes);
    }
    let mut g = c.benchmark_group("adf");
    g.throughput(Throughput::Bytes(bytes as u64));

    g.bench_function("json_bytes_to_text", |b| {
        let mut renderer = Renderer::new();
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                n += renderer
                    .render_json(black_box(d))
                    .map(|r| r.text.len())
                    .unwrap_or(0);
            }
            n
        })
    });

    g.bench_function("serde_value_then_text", |b| {
        let mut renderer = Renderer::new();
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                if let Ok(v) = serde_json::from_slice::<Value>(black_box(d)) {
                    n += renderer.render_value(&v).text.len();
                }
            }
            n
        })
    });

    g.bench_function("references_json", |b| {
        let mut renderer = Renderer::new();
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                n += renderer
                    .references_json(black_box(d))
                    .map(|r| r.urls.len())
                    .unwrap_or(0);
            }
            n
        })
    });
    g.finish();

    let wiki = "h2. Summary\n*Login* fails for [~jdoe] after the _deploy_, see [the log|https://ci.example.com/42].\n\n# reproduce on staging\n# check {{auth.yaml}}\n## then restart\n\n{code:java}\nat com.example.Service.call(Service.java:42)\n{code}\n||Env||Result||\n|prod|-failed-|\n".repeat(200);
    let mut g = c.benchmark_group("wiki");
    g.throughput(Throughput::Bytes(wiki.len() as u64));
    g.bench_function("wiki_to_text", |b| {
        b.iter(|| wiki_to_text(black_box(&wiki)).len())
    });
    g.finish();
}

/// Thread CPU time (from `/proc/thread-self/schedstat`), so the "per core"
/// figure holds even when the machine is shared and busy: wall time then
/// counts the time other processes hold the core.
struct ThreadCpu;

fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

struct CpuFormatter;

impl ValueFormatter for CpuFormatter {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = if typical_ns < 1e3 {
            (1.0, "ns cpu")
        } else if typical_ns < 1e6 {
            (1e-3, "µs cpu")
        } else if typical_ns < 1e9 {
            (1e-6, "ms cpu")
        } else {
            (1e-9, "s cpu")
        };
        values.iter_mut().for_each(|v| *v *= factor);
        unit
    }

    fn scale_throughputs(
        &self,
        _typical: f64,
        throughput: &Throughput,
        values: &mut [f64],
    ) -> &'static str {
        let (amount, unit) = match *throughput {
            Throughput::Bytes(b) | Throughput::BytesDecimal(b) => {
                (b as f64 / (1024.0 * 1024.0), "MiB/s per core")
            }
            Throughput::Elements(e) => (e as f64, "elem/s per core"),
            Throughput::Bits(b) => (b as f64, "b/s per core"),
        };
        values.iter_mut().for_each(|v| *v = amount * 1e9 / *v);
        unit
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns"
    }
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns().unwrap_or(0)
    }

    fn end(&self, start: u64) -> u64 {
        // Never zero: criterion divides by it.
        thread_cpu_ns().unwrap_or(0).saturating_sub(start).max(1)
    }

    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }

    fn zero(&self) -> u64 {
        0
    }

    fn to_f64(&self, v: &u64) -> f64 {
        *v as f64
    }

    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuFormatter
    }
}

/// The headline figure again, measured in thread CPU time.
fn bench_cpu(c: &mut Criterion<ThreadCpu>) {
    if thread_cpu_ns().is_none() {
        return;
    }
    let docs = mix();
    let bytes: usize = docs.iter().map(Vec::len).sum();
    let mut g = c.benchmark_group("adf_cpu");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("json_bytes_to_text", |b| {
        let mut renderer = Renderer::new();
        b.iter(|| {
            let mut n = 0;
            for d in &docs {
                n += renderer
                    .render_json(black_box(d))
                    .map(|r| r.text.len())
                    .unwrap_or(0);
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_group! {
    name = cpu;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = bench_cpu
}
criterion_main!(benches, cpu);
