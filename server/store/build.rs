//! Rebuilds the store when a database migration is added or changed (they are embedded with
//! `sqlx::migrate!`; Cargo would not otherwise notice new files).

fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
