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

#[path = "support/bundles.rs"]
mod bundles;

use std::hint::black_box;
use std::sync::Arc;

use bundles::{Bundle, bundle, catalog, flatten_all};
use criterion::measurement::{Measurement, ValueFormatter};
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use jirafe_partition_writer::PartitionWriter;
use jirafe_schema::{FieldCatalog, Table};
use object_store::{memory::InMemory, path::Path};

const ISSUES: usize = 2_000;

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
