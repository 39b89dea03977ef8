//! Criterion benches: organisation generation and serving search pages.
//!
//! Run: `cargo bench -p jirafe-jira-sim -- --warm-up-time 1 --measurement-time 3`

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use jirafe_jira_sim::{Org, OrgConfig};

fn generate(c: &mut Criterion) {
    let mut g = c.benchmark_group("generate");
    g.sample_size(10);
    for n in [3000usize, 20_000] {
        g.throughput(Throughput::Elements(n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter(|| Org::generate(&OrgConfig::new(42, n)));
        });
    }
    g.finish();
}

criterion_group!(benches, generate);
criterion_main!(benches);
