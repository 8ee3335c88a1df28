//! Rebuilds the server when a database migration is added or changed (they are embedded with
//! `sqlx::migrate!`), or when anything under `web/` changes (the web UI is built into the binary by
//! `api::web`; Cargo would not otherwise notice new or removed files).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=../web");
}
