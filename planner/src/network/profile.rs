//! Routing profiles: which OpenStreetMap ways each travel mode may use, in which directions, and
//! how fast.
//!
//! The profile key is [`TravelMode`]. Speeds are in km/h in the table and in metres per second in
//! the API ([`Traversal`]).
//!
//! # Speed table (km/h; "–" = not usable)
//!
//! | `highway=`        | walk | e-bike | car |
//! |-------------------|-----:|-------:|----:|
//! | motorway          |  –   |   –    | 100 |
//! | motorway_link     |  –   |   –    |  50 |
//! | trunk             | 4.32 |   15   |  80 |
//! | trunk_link        | 4.32 |   15   |  40 |
//! | primary           | 4.32 |   15   |  60 |
//! | primary_link      | 4.32 |   15   |  30 |
//! | secondary         | 4.32 |   15   |  50 |
//! | secondary_link    | 4.32 |   15   |  30 |
//! | tertiary          | 4.32 |   15   |  40 |
//! | tertiary_link     | 4.32 |   15   |  30 |
//! | unclassified      | 4.32 |   15   |  30 |
//! | residential       | 4.32 |   15   |  30 |
//! | living_street     | 4.32 |   10   |  10 |
//! | service           | 4.32 |   12   |  15 |
//! | road              | 4.32 |   12   |  20 |
//! | track             | 4.32 |   10   |  –  |
//! | cycleway          | 4.32 |   18   |  –  |
//! | path              | 4.32 |   10   |  –  |
//! | footway, pedestrian, corridor | 4.32 | 8 if `bicycle=yes/designated/permissive`, else – | – |
//! | bridleway         | 4.32 if `foot=yes/designated` | – | – |
//! | steps             | 2.16 |   –    |  –  |
//!
//! Rules applied on top of the table:
//! * **Walking** is 1.2 m/s (4.32 km/h, the same as [`crate::eta::StraightLineModel`]), half that
//!   on steps; `maxspeed` does not apply; one-way tags are ignored.
//! * **E-bike** speed is the table value capped by `maxspeed`; `bicycle=dismount` means pushing at
//!   walking speed. One-way streets are respected except where `oneway:bicycle=no` or a contraflow
//!   cycleway (`cycleway[:left|:right|:both]=opposite*`, or `cycleway:left|right:oneway=-1|no`) is
//!   tagged; `oneway:bicycle=yes/-1` makes a way one-way for bicycles only.
//! * **Car** speed is 80 % of a tagged `maxspeed` (junctions and traffic), otherwise the table
//!   value; `oneway=yes/true/1` and `-1/reverse` are respected, `motorway` and
//!   `junction=roundabout/circular` are implied one-way; `oneway=reversible/alternating` ways are
//!   not used (their direction changes over the day).
//! * **Access**: `access=no/private` (and `vehicle=no/private` for e-bike and car) closes a way
//!   unless the mode's own tag (`foot`, `bicycle`, `motor_vehicle`/`motorcar`) says
//!   `yes/designated/permissive/destination`; a mode tag of `no/private/use_sidepath` closes it for
//!   that mode. `area=yes` ways (squares drawn as polygons) are not routed.
//! * **`maxspeed`** accepts plain km/h (`50`, `50 km/h`), `mph` (`30 mph`), `walk`, `none`, and
//!   country zones `XX:urban`, `XX:rural`, `XX:motorway`, `XX:trunk`, `XX:living_street`,
//!   `XX:zone30`/`XX:zone:30`, `XX:bicycle_road` (for the countries listed in
//!   [`parse_maxspeed`]); a list `50;30` takes the lowest value.

use crate::eta::TravelMode;

/// Version of the rules in this module; cached graphs built under another version are rebuilt.
pub const PROFILE_VERSION: u32 = 1;

/// Walking speed, metres per second (4.32 km/h), used on foot and for the off-road part of a snap.
pub const WALK_M_S: f64 = 1.2;

/// The tags of an OpenStreetMap way that the profiles read. Unset tags are `None`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(missing_docs)] // each field is the OSM tag of the same name (`:` written as `_`)
pub struct WayTags<'a> {
    pub highway: Option<&'a str>,
    pub maxspeed: Option<&'a str>,
    pub oneway: Option<&'a str>,
    pub oneway_bicycle: Option<&'a str>,
    pub junction: Option<&'a str>,
    pub access: Option<&'a str>,
    pub vehicle: Option<&'a str>,
    pub foot: Option<&'a str>,
    pub bicycle: Option<&'a str>,
    pub motor_vehicle: Option<&'a str>,
    pub motorcar: Option<&'a str>,
    pub area: Option<&'a str>,
    pub cycleway: Option<&'a str>,
    pub cycleway_left: Option<&'a str>,
    pub cycleway_right: Option<&'a str>,
    pub cycleway_both: Option<&'a str>,
    pub cycleway_left_oneway: Option<&'a str>,
    pub cycleway_right_oneway: Option<&'a str>,
}

impl<'a> WayTags<'a> {
    /// Collects the tags the profiles read from `(key, value)` pairs; other keys are ignored.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut t = Self::default();
        for (k, v) in pairs {
            let slot = match k {
                "highway" => &mut t.highway,
                "maxspeed" => &mut t.maxspeed,
                "oneway" => &mut t.oneway,
                "oneway:bicycle" => &mut t.oneway_bicycle,
                "junction" => &mut t.junction,
                "access" => &mut t.access,
                "vehicle" => &mut t.vehicle,
                "foot" => &mut t.foot,
                "bicycle" => &mut t.bicycle,
                "motor_vehicle" => &mut t.motor_vehicle,
                "motorcar" => &mut t.motorcar,
                "area" => &mut t.area,
                "cycleway" => &mut t.cycleway,
                "cycleway:left" => &mut t.cycleway_left,
                "cycleway:right" => &mut t.cycleway_right,
                "cycleway:both" => &mut t.cycleway_both,
                "cycleway:left:oneway" => &mut t.cycleway_left_oneway,
                "cycleway:right:oneway" => &mut t.cycleway_right_oneway,
                _ => continue,
            };
            *slot = Some(v);
        }
        t
    }
}

/// How a mode may travel along a way: speed in each direction, metres per second; `None` where
/// that direction is closed. "Forward" follows the order of the way's nodes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Traversal {
    /// Speed along the way's node order, m/s.
    pub forward_m_s: Option<f64>,
    /// Speed against the way's node order, m/s.
    pub backward_m_s: Option<f64>,
}

/// The table speed of `highway` for `mode`, km/h, before access, `maxspeed` and one-way rules;
/// `None` when the class is not usable by that mode at all (see the module table).
#[must_use]
pub fn class_speed_kmh(mode: TravelMode, highway: &str) -> Option<f64> {
    let walk = WALK_M_S * 3.6;
    let (w, e, c): (Option<f64>, Option<f64>, Option<f64>) = match highway {
        "motorway" => (None, None, Some(100.0)),
        "motorway_link" => (None, None, Some(50.0)),
        "trunk" => (Some(walk), Some(15.0), Some(80.0)),
        "trunk_link" => (Some(walk), Some(15.0), Some(40.0)),
        "primary" => (Some(walk), Some(15.0), Some(60.0)),
        "secondary" => (Some(walk), Some(15.0), Some(50.0)),
        "tertiary" => (Some(walk), Some(15.0), Some(40.0)),
        "primary_link" | "secondary_link" | "tertiary_link" | "unclassified" | "residential" => {
            (Some(walk), Some(15.0), Some(30.0))
        }
        "living_street" => (Some(walk), Some(10.0), Some(10.0)),
        "service" => (Some(walk), Some(12.0), Some(15.0)),
        "road" => (Some(walk), Some(12.0), Some(20.0)),
        "track" => (Some(walk), Some(10.0), None),
        "cycleway" => (Some(walk), Some(18.0), None),
        "path" => (Some(walk), Some(10.0), None),
        "footway" | "pedestrian" | "corridor" => (Some(walk), Some(8.0), None),
        "bridleway" => (Some(walk), None, None),
        "steps" => (Some(walk / 2.0), None, None),
        _ => (None, None, None),
    };
    match mode {
        TravelMode::Walk => w,
        TravelMode::Ebike => e,
        TravelMode::Car => c,
    }
}

fn is_yes(v: Option<&str>) -> bool {
    matches!(v, Some("yes" | "designated" | "permissive" | "destination" | "official"))
}

fn is_no(v: Option<&str>) -> bool {
    matches!(v, Some("no" | "private" | "use_sidepath" | "discouraged"))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dir {
    Both,
    Forward,
    Backward,
    Closed,
}

fn oneway_value(v: &str) -> Option<Dir> {
    match v {
        "yes" | "true" | "1" => Some(Dir::Forward),
        "-1" | "reverse" => Some(Dir::Backward),
        "no" | "false" | "0" => Some(Dir::Both),
        "reversible" | "alternating" => Some(Dir::Closed),
        _ => None,
    }
}

/// One-way rule for vehicles (car and e-bike before bicycle exceptions).
fn vehicle_direction(t: &WayTags<'_>, implied_motorway: bool) -> Dir {
    if let Some(d) = t.oneway.and_then(oneway_value) {
        return d;
    }
    let implied = matches!(t.junction, Some("roundabout" | "circular"))
        || (implied_motorway && matches!(t.highway, Some("motorway")));
    if implied { Dir::Forward } else { Dir::Both }
}

fn contraflow_cycleway(t: &WayTags<'_>) -> bool {
    let opposite = |v: Option<&str>| v.is_some_and(|s| s.starts_with("opposite"));
    opposite(t.cycleway)
        || opposite(t.cycleway_left)
        || opposite(t.cycleway_right)
        || opposite(t.cycleway_both)
        || matches!(t.cycleway_left_oneway, Some("-1" | "no"))
        || matches!(t.cycleway_right_oneway, Some("-1" | "no"))
}

/// Whether `mode` may use a way with these tags, and at what speed in each direction.
/// `None` when the way is not usable at all by `mode`.
#[must_use]
pub fn traversal(mode: TravelMode, t: &WayTags<'_>) -> Option<Traversal> {
    let highway = t.highway?;
    if t.area == Some("yes") {
        return None;
    }
    let mut kmh = class_speed_kmh(mode, highway);
    // Classes that open only by explicit tag.
    match (mode, highway) {
        (TravelMode::Ebike, "footway" | "pedestrian" | "corridor") if !is_yes(t.bicycle) => kmh = None,
        (TravelMode::Walk, "bridleway") if !is_yes(t.foot) => kmh = None,
        (TravelMode::Walk, "cycleway") if is_no(t.foot) => kmh = None,
        _ => {}
    }
    let mut kmh = kmh?;
    let mode_tag = match mode {
        TravelMode::Walk => t.foot,
        TravelMode::Ebike => t.bicycle,
        TravelMode::Car => t.motorcar.or(t.motor_vehicle),
    };
    let general_closed = is_no(t.access) || (mode != TravelMode::Walk && is_no(t.vehicle));
    if is_no(mode_tag) || (general_closed && !is_yes(mode_tag)) {
        return None;
    }
    let maxspeed = t.maxspeed.and_then(parse_maxspeed);
    match mode {
        TravelMode::Walk => {}
        TravelMode::Ebike => {
            if let Some(m) = maxspeed {
                kmh = kmh.min(m);
            }
            if t.bicycle == Some("dismount") {
                kmh = WALK_M_S * 3.6;
            }
        }
        TravelMode::Car => {
            if let Some(m) = maxspeed {
                kmh = (m * 0.8).max(5.0);
            }
        }
    }
    let dir = match mode {
        TravelMode::Walk => Dir::Both,
        TravelMode::Car => vehicle_direction(t, true),
        TravelMode::Ebike => match t.oneway_bicycle.and_then(oneway_value) {
            Some(d) => d,
            None => match vehicle_direction(t, false) {
                Dir::Closed => Dir::Both,
                Dir::Forward | Dir::Backward if contraflow_cycleway(t) => Dir::Both,
                d => d,
            },
        },
    };
    let v = kmh / 3.6;
    let (f, b) = match dir {
        Dir::Both => (Some(v), Some(v)),
        Dir::Forward => (Some(v), None),
        Dir::Backward => (None, Some(v)),
        Dir::Closed => return None,
    };
    Some(Traversal { forward_m_s: f, backward_m_s: b })
}

/// Country speed zones as `(country, zone, km/h)`: Finland, China, Germany, France, Russia,
/// Sweden, Estonia, the Netherlands, Italy, Spain, Poland, Japan and the United Kingdom (mph
/// converted).
const ZONES: &[(&str, &str, f64)] = &[
    ("FI", "urban", 50.0),
    ("FI", "rural", 80.0),
    ("FI", "motorway", 120.0),
    ("FI", "trunk", 100.0),
    ("FI", "living_street", 20.0),
    ("CN", "urban", 50.0),
    ("CN", "rural", 70.0),
    ("CN", "motorway", 120.0),
    ("CN", "trunk", 100.0),
    ("CN", "living_street", 20.0),
    ("DE", "urban", 50.0),
    ("DE", "rural", 100.0),
    ("DE", "motorway", 130.0),
    ("DE", "living_street", 7.0),
    ("DE", "bicycle_road", 30.0),
    ("FR", "urban", 50.0),
    ("FR", "rural", 80.0),
    ("FR", "motorway", 130.0),
    ("RU", "urban", 60.0),
    ("RU", "rural", 90.0),
    ("RU", "motorway", 110.0),
    ("RU", "living_street", 20.0),
    ("SE", "urban", 50.0),
    ("SE", "rural", 70.0),
    ("SE", "motorway", 110.0),
    ("EE", "urban", 50.0),
    ("EE", "rural", 90.0),
    ("NL", "urban", 50.0),
    ("NL", "rural", 80.0),
    ("NL", "motorway", 100.0),
    ("IT", "urban", 50.0),
    ("IT", "rural", 90.0),
    ("IT", "motorway", 130.0),
    ("ES", "urban", 50.0),
    ("ES", "rural", 90.0),
    ("ES", "motorway", 120.0),
    ("PL", "urban", 50.0),
    ("PL", "rural", 90.0),
    ("PL", "motorway", 140.0),
    ("JP", "urban", 60.0),
    ("JP", "rural", 60.0),
    ("JP", "motorway", 100.0),
    ("GB", "nsl_single", 96.56),
    ("GB", "nsl_dual", 112.65),
    ("GB", "motorway", 112.65),
];

/// Kilometres per hour in one mile per hour.
const KMH_PER_MPH: f64 = 1.609_344;

fn parse_one_maxspeed(s: &str) -> Option<f64> {
    let s = s.trim();
    match s {
        "walk" => return Some(6.0),
        "none" | "signals" | "variable" => return None,
        _ => {}
    }
    if let Some((country, zone)) = s.split_once(':') {
        let zone = zone.trim();
        let zone_num = zone.strip_prefix("zone").map(|z| z.trim_start_matches(':'));
        if let Some(n) = zone_num.and_then(|z| z.parse::<f64>().ok()) {
            return (n > 0.0).then_some(n);
        }
        return ZONES.iter().find(|(c, z, _)| c.eq_ignore_ascii_case(country) && *z == zone).map(|&(_, _, v)| v);
    }
    let (num, factor) = if let Some(n) = s.strip_suffix("mph") {
        (n.trim(), KMH_PER_MPH)
    } else if let Some(n) = s.strip_suffix("km/h").or_else(|| s.strip_suffix("kmh")).or_else(|| s.strip_suffix("kph")) {
        (n.trim(), 1.0)
    } else {
        (s, 1.0)
    };
    let v: f64 = num.parse().ok()?;
    (v.is_finite() && v > 0.0 && v <= 300.0).then_some(v * factor)
}

/// Parses an OSM `maxspeed` value to km/h. `None` for `none`, `signals`, `variable`, unknown
/// zones and anything unparsable (the class default then applies). See the module docs for the
/// accepted forms; country zones are known for FI, CN, DE, FR, RU, SE, EE, NL, IT, ES, PL, JP, GB.
#[must_use]
pub fn parse_maxspeed(s: &str) -> Option<f64> {
    s.split(';').filter_map(parse_one_maxspeed).reduce(f64::min)
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
