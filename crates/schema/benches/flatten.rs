//! Issues per second from parsed client models to record batches, and on to Parquet in an
//! in-memory object store, on one core. Privacy is a pass-through here (scrubbing is
//! measured by pii-scrub's own benches).
//!
//! Each case is measured twice: `schema/…` in wall-clock time, and `schema_cpu/…` in the
//! benchmark thread's CPU time (from `/proc/thread-self/schedstat`), which is the
//! one-core figure on a machine busy with other work.
//!
//! `cargo bench -p jirafe-schema --bench flatten -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs)] // criterion_group! generates an undocumented public function

use std::borrow::Cow;
use std::hint::black_box;
use std::sync::Arc;

use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use jirafe_jira_client::models::{ChangelogHistory, Comment, Field, Issue, User, Worklog};
use jirafe_partition_writer::PartitionWriter;
use jirafe_schema::{FieldCatalog, Flattener, IssueRecord, Mention, Privacy, Table};
use object_store::{memory::InMemory, path::Path};
use serde_json::{Value, json};

const ISSUES: usize = 2_000;

/// Pseudonym = the id, text kept: the flattening cost alone.
struct PassThrough;

impl Privacy for PassThrough {
    fn pseudonym(&self, user: &User) -> Option<String> {
        user.stable_id().map(str::to_owned)
    }
    fn scrub<'a>(&self, _table: &str, _column: &str, text: &'a str) -> Option<Cow<'a, str>> {
        Some(Cow::Borrowed(text))
    }
    fn mention(&self, _mention: &Mention<'_>, out: &mut String) {
        out.push_str("@user");
    }
    fn is_opted_out(&self, _user: &User) -> bool {
        false
    }
}

struct Bundle {
    issue: Issue,
    comments: Vec<Comment>,
    worklogs: Vec<Worklog>,
    changelog: Vec<ChangelogHistory>,
}

fn user(n: usize) -> Value {
    json!({"accountId": format!("5b10ac8d82e05b22cc7d{n:04}"), "displayName": format!("Person {n}"),
           "emailAddress": format!("person{n}@example.com"), "accountType": "atlassian", "active": true})
}

fn adf(paragraphs: &[&str], mention: usize) -> Value {
    let mut content = vec![json!({"type": "paragraph", "content": [
        {"type": "mention", "attrs": {"id": format!("5b10ac8d82e05b22cc7d{mention:04}"), "text": "@Person"}},
        {"type": "text", "text": " could you take a look at this?"}]})];
    for p in paragraphs {
        content.push(json!({"type": "paragraph", "content": [
            {"type": "text", "text": *p},
            {"type": "text", "text": " see the runbook", "marks": [{"type": "link", "attrs": {"href": "https://wiki.example.com/runbook"}}]}]}));
    }
    content.push(json!({"type": "bulletList", "content": [
        {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Steps to reproduce: open the checkout page"}]}]},
        {"type": "listItem", "content": [{"type": "paragraph", "content": [{"type": "text", "text": "Expected: the order is placed", "marks": [{"type": "strong"}]}]}]}]}));
    json!({"type": "doc", "version": 1, "content": content})
}

fn bundle(i: usize) -> Bundle {
    let month = 1 + i % 12;
    let day = 1 + i % 28;
    let created = format!("2024-{month:02}-{day:02}T10:{:02}:00.000+0000", i % 60);
    let updated = format!("2025-01-{day:02}T10:00:00.000+0000");
    let issue = json!({
        "id": (100_000 + i).to_string(), "key": format!("DEMO-{i}"),
        "fields": {
            "summary": format!("Checkout fails intermittently on step {i}"),
            "created": created, "updated": updated,
            "issuetype": {"id": "10001", "name": "Bug", "subtask": false, "hierarchyLevel": 0},
            "project": {"id": "10000", "key": "DEMO", "name": "Demo"},
            "status": {"id": "3", "name": "In Progress", "statusCategory": {"id": 4, "key": "indeterminate"}},
            "priority": {"id": "3", "name": "Medium"},
            "labels": ["checkout", "web"],
            "components": [{"id": "10", "name": "Payments"}],
            "fixVersions": [{"id": "200", "name": "2025.1"}],
            "reporter": user(i % 50), "assignee": user((i + 7) % 50), "creator": user(i % 50),
            "votes": {"votes": 1}, "watches": {"watchCount": 3},
            "timetracking": {"originalEstimateSeconds": 3600, "timeSpentSeconds": 1800},
            "description": adf(&["The payment form throws a validation error when the card expires this month.",
                                 "It started after the last deploy; the logs show a timeout in the tokenizer."], (i + 3) % 50),
            "customfield_10016": (i % 8) as f64,
            "customfield_10020": [{"id": 1 + i % 20, "name": format!("Sprint {}", 1 + i % 20), "state": "closed"}],
            "customfield_10033": {"value": "Major", "id": "10100"},
            "customfield_10037": ["hotfix"],
        }
    });
    let comments = (0..3)
        .map(|c| {
            json!({"id": (i * 10 + c).to_string(), "author": user((i + c) % 50),
            "body": adf(&["Reproduced on staging with a fresh account."], (i + c + 1) % 50),
            "created": updated, "updated": updated})
        })
        .collect::<Vec<_>>();
    let worklogs = vec![
        json!({"id": i.to_string(), "author": user(i % 50), "timeSpentSeconds": 1800,
        "started": updated, "created": updated, "updated": updated,
        "comment": adf(&["Investigated the tokenizer timeout."], i % 50)}),
    ];
    let changelog = (0..4)
        .map(|h| json!({"id": (i * 10 + h).to_string(), "author": user((i + h) % 50), "created": updated,
            "items": [
                {"field": "status", "fieldtype": "jira", "fieldId": "status", "from": "1", "fromString": "Open", "to": "3", "toString": "In Progress"},
                {"field": "assignee", "fieldtype": "jira", "fieldId": "assignee", "from": format!("5b10ac8d82e05b22cc7d{:04}", h), "fromString": "Person A",
                 "to": format!("5b10ac8d82e05b22cc7d{:04}", h + 1), "toString": "Person B"}]}))
        .collect::<Vec<_>>();
    Bundle {
        issue: parse(issue),
        comments: parse(Value::Array(comments)),
        worklogs: parse(Value::Array(worklogs)),
        changelog: parse(Value::Array(changelog)),
    }
}

fn parse<T: serde::de::DeserializeOwned>(v: Value) -> T {
    serde_json::from_value(v).expect("generated models parse")
}

fn catalog() -> FieldCatalog {
    let fields: Vec<Field> = serde_json::from_value(json!([
        {"id": "customfield_10016", "name": "Story point estimate", "schema": {"type": "number"}},
        {"id": "customfield_10020", "name": "Sprint", "schema": {"type": "array", "items": "json", "custom": "com.pyxis.greenhopper.jira:gh-sprint"}},
        {"id": "customfield_10033", "name": "Customer impact", "schema": {"type": "option"}},
        {"id": "customfield_10037", "name": "Tags", "schema": {"type": "array", "items": "string"}}
    ]))
    .expect("catalog parses");
    FieldCatalog::new(&fields)
}

fn flatten_all(bundles: &[Bundle], catalog: &FieldCatalog) -> jirafe_schema::TableBatches {
    let mut f = Flattener::new(&PassThrough, catalog.clone());
    for b in bundles {
        f.append_issue(
            IssueRecord::new(&b.issue)
                .with_comments(&b.comments)
                .with_worklogs(&b.worklogs)
                .with_changelog(&b.changelog),
        )
        .expect("flattens");
    }
    f.finish().expect("batches build")
}

/// The calling thread's CPU time in nanoseconds (Linux), so "issues per second on one core"
/// holds on a machine busy with other work.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// A criterion measurement of thread CPU time.
struct ThreadCpu;

struct CpuUnits;

impl ValueFormatter for CpuUnits {
    fn scale_values(&self, typical_ns: f64, values: &mut [f64]) -> &'static str {
        let (factor, unit) = match typical_ns {
            t if t < 1e3 => (1.0, "ns cpu"),
            t if t < 1e6 => (1e-3, "µs cpu"),
            t if t < 1e9 => (1e-6, "ms cpu"),
            _ => (1e-9, "s cpu"),
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
        let per = match throughput {
            Throughput::Elements(n) | Throughput::Bytes(n) | Throughput::BytesDecimal(n) => {
                *n as f64
            }
            _ => 1.0,
        };
        // values are ns of CPU per iteration: elements per CPU-second.
        values.iter_mut().for_each(|v| *v = per * 1e9 / *v);
        "elem/s cpu"
    }

    fn scale_for_machines(&self, _values: &mut [f64]) -> &'static str {
        "ns cpu"
    }
}

impl Measurement for ThreadCpu {
    type Intermediate = u64;
    type Value = u64;

    fn start(&self) -> u64 {
        thread_cpu_ns().unwrap_or(0)
    }
    fn end(&self, start: u64) -> u64 {
        thread_cpu_ns().unwrap_or(0).saturating_sub(start).max(1)
    }
    fn add(&self, a: &u64, b: &u64) -> u64 {
        a + b
    }
    fn zero(&self) -> u64 {
        0
    }
    fn to_f64(&self, value: &u64) -> f64 {
        *value as f64
    }
    fn formatter(&self) -> &dyn ValueFormatter {
        &CpuUnits
    }
}

struct Setup {
    bundles: Vec<Bundle>,
    catalog: FieldCatalog,
    specs: Vec<jirafe_partition_writer::TableSpec>,
    rows: usize,
    rt: tokio::runtime::Runtime,
}

fn setup() -> Setup {
    let bundles: Vec<Bundle> = (0..ISSUES).map(bundle).collect();
    let catalog = catalog();
    let rows = flatten_all(&bundles, &catalog).total_rows();
    let specs = Table::ALL.iter().map(|t| t.spec().expect("spec")).collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    Setup {
        bundles,
        catalog,
        specs,
        rows,
        rt,
    }
}

fn cases<M: Measurement>(group: &mut BenchmarkGroup<'_, M>, s: &Setup) {
    group.sample_size(10);
    group.throughput(Throughput::Elements(ISSUES as u64));
    group.bench_function(format!("flatten/{ISSUES} issues ({} rows)", s.rows), |b| {
        b.iter(|| black_box(flatten_all(&s.bundles, &s.catalog)))
    });
    group.bench_function(format!("flatten+parquet/{ISSUES} issues, 12 months"), |b| {
        b.iter(|| {
            let batches = flatten_all(&s.bundles, &s.catalog);
            let writer = PartitionWriter::new(Arc::new(InMemory::new()), Path::from("wh"));
            s.rt.block_on(async {
                for ((table, batch), spec) in batches.into_iter().zip(&s.specs) {
                    debug_assert_eq!(table.name(), spec.name());
                    if batch.num_rows() > 0 {
                        writer.upsert(spec, [batch]).await.expect("upsert");
                    }
                }
            });
            black_box(writer)
        })
    });
}

fn benches(c: &mut Criterion) {
    let s = setup();
    let mut group = c.benchmark_group("schema");
    cases(&mut group, &s);
    group.finish();
}

fn benches_cpu(c: &mut Criterion<ThreadCpu>) {
    if thread_cpu_ns().is_none() {
        return;
    }
    let s = setup();
    let mut group = c.benchmark_group("schema_cpu");
    cases(&mut group, &s);
    group.finish();
}

criterion_group!(flatten, benches);
criterion_group! {
    name = flatten_cpu;
    config = Criterion::default().with_measurement(ThreadCpu);
    targets = benches_cpu
}
criterion_main!(flatten, flatten_cpu);
