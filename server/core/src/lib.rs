//! Yizhan application core, shared by the HTTP service, publishing and the command line, with no
//! HTTP in it: configuration ([`config`]), the shared state that keeps the in-memory index in step
//! with storage ([`state`]), the heavy-work pool that runs expensive work off the request path
//! ([`work`]), coverage analyses and plan jobs ([`analysis`]), road networks ([`network`]), token
//! verification ([`access`]), metrics ([`metrics`]), the data built into the binary
//! ([`builtin`]) and the demo data loader ([`demo`]).

pub mod access;
pub mod analysis;
pub mod builtin;
pub mod config;
pub mod demo;
pub mod metrics;
pub mod network;
pub mod photo;
pub mod report_stats;
pub mod state;
pub mod work;
