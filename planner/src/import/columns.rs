//! The columns of a station file (CSV headers, GeoJSON property names) and their accepted names.
//!
//! | field | English | Chinese |
//! | --- | --- | --- |
//! | kind | `kind` | 类型, 类别 |
//! | name | `name` | 名称, 站点名称 |
//! | address | `address` | 地址 |
//! | district | `district` | 区县, 所属区县 |
//! | street | `street` | 街道, 所属街道, 乡镇街道 |
//! | location.lon | `lon`, `lng`, `longitude`, `x` | 经度 |
//! | location.lat | `lat`, `latitude`, `y` | 纬度 |
//! | amenities | `amenities` | 设施, 服务设施, 配套设施 |
//! | opening_hours | `opening_hours` | 开放时间, 营业时间 |
//! | capacity | `capacity` | 容量, 座位数 |
//! | operator | `operator` | 运营单位, 运营方 |
//! | phone | `phone` | 电话, 联系电话 |
//! | offer | `offer` | 优惠, 优惠内容 |
//! | status | `status` | 状态 |
//! | source | `source` | 来源 |
//! | external_id | `external_id` | 外部编号, 编号 |
//! | verified_on | `verified_on` | 核验日期, 核实日期 |
//!
//! Longitude and latitude may also share one column (`经纬度`, `坐标`, `lonlat`, `coordinates`):
//! two numbers separated by a comma, space or `;`, in either order (within China longitudes,
//! 73–136°, and latitudes, 3–54°, do not overlap; elsewhere the order is longitude first).
//!
//! English names match ignoring ASCII case, spaces, `_` and `-`. Storage-assigned columns written
//! by [`crate::export`] — `id` (系统编号), `created_at` (创建时间), `updated_at` (更新时间) — are
//! accepted and ignored, and so is 序号, the row counter Chinese spreadsheets start with (it holds
//! no station data).

/// A column of a station file: one [`crate::station::StationData`] field (longitude and latitude
/// separately).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    /// `kind`.
    Kind,
    /// `name`.
    Name,
    /// `address`.
    Address,
    /// `district`.
    District,
    /// `street`.
    Street,
    /// `location.lon`.
    Lon,
    /// `location.lat`.
    Lat,
    /// `amenities`.
    Amenities,
    /// `opening_hours`.
    OpeningHours,
    /// `capacity`.
    Capacity,
    /// `operator`.
    Operator,
    /// `phone`.
    Phone,
    /// `offer`.
    Offer,
    /// `status`.
    Status,
    /// `source`.
    Source,
    /// `external_id`.
    ExternalId,
    /// `verified_on`.
    VerifiedOn,
}

/// The number of [`Column`]s.
pub const COLUMN_COUNT: usize = 17;

impl Column {
    /// Every column, in export order.
    pub const ALL: [Column; COLUMN_COUNT] = [
        Column::Kind,
        Column::Name,
        Column::Address,
        Column::District,
        Column::Street,
        Column::Lon,
        Column::Lat,
        Column::Amenities,
        Column::OpeningHours,
        Column::Capacity,
        Column::Operator,
        Column::Phone,
        Column::Offer,
        Column::Status,
        Column::Source,
        Column::ExternalId,
        Column::VerifiedOn,
    ];

    /// Position in [`Column::ALL`].
    #[must_use]
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The English header: the field code (`lon`/`lat` for the location).
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Column::Kind => "kind",
            Column::Name => "name",
            Column::Address => "address",
            Column::District => "district",
            Column::Street => "street",
            Column::Lon => "lon",
            Column::Lat => "lat",
            Column::Amenities => "amenities",
            Column::OpeningHours => "opening_hours",
            Column::Capacity => "capacity",
            Column::Operator => "operator",
            Column::Phone => "phone",
            Column::Offer => "offer",
            Column::Status => "status",
            Column::Source => "source",
            Column::ExternalId => "external_id",
            Column::VerifiedOn => "verified_on",
        }
    }

    /// The field's name in the API (`location.lon` for the longitude).
    #[must_use]
    pub const fn field(self) -> &'static str {
        match self {
            Column::Lon => "location.lon",
            Column::Lat => "location.lat",
            c => c.code(),
        }
    }

    /// The column of an API field name, as [`crate::station::FieldError::field`] gives it.
    #[must_use]
    pub fn from_field(field: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.field() == field)
    }

    /// The Chinese header written on export (the first Chinese name accepted).
    #[must_use]
    pub const fn label_zh(self) -> &'static str {
        self.names_zh()[0]
    }

    /// Accepted English names, normalised (lower case, no spaces, `_` or `-`).
    #[must_use]
    pub const fn names_en(self) -> &'static [&'static str] {
        match self {
            Column::Kind => &["kind"],
            Column::Name => &["name"],
            Column::Address => &["address"],
            Column::District => &["district"],
            Column::Street => &["street"],
            Column::Lon => &["lon", "lng", "longitude", "x"],
            Column::Lat => &["lat", "latitude", "y"],
            Column::Amenities => &["amenities"],
            Column::OpeningHours => &["openinghours"],
            Column::Capacity => &["capacity"],
            Column::Operator => &["operator"],
            Column::Phone => &["phone"],
            Column::Offer => &["offer"],
            Column::Status => &["status"],
            Column::Source => &["source"],
            Column::ExternalId => &["externalid"],
            Column::VerifiedOn => &["verifiedon"],
        }
    }

    /// Accepted Chinese names.
    #[must_use]
    pub const fn names_zh(self) -> &'static [&'static str] {
        match self {
            Column::Kind => &["类型", "类别"],
            Column::Name => &["名称", "站点名称"],
            Column::Address => &["地址"],
            Column::District => &["区县", "所属区县"],
            Column::Street => &["街道", "所属街道", "乡镇街道"],
            Column::Lon => &["经度"],
            Column::Lat => &["纬度"],
            Column::Amenities => &["设施", "服务设施", "配套设施"],
            Column::OpeningHours => &["开放时间", "营业时间"],
            Column::Capacity => &["容量", "座位数"],
            Column::Operator => &["运营单位", "运营方"],
            Column::Phone => &["电话", "联系电话"],
            Column::Offer => &["优惠", "优惠内容"],
            Column::Status => &["状态"],
            Column::Source => &["来源"],
            Column::ExternalId => &["外部编号", "编号"],
            Column::VerifiedOn => &["核验日期", "核实日期"],
        }
    }

    /// Every accepted name for messages: `lon/lng/longitude/x/经度`.
    #[must_use]
    pub fn accepted(self) -> String {
        let mut names: Vec<&str> = vec![self.code()];
        names.extend(self.names_en().iter().skip(1));
        names.extend(self.names_zh());
        names.join("/")
    }
}

/// What a header names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// A station field.
    Field(Column),
    /// Longitude and latitude in one cell (`经纬度`, `坐标`, `lonlat`): "116.78,35.55", either order.
    LonLat,
    /// A storage-assigned column written by export (`id`, `created_at`, `updated_at`), ignored.
    Ignored,
    /// An empty header.
    Blank,
    /// Not a known name.
    Unknown,
}

/// Storage-assigned columns (normalised English, then Chinese) that are read and ignored.
pub const IGNORED_EN: [&str; 3] = ["id", "createdat", "updatedat"];
/// Chinese names of the storage-assigned columns, in the order of [`IGNORED_EN`].
pub const IGNORED_ZH: [&str; 3] = ["系统编号", "创建时间", "更新时间"];

/// Names of a combined longitude/latitude column (normalised English, then Chinese).
pub const LONLAT_NAMES: [&str; 8] =
    ["lonlat", "lnglat", "latlon", "latlng", "coordinates", "经纬度", "坐标", "经纬度坐标"];

/// The row-counter column of Chinese spreadsheets, read and ignored.
pub const ROW_COUNTER_ZH: &str = "序号";

/// Normalises a header for matching: trims white space (including the ideographic space) and a
/// stray BOM, lower-cases ASCII, and drops spaces, `_` and `-`.
#[must_use]
pub fn normalize(header: &str) -> String {
    header
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
        .chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{3000}'))
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// What `header` names.
#[must_use]
pub fn classify(header: &str) -> Header {
    let n = normalize(header);
    if n.is_empty() {
        return Header::Blank;
    }
    for c in Column::ALL {
        if c.names_en().contains(&n.as_str()) || c.names_zh().contains(&n.as_str()) {
            return Header::Field(c);
        }
    }
    if LONLAT_NAMES.contains(&n.as_str()) {
        return Header::LonLat;
    }
    if IGNORED_EN.contains(&n.as_str()) || IGNORED_ZH.contains(&n.as_str()) || n == ROW_COUNTER_ZH {
        return Header::Ignored;
    }
    Header::Unknown
}

/// Every accepted column name, for messages and for showing a keeper what a file may hold.
#[must_use]
pub fn accepted_list() -> String {
    let mut s = Column::ALL.iter().map(|c| c.accepted()).collect::<Vec<_>>().join(", ");
    s.push_str("; or longitude and latitude in one column: 经纬度/坐标/lonlat");
    s.push_str("; ignored: id/系统编号, created_at/创建时间, updated_at/更新时间, 序号");
    s
}

#[cfg(test)]
#[path = "columns_tests.rs"]
mod tests;
