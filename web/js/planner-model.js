// What the planner view derives from the API's answers, without touching the DOM: the coverage
// classes and their colours for a set of thresholds, MapLibre paint expressions, the extent of a
// set of cells, and the before/after comparison of a plan. The browser tests import it.

/** Colours of the classes within each threshold, nearest first (green to yellow). */
const WITHIN_COLORS = ['#1a9850', '#91cf60', '#d9ef8b', '#fee08b'];
/** Colour of cells beyond the largest threshold. */
export const BEYOND_COLOR = '#e8603c';
/** Colour of cells no matching station can be reached from. */
export const UNREACHABLE_COLOR = '#8c8c8c';

/**
 * The coverage classes of an analysis at `minutes` (ascending thresholds, minutes), in legend
 * order: `{ code, minutes, color }` for `within_<m>` of each threshold, then `beyond` (minutes:
 * the largest threshold) and `unreachable` (minutes: null).
 */
export function coverageClasses(minutes) {
  const within = minutes.map((m, i) => ({ code: `within_${m}`, minutes: m, color: WITHIN_COLORS[Math.min(i, WITHIN_COLORS.length - 1)] }));
  return [
    ...within,
    { code: 'beyond', minutes: minutes.at(-1) ?? null, color: BEYOND_COLOR },
    { code: 'unreachable', minutes: null, color: UNREACHABLE_COLOR },
  ];
}

/** A MapLibre `fill-color` expression colouring cells by their `class` property. */
export function classColorExpression(minutes) {
  return ['match', ['get', 'class'], ...coverageClasses(minutes).flatMap((c) => [c.code, c.color]), UNREACHABLE_COLOR];
}

/** The largest `demand` of the cells (0 for none). */
export function maxDemand(fc) {
  return fc.features.reduce((m, f) => Math.max(m, Number(f.properties.demand) || 0), 0);
}

/** A MapLibre `fill-color` expression shading cells from white (no demand) to purple (`max`). */
export function demandColorExpression(max) {
  const top = max > 0 ? max : 1;
  return ['interpolate', ['linear'], ['coalesce', ['get', 'demand'], 0], 0, '#f7f4f9', top / 2, '#c994c7', top, '#7a0177'];
}

/** How many cells of the collection fall in each class: `{ code: count }`. */
export function classCounts(fc) {
  const counts = {};
  for (const f of fc.features) counts[f.properties.class] = (counts[f.properties.class] ?? 0) + 1;
  return counts;
}

/** `[west, south, east, north]` of the cells whose `h3` is in `cells` (an array), or null. */
export function cellsBBox(fc, cells) {
  const wanted = new Set(cells);
  let b = null;
  for (const f of fc.features) {
    if (!wanted.has(f.properties.h3)) continue;
    const polys = f.geometry.type === 'MultiPolygon' ? f.geometry.coordinates : [f.geometry.coordinates];
    for (const poly of polys) {
      for (const [x, y] of poly[0]) {
        if (!b) b = [x, y, x, y];
        else b = [Math.min(b[0], x), Math.min(b[1], y), Math.max(b[2], x), Math.max(b[3], y)];
      }
    }
  }
  return b;
}

/** The share of threshold `minutes` in a CoverageSummary (`{ minutes, cells, area_share, demand_share }`), or null. */
export function shareAt(summary, minutes) {
  return summary?.thresholds?.find((x) => Number(x.minutes) === Number(minutes)) ?? summary?.thresholds?.[0] ?? null;
}

/**
 * A plan's effect at its threshold: `{ before, after, delta }` shares (0..=1) of area and demand
 * within `minutes`, from the result's `before` and `after` summaries.
 */
export function planEffect(result, minutes) {
  const b = shareAt(result.before, minutes);
  const a = shareAt(result.after, minutes);
  const pick = (x) => ({ area: x?.area_share ?? 0, demand: x?.demand_share ?? 0 });
  const before = pick(b);
  const after = pick(a);
  return { before, after, delta: { area: after.area - before.area, demand: after.demand - before.demand } };
}
