use super::*;
use crate::district::parse_districts;

fn yanzhou() -> District {
    let text = include_str!("../../data/districts/jining.geojson");
    parse_districts(text).unwrap().into_iter().find(|d| d.name == "兖州区").unwrap()
}

#[test]
fn same_seed_same_stations_and_all_valid_inside_the_district() {
    let d = yanzhou();
    let a = generate(&d, DEMO_SEED);
    assert_eq!(a, generate(&d, DEMO_SEED));
    assert_ne!(a, generate(&d, DEMO_SEED + 1));
    let total: usize = DEMO_COUNTS.iter().map(|c| c.1).sum();
    assert_eq!(a.len(), total);
    for (kind, n) in DEMO_COUNTS {
        assert_eq!(a.iter().filter(|s| s.kind == kind).count(), n);
    }
    for s in &a {
        let mut s2 = s.clone();
        s2.normalize_and_validate().unwrap();
        assert_eq!(&s2, s, "generator output is already normalised");
        assert!(d.contains(s.location.lon, s.location.lat), "{} outside 兖州区", s.name);
        assert!(s.opening_hours.is_some());
    }
    let ids: std::collections::HashSet<_> = a.iter().map(|s| s.external_id.clone()).collect();
    assert_eq!(ids.len(), a.len());
}

#[test]
fn jining_file_has_eleven_districts() {
    let ds = parse_districts(include_str!("../../data/districts/jining.geojson")).unwrap();
    assert_eq!(ds.len(), 11);
    let y = ds.iter().find(|d| d.name == "兖州区").unwrap();
    assert_eq!(y.city.as_deref(), Some("济宁市"));
    assert!(y.contains(116.786, 35.553));
    assert!(!y.contains(116.59, 35.41)); // Rencheng/Qufu side
}

#[test]
fn helsinki_stations_are_seeded_valid_and_inside_the_box() {
    let a = generate_helsinki(DEMO_SEED);
    assert_eq!(a, generate_helsinki(DEMO_SEED));
    assert_ne!(a, generate_helsinki(DEMO_SEED + 1));
    assert_eq!(a.len(), HELSINKI_COUNTS.iter().map(|c| c.1).sum::<usize>());
    assert_eq!(a.len(), 60);
    for (kind, n) in HELSINKI_COUNTS {
        assert_eq!(a.iter().filter(|s| s.kind == kind).count(), n);
    }
    let [w, s, e, n] = HELSINKI_BOX;
    for st in &a {
        let mut s2 = st.clone();
        s2.normalize_and_validate().unwrap();
        assert_eq!(&s2, st, "generator output is already normalised");
        assert!((w..=e).contains(&st.location.lon) && (s..=n).contains(&st.location.lat), "{}", st.name);
        assert_eq!(st.source.as_deref(), Some(HELSINKI_DEMO_SOURCE));
        assert!(st.source.as_deref().unwrap().contains("合成"), "labelled synthetic");
    }
    let ids: std::collections::HashSet<_> = a.iter().map(|s| s.external_id.clone()).collect();
    assert_eq!(ids.len(), a.len());
}
