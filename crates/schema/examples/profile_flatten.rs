//! Flattens (and optionally writes to Parquet) the benchmark's issues once: a small, steady
//! workload for an instruction-level profiler, where wall-clock benches are too noisy.
//!
//! ```text
//! cargo build --release -p jirafe-schema --example profile_flatten
//! valgrind --tool=callgrind --toggle-collect=profile_flatten::run_parquet \
//!     target/release/examples/profile_flatten parquet 500
//! callgrind_annotate callgrind.out.<pid>
//! ```
//!
//! Modes: `flatten` (models → record batches) or `parquet` (→ Parquet in memory too);
//! collect `profile_flatten::run_flatten` or `profile_flatten::run_parquet` (a `*` pattern
//! would also match the closure inside `run_parquet` and toggle collection off there).
//! Divide the instructions collected by the issue count for instructions per issue.
#![allow(clippy::print_stdout, missing_docs)]

#[path = "../benches/support/bundles.rs"]
mod bundles;

use std::hash::{Hash, Hasher};
use std::hint::black_box;
use std::sync::Arc;

use bundles::{Bundle, bundle, catalog, flatten_all};
use jirafe_partition_writer::PartitionWriter;
use jirafe_schema::FieldCatalog;
use object_store::{memory::InMemory, path::Path};

#[inline(never)]
fn run_flatten(bundles: &[Bundle], catalog: &FieldCatalog) -> usize {
    flatten_all(bundles, catalog).total_rows()
}

/// Returns the rows, the Parquet bytes written and a digest of the files' SHA-256s (to
/// check that a change leaves the files byte for byte the same).
#[inline(never)]
fn run_parquet(
    bundles: &[Bundle],
    catalog: &FieldCatalog,
    rt: &tokio::runtime::Runtime,
) -> (usize, u64, u64) {
    let batches = flatten_all(bundles, catalog);
    let rows = batches.total_rows();
    let writer = PartitionWriter::new(Arc::new(InMemory::new()), Path::from("wh"));
    let (bytes, digest) = rt.block_on(async {
        let mut bytes = 0;
        let mut digest = std::hash::DefaultHasher::new();
        for (table, batch) in batches {
            if batch.num_rows() > 0 {
                let spec = table.spec().expect("spec");
                let report = writer.upsert(&spec, [batch]).await.expect("upsert");
                for p in &report.partitions {
                    bytes += p.bytes;
                    p.sha256.hash(&mut digest);
                }
            }
        }
        (bytes, digest.finish())
    });
    black_box(writer);
    (rows, bytes, digest)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "flatten".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(500);
    let bundles: Vec<Bundle> = (0..n).map(bundle).collect();
    let catalog = catalog();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let (rows, bytes, digest) = match mode.as_str() {
        "parquet" => run_parquet(&bundles, &catalog, &rt),
        _ => (run_flatten(&bundles, &catalog), 0, 0),
    };
    println!("{mode}: {n} issues, {rows} rows, {bytes} Parquet bytes, files digest {digest:016x}");
}
