//! CSV import throughput: `parse_stations` on generated files of 10 000, 100 000 and 1 000 000
//! rows (Chinese headers, every column filled, a few distinct opening-hours strings as real data
//! has). The million-row case is the "a million rows in a few seconds" requirement (formerly an
//! ignored test); it takes 10 samples of one parse each, about a minute in all
//! (measured 3.7 s per million rows on the 2-core project machine, shared with other jobs).
//!
//! Run with `cargo bench -p yizhan-planner --bench import` (only the million rows:
//! `cargo bench -p yizhan-planner --bench import -- import_csv_million`).

#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)] // criterion_group! generates undocumented functions

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use std::fmt::Write as _;
use std::hint::black_box;
use std::time::Duration;
use yizhan_planner::import::{ImportOptions, parse_stations};

const HOURS: [&str; 4] = ["24/7", "Mo-Su 07:00-21:00", "Mo-Fr 08:00-20:00; Sa,Su 09:00-18:00", "Mo-Sa 06:30-22:00"];
const KINDS: [&str; 4] = ["驿站", "爱心商户", "充电换电柜", "网约车临时停靠点"];
const AMENITIES: [&str; 4] = ["饮用水;热水;微波炉热饭", "wifi;toilet", "电动车充电;换电", "休息座椅;雨具;急救药箱"];

/// A CSV file of `rows` distinct stations around 兖州区.
fn generate(rows: usize) -> Vec<u8> {
    let mut s = String::with_capacity(rows * 200);
    s.push_str("名称,类型,经度,纬度,地址,区县,街道,设施,开放时间,容量,电话,状态,来源,编号,核验日期\n");
    for i in 0..rows {
        let lon = 116.70 + (i % 1000) as f64 * 0.000_2;
        let lat = 35.50 + (i / 1000 % 1000) as f64 * 0.000_2;
        let _ = writeln!(
            s,
            "第{i}号站点,{},{lon:.6},{lat:.6},兖州区建设路{}号,兖州区,鼓楼街道,{},\"{}\",{},0537-34{:05},运营中,bench,B{i},2024-05-01",
            KINDS[i % 4],
            i % 500,
            AMENITIES[i % 4],
            HOURS[i % 4],
            i % 50,
            i % 100_000,
        );
    }
    s.into_bytes()
}

fn csv_parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("import_csv");
    group.sample_size(10);
    let opts = ImportOptions::default();
    for rows in [10_000usize, 100_000] {
        let bytes = generate(rows);
        match parse_stations(&bytes, &opts) {
            Ok(v) => assert_eq!(v.len(), rows),
            Err(e) => panic!(
                "the generated file must import: {}",
                e.to_string().lines().take(3).collect::<Vec<_>>().join("\n")
            ),
        }
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_with_input(BenchmarkId::from_parameter(rows), &bytes, |b, bytes| {
            b.iter(|| parse_stations(black_box(bytes), &opts));
        });
    }
    group.finish();
}

/// One million rows: 10 samples of one parse each (a few seconds apiece).
fn csv_parse_million(c: &mut Criterion) {
    const ROWS: usize = 1_000_000;
    let mut group = c.benchmark_group("import_csv_million");
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(60));
    let opts = ImportOptions::default();
    let bytes = generate(ROWS);
    match parse_stations(&bytes, &opts) {
        Ok(v) => assert_eq!(v.len(), ROWS),
        Err(e) => {
            panic!("the generated file must import: {}", e.to_string().lines().take(3).collect::<Vec<_>>().join("\n"))
        }
    }
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_with_input(BenchmarkId::from_parameter(ROWS), &bytes, |b, bytes| {
        b.iter(|| parse_stations(black_box(bytes), &opts));
    });
    group.finish();
}

criterion_group!(benches, csv_parse, csv_parse_million);
criterion_main!(benches);
