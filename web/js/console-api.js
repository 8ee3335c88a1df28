// The keepers' console's calls to the HTTP API, all through session.request (the session cookie,
// the CSRF header, the return to sign-in on a 401). Query strings are built by the pure functions
// below so that the tests can check them under node.

import { request } from './session.js';

/** Stations of one table page in the console. */
export const PAGE_SIZE = 50;

/** The sort keys `/api/v1/stations` accepts (a leading `-`: descending). */
export const SORT_KEYS = ['id', 'name', 'verified_on', 'updated_at'];

/**
 * The query string of a stations page: `f` has `q` (name/address text), `kind`, `status`
 * (`''`: every status), `district`, `street`, `amenity`, `verification` (`due|never|current`),
 * `sort` (e.g. `-updated_at`; `''`: by id), `page` (0-based) and `pageSize`. Empty values are left out.
 */
export function stationsQuery(f) {
  const p = new URLSearchParams();
  const q = (f.q ?? '').trim();
  if (q) p.set('q', q);
  for (const key of ['kind', 'district', 'street', 'amenity', 'verification']) {
    if (f[key]) p.set(key, f[key]);
  }
  p.set('status', f.status || 'all');
  if (f.sort) p.set('sort', f.sort);
  const size = f.pageSize ?? PAGE_SIZE;
  p.set('limit', String(size));
  const offset = (f.page ?? 0) * size;
  if (offset) p.set('offset', String(offset));
  return p.toString();
}

/**
 * The station object a form's values make (what PUT and POST send): every field, optional ones
 * left out when empty; `capacity` as typed (a number, so the server judges it).
 */
export function stationBody(v) {
  const body = { kind: v.kind, name: v.name.trim(), location: { lon: v.location.lon, lat: v.location.lat }, amenities: [...v.amenities], status: v.status };
  const text = (key) => {
    const s = (v[key] ?? '').trim();
    if (s) body[key] = s;
  };
  for (const key of ['address', 'district', 'street', 'opening_hours', 'operator', 'phone', 'offer', 'source', 'external_id', 'verified_on']) text(key);
  const cap = String(v.capacity ?? '').trim();
  if (cap !== '') body.capacity = Number(cap);
  return body;
}

/** The station object of a stored Feature (for a status change that keeps every other field). */
export function featureBody(feature) {
  const p = feature.properties;
  const [lon, lat] = feature.geometry.coordinates;
  return stationBody({
    ...p,
    name: p.name ?? '',
    location: { lon, lat },
    amenities: p.amenities ?? [],
    capacity: p.capacity ?? '',
  });
}

/** A page of stations (GeoJSON FeatureCollection with `numberMatched`). */
export function stations(f, opts) {
  return request('GET', `/api/v1/stations?${stationsQuery(f)}`, opts);
}

/** One station (a GeoJSON Feature). */
export function station(id, opts) {
  return request('GET', `/api/v1/stations/${encodeURIComponent(id)}`, opts);
}

/** Creates a station from a station object (`location` in WGS-84): the stored Feature. */
export function createStation(data, opts) {
  return request('POST', '/api/v1/stations', { ...opts, body: data });
}

/** Replaces every field of station `id`: the stored Feature. */
export function replaceStation(id, data, opts) {
  return request('PUT', `/api/v1/stations/${encodeURIComponent(id)}`, { ...opts, body: data });
}

/** Deletes station `id`. */
export function deleteStation(id, opts) {
  return request('DELETE', `/api/v1/stations/${encodeURIComponent(id)}`, opts);
}

/** Marks station `id` as checked on site today (server's date): the stored Feature. */
export function verifyStation(id, opts) {
  return request('POST', `/api/v1/stations/${encodeURIComponent(id)}/verify`, opts);
}

/** Every district (GeoJSON, names in `properties.name`). */
export function districts(opts) {
  return request('GET', '/api/v1/districts', opts);
}

/** The streets of a district (GeoJSON, names in `properties.name`). */
export function streets(district, opts) {
  return request('GET', `/api/v1/districts/${encodeURIComponent(district)}/streets`, opts);
}

/**
 * The street names of a district, in Chinese collation order; none (and a console warning) when
 * they cannot be read: the filters and the editor then simply offer no street list.
 */
export async function streetNames(district) {
  if (!district) return [];
  try {
    const fc = await streets(district);
    return fc.features.map((f) => f.properties.name).sort((a, b) => a.localeCompare(b, 'zh-CN'));
  } catch (e) {
    console.warn('streets:', e.message);
    return [];
  }
}

/** How far verification is behind, per street: `{ due_after_days, as_of, streets, total }`. */
export function verification(opts) {
  return request('GET', '/api/v1/verification', opts);
}

/** Opening hours as typed, read by the server: `{ opening_hours, converted, open_now, next_change, always_open }`. */
export function hours(text, opts) {
  return request('GET', `/api/v1/hours?${new URLSearchParams({ opening_hours: text })}`, opts);
}

/** A point in `crs` (`wgs84`, `gcj02`, `bd09`) in all three systems: `{ wgs84, gcj02, bd09 }`. */
export function convert({ lon, lat }, crs, opts) {
  return request('GET', `/api/v1/convert?${new URLSearchParams({ lon: String(lon), lat: String(lat), crs })}`, opts);
}

/**
 * The query string of an import: `o` has `format`, `crs`, `encoding` (`auto`: left out), `kind`,
 * `source`, `sheet` (workbooks only) and `dryRun`.
 */
export function importQuery(o) {
  const p = new URLSearchParams();
  if (o.dryRun) p.set('dry_run', 'true');
  p.set('format', o.format);
  if (o.crs) p.set('crs', o.crs);
  if (o.encoding && o.encoding !== 'auto' && o.format === 'csv') p.set('encoding', o.encoding);
  if (o.kind) p.set('kind', o.kind);
  const source = (o.source ?? '').trim();
  if (source) p.set('source', source);
  const sheet = (o.sheet ?? '').trim();
  if (sheet && (o.format === 'xlsx' || o.format === 'xls')) p.set('sheet', sheet);
  return p.toString();
}

/** Sends a station file (`bytes`, raw) to the importer with options `o` (see importQuery). */
export function importFile(bytes, contentType, o, opts) {
  return request('POST', `/api/v1/import?${importQuery(o)}`, { ...opts, raw: bytes, contentType });
}

/**
 * The query string of an audit page, newest first: `f` has `station`, `actor`, `operation`,
 * `since`, `until` (RFC 3339), `before` (a seq) and `limit`.
 */
export function auditQuery(f) {
  const p = new URLSearchParams();
  for (const key of ['station', 'actor', 'operation', 'since', 'until']) {
    const v = String(f[key] ?? '').trim();
    if (v) p.set(key, v);
  }
  if (f.before !== undefined && f.before !== null) p.set('before', String(f.before));
  p.set('order', 'desc');
  p.set('limit', String(f.limit ?? PAGE_SIZE));
  return p.toString();
}

/** A page of the audit log: `{ entries }`. */
export function audit(f, opts) {
  return request('GET', `/api/v1/audit?${auditQuery(f)}`, opts);
}

/** Every API token: `{ tokens }`. */
export function tokens(opts) {
  return request('GET', '/api/v1/admin/tokens', opts);
}

/** Creates a token: `{ token, record }` (the secret only now). */
export function createToken(name, role, opts) {
  return request('POST', '/api/v1/admin/tokens', { ...opts, body: { name, role } });
}

/** Revokes token `id`. */
export function revokeToken(id, opts) {
  return request('DELETE', `/api/v1/admin/tokens/${encodeURIComponent(id)}`, opts);
}

/** Reports of one queue page. */
export const REPORTS_PAGE_SIZE = 50;

/**
 * The query string of a page of riders' reports, newest first: `f` has `statuses` (an array of
 * `new|acknowledged|resolved|rejected`; empty: every status), `district`, `street`, `station` (an
 * id), `page` (0-based) and `pageSize`. Empty values are left out.
 */
export function reportsQuery(f) {
  const p = new URLSearchParams();
  if (f.statuses?.length) p.set('status', f.statuses.join(','));
  for (const key of ['district', 'street']) {
    const v = String(f[key] ?? '').trim();
    if (v) p.set(key, v);
  }
  const station = String(f.station ?? '').trim();
  if (station) p.set('station', station);
  const size = f.pageSize ?? REPORTS_PAGE_SIZE;
  p.set('limit', String(size));
  p.set('offset', String((f.page ?? 0) * size));
  return p.toString();
}

/** A page of reports (editors): `{ numberMatched, reports }`. */
export function reports(f, opts) {
  return request('GET', `/api/v1/reports?${reportsQuery(f)}`, opts);
}

/** The address of report `id`'s photo as the server re-encoded it (JPEG, no metadata). */
export function reportPhotoUrl(id) {
  return `/api/v1/reports/${encodeURIComponent(id)}/photo`;
}

/**
 * Changes report `id`'s status: `acknowledged`, or `resolved` / `rejected` with a `note` (the
 * answer the rider reads); `station` (a GeoJSON Feature, only with `resolved`) is the fix applied
 * to the report's station in the same transaction. Answers the report.
 */
export function setReportStatus(id, { status, note, station }, opts) {
  const body = { status };
  if (note !== undefined && note !== null) body.note = note;
  if (station) body.station = station;
  return request('POST', `/api/v1/reports/${encodeURIComponent(id)}/status`, { ...opts, body });
}

/**
 * The full station body (a GeoJSON Feature, as PUT /api/v1/stations/{id} takes) of the stored
 * `feature` with `changes` applied: `status`, `amenities`, `opening_hours`, `location` (`{lon, lat}`).
 */
export function stationFix(feature, changes = {}) {
  const { location, ...properties } = featureBody(feature);
  if (changes.status) properties.status = changes.status;
  if (changes.amenities) properties.amenities = [...changes.amenities];
  if (changes.opening_hours !== undefined) {
    const hours = String(changes.opening_hours ?? '').trim();
    if (hours) properties.opening_hours = hours;
    else delete properties.opening_hours;
  }
  const at = changes.location ?? location;
  return { type: 'Feature', geometry: { type: 'Point', coordinates: [at.lon, at.lat] }, properties };
}
