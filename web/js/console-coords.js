// Coordinates pasted by a station keeper from Amap (GCJ-02), Baidu (BD-09) or a GPS app (WGS-84):
// "116.8234,35.5512", "35.5512, 116.8234", "116.8234 35.5512", full-width "116.8234，35.5512".
// Within China longitudes (73–136°E) and latitudes (3–54°N) do not overlap, so either order is
// read. No DOM here: the tests import it.

/** China's extent in degrees, loosely: where either order can be told apart. */
const CHINA = { lon: [73, 136], lat: [3, 54] };

const inRange = (v, [lo, hi]) => v >= lo && v <= hi;

/**
 * Reads two decimal degrees from `text`: `{ lon, lat, swapped }` (swapped: written latitude
 * first), or `{ error }` with `empty`, `count` (not exactly two numbers) or `range` (not a
 * point in China in either order).
 */
export function parseLonLat(text) {
  const s = String(text ?? '')
    .replace(/[\uFF10-\uFF19]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/[，、；;]/g, ',')
    .replace(/[．。]/g, '.')
    .replace(/[－−]/g, '-')
    .trim();
  if (!s) return { error: 'empty' };
  const nums = s.match(/[-+]?\d+(?:\.\d+)?/g) ?? [];
  if (nums.length !== 2) return { error: 'count' };
  const [a, b] = nums.map(Number);
  if (inRange(a, CHINA.lon) && inRange(b, CHINA.lat)) return { lon: a, lat: b, swapped: false };
  if (inRange(a, CHINA.lat) && inRange(b, CHINA.lon)) return { lon: b, lat: a, swapped: true };
  return { error: 'range' };
}

/** A WGS-84 point as the console shows it: "116.823400, 35.551200" (6 decimals, about 0.1 m). */
export function fmtLonLat(p) {
  return `${p.lon.toFixed(6)}, ${p.lat.toFixed(6)}`;
}

/** `v` rounded to 6 decimals (about 0.1 m): what is stored of a dragged or clicked pin. */
export function round6(v) {
  return Math.round(v * 1e6) / 1e6;
}
