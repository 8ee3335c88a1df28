//! The `yizhan` binary.

fn main() {}
