// The planner's calls to the HTTP API: coverage analyses, placement jobs, scenarios. Each call
// answers parsed JSON or throws an ApiError (from api.js) with the API's code, message and field.
// Saving a scenario is a write: it goes through the signed-in session (session.js: the cookie and
// the CSRF header). No DOM here beyond fetch, so the bodies can be built and checked under node.

import { ApiError, errorFrom } from './api.js';
import { lang } from './i18n.js';
import { request, sessionHeaders } from './session.js';

// Analyses and plan jobs are open to anyone; a signed-in planner's session (its CSRF header with
// the cookie) gives them the planner's budget and makes the jobs its own.
async function call(method, url, { body, signal } = {}) {
  const headers = { Accept: 'application/json, application/geo+json', ...sessionHeaders(method) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let resp;
  try {
    resp = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  let parsed = null;
  try {
    parsed = await resp.json();
  } catch {
    parsed = null;
  }
  if (!resp.ok) throw errorFrom(resp.status, parsed);
  return parsed;
}

/**
 * The body of a coverage request. `p`: `district` (name), `resolution` (H3 7..=11), `minutes`
 * (ascending thresholds, minutes), `mode` (`walk`, `ebike`, `car`), `kinds` (codes; empty: all).
 */
export function coverageBody(p) {
  const body = { district: p.district, resolution: p.resolution, minutes: [...p.minutes], mode: p.mode };
  if (p.kinds?.length) body.kinds = [...p.kinds];
  return body;
}

/**
 * The body of a placement run: the coverage body of `p` plus `objective` (`max_cover`,
 * `min_sites`, `p_median`), `sites` (p), `target_share` (0..=1, for `min_sites`), `threshold`
 * (the one threshold, minutes), `candidates` (`'cells'` or `[{id, name, lon, lat}]`), `exclude`
 * (H3 cells or candidate ids) and `fixed` (`[[lon, lat], …]`, WGS-84 degrees).
 */
export function planBody(p) {
  const body = coverageBody(p);
  body.minutes = p.threshold;
  body.objective = p.objective;
  // With `min_sites`, `sites` is the most sites the run may propose.
  body.sites = p.sites;
  if (p.objective === 'min_sites') body.target_share = p.targetShare;
  body.candidates = p.candidates?.length ? p.candidates.map((c) => ({ ...c })) : 'cells';
  if (p.exclude?.length) body.exclude = [...p.exclude];
  if (p.fixed?.length) body.fixed = p.fixed.map((x) => [x[0], x[1]]);
  return body;
}

/** Runs a coverage analysis: the API's answer (cells as a GeoJSON FeatureCollection). */
export function coverage(body, opts) {
  return call('POST', '/api/v1/coverage', { ...opts, body });
}

/** Starts a placement job: `{ id, status, links }`. */
export function startPlan(body, opts) {
  return call('POST', '/api/v1/plans', { ...opts, body });
}

/** A placement job's state: `{ id, status, progress, result, error, request }`. */
export function plan(id, opts) {
  return call('GET', `/api/v1/plans/${encodeURIComponent(id)}`, opts);
}

/** Cancels a running placement job. */
export function cancelPlan(id, opts) {
  return call('DELETE', `/api/v1/plans/${encodeURIComponent(id)}`, opts);
}

/**
 * Stores a finished plan's sites as the scenario `name` (needs a planner's or admin's session):
 * `{ id, name, station_ids }`.
 */
export function saveScenario(name, planId, opts) {
  return request('POST', '/api/v1/scenarios', { ...opts, body: { name, plan: planId } });
}

/** Every stored scenario. */
export function scenarios(opts) {
  return call('GET', '/api/v1/scenarios', opts);
}

/**
 * The URL comparing scenarios `a` and `b` (either may be empty: the baseline) in `district` at
 * `minutes` (thresholds) by `mode`, on the H3 grid of `resolution` (omitted: the API's default).
 */
export function compareUrl({ a, b, district, minutes, mode, resolution }) {
  const p = new URLSearchParams();
  if (a) p.set('a', a);
  if (b) p.set('b', b);
  p.set('district', district);
  p.set('minutes', minutes.join(','));
  p.set('mode', mode);
  if (resolution) p.set('resolution', String(resolution));
  return `/api/v1/scenarios/compare?${p}`;
}

/** Compares two scenarios: `{ baseline, a: {name, summary}, b: {name, summary} }`. */
export function compareScenarios(q, opts) {
  return call('GET', compareUrl(q), opts);
}

/**
 * The printable report of `district` (PDF, made by the server) in the page's language, with the
 * coverage panel's travel mode and H3 resolution.
 */
export function reportUrl(district, { mode, resolution } = {}, l = lang()) {
  const q = new URLSearchParams({ lang: l });
  if (mode) q.set('mode', mode);
  if (resolution) q.set('resolution', String(resolution));
  return `/api/v1/districts/${encodeURIComponent(district)}/report.pdf?${q}`;
}
