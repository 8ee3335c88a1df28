//! The `yizhan` command line (clap).
