//! Export of stations to GeoJSON and to Excel-friendly CSV (UTF-8 with BOM).
//!
//! Both re-import with [`crate::import::parse_stations`] to the same [`StationData`]: the storage
//! columns `id`, `created_at` and `updated_at` are ignored on import, and re-importing updates the
//! same stations through their (`source`, `external_id`) key.
//!
//! * **GeoJSON** ([`to_geojson`]): an RFC 7946 `FeatureCollection`; each station is a `Feature`
//!   with `id` = the station id, a `Point` geometry in WGS-84 `[lon, lat]`, and every other field as
//!   a property under its API name (`amenities` as an array of codes; absent optional fields are
//!   omitted).
//! * **CSV** ([`to_csv`]): what Excel opens correctly by double-click — UTF-8 with a byte-order
//!   mark, CRLF line ends, a header row in Chinese ([`HeaderLang::Zh`], the default) or English.
//!   With Chinese headers, kind, status and amenities are written as Chinese labels; with English
//!   headers, as codes. Amenities are joined with `;`. Coordinates are WGS-84 degrees in the
//!   shortest form that reads back to the same number.

use crate::import::columns::{Column, IGNORED_ZH};
use crate::spreadsheet::spreadsheet_text;
use crate::station::{Station, StationData};
use serde_json::{Map, Value, json};
use std::borrow::Borrow;
use std::fmt;
use std::str::FromStr;

/// The language of CSV headers (and of kind, status and amenity values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HeaderLang {
    /// Simplified Chinese headers and labels, for spreadsheets used in China.
    #[default]
    Zh,
    /// English field codes.
    En,
}

impl fmt::Display for HeaderLang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderLang::Zh => "zh",
            HeaderLang::En => "en",
        })
    }
}

/// The text was not a known header language.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown header language {0:?} (expected zh or en)")]
pub struct UnknownHeaderLang(pub String);

impl FromStr for HeaderLang {
    type Err = UnknownHeaderLang;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "zh" | "zh-cn" | "zh-hans" | "cn" | "chinese" => Ok(HeaderLang::Zh),
            "en" | "english" => Ok(HeaderLang::En),
            _ => Err(UnknownHeaderLang(s.to_owned())),
        }
    }
}

/// One station as a GeoJSON `Feature`.
#[must_use]
pub fn feature(station: &Station) -> Value {
    let mut properties = match serde_json::to_value(&station.data) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    };
    properties.remove("location");
    let mut all = Map::with_capacity(properties.len() + 3);
    all.insert("id".to_owned(), json!(station.id));
    all.extend(properties);
    all.insert("created_at".to_owned(), json!(station.created_at));
    all.insert("updated_at".to_owned(), json!(station.updated_at));
    json!({
        "type": "Feature",
        "id": station.id,
        "geometry": {
            "type": "Point",
            "coordinates": [station.data.location.lon, station.data.location.lat],
        },
        "properties": all,
    })
}

/// The stations as a GeoJSON `FeatureCollection` (WGS-84).
pub fn to_geojson<I>(stations: I) -> Value
where
    I: IntoIterator,
    I::Item: Borrow<Station>,
{
    let features: Vec<Value> = stations.into_iter().map(|s| feature(s.borrow())).collect();
    json!({ "type": "FeatureCollection", "features": features })
}

/// [`to_geojson`] as compact JSON text.
pub fn to_geojson_string<I>(stations: I) -> String
where
    I: IntoIterator,
    I::Item: Borrow<Station>,
{
    to_geojson(stations).to_string()
}

/// The CSV header row for `lang`: `id`, the [`Column`]s, `created_at`, `updated_at`.
#[must_use]
pub fn csv_headers(lang: HeaderLang) -> Vec<&'static str> {
    let (ignored, column): ([&str; 3], fn(Column) -> &'static str) = match lang {
        HeaderLang::Zh => (IGNORED_ZH, Column::label_zh),
        HeaderLang::En => (["id", "created_at", "updated_at"], Column::code),
    };
    let mut h = Vec::with_capacity(Column::ALL.len() + 3);
    h.push(ignored[0]);
    h.extend(Column::ALL.iter().map(|&c| column(c)));
    h.push(ignored[1]);
    h.push(ignored[2]);
    h
}

fn cell(d: &StationData, c: Column, lang: HeaderLang) -> String {
    let zh = lang == HeaderLang::Zh;
    let opt = |v: &Option<String>| v.as_deref().map(spreadsheet_text).unwrap_or_default();
    match c {
        Column::Kind => (if zh { d.kind.label_zh() } else { d.kind.code() }).to_owned(),
        Column::Name => spreadsheet_text(&d.name),
        Column::Address => opt(&d.address),
        Column::District => opt(&d.district),
        Column::Street => opt(&d.street),
        Column::Lon => d.location.lon.to_string(),
        Column::Lat => d.location.lat.to_string(),
        Column::Amenities => {
            if zh {
                d.amenities.iter().map(super::amenity::Amenity::label_zh).collect::<Vec<_>>().join(";")
            } else {
                d.amenities.to_list_string()
            }
        }
        Column::OpeningHours => d.opening_hours.as_ref().map(|h| h.as_str().to_owned()).unwrap_or_default(),
        Column::Capacity => d.capacity.map(|c| c.to_string()).unwrap_or_default(),
        Column::Operator => opt(&d.operator),
        Column::Phone => opt(&d.phone),
        Column::Offer => opt(&d.offer),
        Column::Status => (if zh { d.status.label_zh() } else { d.status.code() }).to_owned(),
        Column::Source => opt(&d.source),
        Column::ExternalId => opt(&d.external_id),
        Column::VerifiedOn => d.verified_on.map(|v| v.format("%Y-%m-%d").to_string()).unwrap_or_default(),
    }
}

/// The stations as CSV bytes: UTF-8 with BOM, CRLF line ends, headers in `lang`; free-text cells
/// that a spreadsheet would run as a formula are quoted with a leading `'` ([`spreadsheet_text`]).
pub fn to_csv<I>(stations: I, lang: HeaderLang) -> Vec<u8>
where
    I: IntoIterator,
    I::Item: Borrow<Station>,
{
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(&mut out);
        // Writing to a Vec cannot fail.
        let _ = w.write_record(csv_headers(lang));
        for s in stations {
            let s = s.borrow();
            let mut row = Vec::with_capacity(Column::ALL.len() + 3);
            row.push(s.id.to_string());
            row.extend(Column::ALL.iter().map(|&c| cell(&s.data, c, lang)));
            row.push(s.created_at.to_rfc3339());
            row.push(s.updated_at.to_rfc3339());
            let _ = w.write_record(&row);
        }
        let _ = w.flush();
    }
    out
}

#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
