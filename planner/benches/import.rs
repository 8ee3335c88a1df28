//! Criterion benchmarks of import parsing.

fn main() {}
