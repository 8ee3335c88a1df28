//! The printable district report (PDF): `yizhan report --district 兖州区 --out report.pdf` and
//! `GET /api/v1/districts/{name}/report.pdf`.
//!
//! Two halves, kept apart so each can be checked against the other:
//! - [`data`] computes the figures ([`data::ReportData`]: stations by kind, area and demand shares
//!   within 10 and 15 minutes for the district and each street, the worst gaps, proposed sites with
//!   their gains, riders' feedback over the last 90 days, the method) with the same functions the
//!   coverage, plan and report-statistics APIs use ([`yizhan_core::analysis::prepare`],
//!   [`yizhan_core::analysis::jobs::check_plan`] / [`yizhan_core::analysis::jobs::run_plan`],
//!   [`yizhan_core::report_stats::report_stats`]), and gathers what the map draws;
//! - [`pdf`] lays the figures out on A4 pages (tables that break across pages with their header
//!   repeated, page numbers) and writes the PDF with krilla, the coverage map embedded as vector
//!   graphics (the SVG of [`crate::render`] through krilla-svg) and the WenQuanYi Micro
//!   Hei font subset into the file.
//!
//! Text is 简体中文 by default, English on request. Nothing is stored: a report reads the store and
//! the station snapshot only. Riders' text and positions never appear in it.

pub mod data;
pub(crate) mod http;
pub mod pdf;

pub use data::{Report, ReportData, ReportOptions, build};
pub use pdf::render_pdf;

use crate::render::RenderError;
use yizhan_core::analysis::AnalysisError;

/// Why a report could not be made. Each input mistake names the parameter at fault.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// No district has this name.
    #[error("no district is named {name:?}; known districts: {known}")]
    UnknownDistrict {
        /// The name asked for.
        name: String,
        /// The names known, comma-separated.
        known: String,
    },
    /// The district's boundary cannot be analysed (it crosses itself, has no area…).
    #[error(
        "the stored boundary of {district} cannot be analysed: {reason}; re-import a valid boundary with `yizhan import-districts`"
    )]
    InvalidBoundary {
        /// The district.
        district: String,
        /// What is wrong with the boundary.
        reason: String,
    },
    /// No station (active or planned) lies inside the district.
    #[error(
        "no station lies inside {district}: a coverage report needs at least one; import stations first (`yizhan import`)"
    )]
    NoStations {
        /// The district.
        district: String,
    },
    /// A parameter's value is not acceptable (`resolution`, `mode`, `sites`, `lang`).
    #[error("{message}")]
    Invalid {
        /// The parameter at fault.
        field: &'static str,
        /// What is wrong.
        message: String,
    },
    /// The report asks for more work than allowed (too many cells at this resolution).
    #[error("{message}")]
    TooLarge {
        /// The parameter to change.
        field: &'static str,
        /// What is too large.
        message: String,
    },
    /// The analysis or the store failed for a reason no input explains.
    #[error(transparent)]
    Analysis(AnalysisError),
    /// The font is missing or the map could not be read back.
    #[error(transparent)]
    Render(#[from] RenderError),
    /// The PDF writer refused the document (a defect).
    #[error("cannot write the PDF: {0}")]
    Pdf(String),
}

impl ReportError {
    /// The parameter at fault, if any (`district` for the district's own problems).
    #[must_use]
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::UnknownDistrict { .. } | Self::InvalidBoundary { .. } | Self::NoStations { .. } => Some("district"),
            Self::Invalid { field, .. } | Self::TooLarge { field, .. } => Some(field),
            Self::Analysis(_) | Self::Render(_) | Self::Pdf(_) => None,
        }
    }

    /// Maps an analysis error of the report's district onto the report's parameters.
    pub(crate) fn from_analysis(district: &str, e: AnalysisError) -> Self {
        match e {
            AnalysisError::Invalid { field: "boundary", message } => {
                Self::InvalidBoundary { district: district.to_owned(), reason: message }
            }
            AnalysisError::Invalid { field, message } => Self::Invalid { field, message },
            AnalysisError::TooLarge { field, message } => Self::TooLarge { field, message },
            other => Self::Analysis(other),
        }
    }
}

/// Builds the report of `opts` over `state` and writes it as PDF bytes.
///
/// # Errors
/// [`ReportError`].
pub async fn generate(state: &yizhan_core::state::AppState, opts: &ReportOptions) -> Result<Vec<u8>, ReportError> {
    generate_for(state, opts, &yizhan_core::config::TierBudget::UNLIMITED, &None).await
}

/// [`generate`] for a caller with budget `tier`, every heavy step (the PDF layout and font
/// subsetting included) on the heavy-work pool, each holding `hold` until it ends.
///
/// # Errors
/// [`ReportError`].
pub async fn generate_for(
    state: &yizhan_core::state::AppState,
    opts: &ReportOptions,
    tier: &yizhan_core::config::TierBudget,
    hold: &data::Hold,
) -> Result<Vec<u8>, ReportError> {
    let report = data::build_for(state, opts, tier, hold).await?;
    let hold = hold.clone();
    state
        .work
        .run("report_pdf", yizhan_core::work::WorkPool::budget(tier.limits()), move |_| {
            let _hold = hold;
            render_pdf(&report)
        })
        .await
        .map_err(|e| ReportError::Analysis(AnalysisError::Work(e)))?
}
