#![allow(clippy::unwrap_used)]
use super::*;
use crate::network::graph::tests::sample;

#[test]
fn save_and_load_files_and_stamp_sources() {
    let dir = std::env::temp_dir().join(format!("yizhan-graph-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let src = dir.join("src.bin");
    std::fs::write(&src, b"hello world").unwrap();
    let stamp = source_stamp(&src).unwrap();
    assert_eq!(stamp.size, 11);
    assert_eq!(stamp.crc32, 0x0D4A_1185, "CRC-32 (IEEE) of 'hello world'");
    let path = dir.join("g.yzg");
    save_graph(&sample(), &path, stamp).unwrap();
    let (g, s) = load_graph(&path).unwrap();
    assert_eq!(g, sample());
    assert!(s.same_source(&stamp));
    assert_eq!(std::fs::read(&path).unwrap(), sample().to_bytes(stamp));
    std::fs::write(&src, b"hello there").unwrap();
    assert!(!source_stamp(&src).unwrap().same_source(&stamp));
    assert!(matches!(load_graph(&dir.join("missing.yzg")), Err(NetworkError::Io { .. })));
    assert!(matches!(source_stamp(&dir.join("missing.bin")), Err(NetworkError::Io { .. })));
    // Nothing is left behind but the two files written.
    let mut names: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["g.yzg", "src.bin"]);
    // A failed save (no such directory) leaves no temporary file either.
    assert!(matches!(save_graph(&sample(), &dir.join("no/such/g.yzg"), stamp), Err(NetworkError::Io { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn cache_files_sit_beside_the_extract() {
    assert_eq!(
        cache_path(Path::new("data/osm/helsinki-centre.osm.pbf"), TravelMode::Ebike),
        Path::new("data/osm/helsinki-centre.osm.pbf.ebike.yzg")
    );
    assert_eq!(cache_path(Path::new("x.pbf"), TravelMode::Walk), Path::new("x.pbf.walk.yzg"));
}

#[test]
fn an_extract_on_disk_imports_as_its_bytes() {
    let pbf = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data/osm/helsinki-centre.osm.pbf");
    let modes = [TravelMode::Car, TravelMode::Walk];
    let from_file = import_osm(&pbf, &modes).unwrap();
    assert_eq!(from_file, osm::import_bytes(&std::fs::read(&pbf).unwrap(), &modes).unwrap());
    assert_eq!(from_file.iter().map(Graph::mode).collect::<Vec<_>>(), modes);
    // Missing or undecodable files are errors naming the file.
    let dir = std::env::temp_dir().join(format!("yizhan-osm-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let missing = dir.join("missing.osm.pbf");
    assert!(matches!(import_osm(&missing, &modes), Err(NetworkError::Pbf { path, .. }) if path == missing));
    let junk = dir.join("junk.osm.pbf");
    std::fs::write(&junk, b"not a pbf").unwrap();
    assert!(matches!(import_osm(&junk, &modes), Err(NetworkError::Pbf { path, .. }) if path == junk));
    std::fs::remove_dir_all(&dir).unwrap();
}
