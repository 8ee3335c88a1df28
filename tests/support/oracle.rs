//! An independent oracle for the road network: an OpenStreetMap `.osm.pbf` extract read with the
//! `osmpbf` crate directly into one road graph per travel mode, written from the rules as
//! *documented* in `planner/src/network/README.md` (speed table, one-way, access, `maxspeed`),
//! sharing no code with `yizhan_planner::network`; a plain binary-heap Dijkstra, union-find
//! islands and a brute-force nearest-segment snap over it.
//!
//! Graph construction as documented (`planner/src/network/osm.rs` module docs): every OSM node on
//! a usable way is a node; every pair of consecutive distinct way nodes whose positions are both
//! in the extract is a segment, giving an arc in each direction the mode may travel (parallel
//! arcs merged, keeping the fastest). Segment lengths here are haversine metres (the planner uses
//! the ellipsoid: ≤ 0.5 % apart), so compare times with a tolerance.
//!
//! Also point-in-polygon for GeoJSON and haversine distances. Included with `#[path]` by
//! `tests/tests/{network,report,maps}.rs` and `server/cli/tests/import_osm.rs`.
#![allow(dead_code, clippy::expect_used)]

use osmpbf::{Element, ElementReader};
use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::path::Path;

/// A travel mode, as in the README's speed table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// On foot.
    Walk,
    /// E-bike.
    Ebike,
    /// Car.
    Car,
}

impl Mode {
    /// Every mode, in the README's order.
    pub const ALL: [Mode; 3] = [Mode::Walk, Mode::Ebike, Mode::Car];

    /// The API code.
    pub fn code(self) -> &'static str {
        match self {
            Mode::Walk => "walk",
            Mode::Ebike => "ebike",
            Mode::Car => "car",
        }
    }
}

/// Walking speed, km/h (1.2 m/s), README: "Walk: 1.2 m/s everywhere (half on steps)".
const WALK_KMH: f64 = 4.32;

/// The README's speed table: (walk, e-bike, car) km/h, `None` = not usable. Footway-like classes
/// and bridleways are listed with the speed they get when their opening tag is present.
fn table(highway: &str) -> (Option<f64>, Option<f64>, Option<f64>) {
    let w = Some(WALK_KMH);
    match highway {
        "motorway" => (None, None, Some(100.0)),
        "motorway_link" => (None, None, Some(50.0)),
        "trunk" => (w, Some(15.0), Some(80.0)),
        "trunk_link" => (w, Some(15.0), Some(40.0)),
        "primary" => (w, Some(15.0), Some(60.0)),
        "secondary" => (w, Some(15.0), Some(50.0)),
        "tertiary" => (w, Some(15.0), Some(40.0)),
        "primary_link" | "secondary_link" | "tertiary_link" | "unclassified" | "residential" => {
            (w, Some(15.0), Some(30.0))
        }
        "living_street" => (w, Some(10.0), Some(10.0)),
        "service" => (w, Some(12.0), Some(15.0)),
        "road" => (w, Some(12.0), Some(20.0)),
        "track" => (w, Some(10.0), None),
        "cycleway" => (w, Some(18.0), None),
        "path" => (w, Some(10.0), None),
        "footway" | "pedestrian" | "corridor" => (w, Some(8.0), None),
        "bridleway" => (w, None, None),
        "steps" => (Some(WALK_KMH / 2.0), None, None),
        _ => (None, None, None),
    }
}

/// A mode tag that opens a way: `yes/designated/permissive/destination` (profile module docs).
fn opens(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "designated" | "permissive" | "destination"))
}

/// A tag that closes a way: `no/private/use_sidepath` (README).
fn closes(v: Option<&str>) -> bool {
    matches!(v, Some("no" | "private" | "use_sidepath"))
}

/// `maxspeed` in km/h: plain numbers, `km/h`, `mph`, `walk` (6), numeric zones (`XX:zone30`,
/// `XX:zone:30`), lists (`50;30`: the lowest). Named country zones (`FI:urban` = 50 …) are all
/// above every e-bike table speed, so they are left out here: they only matter for cars, whose
/// speeds these tests do not read.
fn maxspeed_kmh(v: &str) -> Option<f64> {
    v.split(';')
        .filter_map(|s| {
            let s = s.trim();
            if s == "walk" {
                return Some(6.0);
            }
            if let Some((_, zone)) = s.split_once(':') {
                return zone.trim_start_matches("zone").trim_start_matches(':').parse().ok();
            }
            if let Some(n) = s.strip_suffix("mph") {
                return n.trim().parse::<f64>().ok().map(|x| x * 1.609_344);
            }
            s.trim_end_matches("km/h").trim().parse().ok()
        })
        .filter(|x: &f64| *x > 0.0)
        .reduce(f64::min)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Way {
    Both,
    Forward,
    Backward,
    Unused,
}

fn oneway(v: Option<&str>) -> Option<Way> {
    match v? {
        "yes" | "true" | "1" => Some(Way::Forward),
        "-1" | "reverse" => Some(Way::Backward),
        "no" | "false" | "0" => Some(Way::Both),
        "reversible" | "alternating" => Some(Way::Unused),
        _ => None,
    }
}

/// Speeds (m/s) of `mode` along and against a way's node order; `None`: the way is not used.
pub fn way_speeds(mode: Mode, tags: &HashMap<String, String>) -> Option<(Option<f64>, Option<f64>)> {
    let tag = |k: &str| tags.get(k).map(String::as_str);
    let highway = tag("highway")?;
    if tag("area") == Some("yes") {
        return None;
    }
    let (w, e, c) = table(highway);
    let own = match mode {
        Mode::Walk => tag("foot"),
        Mode::Ebike => tag("bicycle"),
        Mode::Car => tag("motorcar").or(tag("motor_vehicle")),
    };
    let mut kmh = match mode {
        Mode::Walk if highway == "bridleway" && !opens(tag("foot")) => None,
        Mode::Walk => w,
        Mode::Ebike if matches!(highway, "footway" | "pedestrian" | "corridor") && !opens(tag("bicycle")) => None,
        Mode::Ebike => e,
        Mode::Car => c,
    }?;
    // Access: access=no/private (and vehicle=no/private for e-bike and car) closes the way unless
    // the mode's own tag opens it; the mode's own no/private/use_sidepath closes it.
    let general = closes(tag("access")) || (mode != Mode::Walk && closes(tag("vehicle")));
    if closes(own) || (general && !opens(own)) {
        return None;
    }
    let max = tag("maxspeed").and_then(maxspeed_kmh);
    let dir = match mode {
        Mode::Walk => Way::Both,
        Mode::Car => {
            if let Some(m) = max {
                kmh = m * 0.8;
            }
            oneway(tag("oneway")).unwrap_or(
                if highway == "motorway" || matches!(tag("junction"), Some("roundabout" | "circular")) {
                    Way::Forward
                } else {
                    Way::Both
                },
            )
        }
        Mode::Ebike => {
            if let Some(m) = max {
                kmh = kmh.min(m);
            }
            if tag("bicycle") == Some("dismount") {
                kmh = WALK_KMH;
            }
            let contraflow = ["cycleway", "cycleway:left", "cycleway:right", "cycleway:both"]
                .iter()
                .any(|k| tag(k).is_some_and(|v| v.starts_with("opposite")))
                || ["cycleway:left:oneway", "cycleway:right:oneway"]
                    .iter()
                    .any(|k| matches!(tag(k), Some("-1" | "no")));
            match oneway(tag("oneway:bicycle")) {
                Some(d) => d,
                None => match oneway(tag("oneway")) {
                    // A road whose direction changes over the day: cyclists may ride it both ways.
                    Some(Way::Unused) => Way::Both,
                    Some(Way::Forward | Way::Backward) if contraflow => Way::Both,
                    Some(d) => d,
                    None if matches!(tag("junction"), Some("roundabout" | "circular")) && !contraflow => Way::Forward,
                    None => Way::Both,
                },
            }
        }
    };
    let v = kmh / 3.6;
    match dir {
        Way::Both => Some((Some(v), Some(v))),
        Way::Forward => Some((Some(v), None)),
        Way::Backward => Some((None, Some(v))),
        Way::Unused => None,
    }
}

/// Haversine distance, metres (mean Earth radius).
pub fn haversine_m(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, la2) = (a.1.to_radians(), b.1.to_radians());
    let (dla, dlo) = ((b.1 - a.1).to_radians(), (b.0 - a.0).to_radians());
    let h = (dla / 2.0).sin().powi(2) + la1.cos() * la2.cos() * (dlo / 2.0).sin().powi(2);
    2.0 * 6_371_008.8 * h.sqrt().asin()
}

/// One mode's graph.
#[derive(Debug, Clone)]
pub struct OsmGraph {
    /// The mode.
    pub mode: Mode,
    /// Node positions (lon, lat), nodes numbered in OSM id order.
    pub coords: Vec<(f64, f64)>,
    /// OSM node ids.
    pub osm_ids: Vec<i64>,
    /// Directed arcs `(from, to)` → travel time in seconds.
    pub arcs: BTreeMap<(usize, usize), f64>,
    out: Vec<Vec<(usize, f64)>>,
    inc: Vec<Vec<(usize, f64)>>,
}

/// A way segment: OSM node ids from and to, metres, speed (m/s) along and against the way.
type Segment = (i64, i64, f64, Option<f64>, Option<f64>);

/// The root of `x` in a union-find forest, halving paths.
fn root(p: &mut [usize], mut x: usize) -> usize {
    while p[x] != x {
        p[x] = p[p[x]];
        x = p[x];
    }
    x
}

/// The raw extract: node positions and the ways that have a `highway` tag.
pub struct Extract {
    nodes: HashMap<i64, (f64, f64)>,
    ways: Vec<(Vec<i64>, HashMap<String, String>)>,
}

impl Extract {
    /// Reads the extract (one sequential pass).
    pub fn read(path: &Path) -> Extract {
        let mut nodes = HashMap::new();
        let mut ways = Vec::new();
        ElementReader::from_path(path)
            .expect("the extract opens")
            .for_each(|el| match el {
                Element::Node(n) => {
                    nodes.insert(n.id(), (n.lon(), n.lat()));
                }
                Element::DenseNode(n) => {
                    nodes.insert(n.id(), (n.lon(), n.lat()));
                }
                Element::Way(w) => {
                    let tags: HashMap<String, String> = w.tags().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                    if tags.contains_key("highway") {
                        ways.push((w.refs().collect(), tags));
                    }
                }
                Element::Relation(_) => {}
            })
            .expect("the extract reads");
        Extract { nodes, ways }
    }

    /// The graph of `mode`.
    pub fn graph(&self, mode: Mode) -> OsmGraph {
        // (from, to, metres, speed along, speed against) per way segment.
        let mut segments: Vec<Segment> = Vec::new();
        for (refs, tags) in &self.ways {
            let Some((fwd, bwd)) = way_speeds(mode, tags) else { continue };
            for pair in refs.windows(2) {
                let (a, b) = (pair[0], pair[1]);
                if a == b {
                    continue;
                }
                let (Some(&pa), Some(&pb)) = (self.nodes.get(&a), self.nodes.get(&b)) else { continue };
                segments.push((a, b, haversine_m(pa, pb), fwd, bwd));
            }
        }
        let mut index: BTreeMap<i64, usize> = BTreeMap::new();
        for s in &segments {
            index.insert(s.0, 0);
            index.insert(s.1, 0);
        }
        for (i, v) in index.values_mut().enumerate() {
            *v = i;
        }
        let osm_ids: Vec<i64> = index.keys().copied().collect();
        let coords = osm_ids.iter().map(|id| self.nodes[id]).collect::<Vec<_>>();
        let mut arcs: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        let mut add = |from: usize, to: usize, secs: f64| {
            let e = arcs.entry((from, to)).or_insert(secs);
            *e = e.min(secs);
        };
        for &(a, b, len, fwd, bwd) in &segments {
            let (ia, ib) = (index[&a], index[&b]);
            if let Some(v) = fwd {
                add(ia, ib, len / v);
            }
            if let Some(v) = bwd {
                add(ib, ia, len / v);
            }
        }
        let n = coords.len();
        let (mut out, mut inc) = (vec![Vec::new(); n], vec![Vec::new(); n]);
        for (&(u, v), &t) in &arcs {
            out[u].push((v, t));
            inc[v].push((u, t));
        }
        OsmGraph { mode, coords, osm_ids, arcs, out, inc }
    }
}

/// A point placed on the nearest segment.
#[derive(Debug, Clone, Copy)]
pub struct Snapped {
    /// The segment's end nodes.
    pub a: usize,
    /// The segment's end nodes.
    pub b: usize,
    /// Position of the foot along a→b, 0..=1.
    pub t: f64,
    /// The foot (lon, lat).
    pub foot: (f64, f64),
    /// Distance from the point to the foot, metres.
    pub offroad_m: f64,
}

impl OsmGraph {
    /// Number of nodes.
    pub fn node_count(&self) -> usize {
        self.coords.len()
    }

    /// Number of directed arcs.
    pub fn arc_count(&self) -> usize {
        self.arcs.len()
    }

    /// Sizes of the weakly connected components (union-find over the arcs), largest first.
    pub fn island_sizes(&self) -> Vec<usize> {
        let mut parent: Vec<usize> = (0..self.node_count()).collect();
        for &(u, v) in self.arcs.keys() {
            let (ru, rv) = (root(&mut parent, u), root(&mut parent, v));
            if ru != rv {
                parent[ru] = rv;
            }
        }
        let mut size = vec![0usize; self.node_count()];
        for x in 0..self.node_count() {
            size[root(&mut parent, x)] += 1;
        }
        let mut sizes: Vec<usize> = size.into_iter().filter(|&s| s > 0).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        sizes
    }

    /// Dijkstra from `sources` (node, starting time s): per node the least time, seconds
    /// (`INFINITY`: not reached). `towards`: follow arcs backwards, giving each node's time *to*
    /// the sources.
    pub fn dijkstra(&self, sources: &[(usize, f64)], towards: bool) -> Vec<f64> {
        let adj = if towards { &self.inc } else { &self.out };
        let mut dist = vec![f64::INFINITY; self.node_count()];
        // Non-negative f64 compare as their bit patterns.
        let mut heap = BinaryHeap::new();
        for &(s, t) in sources {
            if t < dist[s] {
                dist[s] = t;
                heap.push(Reverse((t.to_bits(), s)));
            }
        }
        while let Some(Reverse((bits, u))) = heap.pop() {
            let t = f64::from_bits(bits);
            if t > dist[u] {
                continue;
            }
            for &(v, w) in &adj[u] {
                let nt = t + w;
                if nt < dist[v] {
                    dist[v] = nt;
                    heap.push(Reverse((nt.to_bits(), v)));
                }
            }
        }
        dist
    }

    /// Metres east and north of `origin` (equirectangular; exact enough within a few km).
    pub fn local(origin: (f64, f64), p: (f64, f64)) -> (f64, f64) {
        let k = 6_371_008.8_f64.to_radians();
        ((p.0 - origin.0) * k * origin.1.to_radians().cos(), (p.1 - origin.1) * k)
    }

    /// Distance, metres, from `p` to the segment a–b (local plane around `p`), and the foot's
    /// fraction along a→b.
    pub fn segment_distance(&self, p: (f64, f64), a: usize, b: usize) -> (f64, f64) {
        let (ax, ay) = Self::local(p, self.coords[a]);
        let (bx, by) = Self::local(p, self.coords[b]);
        let (dx, dy) = (bx - ax, by - ay);
        let len2 = dx * dx + dy * dy;
        let t = if len2 > 0.0 { (-(ax * dx + ay * dy) / len2).clamp(0.0, 1.0) } else { 0.0 };
        ((ax + t * dx).hypot(ay + t * dy), t)
    }

    /// Every segment (unordered node pair with an arc either way), once.
    pub fn segments(&self) -> Vec<(usize, usize)> {
        let mut s: Vec<(usize, usize)> = self.arcs.keys().map(|&(u, v)| (u.min(v), u.max(v))).collect();
        s.sort_unstable();
        s.dedup();
        s
    }

    /// Brute-force snap: the nearest segment to `p`.
    pub fn snap(&self, p: (f64, f64)) -> Snapped {
        self.snaps(p, 0.0)[0]
    }

    /// Every segment within `slack_m` metres of the nearest one to `p`, nearest first: the
    /// candidates a snap may pick when distances are measured slightly differently.
    pub fn snaps(&self, p: (f64, f64), slack_m: f64) -> Vec<Snapped> {
        let all: Vec<(f64, usize, usize, f64)> = self
            .segments()
            .into_iter()
            .map(|(a, b)| {
                let (d, t) = self.segment_distance(p, a, b);
                (d, a, b, t)
            })
            .collect();
        let best = all.iter().map(|s| s.0).fold(f64::INFINITY, f64::min);
        let mut near: Vec<Snapped> = all
            .into_iter()
            .filter(|s| s.0 <= best + slack_m)
            .map(|(d, a, b, t)| {
                let (pa, pb) = (self.coords[a], self.coords[b]);
                Snapped { a, b, t, foot: (pa.0 + t * (pb.0 - pa.0), pa.1 + t * (pb.1 - pa.1)), offroad_m: d }
            })
            .collect();
        near.sort_by(|x, y| x.offroad_m.total_cmp(&y.offroad_m));
        near
    }

    /// Each node's travel time (s) *to* a station at `p` snapped at `s`: along the roads to the
    /// station's segment, along it (in a direction the mode may travel) to the foot, then the
    /// off-road part on foot (1.2 m/s). A foot on an end node is reached from that node directly.
    pub fn times_to(&self, s: &Snapped) -> Vec<f64> {
        let walk = s.offroad_m / 1.2;
        let mut seeds = Vec::new();
        if s.t <= 0.0 {
            seeds.push((s.a, walk));
        } else if let Some(&t_ab) = self.arcs.get(&(s.a, s.b)) {
            seeds.push((s.a, walk + s.t * t_ab));
        }
        if s.t >= 1.0 {
            seeds.push((s.b, walk));
        } else if let Some(&t_ba) = self.arcs.get(&(s.b, s.a)) {
            seeds.push((s.b, walk + (1.0 - s.t) * t_ba));
        }
        self.dijkstra(&seeds, true)
    }
}

/// Whether (lon, lat) lies inside a GeoJSON Polygon or MultiPolygon (even-odd ray casting over
/// every ring, so holes count out).
pub fn geojson_contains(geometry: &serde_json::Value, p: (f64, f64)) -> bool {
    let polys: Vec<&serde_json::Value> = match geometry["type"].as_str() {
        Some("Polygon") => vec![&geometry["coordinates"]],
        Some("MultiPolygon") => geometry["coordinates"].as_array().expect("parts").iter().collect(),
        other => panic!("not a polygon: {other:?}"),
    };
    polys.iter().any(|poly| {
        let mut inside = false;
        for ring in poly.as_array().expect("rings") {
            let pts: Vec<(f64, f64)> = ring
                .as_array()
                .expect("ring")
                .iter()
                .map(|c| (c[0].as_f64().expect("x"), c[1].as_f64().expect("y")))
                .collect();
            for w in pts.windows(2) {
                let ((x1, y1), (x2, y2)) = (w[0], w[1]);
                if (y1 > p.1) != (y2 > p.1) && p.0 < x1 + (p.1 - y1) / (y2 - y1) * (x2 - x1) {
                    inside = !inside;
                }
            }
        }
        inside
    })
}
