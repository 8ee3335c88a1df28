//! Yizhan server: the HTTP API ([`api`]), storage ([`store`]), the shared application state that
//! keeps the in-memory index in step with storage ([`state`]), configuration ([`config`]), the
//! embedded demo data set ([`demo`]) and the command-line interface ([`cli`]).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod access;
pub mod analysis;
pub mod api;
pub mod cli;
pub mod config;
pub mod demo;
pub mod metrics;
pub mod network;
pub mod publish;
pub mod report;
pub mod state;
pub mod store;
pub mod work;
