#![allow(clippy::unwrap_used)]
use super::*;
use crate::network::dijkstra::{nearest_field, tests::hand_graph};

#[test]
fn writes_exact_csv() {
    let g = hand_graph(3, &[(0, 1, 1500), (1, 0, 7), (1, 2, 12_345_678)]);
    let dir = std::env::temp_dir().join(format!("yizhan-export-{}", std::process::id()));
    write_graph_csv(&g, &dir).unwrap();
    let nodes = std::fs::read_to_string(dir.join("nodes.csv")).unwrap();
    assert_eq!(
        nodes, "id,lon,lat,component\n0,24.9,60.17,0\n1,24.901,60.17,0\n2,24.901999999999997,60.17,0\n",
        "full f64 precision"
    );
    let edges = std::fs::read_to_string(dir.join("edges.csv")).unwrap();
    assert_eq!(edges, "from,to,weight,length_m\n0,1,1.500,1.5\n1,0,0.007,0.007\n1,2,12345.678,12345.678\n");
    let seeds = [Seed { node: 2, time_ms: 250, source: 4 }];
    write_seeds_csv(&seeds, &dir.join("seeds.csv")).unwrap();
    assert_eq!(std::fs::read_to_string(dir.join("seeds.csv")).unwrap(), "source,node,time\n4,2,0.250\n");
    let field = nearest_field(&g, &seeds);
    write_tree_csv(&field, &dir.join("field.csv")).unwrap();
    assert_eq!(
        std::fs::read_to_string(dir.join("field.csv")).unwrap(),
        "node,time,source\n0,12347.428,4\n1,12345.928,4\n2,0.250,4\n"
    );
    assert!(write_graph_csv(&g, &dir.join("nodes.csv")).is_err(), "a file is not a directory");
    std::fs::remove_dir_all(&dir).unwrap();
}
