//! Criterion benchmarks of k-nearest queries.

fn main() {}
