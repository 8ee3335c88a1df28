//! `yizhan map`, run as a user would: PNG and SVG output, and its errors.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a failed step fails the test/benchmark

use std::process::{Command, Output};

fn yizhan(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_yizhan"))
        .args(args)
        .env_remove("DATABASE_URL")
        .env("YIZHAN_LOG", "warn")
        .output()
        .expect("the yizhan binary runs")
}

#[test]
fn map_writes_png_and_svg_and_explains_mistakes() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("var");
    let data = data.to_str().expect("utf-8 path");
    let demo = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/demo/yanzhou-stations.csv");
    assert!(yizhan(&["import", demo, "--data-dir", data]).status.success());

    let png = dir.path().join("兖州区.png");
    let out = yizhan(&["map", "--district", "兖州区", "--out", png.to_str().expect("utf-8"), "--data-dir", data]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let bytes = std::fs::read(&png).expect("the PNG was written");
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
    // IHDR: 1200 × 900.
    assert_eq!(u32::from_be_bytes([bytes[16], bytes[17], bytes[18], bytes[19]]), 1200);
    assert_eq!(u32::from_be_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]), 900);

    let svg = dir.path().join("map.svg");
    let out = yizhan(&[
        "map",
        "--district",
        "兖州区",
        "--lang",
        "en",
        "--out",
        svg.to_str().expect("utf-8"),
        "--data-dir",
        data,
    ]);
    assert!(out.status.success());
    let text = std::fs::read_to_string(&svg).expect("the SVG was written");
    // The demo's 433 stations: every one not closed and inside the boundary is a circle.
    let circles = text.matches("<circle data-id=").count();
    assert!((400..=433).contains(&circles), "{circles} stations drawn");
    assert!(text.contains("Legend") && text.contains("Rest station ("));

    let out = yizhan(&["map", "--district", "北京", "--out", svg.to_str().expect("utf-8"), "--data-dir", data]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("known districts: 任城区, 兖州区"));
    let out = yizhan(&["map", "--district", "兖州区", "--out", "map.gif", "--data-dir", data]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains(".png or .svg"));
}
