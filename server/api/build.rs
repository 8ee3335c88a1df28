//! Rebuilds the service when anything under `web/` changes (the web UI is embedded by `web`;
//! Cargo would not otherwise notice new or removed files).

fn main() {
    println!("cargo:rerun-if-changed=../../web");
}
