//! Rider reports (发现—上报—解决—反馈): what a rider may report about a station or a place, how
//! a report is checked before it is stored, and the short code the rider keeps to follow it.

use crate::amenity::Amenity;
use crate::geodesy::LonLat;
use crate::station::{FieldError, StationId, labelled_enum};
use rand::Rng;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Longest accepted report text, in characters.
pub const MAX_REPORT_TEXT_CHARS: usize = 500;

labelled_enum! {
    /// What a rider reports.
    ReportCategory, UnknownCategory, "report category" {
        Closed = "closed", "站点关闭", "Closed", ["关闭", "没开门"];
        NotFound = "not_found", "找不到", "Not found", ["不存在"];
        WrongLocation = "wrong_location", "位置不对", "Wrong location", ["位置错误"];
        AmenityMissing = "amenity_missing", "设施缺失", "Amenity missing", ["缺少设施"];
        AmenityBroken = "amenity_broken", "设施损坏", "Amenity broken", ["损坏"];
        HoursWrong = "hours_wrong", "开放时间不对", "Hours wrong", ["时间不对"];
        Crowded = "crowded", "人太多", "Crowded", ["拥挤"];
        Thanks = "thanks", "点赞感谢", "Thank you", ["感谢", "点赞"];
        Other = "other", "其他", "Other", [];
    }
}

impl ReportCategory {
    /// Whether the category is about one amenity (which one must be named).
    #[must_use]
    pub const fn needs_amenity(self) -> bool {
        matches!(self, Self::AmenityMissing | Self::AmenityBroken)
    }

    /// Whether a report of this category asks for something to be fixed (a thank-you does not).
    #[must_use]
    pub const fn is_problem(self) -> bool {
        !matches!(self, Self::Thanks)
    }
}

labelled_enum! {
    /// Where a report stands in the editors' queue.
    ReportStatus, UnknownReportStatus, "report status" {
        New = "new", "新提交", "New", [];
        Acknowledged = "acknowledged", "已受理", "Acknowledged", ["受理"];
        Resolved = "resolved", "已解决", "Resolved", ["解决"];
        Rejected = "rejected", "未采纳", "Rejected", ["不采纳"];
    }
}

impl ReportStatus {
    /// New or acknowledged: still to be answered.
    #[must_use]
    pub const fn is_open(self) -> bool {
        matches!(self, Self::New | Self::Acknowledged)
    }

    /// Whether an editor's answer must carry a note (resolving or rejecting tells the rider why).
    #[must_use]
    pub const fn needs_note(self) -> bool {
        matches!(self, Self::Resolved | Self::Rejected)
    }
}

/// A report as a rider sends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ReportInput {
    /// The station reported on, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub station_id: Option<StationId>,
    /// What is reported.
    pub category: ReportCategory,
    /// The amenity concerned (required for `amenity_missing` and `amenity_broken`, refused for
    /// the others).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amenity: Option<Amenity>,
    /// What the rider wrote, at most [`MAX_REPORT_TEXT_CHARS`] characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Where the rider was (WGS-84), if they allowed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<LonLat>,
}

impl ReportInput {
    /// Trims the text (empty becomes none) and checks every field; all problems are listed.
    ///
    /// # Errors
    /// One [`FieldError`] per bad field.
    pub fn normalize_and_validate(&mut self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if let Some(t) = &self.text {
            let t = t.trim();
            if t.is_empty() {
                self.text = None;
            } else if t.chars().count() > MAX_REPORT_TEXT_CHARS {
                errors.push(FieldError::new("text", format!("longer than {MAX_REPORT_TEXT_CHARS} characters")));
            } else if t.chars().any(|c| c.is_control() && c != '\n') {
                errors.push(FieldError::new("text", "holds control characters"));
            } else {
                self.text = Some(t.to_owned());
            }
        }
        match (self.category.needs_amenity(), self.amenity) {
            (true, None) => errors.push(FieldError::new(
                "amenity",
                format!("a {} report names the amenity concerned", self.category.code()),
            )),
            (false, Some(_)) => errors.push(FieldError::new(
                "amenity",
                format!(
                    "only amenity_missing and amenity_broken reports name an amenity, not {}",
                    self.category.code()
                ),
            )),
            _ => {}
        }
        if self.station_id.is_none() && self.position.is_none() {
            errors
                .push(FieldError::new("station_id", "a report is about a station (station_id) or a place (position)"));
        }
        if self.station_id.is_some_and(|id| id <= 0) {
            errors.push(FieldError::new("station_id", "station ids are positive"));
        }
        if let Some(p) = self.position
            && let Err(e) = LonLat::new(p.lon, p.lat)
        {
            errors.push(FieldError::new("position", e.to_string()));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }
}

/// Letters of report codes: Crockford's base 32 (no I, L, O, U), read aloud or typed without
/// confusion.
const CODE_ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new report code: 8 random characters of Crockford's base 32 as `XXXX-XXXX` (40 bits, so a
/// code cannot be guessed to read someone else's report).
#[must_use]
pub fn new_code(rng: &mut impl Rng) -> String {
    let mut s = String::with_capacity(9);
    for i in 0..8 {
        if i == 4 {
            s.push('-');
        }
        s.push(char::from(CODE_ALPHABET[rng.random_range(0..32)]));
    }
    s
}

/// A code as typed back (case, spaces, a missing dash, `O` for `0`, `I`/`L` for `1` forgiven), in
/// the form [`new_code`] writes, or `None` when it cannot be one.
#[must_use]
pub fn normalize_code(typed: &str) -> Option<String> {
    let chars: Vec<char> = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'O' => '0',
            'I' | 'L' => '1',
            u => u,
        })
        .collect();
    if chars.len() != 8 || !chars.iter().all(|c| c.is_ascii() && CODE_ALPHABET.contains(&(*c as u8))) {
        return None;
    }
    let mut s: String = chars[..4].iter().collect();
    s.push('-');
    s.extend(&chars[4..]);
    Some(s)
}

#[cfg(test)]
#[path = "report_tests.rs"]
mod tests;
