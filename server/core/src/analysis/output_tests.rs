#![allow(clippy::unwrap_used)]

use super::*;
use yizhan_planner::coverage::CoverageClass;

fn text_of(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("a UTF-8 BOM first")).unwrap()
}

#[test]
fn cells_csv_quotes_formula_text_and_keeps_negative_numbers_numbers() {
    let cell = |h3: &str, lon: f64, street: Option<&str>| CellCoverage {
        h3: h3.to_owned(),
        centre: [lon, 51.25],
        area_m2: 1000.5,
        demand: 2.0,
        travel_time_s: Some(301.5),
        station_id: Some(7),
        class: CoverageClass::Within { threshold_s: 600.0 },
        street: street.map(str::to_owned),
    };
    let cells = [
        cell("8928308280fffff", -0.5, Some(r#"=HYPERLINK("http://x")"#)),
        cell("8928308280bffff", -0.25, Some("@SUM(1)")),
        CellCoverage {
            travel_time_s: None,
            station_id: None,
            class: CoverageClass::Unreachable,
            ..cell("89283082813ffff", 0.125, Some("鼓楼街道, 北"))
        },
        CellCoverage { street: None, ..cell("89283082817ffff", 1.0, None) },
    ];
    assert_eq!(
        text_of(&cells_csv(&cells, HeaderLang::En)),
        "h3,lon,lat,area_m2,demand,travel_time_s,class,station_id,street\r\n\
         8928308280fffff,-0.5,51.25,1000.5,2,301.5,within_10,7,\"'=HYPERLINK(\"\"http://x\"\")\"\r\n\
         8928308280bffff,-0.25,51.25,1000.5,2,301.5,within_10,7,'@SUM(1)\r\n\
         89283082813ffff,0.125,51.25,1000.5,2,,unreachable,,\"鼓楼街道, 北\"\r\n\
         89283082817ffff,1,51.25,1000.5,2,301.5,within_10,7,\r\n"
    );
    let zh = cells_csv(&cells[1..2], HeaderLang::Zh);
    assert_eq!(
        text_of(&zh),
        "H3,经度,纬度,面积(平方米),需求,出行时间(秒),类别,最近站点,街道\r\n\
         8928308280bffff,-0.25,51.25,1000.5,2,301.5,within_10,7,'@SUM(1)\r\n"
    );
}

#[test]
fn sites_csv_quotes_formula_names_and_ids_and_keeps_negative_numbers_numbers() {
    let sites = [
        ProposedSite {
            rank: 1,
            lon: -0.5,
            lat: -33.75,
            h3: Some("8928308280fffff".to_owned()),
            candidate_id: None,
            name: None,
            gain: 120.5,
            gain_share: 0.05,
            cumulative_share: 0.8,
        },
        ProposedSite {
            rank: 2,
            lon: 116.7,
            lat: 35.6,
            h3: None,
            candidate_id: Some("-c1".to_owned()),
            name: Some(r#"=HYPERLINK("http://x")"#.to_owned()),
            gain: 30.0,
            gain_share: 0.0125,
            cumulative_share: 0.8125,
        },
        ProposedSite {
            rank: 3,
            lon: 116.75,
            lat: 35.5,
            h3: None,
            candidate_id: Some("'+c2".to_owned()),
            name: Some("@SUM(1)".to_owned()),
            gain: 0.0,
            gain_share: 0.0,
            cumulative_share: 0.8125,
        },
        ProposedSite {
            rank: 4,
            lon: 116.8,
            lat: 35.4,
            h3: None,
            candidate_id: Some("c3".to_owned()),
            name: Some("候选点 \"甲\"".to_owned()),
            gain: 1.0,
            gain_share: 0.001,
            cumulative_share: 0.8135,
        },
    ];
    assert_eq!(
        text_of(&sites_csv(&sites, HeaderLang::En)),
        "rank,lon,lat,h3,candidate_id,name,gain,gain_share,cumulative_share\r\n\
         1,-0.5,-33.75,8928308280fffff,,,120.5,0.05,0.8\r\n\
         2,116.7,35.6,,'-c1,\"'=HYPERLINK(\"\"http://x\"\")\",30,0.0125,0.8125\r\n\
         3,116.75,35.5,,''+c2,'@SUM(1),0,0,0.8125\r\n\
         4,116.8,35.4,,c3,\"候选点 \"\"甲\"\"\",1,0.001,0.8135\r\n"
    );
    assert_eq!(
        text_of(&sites_csv(&sites[2..3], HeaderLang::Zh)),
        "排名,经度,纬度,H3,候选编号,名称,新增覆盖需求,新增占比,累计占比\r\n\
         3,116.75,35.5,,''+c2,'@SUM(1),0,0,0.8125\r\n"
    );
}
