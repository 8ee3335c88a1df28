// The import screen's logic without DOM: which format a file is, the dry run's answer as the
// preview shows it, when the import may be committed, and the GeoJSON the commit sends — the
// preview's rows as the server read them plus the rows the keeper placed on the map, in the file's
// order, so that what is stored is exactly what was previewed. The tests import it.

/** The file formats the importer reads: media type and the file name endings. */
export const FORMATS = {
  csv: { contentType: 'text/csv', ends: ['.csv', '.txt'] },
  geojson: { contentType: 'application/geo+json', ends: ['.geojson', '.json'] },
  xlsx: { contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', ends: ['.xlsx'] },
  xls: { contentType: 'application/vnd.ms-excel', ends: ['.xls'] },
};

/** What the file picker accepts. */
export const ACCEPT = Object.values(FORMATS)
  .flatMap((f) => f.ends)
  .filter((e) => e !== '.txt')
  .join(',');

/** The format of a file named `name` (by its ending), or null. */
export function fileFormat(name) {
  const lower = String(name ?? '').toLowerCase();
  for (const [format, f] of Object.entries(FORMATS)) {
    if (f.ends.some((e) => lower.endsWith(e))) return format;
  }
  return null;
}

/** Whether `format` is a spreadsheet workbook (has sheets). */
export function isWorkbook(format) {
  return format === 'xlsx' || format === 'xls';
}

/** Hours as the preview shows them: "全天 → 24/7" when the file's text was converted, else the stored text. */
export function hoursShown(written, osm) {
  if (written && osm && written !== osm) return `${written} → ${osm}`;
  return osm ?? written ?? '';
}

/** The position of a row in the file: its line, else its feature's index (GeoJSON). */
function place(r) {
  return [r.line ?? Number.MAX_SAFE_INTEGER, r.featureIndex ?? -1];
}

/** The dry run's answer as the preview shows it. */
export function previewModel(answer) {
  const props = (f) => f?.properties ?? {};
  const rows = (answer.rows ?? []).map((r, i) => {
    const p = props(r.feature);
    const c = r.feature?.geometry?.coordinates ?? null;
    return {
      key: `r${i}`,
      line: r.line ?? null,
      featureIndex: r.feature_index ?? null,
      action: r.action,
      stationId: r.station_id ?? null,
      name: p.name ?? '',
      kind: p.kind ?? null,
      address: p.address ?? '',
      hoursWritten: r.hours_written ?? null,
      hours: p.opening_hours ?? null,
      lon: c ? c[0] : null,
      lat: c ? c[1] : null,
      feature: r.feature,
    };
  });
  const unplaced = (answer.unplaced ?? []).map((u, i) => {
    const p = props(u.feature);
    return {
      key: `u${i}`,
      line: u.line ?? null,
      featureIndex: u.feature_index ?? null,
      name: p.name ?? '',
      kind: p.kind ?? null,
      address: p.address ?? '',
      hoursWritten: u.hours_written ?? null,
      hours: p.opening_hours ?? null,
      feature: u.feature,
    };
  });
  const errors = (answer.errors ?? []).map((e) => ({
    line: e.line ?? null,
    featureIndex: e.feature_index ?? null,
    column: e.column ?? null,
    columnNumber: e.column_number ?? null,
    field: e.field ?? null,
    message: e.message ?? '',
  }));
  return {
    format: answer.format ?? null,
    sheet: answer.sheet ?? null,
    created: answer.created ?? rows.filter((r) => r.action === 'create').length,
    updated: answer.updated ?? rows.filter((r) => r.action === 'update').length,
    rows,
    unplaced,
    errors,
    omittedErrors: answer.omitted_errors ?? 0,
    ignored: (answer.ignored_columns ?? []).map((c) => ({ name: c.name, columnNumber: c.column_number ?? null })),
  };
}

/** The file's bad rows of a refused import (422 `invalid_file` details), as the preview lists them. */
export function refusedRows(details) {
  return (details ?? []).map((d) => ({
    line: d.line ?? null,
    featureIndex: d.feature_index ?? null,
    column: d.column ?? null,
    columnNumber: d.column_number ?? null,
    field: d.field ?? null,
    message: d.message ?? '',
  }));
}

/**
 * What still stands in the way of the commit: `{ errors, unplaced }` counts (`placements`: a Map
 * from an unplaced row's key to its WGS-84 `{lon, lat}`).
 */
export function blockers(model, placements) {
  return {
    errors: model.errors.length + model.omittedErrors,
    unplaced: model.unplaced.filter((u) => !placements.has(u.key)).length,
  };
}

/** Whether the import may be committed: no bad row, every unplaced row placed, something to store. */
export function canCommit(model, placements) {
  const b = blockers(model, placements);
  return b.errors === 0 && b.unplaced === 0 && model.rows.length + model.unplaced.length > 0;
}

/**
 * The FeatureCollection the commit sends (format=geojson, crs=wgs84): every previewed row's
 * feature as the server read it, and every unplaced row's feature with its placed point, in the
 * file's order (re-imports upsert, the later row winning).
 */
export function commitCollection(model, placements) {
  const items = [
    ...model.rows.map((r) => ({ at: place(r), feature: structuredClone(r.feature) })),
    ...model.unplaced.map((u) => {
      const p = placements.get(u.key);
      const feature = structuredClone(u.feature);
      feature.type = 'Feature';
      feature.geometry = { type: 'Point', coordinates: [p.lon, p.lat] };
      return { at: place(u), feature };
    }),
  ];
  items.sort((x, y) => x.at[0] - y.at[0] || x.at[1] - y.at[1]);
  return { type: 'FeatureCollection', features: items.map((x) => x.feature) };
}

/** The preview's points for the map: `action` `create`, `update` or `placed`, with line and name. */
export function previewPoints(model, placements) {
  const point = (lon, lat, properties) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [lon, lat] }, properties });
  return {
    type: 'FeatureCollection',
    features: [
      ...model.rows.filter((r) => r.lon !== null).map((r) => point(r.lon, r.lat, { action: r.action, line: r.line, name: r.name, key: r.key })),
      ...model.unplaced
        .filter((u) => placements.has(u.key))
        .map((u) => point(placements.get(u.key).lon, placements.get(u.key).lat, { action: 'placed', line: u.line, name: u.name, key: u.key })),
    ],
  };
}
