// The server's HTTP API, as the page uses it. Every call answers parsed JSON or throws an
// ApiError carrying the API's error code and message.

/**
 * A failed API call: HTTP status (0 when the server could not be reached), code, message, the
 * field at fault (or null) and the error's `details` (every invalid field, every bad file row).
 */
export class ApiError extends Error {
  constructor(status, code, message, field = null, details = []) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.details = details;
  }
}

/** The ApiError of a refused answer with HTTP `status` and parsed JSON `body` (null if none). */
export function errorFrom(status, body) {
  const err = body?.error ?? {};
  return new ApiError(
    status,
    err.code ?? 'http_error',
    err.message ?? `HTTP ${status}`,
    err.field ?? null,
    Array.isArray(err.details) ? err.details : [],
  );
}

async function getJSON(url, { signal } = {}) {
  let resp;
  try {
    resp = await fetch(url, { headers: { Accept: 'application/json, application/geo+json' }, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  let body = null;
  try {
    body = await resp.json();
  } catch {
    body = null;
  }
  if (!resp.ok) throw errorFrom(resp.status, body);
  return body;
}

/**
 * The URL of a nearest query. `q`: `lon`, `lat` (WGS-84 degrees), `k`, `mode` (`ebike`, `walk`,
 * `car`), `kinds` and `amenities` (arrays of codes; empty means no filter), `openNow` (boolean).
 */
export function nearestUrl(q) {
  const p = new URLSearchParams();
  p.set('lon', String(q.lon));
  p.set('lat', String(q.lat));
  if (q.k) p.set('k', String(q.k));
  if (q.mode) p.set('mode', q.mode);
  if (q.kinds?.length) p.set('kind', q.kinds.join(','));
  if (q.amenities?.length) p.set('amenity', q.amenities.join(','));
  if (q.openNow) p.set('open_now', 'true');
  return `/api/v1/nearest?${p}`;
}

/** The nearest stations: the API's NearestResponse. */
export function nearest(q, opts) {
  return getJSON(nearestUrl(q), opts);
}

/** Every district boundary (GeoJSON FeatureCollection). */
export function districts(opts) {
  return getJSON('/api/v1/districts', opts);
}

/** Active stations inside `[west, south, east, north]` (GeoJSON FeatureCollection), at most `limit`. */
export function stationsInBBox(bbox, limit, opts) {
  const p = new URLSearchParams({ bbox: bbox.map((x) => x.toFixed(6)).join(','), status: 'active', limit: String(limit) });
  return getJSON(`/api/v1/stations?${p}`, opts);
}

/** Stations matching `params` (an object of `/api/v1/stations` query parameters), GeoJSON. */
export function stations(params, opts) {
  return getJSON(`/api/v1/stations?${new URLSearchParams(params)}`, opts);
}

/** How many stations match `params` (an object of `/api/v1/stations` query parameters). */
export async function stationCount(params, opts) {
  const p = new URLSearchParams({ ...params, limit: '0' });
  const body = await getJSON(`/api/v1/stations?${p}`, opts);
  return body.numberMatched;
}

/** The UI's settings from the server (`map_style_url`); the defaults when they cannot be read. */
export async function uiConfig() {
  try {
    return await getJSON('/config.json');
  } catch {
    return { map_style_url: null };
  }
}

// --- riders' reports --------------------------------------------------------------------------

/**
 * Sends a report (POST /api/v1/reports; anyone, no account): `payload` is report-model.js's
 * `reportRequest` — JSON text with its content type, or a FormData (the browser sets the
 * multipart boundary). Sent without cookies: a report belongs to no session. Answers
 * `{code, status, created_at, has_photo}`; a refusal throws an ApiError with `retryAfter`
 * (seconds, from `Retry-After`) on 429.
 */
export async function sendReport(payload, { signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (payload.contentType) headers['Content-Type'] = payload.contentType;
  let resp;
  try {
    resp = await fetch('/api/v1/reports', { method: 'POST', headers, body: payload.body, signal, credentials: 'omit' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  let body = null;
  try {
    body = await resp.json();
  } catch {
    body = null;
  }
  if (!resp.ok) {
    const err = errorFrom(resp.status, body);
    const after = Number(resp.headers.get('Retry-After'));
    err.retryAfter = Number.isFinite(after) && after > 0 ? Math.ceil(after) : null;
    throw err;
  }
  return body;
}

/** A report as anyone with its code sees it (GET /api/v1/reports/{code}). */
export function reportByCode(code, opts) {
  return getJSON(`/api/v1/reports/${encodeURIComponent(code)}`, opts);
}

/** A station's open reports: `{ open, reports: [{category, amenity?, created_at}] }`, newest first. */
export function stationReports(id, opts) {
  return getJSON(`/api/v1/stations/${encodeURIComponent(id)}/reports`, opts);
}
