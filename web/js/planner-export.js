// Exports of the planner view, built in the page from the API's answers: coverage cells and
// proposed sites as GeoJSON and CSV. No DOM here except `download`, so the tests import the
// builders and check their exact output.

/** Columns of the coverage CSV, in order. */
export const CELL_COLUMNS = ['h3', 'lon', 'lat', 'class', 'travel_time_s', 'demand', 'street', 'station_id'];
/** Columns of the proposals CSV, in order. */
export const SITE_COLUMNS = ['rank', 'lon', 'lat', 'h3', 'candidate_id', 'name', 'gain', 'gain_share', 'cumulative_share'];

/** One CSV field (RFC 4180): quoted when it holds a comma, quote or line break; empty for null. */
export function csvField(v) {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * First characters that make a spreadsheet read a cell as a formula (CSV injection): the same as
 * the server's `yizhan_planner::export::FORMULA_PREFIXES`.
 */
const FORMULA_PREFIXES = ['=', '+', '-', '@', '\t', '\r'];

/**
 * Text made safe for a spreadsheet, as the server's CSV export does: a value starting with a
 * formula character gets a leading `'`; so does one already starting with `'` followed by such a
 * character or another `'`, so that the quoting can be undone exactly.
 */
export function spreadsheetText(s) {
  if (s === null || s === undefined) return s;
  const str = String(s);
  const looksQuoted = (r) => FORMULA_PREFIXES.some((p) => r.startsWith(p)) || r.startsWith("'");
  return FORMULA_PREFIXES.some((p) => str.startsWith(p)) || (str.startsWith("'") && looksQuoted(str.slice(1))) ? `'${str}` : str;
}

function csv(columns, rows) {
  return [columns.join(','), ...rows.map((r) => columns.map((c) => csvField(r[c])).join(','))].join('\r\n') + '\r\n';
}

/** The mean of a polygon's outer ring (without the closing point): the cell's centre, degrees. */
function ringCentre(geometry) {
  const ring = geometry.type === 'MultiPolygon' ? geometry.coordinates[0][0] : geometry.coordinates[0];
  const pts = ring.length > 1 && ring[0][0] === ring.at(-1)[0] && ring[0][1] === ring.at(-1)[1] ? ring.slice(0, -1) : ring;
  const lon = pts.reduce((a, p) => a + p[0], 0) / pts.length;
  const lat = pts.reduce((a, p) => a + p[1], 0) / pts.length;
  return [lon, lat];
}

/**
 * The coverage cells (the API's FeatureCollection) as CSV, one row per cell: H3 index, centre
 * (WGS-84 degrees, 6 decimals; the `centre` property when the API gives one), class, travel time
 * (seconds, empty when unreachable), demand, street, nearest station. Text cells (H3 index, class,
 * street) are spreadsheet-safe, as in the server's CSV; numbers stay numbers.
 */
export function cellsCsv(fc) {
  const rows = fc.features.map((f) => {
    const p = f.properties;
    const c = Array.isArray(p.centre) ? p.centre : ringCentre(f.geometry);
    return {
      ...p,
      h3: spreadsheetText(p.h3),
      class: spreadsheetText(p.class),
      street: spreadsheetText(p.street),
      lon: c[0].toFixed(6),
      lat: c[1].toFixed(6),
      travel_time_s: p.travel_time_s === null || p.travel_time_s === undefined ? null : Math.round(p.travel_time_s * 10) / 10,
    };
  });
  return csv(CELL_COLUMNS, rows);
}

/** The coverage cells as a GeoJSON text (the API's collection, unchanged). */
export function cellsGeoJSON(fc) {
  return JSON.stringify({ type: 'FeatureCollection', features: fc.features });
}

/** A plan's proposed sites (`result.sites`) as a GeoJSON FeatureCollection of points. */
export function sitesFeatureCollection(sites) {
  return {
    type: 'FeatureCollection',
    features: sites.map((s) => {
      const { lon, lat, ...props } = s;
      return { type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties: props };
    }),
  };
}

/** A plan's proposed sites as GeoJSON text. */
export function sitesGeoJSON(sites) {
  return JSON.stringify(sitesFeatureCollection(sites));
}

/**
 * A plan's proposed sites as CSV, in rank order (coordinates WGS-84 degrees, 6 decimals; text
 * cells — H3 index, candidate id, name — spreadsheet-safe, as in the server's CSV).
 */
export function sitesCsv(sites) {
  return csv(
    SITE_COLUMNS,
    sites.map((s) => ({
      ...s,
      lon: s.lon.toFixed(6),
      lat: s.lat.toFixed(6),
      h3: spreadsheetText(s.h3),
      name: spreadsheetText(s.name),
      candidate_id: spreadsheetText(s.candidate_id),
    })),
  );
}

/** Offers `text` as a file named `filename` of type `mime` (a UTF-8 BOM first for CSV, for spreadsheets). */
export function download(filename, text, mime) {
  const parts = mime === 'text/csv' ? ['\ufeff', text] : [text];
  const url = URL.createObjectURL(new Blob(parts, { type: `${mime};charset=utf-8` }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), 1000);
}
