//! The 兖州区 demo data set, embedded in the binary and loaded into an empty store.
