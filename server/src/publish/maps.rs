//! `GET /api/v1/maps/district/{name}.png` and `.svg`: a static map of one district (see
//! [`super::render`]), also drawn by `yizhan map`.

use super::http::header_value;
use super::render::{self, Lang, MapSpec, RenderError};
use super::tiles::DISTRICTS;
use crate::api::error::ApiError;
use crate::api::query::QueryParams;
use crate::state::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use std::sync::Arc;
use yizhan_planner::district::District;
use yizhan_planner::station::Station;

/// Output format of a map.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MapFormat {
    /// PNG raster, 1200 × 900 pixels.
    Png,
    /// SVG document.
    Svg,
}

impl MapFormat {
    /// From a file name's extension (`png` or `svg`, any case).
    #[must_use]
    pub fn from_extension(ext: &str) -> Option<Self> {
        match ext.to_ascii_lowercase().as_str() {
            "png" => Some(Self::Png),
            "svg" => Some(Self::Svg),
            _ => None,
        }
    }

    /// The media type.
    #[must_use]
    pub fn media_type(self) -> &'static str {
        match self {
            Self::Png => "image/png",
            Self::Svg => "image/svg+xml",
        }
    }
}

/// Why a map could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// No shipped district has this name.
    #[error("no district is named {name:?}; known districts: {known}")]
    UnknownDistrict {
        /// The name asked for.
        name: String,
        /// The names known, comma-separated.
        known: String,
    },
    /// Rasterising failed (missing font…).
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// The shipped district named `name`.
///
/// # Errors
/// [`MapError::UnknownDistrict`].
pub fn district(name: &str) -> Result<&'static District, MapError> {
    DISTRICTS.iter().find(|d| d.name == name.trim()).ok_or_else(|| MapError::UnknownDistrict {
        name: name.to_owned(),
        known: DISTRICTS.iter().map(|d| d.name.as_str()).collect::<Vec<_>>().join(", "),
    })
}

/// Draws the map of district `name` with `stations` (those inside it that are not closed) in
/// `format`.
///
/// # Errors
/// [`MapError`].
pub fn draw_district(
    name: &str,
    stations: impl IntoIterator<Item = Arc<Station>>,
    lang: Lang,
    date: NaiveDate,
    format: MapFormat,
) -> Result<Vec<u8>, MapError> {
    let spec = MapSpec::new(district(name)?, stations, lang, date);
    let svg = render::svg(&spec);
    Ok(match format {
        MapFormat::Svg => svg.into_bytes(),
        MapFormat::Png => render::png(&svg, &render::font_path())?,
    })
}

/// Parses `lang` (`zh` default, or `en`).
pub(crate) fn parse_lang(v: Option<&str>) -> Result<Lang, ApiError> {
    match v.map(str::to_ascii_lowercase).as_deref() {
        None | Some("zh" | "zh-cn" | "zh-hans") => Ok(Lang::Zh),
        Some("en") => Ok(Lang::En),
        Some(other) => {
            Err(ApiError::invalid_parameter("lang", format!("{other:?} is not a language here; use zh or en")))
        }
    }
}

/// A static map of one district.
#[utoipa::path(
    get,
    path = "/api/v1/maps/district/{file}",
    tag = "publishing",
    params(
        ("file" = String, Path, description = "District name and format, e.g. `兖州区.png` or `兖州区.svg` (percent-encoded)."),
        ("lang" = Option<String>, Query, description = "`zh` (default) or `en`."),
    ),
    responses(
        (status = 200, description = "The map: 1200 × 900 PNG, or SVG.", content_type = "image/png"),
        (status = 400, description = "Unknown format or bad parameter; `field` names it.", body = crate::api::error::ErrorBody),
        (status = 404, description = "No such district.", body = crate::api::error::ErrorBody),
        (status = 500, description = "The map font is not installed (see the message).", body = crate::api::error::ErrorBody),
    )
)]
pub(crate) async fn district_map(
    State(state): State<Arc<AppState>>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let Path(file) = path.map_err(|e| ApiError::invalid_parameter("name", e.body_text()))?;
    let (name, format) = file
        .rsplit_once('.')
        .and_then(|(n, ext)| MapFormat::from_extension(ext).map(|f| (n.to_owned(), f)))
        .ok_or_else(|| ApiError::invalid_parameter("format", format!("{file:?} must end in .png or .svg")))?;
    let q = QueryParams::parse(raw.as_deref(), &["lang"])?;
    let lang = parse_lang(q.single("lang")?)?;
    let date = chrono::Utc::now().with_timezone(&state.config.timezone).date_naive();
    let index = state.index();
    let drawn = tokio::task::spawn_blocking(move || draw_district(&name, index.iter().cloned(), lang, date, format))
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let bytes = drawn.map_err(|e| match e {
        MapError::UnknownDistrict { .. } => ApiError::not_found(e.to_string()).with_field("name"),
        MapError::Render(r) => {
            tracing::error!(error = %r, "cannot render a map");
            ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "render_failed", r.to_string())
        }
    })?;
    Ok((
        [(header::CONTENT_TYPE, header_value(format.media_type())), (header::CACHE_CONTROL, header_value("no-cache"))],
        bytes,
    )
        .into_response())
}
