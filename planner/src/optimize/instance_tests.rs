#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn random_instances_are_seeded_and_in_range() {
    let a = PlanarInstance::random(1_000, 100, 20_000, 2_500.0, 20, 3);
    assert_eq!(a, PlanarInstance::random(1_000, 100, 20_000, 2_500.0, 20, 3));
    assert_ne!(a, PlanarInstance::random(1_000, 100, 20_000, 2_500.0, 20, 4));
    assert_eq!((a.demand.len(), a.weights.len(), a.candidates.len()), (1_000, 1_000, 100));
    for p in a.demand.iter().chain(&a.candidates) {
        assert!(p.iter().all(|&c| (0.0..=20_000.0).contains(&c) && c.fract() == 0.0));
    }
    assert!(a.weights.iter().all(|&w| (1.0..=100.0).contains(&w) && w.fract() == 0.0));
    // Mean 50.5: the sum of 1 000 weights is within 10 % of 50 500.
    let total: f64 = a.weights.iter().sum();
    assert!((total - 50_500.0).abs() < 5_050.0, "{total}");
    assert_eq!(PlanarInstance::scaled_box_m(5_000), 20_000);
    assert_eq!(PlanarInstance::scaled_box_m(1_000_000), 282_843);
}

#[test]
fn reading_reports_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("yizhan-instance-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = PlanarInstance::read_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("demand.csv"), "{err}");
    std::fs::write(dir.join("demand.csv"), "x,y,weight\n1,2,3\n4,five,6\n").unwrap();
    let err = PlanarInstance::read_dir(&dir).unwrap_err();
    assert!(matches!(err, InstanceError::Csv { line: 3, .. }), "{err}");
    std::fs::write(dir.join("demand.csv"), "x,y,weight\n1,2,3\n4,5,6\n").unwrap();
    std::fs::write(dir.join("candidates.csv"), "x,y\n0,0\n").unwrap();
    std::fs::write(dir.join("params.json"), r#"{"service_radius_m": 5}"#).unwrap();
    let err = PlanarInstance::read_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("p_facilities"), "{err}");
    std::fs::write(dir.join("params.json"), r#"{"service_radius_m": 5, "p_facilities": 1}"#).unwrap();
    let inst = PlanarInstance::read_dir(&dir).unwrap();
    assert_eq!(inst.demand, vec![[1.0, 2.0], [4.0, 5.0]]);
    assert_eq!(inst.weights, vec![3.0, 6.0]);
    assert_eq!(inst.candidates, vec![[0.0, 0.0]]);
    assert_eq!((inst.radius_m, inst.p), (5.0, 1));
    let cov = inst.coverage().unwrap();
    assert_eq!(cov.covered_by(0), &[0]);
    std::fs::remove_dir_all(&dir).unwrap();
}
