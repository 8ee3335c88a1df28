#![allow(clippy::unwrap_used)]

use super::*;

#[test]
fn reading_reports_the_file_and_line() {
    let dir = std::env::temp_dir().join(format!("yizhan-instance-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = read_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("demand.csv"), "{err}");
    std::fs::write(dir.join("demand.csv"), "x,y,weight\n1,2,3\n4,five,6\n").unwrap();
    let err = read_dir(&dir).unwrap_err();
    assert!(matches!(err, InstanceError::Csv { line: 3, .. }), "{err}");
    std::fs::write(dir.join("demand.csv"), "x,y,weight\n1,2,3\n4,5,6\n").unwrap();
    std::fs::write(dir.join("candidates.csv"), "x,y\n0,0\n").unwrap();
    std::fs::write(dir.join("params.json"), r#"{"service_radius_m": 5}"#).unwrap();
    let err = read_dir(&dir).unwrap_err();
    assert!(err.to_string().contains("p_facilities"), "{err}");
    std::fs::write(dir.join("params.json"), r#"{"service_radius_m": 5, "p_facilities": 1}"#).unwrap();
    let inst = read_dir(&dir).unwrap();
    assert_eq!(inst.demand, vec![[1.0, 2.0], [4.0, 5.0]]);
    assert_eq!(inst.weights, vec![3.0, 6.0]);
    assert_eq!(inst.candidates, vec![[0.0, 0.0]]);
    assert_eq!((inst.radius_m, inst.p), (5.0, 1));
    let cov = inst.coverage().unwrap();
    assert_eq!(cov.covered_by(0), &[0]);
    std::fs::remove_dir_all(&dir).unwrap();
}
