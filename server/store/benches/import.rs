//! Import rate of the embedded store (a WAL file in a temporary data directory): an import of N
//! generated stations creating every one in an empty store, the re-import of the same rows
//! updating every one (matched by `source` + `external_id`), and reading the N stations back with
//! `load_all`. Throughput is in stations per second.
//!
//! N is 100 000; `YIZHAN_IMPORT_BENCH_ROWS=1000000` measures a million (about ten times as
//! long). Run with `cargo bench -p yizhan-store --features fixtures --bench import`.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use std::hint::black_box;
use tempfile::TempDir;
use tokio::runtime::Runtime;
use yizhan_planner::station::StationData;
use yizhan_store::fixtures::generated;
use yizhan_store::{StorageConfig, Store};

/// Stations per import unless `YIZHAN_IMPORT_BENCH_ROWS` says otherwise.
const DEFAULT_ROWS: usize = 100_000;

fn rows_to_import() -> usize {
    match std::env::var("YIZHAN_IMPORT_BENCH_ROWS") {
        Ok(v) => v.trim().parse().expect("YIZHAN_IMPORT_BENCH_ROWS is a number of rows"),
        Err(_) => DEFAULT_ROWS,
    }
}

/// A new, empty embedded store (and the directory holding it, removed when dropped).
fn fresh(rt: &Runtime) -> (TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let config = StorageConfig::Embedded { data_dir: dir.path().join("data") };
    let store = rt.block_on(Store::open(&config)).unwrap();
    (dir, store)
}

fn import(c: &mut Criterion) {
    let n = rows_to_import();
    let rt = Runtime::new().unwrap();
    let rows: Vec<StationData> = (0..n).map(|i| generated("速率", i)).collect();
    let mut group = c.benchmark_group(format!("embedded_import_{n}"));
    group.sample_size(10).throughput(Throughput::Elements(n as u64));

    // Each sample imports into a store of its own, opened (and removed) outside the measurement.
    group.bench_function("create", |b| {
        b.iter_batched(
            || (fresh(&rt), rows.clone()),
            |((dir, store), rows)| {
                let outcome = rt.block_on(store.import(rows, &|_| {})).unwrap();
                assert_eq!(outcome.created.len(), n);
                (dir, store, outcome)
            },
            BatchSize::PerIteration,
        );
    });

    // One store holding the rows; every sample imports them again, updating each station.
    let (_dir, store) = fresh(&rt);
    rt.block_on(store.import(rows.clone(), &|_| {})).unwrap();
    group.bench_function("update", |b| {
        b.iter_batched(
            || rows.clone(),
            |rows| {
                let outcome = rt.block_on(store.import(rows, &|_| {})).unwrap();
                assert_eq!(outcome.updated.len(), n);
                outcome
            },
            BatchSize::PerIteration,
        );
    });

    group.bench_function("load_all", |b| b.iter(|| black_box(rt.block_on(store.load_all()).unwrap())));
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
