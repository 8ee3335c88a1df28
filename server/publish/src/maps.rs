//! `GET /api/v1/maps/district/{name}.png` and `.svg`: a static map of one district (see
//! [`super::render`]): the district's boundary and streets as stored (the built-in boundary when
//! none is stored), its stations and, with `coverage=cov_…`, a saved analysis' cells. Also drawn
//! by `yizhan map`.

use super::data::parse_analysis;
use super::render::{self, Lang, MapCell, MapCoverage, MapSpec, RenderError};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use geo::MultiPolygon;
use std::sync::Arc;
use yizhan_core::builtin::builtin_districts;
use yizhan_core::state::AppState;
use yizhan_http::cache::header_value;
use yizhan_http::error::ApiError;
use yizhan_http::query::QueryParams;
use yizhan_planner::district::District;
use yizhan_planner::station::Station;
use yizhan_store::{AnalysisKind, Store, StoreError};

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
    /// No district has this name.
    #[error("no district is named {name:?}; known districts: {known}")]
    UnknownDistrict {
        /// The name asked for.
        name: String,
        /// The names known, comma-separated.
        known: String,
    },
    /// No saved coverage analysis has this id.
    #[error("no coverage analysis has id {0:?}")]
    UnknownAnalysis(String),
    /// The saved analysis does not read as one.
    #[error("saved analysis {id}: {reason}")]
    BadAnalysis {
        /// The id.
        id: String,
        /// What is wrong.
        reason: String,
    },
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Rasterising failed (missing font…).
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// What a district map shows besides stations, read from the store.
#[derive(Debug, Clone)]
pub struct MapInputs {
    /// The district (stored, else built in).
    pub district: District,
    /// Its stored streets.
    pub streets: Vec<(String, MultiPolygon<f64>)>,
    /// The coverage analysis asked for.
    pub coverage: Option<MapCoverage>,
}

/// Reads the district `name` (stored, else built in), its streets and, when `coverage` names one,
/// a saved coverage analysis.
///
/// # Errors
/// [`MapError`].
pub async fn load_inputs(store: &Store, name: &str, coverage: Option<&str>) -> Result<MapInputs, MapError> {
    let name = name.trim();
    let district = match store.district(name).await? {
        Some(b) => Some(b),
        None => builtin_districts().into_iter().find(|d| d.name == name),
    };
    let Some(b) = district else {
        let mut known: Vec<String> = store.districts().await?.into_iter().map(|d| d.name).collect();
        if known.is_empty() {
            known = builtin_districts().into_iter().map(|d| d.name).collect();
        }
        return Err(MapError::UnknownDistrict { name: name.to_owned(), known: known.join(", ") });
    };
    let streets = store.streets(name).await?.into_iter().map(|s| (s.name, s.polygon)).collect();
    let coverage = match coverage {
        None => None,
        Some(id) => {
            let saved = store
                .analysis(id)
                .await?
                .filter(|a| a.kind == AnalysisKind::Coverage)
                .ok_or_else(|| MapError::UnknownAnalysis(id.to_owned()))?;
            let a = saved
                .result
                .to_value()
                .map_err(|e| e.to_string())
                .and_then(|v| parse_analysis(id, &v))
                .map_err(|reason| MapError::BadAnalysis { id: id.to_owned(), reason })?;
            Some(MapCoverage {
                id: a.id,
                minutes: a.minutes,
                cells: a.cells.into_iter().map(|c| MapCell { boundary: c.polygon, class: c.class }).collect(),
                method: a.method,
            })
        }
    };
    let district = District { name: b.name, city: b.city, province: b.province, boundary: b.polygon };
    Ok(MapInputs { district, streets, coverage })
}

/// Draws the map of `inputs` with `stations` (those inside the district that are not closed) in
/// `format`.
///
/// # Errors
/// [`MapError::Render`].
pub fn draw(
    inputs: &MapInputs,
    stations: impl IntoIterator<Item = Arc<Station>>,
    lang: Lang,
    date: NaiveDate,
    format: MapFormat,
) -> Result<Vec<u8>, MapError> {
    let mut spec = MapSpec::new(&inputs.district, stations, lang, date);
    spec.streets.clone_from(&inputs.streets);
    spec.coverage.clone_from(&inputs.coverage);
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

/// The HTTP answer for a map failure.
fn map_error(e: MapError) -> ApiError {
    match e {
        MapError::UnknownDistrict { .. } => ApiError::not_found(e.to_string()).with_field("name"),
        MapError::UnknownAnalysis(_) => ApiError::not_found(e.to_string()).with_field("coverage"),
        MapError::Store(s) => s.into(),
        MapError::BadAnalysis { .. } => ApiError::internal(&e),
        MapError::Render(r) => {
            tracing::error!(error = %r, "cannot render a map");
            ApiError::new(axum::http::StatusCode::INTERNAL_SERVER_ERROR, "render_failed", r.to_string())
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
        ("coverage" = Option<String>, Query, description = "A saved coverage analysis (`cov_…`) whose cells are drawn coloured by class."),
    ),
    responses(
        (status = 200, description = "The map: 1200 × 900 PNG, or SVG.", content_type = "image/png"),
        (status = 400, description = "Unknown format or bad parameter; `field` names it.", body = yizhan_http::error::ErrorBody),
        (status = 404, description = "No such district (`field`: `name`) or analysis (`coverage`).", body = yizhan_http::error::ErrorBody),
        (status = 500, description = "The map font is not installed (see the message).", body = yizhan_http::error::ErrorBody),
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
    let q = QueryParams::parse(raw.as_deref(), &["lang", "coverage"])?;
    let lang = parse_lang(q.single("lang")?)?;
    let date = chrono::Utc::now().with_timezone(&state.config.timezone).date_naive();
    let inputs = load_inputs(&state.store, &name, q.single("coverage")?).await.map_err(map_error)?;
    let index = state.index();
    // Drawing walks every station and rasterises the map: heavy work, on the pool.
    let budget = yizhan_core::work::WorkPool::budget(state.config.limits.anonymous.limits());
    let bytes = state
        .work
        .run("map", budget, move |_| draw(&inputs, index.iter().cloned(), lang, date, format))
        .await?
        .map_err(map_error)?;
    Ok((
        [(header::CONTENT_TYPE, header_value(format.media_type())), (header::CACHE_CONTROL, header_value("no-cache"))],
        bytes,
    )
        .into_response())
}
