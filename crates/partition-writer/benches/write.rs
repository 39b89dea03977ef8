//! Writer throughput on realistic synthetic tables: `issues` (40 columns) with 3 comments
//! and 6 changelog items per issue, to InMemory and to local disk; plus the upsert merge
//! of an update touching 10% of the months of an existing warehouse.
//!
//! Run: `cargo bench -p jirafe-partition-writer --bench write -- --warm-up-time 1 --measurement-time 3`
//! Throughput is in issues (each with its 9 child rows) per second.
#![allow(missing_docs)] // criterion_group! generates undocumented items

#[path = "support/synth.rs"]
mod synth;

use std::hint::black_box;
use std::sync::Arc;

use arrow::array::RecordBatch;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use jirafe_partition_writer::{PartitionWriter, TableSpec};
use object_store::ObjectStore;
use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path;
use synth::{Shape, batches, specs};
use tokio::runtime::Runtime;

fn runtime() -> Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

async fn load(writer: &PartitionWriter, specs: &[TableSpec; 3], tables: &[RecordBatch; 3]) {
    for (spec, batch) in specs.iter().zip(tables) {
        writer.upsert(spec, [batch.clone()]).await.expect("upsert");
    }
}

fn write_new(c: &mut Criterion) {
    let rt = runtime();
    let specs = specs();
    let shape = Shape {
        issues: 20_000,
        months: 10,
    };
    let tables = batches(&shape, 1..shape.issues + 1, 0);
    let mut g = c.benchmark_group("write_new_20k_issues_10_months");
    g.throughput(Throughput::Elements(shape.issues as u64));
    g.sample_size(10);
    g.bench_function("in_memory", |b| {
        b.iter_batched(
            || PartitionWriter::new(Arc::new(InMemory::new()), Path::from("wh")),
            |w| rt.block_on(load(black_box(&w), &specs, &tables)),
            BatchSize::PerIteration,
        )
    });
    g.bench_function("local_disk", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let store = LocalFileSystem::new_with_prefix(dir.path()).expect("store");
                (dir, PartitionWriter::new(Arc::new(store), Path::from("wh")))
            },
            |(dir, w)| {
                rt.block_on(load(black_box(&w), &specs, &tables));
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

fn upsert_touching_10pct_of_months(c: &mut Criterion) {
    let rt = runtime();
    let specs = specs();
    let shape = Shape {
        issues: 20_000,
        months: 100,
    };
    let base = Arc::new(InMemory::new());
    let base_store: Arc<dyn ObjectStore> = base.clone();
    let base_writer = PartitionWriter::new(Arc::clone(&base_store), Path::from("wh"));
    // Build the base warehouse month by month (as a backfill would).
    for m in 0..shape.months {
        rt.block_on(load(
            &base_writer,
            &specs,
            &batches(&shape, shape.ids_of_month(m), 0),
        ));
    }
    // The update: every issue of every 10th month, one revision newer.
    let touched: Vec<i64> = (0..shape.months).step_by(10).collect();
    let update: Vec<[RecordBatch; 3]> = touched
        .iter()
        .map(|&m| batches(&shape, shape.ids_of_month(m), 1))
        .collect();
    let issues: i64 = touched
        .iter()
        .map(|&m| shape.ids_of_month(m).count() as i64)
        .sum();
    let update_tables: [Vec<RecordBatch>; 3] =
        std::array::from_fn(|t| update.iter().map(|u| u[t].clone()).collect());

    let mut g = c.benchmark_group("upsert_10pct_of_100_months_20k_issue_warehouse");
    g.throughput(Throughput::Elements(issues as u64));
    g.sample_size(10);
    g.bench_function("in_memory", |b| {
        b.iter_batched(
            || PartitionWriter::new(Arc::new(base.fork()), Path::from("wh")),
            |w| {
                rt.block_on(async {
                    for (spec, tables) in specs.iter().zip(&update_tables) {
                        w.upsert(spec, tables.iter().cloned())
                            .await
                            .expect("upsert");
                    }
                })
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("local_disk", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().expect("tempdir");
                let store: Arc<dyn ObjectStore> =
                    Arc::new(LocalFileSystem::new_with_prefix(dir.path()).expect("store"));
                rt.block_on(copy_all(&base_store, store.as_ref()));
                (dir, PartitionWriter::new(store, Path::from("wh")))
            },
            |(dir, w)| {
                rt.block_on(async {
                    for (spec, tables) in specs.iter().zip(&update_tables) {
                        w.upsert(spec, tables.iter().cloned())
                            .await
                            .expect("upsert");
                    }
                });
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

async fn copy_all(from: &Arc<dyn ObjectStore>, to: &dyn ObjectStore) {
    use futures::TryStreamExt;
    use object_store::ObjectStoreExt;
    let metas: Vec<_> = from.list(None).try_collect().await.expect("list");
    for meta in metas {
        let bytes = from
            .get(&meta.location)
            .await
            .expect("get")
            .bytes()
            .await
            .expect("bytes");
        to.put(&meta.location, bytes.into()).await.expect("put");
    }
}

criterion_group!(benches, write_new, upsert_touching_10pct_of_months);
criterion_main!(benches);
