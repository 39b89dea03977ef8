//! Peak memory of a warehouse update touching 10% of the months.
//!
//! Builds a 200,000-issue warehouse on local disk (100 months; 3 comments and 6 changelog
//! items per issue; `issues` has 40 columns), then, in a separate run, updates every issue
//! of 10 of the 100 months (a newer revision of all three tables). Measure the update alone:
//!
//! ```text
//! cargo build --release -p jirafe-partition-writer --example peak_memory
//! target/release/examples/peak_memory build /tmp/jirafe-wh
//! /usr/bin/time -v target/release/examples/peak_memory update /tmp/jirafe-wh
//! ```
//!
//! and read "Maximum resident set size" (target: ≤ 500 MB).
#![allow(clippy::print_stdout, missing_docs)]

#[path = "../benches/support/synth.rs"]
mod synth;

use std::sync::Arc;
use std::time::Instant;

use jirafe_partition_writer::{Outcome, PartitionWriter};
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use synth::{Shape, batches, specs};

const SHAPE: Shape = Shape {
    issues: 200_000,
    months: 100,
};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(mode), Some(dir)) = (args.next(), args.next()) else {
        return Err("usage: peak_memory build|update DIR".into());
    };
    std::fs::create_dir_all(&dir)?;
    let store = Arc::new(LocalFileSystem::new_with_prefix(&dir)?);
    let writer = PartitionWriter::new(store, Path::default());
    let specs = specs();
    let started = Instant::now();
    let (months, revision): (Vec<i64>, i64) = match mode.as_str() {
        "build" => ((0..SHAPE.months).collect(), 0),
        "update" => ((0..SHAPE.months).step_by(10).collect(), 1),
        _ => return Err("mode is build or update".into()),
    };
    let (mut written, mut unchanged, mut bytes) = (0, 0, 0);
    if mode == "build" {
        // A backfill: one month at a time.
        for &m in &months {
            let tables = batches(&SHAPE, SHAPE.ids_of_month(m), revision);
            for (spec, batch) in specs.iter().zip(tables) {
                let r = writer.upsert(spec, [batch]).await?;
                written += r.count(Outcome::Written);
                bytes += r.written().map(|p| p.bytes).sum::<u64>();
            }
        }
    } else {
        // The update arrives as one load spanning 10 months, table by table.
        let per_month: Vec<_> = months
            .iter()
            .map(|&m| batches(&SHAPE, SHAPE.ids_of_month(m), revision))
            .collect();
        for (t, spec) in specs.iter().enumerate() {
            let incoming = per_month.iter().map(|tables| tables[t].clone());
            let r = writer.upsert(spec, incoming).await?;
            written += r.count(Outcome::Written);
            unchanged += r.count(Outcome::Unchanged);
            bytes += r.written().map(|p| p.bytes).sum::<u64>();
        }
    }
    let issues: usize = months.iter().map(|&m| SHAPE.ids_of_month(m).count()).sum();
    println!(
        "{mode}: {issues} issues in {} months, {written} partitions written ({unchanged} unchanged), {:.1} MB, {:.2?}",
        months.len(),
        bytes as f64 / 1e6,
        started.elapsed()
    );
    Ok(())
}
