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
//! `profile_flatten time N REPS` prints the best CPU time per issue over 5 rounds of REPS
//! flattens; `ptime N REPS` the same for flattens and Parquet writes.
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

/// The calling thread's CPU time in nanoseconds (Linux).
fn thread_cpu_ns() -> u64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
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
    if mode == "adf" {
        // Rendering the same rich text held as parsed `serde_json::Value`s (what the
        // models hold) and as compact JSON text (parsed by adf-to-text's own parser).
        let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
        let values: Vec<&serde_json::Value> = bundles.iter().flat_map(Bundle::rich_text).collect();
        let texts: Vec<String> = values.iter().map(|v| v.to_string()).collect();
        let mut renderer = jirafe_adf_to_text::Renderer::new();
        let mut out = String::new();
        let best = |f: &mut dyn FnMut()| {
            (0..5)
                .map(|_| {
                    let t = thread_cpu_ns();
                    for _ in 0..reps {
                        f();
                    }
                    (thread_cpu_ns() - t) / (reps * n) as u64
                })
                .min()
                .unwrap_or(0)
        };
        let from_values = best(&mut || {
            for v in &values {
                renderer.render_value_into(v, &mut out);
            }
        });
        let from_text = best(&mut || {
            for t in &texts {
                black_box(
                    renderer
                        .render_json_str(t)
                        .map(|r| r.text.len())
                        .unwrap_or(0),
                );
            }
        });
        println!(
            "adf: {n} issues, {} documents: from Values {from_values} ns cpu per issue, from JSON text {from_text} ns cpu per issue",
            values.len()
        );
        return;
    }
    if mode == "time" || mode == "ptime" {
        // CPU time per issue of 5 rounds of REPS flattens (`ptime`: and Parquet writes).
        let reps: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(20);
        let parquet = mode == "ptime";
        let rounds: Vec<u64> = (0..5)
            .map(|_| {
                let t = thread_cpu_ns();
                for _ in 0..reps {
                    if parquet {
                        black_box(run_parquet(&bundles, &catalog, &rt));
                    } else {
                        black_box(run_flatten(&bundles, &catalog));
                    }
                }
                (thread_cpu_ns() - t) / (reps * n) as u64
            })
            .collect();
        let best = rounds.iter().min().copied().unwrap_or(0);
        println!("{mode}: {n} issues, best {best} ns cpu per issue (rounds: {rounds:?})");
        return;
    }
    let (rows, bytes, digest) = match mode.as_str() {
        "parquet" => run_parquet(&bundles, &catalog, &rt),
        _ => (run_flatten(&bundles, &catalog), 0, 0),
    };
    println!("{mode}: {n} issues, {rows} rows, {bytes} Parquet bytes, files digest {digest:016x}");
}
