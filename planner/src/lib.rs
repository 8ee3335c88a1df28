//! Yizhan planner: the domain library behind the Yizhan service.
//!
//! Everything here is pure computation — no HTTP, no database. Units are stated on every item:
//! distances in metres, times in seconds, coordinates in WGS-84 degrees (longitude first) unless a
//! [`crs::Crs`] says otherwise at an edge.
//!
//! * [`station`] — the station model ([`station::Station`], [`station::StationData`]) and its validation.
//! * [`report`] — riders' reports: categories, statuses, validation, the codes riders keep.
//! * [`amenity`] — the closed set of amenities a station can offer.
//! * [`hours`] — opening hours in OpenStreetMap `opening_hours` syntax.
//! * [`geodesy`] — points, bounding boxes, geodesic distances.
//! * [`crs`] — WGS-84 ⇄ GCJ-02 ⇄ BD-09 conversion for Chinese map apps.
//! * [`eta`] — travel modes and the straight-line travel-time model.
//! * [`index`] — the R*-tree of all stations and its filtered queries.
//! * [`network`] — road graphs from OpenStreetMap, snapping, network travel times, isochrones.
//! * [`import`] / [`export`] — CSV and GeoJSON in and out; [`spreadsheet`] — the formula-safe
//!   quoting of CSV text cells both use.
//! * [`district`] — district and street boundaries.
//! * [`demo`] — the seeded synthetic demo data set for 兖州区.
//! * [`optimize`] — site proposals: maximal covering, minimum set and p-median over sparse coverage.
//! * [`coverage`] — H3 coverage of an area by stations, demand, per-street shares and gaps.
//! * [`plan`] — proposed station sites on top of a coverage analysis.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod amenity;
pub mod budget;
pub mod coverage;
pub mod crs;
pub mod demo;
pub mod district;
pub mod eta;
pub mod export;
pub mod geodesy;
pub mod hours;
pub mod import;
pub mod index;
pub mod network;
pub mod optimize;
pub mod plan;
pub mod report;
pub mod spreadsheet;
pub mod station;
mod text;
