//! Query strings, parsed from the raw query with `form_urlencoded` so that every error names its
//! parameter, repeated keys work and unknown parameters are refused instead of ignored.
//!
//! Rules shared by every endpoint:
//! * a parameter the endpoint does not take is an error (`unknown_parameter`), so typos show;
//! * a single-valued parameter given twice is an error (`duplicate_parameter`);
//! * list parameters (`kind`, `amenity`, `status`) may repeat and/or hold comma-separated values;
//! * an empty value (`k=`) is an error, never "use the default".

use crate::error::ApiError;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use yizhan_core::config::Limits;
use yizhan_planner::amenity::AmenitySet;
use yizhan_planner::crs::Crs;
use yizhan_planner::eta::TravelMode;
use yizhan_planner::geodesy::{BBox, BBoxError, CoordError, LonLat};
use yizhan_planner::hours::OpenAt;
use yizhan_planner::index::{Filter, KindSet, StatusSet};
use yizhan_planner::station::{StationKind, StationStatus};

/// Parameters of `GET /api/v1/nearest`.
pub const NEAREST_PARAMS: &[&str] =
    &["lon", "lat", "k", "kind", "amenity", "open_now", "at", "radius_m", "mode", "crs", "min_capacity", "status"];

/// Parameters of `GET /api/v1/stations`.
pub const LIST_PARAMS: &[&str] = &[
    "kind",
    "amenity",
    "status",
    "min_capacity",
    "open_now",
    "at",
    "bbox",
    "district",
    "street",
    "q",
    "verification",
    "sort",
    "limit",
    "offset",
];

/// Default `k` of a nearest query.
pub const DEFAULT_K: usize = 5;
/// Default page size of `GET /api/v1/stations`.
pub const DEFAULT_PAGE_SIZE: usize = 1000;

/// A decoded query string: its `(name, value)` pairs in order, every name checked against the
/// endpoint's accepted names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueryParams {
    pairs: Vec<(String, String)>,
}

impl QueryParams {
    /// Decodes `raw` (the part after `?`, percent- and `+`-encoded) and refuses any name not in
    /// `accepted`.
    pub fn parse(raw: Option<&str>, accepted: &[&str]) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(raw.unwrap_or_default().as_bytes()).into_owned().collect();
        if let Some((name, _)) = pairs.iter().find(|(name, _)| !accepted.contains(&name.as_str())) {
            return Err(ApiError::unknown_parameter(name, accepted));
        }
        Ok(Self { pairs })
    }

    /// The decoded pairs, in order.
    pub fn pairs(&self) -> &[(String, String)] {
        &self.pairs
    }

    /// The one value of a single-valued parameter (trimmed), `None` when absent.
    pub fn single(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut values = self.pairs.iter().filter(|(n, _)| n == name).map(|(_, v)| v.trim());
        let Some(first) = values.next() else { return Ok(None) };
        if values.next().is_some() {
            return Err(ApiError::duplicate_parameter(name));
        }
        if first.is_empty() {
            return Err(ApiError::invalid_parameter(name, "is empty; give a value or leave the parameter out"));
        }
        Ok(Some(first))
    }

    /// Every item of a list parameter: all its occurrences, each split at commas, trimmed.
    /// `None` when absent.
    pub fn list(&self, name: &str) -> Result<Option<Vec<&str>>, ApiError> {
        let mut seen = false;
        let mut items = Vec::new();
        for (_, v) in self.pairs.iter().filter(|(n, _)| n == name) {
            seen = true;
            items.extend(v.split([',', '，']).map(str::trim).filter(|s| !s.is_empty()));
        }
        if !seen {
            return Ok(None);
        }
        if items.is_empty() {
            return Err(ApiError::invalid_parameter(name, "is empty; give a value or leave the parameter out"));
        }
        Ok(Some(items))
    }
}

/// A finite number.
pub fn parse_number(field: &str, s: &str) -> Result<f64, ApiError> {
    let v: f64 = s.parse().map_err(|_| ApiError::invalid_parameter(field, format!("{s:?} is not a number")))?;
    if !v.is_finite() {
        return Err(ApiError::invalid_parameter(field, format!("{s:?} is not a finite number")));
    }
    Ok(v)
}

/// A non-negative integer within `min..=max`.
pub fn parse_count(field: &str, s: &str, min: usize, max: usize) -> Result<usize, ApiError> {
    let v: usize = s.parse().map_err(|_| {
        ApiError::invalid_parameter(field, format!("{s:?} is not a whole number between {min} and {max}"))
    })?;
    if !(min..=max).contains(&v) {
        return Err(ApiError::invalid_parameter(
            field,
            format!("{v} is out of range; must be between {min} and {max}"),
        ));
    }
    Ok(v)
}

/// `true`/`false` (also `1`/`0`, `yes`/`no`).
pub fn parse_bool(field: &str, s: &str) -> Result<bool, ApiError> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(ApiError::invalid_parameter(field, format!("{s:?} is not a boolean (expected true or false)"))),
    }
}

/// The coordinate system the query's coordinates are given in (`crs`, default WGS-84).
pub fn parse_crs(q: &QueryParams) -> Result<Crs, ApiError> {
    match q.single("crs")? {
        None => Ok(Crs::Wgs84),
        Some(s) => {
            s.parse().map_err(|e: yizhan_planner::crs::UnknownCrs| ApiError::invalid_parameter("crs", e.to_string()))
        }
    }
}

/// `lon` and `lat` (both required) given in `crs`, returned in WGS-84.
pub fn parse_origin(q: &QueryParams, crs: Crs) -> Result<LonLat, ApiError> {
    let lon = q.single("lon")?.ok_or_else(|| ApiError::missing_parameter("lon"))?;
    let lat = q.single("lat")?.ok_or_else(|| ApiError::missing_parameter("lat"))?;
    let lon = parse_number("lon", lon)?;
    let lat = parse_number("lat", lat)?;
    let given = LonLat::new(lon, lat).map_err(|e| coord_error(&e))?;
    let wgs = crs.to_wgs84(given);
    LonLat::new(wgs.lon, wgs.lat).map_err(|e| {
        let field = coord_field(&e);
        ApiError::invalid_parameter(field, format!("the position converted from {crs} to WGS-84 is out of range: {e}"))
    })
}

fn coord_field(e: &CoordError) -> &'static str {
    match e {
        CoordError::Longitude(_) => "lon",
        _ => "lat",
    }
}

fn coord_error(e: &CoordError) -> ApiError {
    ApiError::invalid_parameter(coord_field(e), e.to_string())
}

/// `kind`: station kinds (codes or Chinese labels); absent means every kind.
pub fn parse_kinds(q: &QueryParams) -> Result<KindSet, ApiError> {
    let Some(items) = q.list("kind")? else { return Ok(KindSet::ALL) };
    items
        .into_iter()
        .map(|s| s.parse::<StationKind>().map_err(|e| ApiError::invalid_parameter("kind", e.to_string())))
        .collect()
}

/// `amenity`: amenities a station must all have (codes or Chinese labels).
pub fn parse_amenities(q: &QueryParams) -> Result<AmenitySet, ApiError> {
    let Some(items) = q.list("amenity")? else { return Ok(AmenitySet::EMPTY) };
    items.into_iter().try_fold(AmenitySet::EMPTY, |mut set, s| {
        let more = AmenitySet::parse_list(s).map_err(|e| ApiError::invalid_parameter("amenity", e.to_string()))?;
        for a in more.iter() {
            set.insert(a);
        }
        Ok(set)
    })
}

/// `status`: statuses allowed (codes, Chinese labels, or `all`); absent means `default`.
pub fn parse_statuses(q: &QueryParams, default: StatusSet) -> Result<StatusSet, ApiError> {
    let Some(items) = q.list("status")? else { return Ok(default) };
    if items.iter().any(|s| s.eq_ignore_ascii_case("all")) {
        return Ok(StatusSet::ALL);
    }
    items
        .into_iter()
        .map(|s| s.parse::<StationStatus>().map_err(|e| ApiError::invalid_parameter("status", e.to_string())))
        .collect()
}

/// `min_capacity`: a whole number of seats, ports or bays.
pub fn parse_min_capacity(q: &QueryParams) -> Result<Option<u32>, ApiError> {
    q.single("min_capacity")?
        .map(|s| {
            s.parse::<u32>()
                .map_err(|_| ApiError::invalid_parameter("min_capacity", format!("{s:?} is not a whole number ≥ 0")))
        })
        .transpose()
}

/// An RFC 3339 instant given as parameter `field`, in UTC.
///
/// # Errors
/// 400 naming `field`.
pub fn parse_instant(field: &str, s: &str) -> Result<DateTime<Utc>, ApiError> {
    DateTime::parse_from_rfc3339(s.trim()).map(|t| t.with_timezone(&Utc)).map_err(|e| {
        ApiError::invalid_parameter(
            field,
            format!("{s:?} is not an RFC 3339 instant such as 2025-01-31T08:30:00+08:00 ({e})"),
        )
    })
}

/// `open_now` / `at`: the "open at" filter. `at` (RFC 3339) alone or with `open_now=true` filters
/// at that instant; `open_now=true` alone filters at `now`. `open_now=false` with `at` is a
/// contradiction.
pub fn parse_open_at(q: &QueryParams, tz: Tz, now: DateTime<Utc>) -> Result<Option<OpenAt>, ApiError> {
    let open_now = q.single("open_now")?.map(|s| parse_bool("open_now", s)).transpose()?;
    let at = q.single("at")?.map(|s| parse_instant("at", s)).transpose()?;
    match (open_now, at) {
        (Some(false), Some(_)) => {
            Err(ApiError::invalid_parameter("open_now", "open_now=false contradicts at=; leave one of them out"))
        }
        (_, Some(at)) => Ok(Some(OpenAt { at, tz })),
        (Some(true), None) => Ok(Some(OpenAt { at: now, tz })),
        (Some(false) | None, None) => Ok(None),
    }
}

/// The filter common to the nearest and list endpoints.
pub fn parse_filter(
    q: &QueryParams,
    default_statuses: StatusSet,
    tz: Tz,
    now: DateTime<Utc>,
) -> Result<Filter, ApiError> {
    Ok(Filter {
        kinds: parse_kinds(q)?,
        statuses: parse_statuses(q, default_statuses)?,
        amenities: parse_amenities(q)?,
        min_capacity: parse_min_capacity(q)?,
        open_at: parse_open_at(q, tz, now)?,
    })
}

/// A parsed `GET /api/v1/nearest` query.
#[derive(Debug, Clone, PartialEq)]
pub struct NearestQuery {
    /// The query point, WGS-84.
    pub origin: LonLat,
    /// How many stations at most.
    pub k: usize,
    /// Which stations qualify.
    pub filter: Filter,
    /// Only stations within this many metres.
    pub radius_m: Option<f64>,
    /// How the rider travels.
    pub mode: TravelMode,
}

impl NearestQuery {
    /// Parses and validates the query; `now` is the instant `open_now` refers to.
    pub fn parse(raw: Option<&str>, limits: &Limits, tz: Tz, now: DateTime<Utc>) -> Result<Self, ApiError> {
        let q = QueryParams::parse(raw, NEAREST_PARAMS)?;
        let crs = parse_crs(&q)?;
        let origin = parse_origin(&q, crs)?;
        let k = match q.single("k")? {
            None => DEFAULT_K.min(limits.max_k.max(1)),
            Some(s) => parse_count("k", s, 1, limits.max_k)?,
        };
        let radius_m = q
            .single("radius_m")?
            .map(|s| {
                let r = parse_number("radius_m", s)?;
                let max = f64::from(limits.max_radius_m);
                if !(1.0..=max).contains(&r) {
                    return Err(ApiError::invalid_parameter(
                        "radius_m",
                        format!("{r} m is out of range; must be between 1 and {} metres", limits.max_radius_m),
                    ));
                }
                Ok(r)
            })
            .transpose()?;
        let mode = match q.single("mode")? {
            None => TravelMode::Ebike,
            Some(s) => s
                .parse()
                .map_err(|e: yizhan_planner::eta::UnknownMode| ApiError::invalid_parameter("mode", e.to_string()))?,
        };
        let filter = parse_filter(&q, StatusSet::ACTIVE, tz, now)?;
        Ok(Self { origin, k, filter, radius_m, mode })
    }
}

/// A parsed `GET /api/v1/stations` query.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    /// The decoded query (to build paging links from).
    pub params: QueryParams,
    /// Which stations qualify.
    pub filter: Filter,
    /// Only stations inside this box (WGS-84).
    pub bbox: Option<BBox>,
    /// Exact district.
    pub district: Option<String>,
    /// Exact street.
    pub street: Option<String>,
    /// Substring of name or address, lower-cased.
    pub text: Option<String>,
    /// Only stations in this verification state.
    pub verification: Option<VerificationFilter>,
    /// The order of the answer.
    pub sort: ListSort,
    /// Page size.
    pub limit: usize,
    /// Stations to skip.
    pub offset: usize,
}

/// `verification=`: which stations by verification state. Closed stations match none (nobody
/// checks a station that is gone), as in `GET /api/v1/verification`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VerificationFilter {
    /// Verified within the window.
    Current,
    /// Overdue or never verified.
    Due,
    /// Never verified.
    Never,
}

impl VerificationFilter {
    /// Whether a station in state `v` qualifies.
    #[must_use]
    pub fn matches(self, v: yizhan_planner::station::Verification) -> bool {
        use yizhan_planner::station::Verification as V;
        match self {
            Self::Current => v == V::Current,
            Self::Due => v.is_due(),
            Self::Never => v == V::Never,
        }
    }
}

/// What `sort=` orders by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortKey {
    /// Station id (the default).
    #[default]
    Id,
    /// Name (Unicode code point order).
    Name,
    /// `verified_on`, never verified first.
    VerifiedOn,
    /// Last change.
    UpdatedAt,
    /// Kind code.
    Kind,
    /// Status code.
    Status,
    /// District (unrecorded last).
    District,
    /// Street (unrecorded last).
    Street,
}

/// `sort=[-]key`: the key and whether descending; ties are broken by id, ascending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListSort {
    /// What to order by.
    pub key: SortKey,
    /// Descending (`-key`).
    pub descending: bool,
}

impl ListSort {
    /// Parses `id`, `name`, `verified_on`, `updated_at`, `kind`, `status`, `district` or `street`,
    /// each optionally prefixed with `-`.
    ///
    /// # Errors
    /// [`ApiError`] 400 naming `sort`.
    pub fn parse(s: &str) -> Result<Self, ApiError> {
        let (descending, key) = match s.strip_prefix('-') {
            Some(k) => (true, k),
            None => (false, s),
        };
        let key = match key {
            "id" => SortKey::Id,
            "name" => SortKey::Name,
            "verified_on" => SortKey::VerifiedOn,
            "updated_at" => SortKey::UpdatedAt,
            "kind" => SortKey::Kind,
            "status" => SortKey::Status,
            "district" => SortKey::District,
            "street" => SortKey::Street,
            _ => {
                return Err(ApiError::invalid_parameter(
                    "sort",
                    format!(
                        "{s:?} is not a sort order; use id, name, verified_on, updated_at, kind, status, district or \
                         street, with - for descending"
                    ),
                ));
            }
        };
        Ok(Self { key, descending })
    }

    /// Orders `a` before `b`.
    #[must_use]
    pub fn compare(
        self,
        a: &yizhan_planner::station::Station,
        b: &yizhan_planner::station::Station,
    ) -> std::cmp::Ordering {
        let by_key = match self.key {
            SortKey::Id => a.id.cmp(&b.id),
            SortKey::Name => a.data.name.cmp(&b.data.name),
            SortKey::VerifiedOn => a.data.verified_on.cmp(&b.data.verified_on),
            SortKey::UpdatedAt => a.updated_at.cmp(&b.updated_at),
            SortKey::Kind => a.data.kind.code().cmp(b.data.kind.code()),
            SortKey::Status => a.data.status.code().cmp(b.data.status.code()),
            SortKey::District => recorded_first(a.data.district.as_deref(), b.data.district.as_deref()),
            SortKey::Street => recorded_first(a.data.street.as_deref(), b.data.street.as_deref()),
        };
        let by_key = if self.descending { by_key.reverse() } else { by_key };
        by_key.then(a.id.cmp(&b.id))
    }
}

/// Whether `hay` contains `needle_lower` (already lower-cased with [`str::to_lowercase`]) when
/// `hay` is lower-cased the same way — without allocating in the common cases: ASCII text (byte
/// compare with ASCII case folding) and text with no upper-case letter at all (Chinese names).
#[must_use]
pub fn contains_lowercase(hay: &str, needle_lower: &str) -> bool {
    if needle_lower.is_empty() {
        return true;
    }
    if hay.is_ascii() {
        let (h, n) = (hay.as_bytes(), needle_lower.as_bytes());
        return n.is_ascii() && h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n));
    }
    // Chinese text, digits and punctuation have no case, and lower-casing never makes them from
    // anything else: the text itself is searched.
    if needle_lower.chars().all(uncased) || !hay.chars().any(char::is_uppercase) {
        return hay.contains(needle_lower);
    }
    hay.to_lowercase().contains(needle_lower)
}

/// A character no case mapping produces or changes: ASCII other than letters, CJK ideographs,
/// CJK symbols and punctuation, and the full-width forms other than letters.
fn uncased(c: char) -> bool {
    (c.is_ascii() && !c.is_ascii_alphabetic())
        || matches!(c, '\u{3000}'..='\u{303F}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}')
        || (matches!(c, '\u{FF00}'..='\u{FFEF}') && !c.is_alphabetic())
}

/// Text order with unrecorded values after every recorded one.
fn recorded_first(a: Option<&str>, b: Option<&str>) -> std::cmp::Ordering {
    (a.is_none(), a).cmp(&(b.is_none(), b))
}

impl ListQuery {
    /// Parses and validates the query; `now` is the instant `open_now` refers to.
    pub fn parse(raw: Option<&str>, limits: &Limits, tz: Tz, now: DateTime<Utc>) -> Result<Self, ApiError> {
        let q = QueryParams::parse(raw, LIST_PARAMS)?;
        let filter = parse_filter(&q, StatusSet::ALL, tz, now)?;
        let bbox = q.single("bbox")?.map(parse_bbox).transpose()?;
        let limit = match q.single("limit")? {
            None => DEFAULT_PAGE_SIZE.min(limits.max_page_size),
            Some(s) => parse_count("limit", s, 0, limits.max_page_size)?,
        };
        let offset = match q.single("offset")? {
            None => 0,
            Some(s) => parse_count("offset", s, 0, usize::MAX)?,
        };
        let district = q.single("district")?.map(str::to_owned);
        let street = q.single("street")?.map(str::to_owned);
        let text = q.single("q")?.map(str::to_lowercase);
        let verification = q
            .single("verification")?
            .map(|v| match v {
                "current" => Ok(VerificationFilter::Current),
                "due" => Ok(VerificationFilter::Due),
                "never" => Ok(VerificationFilter::Never),
                other => Err(ApiError::invalid_parameter(
                    "verification",
                    format!("{other:?} is not a verification state; use current, due or never"),
                )),
            })
            .transpose()?;
        let sort = q.single("sort")?.map(ListSort::parse).transpose()?.unwrap_or_default();
        Ok(Self { params: q, filter, bbox, district, street, text, verification, sort, limit, offset })
    }
}

/// `minlon,minlat,maxlon,maxlat` in WGS-84 degrees.
pub fn parse_bbox(s: &str) -> Result<BBox, ApiError> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [a, b, c, d] = parts.as_slice() else {
        return Err(ApiError::invalid_parameter(
            "bbox",
            format!("{s:?} is not four comma-separated numbers minlon,minlat,maxlon,maxlat"),
        ));
    };
    let mut v = [0.0; 4];
    for (slot, part) in v.iter_mut().zip([a, b, c, d]) {
        *slot = part.parse::<f64>().ok().filter(|x| x.is_finite()).ok_or_else(|| {
            ApiError::invalid_parameter(
                "bbox",
                format!("{part:?} is not a number (expected minlon,minlat,maxlon,maxlat)"),
            )
        })?;
    }
    BBox::new(v[0], v[1], v[2], v[3]).map_err(|e| {
        let msg = match e {
            BBoxError::Inverted => e.to_string(),
            other => format!("{other} (expected minlon,minlat,maxlon,maxlat)"),
        };
        ApiError::invalid_parameter("bbox", msg)
    })
}

#[cfg(test)]
#[path = "query_tests.rs"]
mod tests;
