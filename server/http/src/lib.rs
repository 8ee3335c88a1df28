//! Yizhan HTTP vocabulary shared by every route of the service and of publishing: JSON errors
//! ([`error`]), strict query-string parsing ([`query`]), request bodies ([`body`]), who is calling
//! ([`auth`]), the wire model of stations ([`model`]) and conditional/compressed answers
//! ([`cache`]). Routes live in `yizhan-api` and `yizhan-publish`.

pub mod auth;
pub mod body;
pub mod cache;
pub mod error;
pub mod model;
pub mod query;
