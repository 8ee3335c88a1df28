// The signed-in session, shared by the keepers' console and the planner's scenario save. The
// server keeps the session in an HttpOnly cookie (`yizhan_session`) that page scripts cannot read;
// the page keeps only the CSRF token in memory (fetched again with GET /api/v1/session on every
// load) and sends it as `X-CSRF-Token` with every unsafe request. No token is ever written to
// localStorage or sessionStorage.
//
// `request()` is the one fetch of every call that may write: it adds the CSRF header and, when a
// signed-in request is refused with 401 (the session expired or its token was revoked), ends the
// session here and tells the listeners, so the console can return to the sign-in form.

import { ApiError, errorFrom } from './api.js';

/** Methods that change something and so carry the CSRF token. */
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Roles in the order of what they may do; admin includes editor and planner. */
export const ROLES = ['editor', 'planner', 'admin'];

const state = {
  /** Whether GET /api/v1/session has answered once. */
  known: false,
  signedIn: false,
  /** `{ id, name, role }` of the signed-in token. */
  principal: null,
  /** RFC 3339 instant the session ends, or null. */
  expiresAt: null,
  /** Kept in memory only. */
  csrf: null,
  /** Why the last session ended without signing out: `expired`, or null. */
  ended: null,
};
const listeners = new Set();

function notify() {
  for (const fn of listeners) fn(current());
}

/** A copy of the session: `{ known, signedIn, principal, expiresAt, ended }` (never the CSRF token). */
export function current() {
  return { known: state.known, signedIn: state.signedIn, principal: state.principal, expiresAt: state.expiresAt, ended: state.ended };
}

/** Calls `fn(session)` after every change (sign in, sign out, expiry). */
export function onSessionChange(fn) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** Whether the signed-in role includes `role` (an admin may do what editors and planners do). */
export function roleIncludes(have, role) {
  return have === role || have === 'admin';
}

/** Whether the session's role includes `role`. */
export function hasRole(role) {
  return state.signedIn && roleIncludes(state.principal?.role, role);
}

function apply(body) {
  if (body?.signed_in) {
    state.signedIn = true;
    state.principal = body.principal ?? null;
    state.expiresAt = body.expires_at ?? null;
    state.csrf = body.csrf_token ?? null;
    state.ended = null;
  } else {
    state.signedIn = false;
    state.principal = null;
    state.expiresAt = null;
    state.csrf = null;
  }
  state.known = true;
}

/** Ends the session on this page (the server already refused it) and says why. */
export function expire(reason = 'expired') {
  const was = state.signedIn;
  apply(null);
  state.ended = reason;
  if (was) notify();
}

/**
 * The header that makes an unsafe request count as the signed-in session's (`X-CSRF-Token`), or
 * none: for calls anyone may make that a session merely raises (the planner's analyses and jobs).
 */
export function sessionHeaders(method) {
  return UNSAFE.has(method) && state.csrf ? { 'X-CSRF-Token': state.csrf } : {};
}

/**
 * A call to the API: `method`, `url`, and `body` (JSON) or `raw` (a Blob/ArrayBuffer sent as is
 * with `contentType`). Answers parsed JSON (null for 204 or an empty body) or throws an ApiError.
 * `expireOn401: false` keeps the session on a 401 (the sign-in form's own refusal).
 */
export async function request(method, url, { body, raw, contentType, signal, expireOn401 = true } = {}) {
  const headers = { Accept: 'application/json, application/geo+json' };
  let payload;
  if (raw !== undefined) {
    payload = raw;
    if (contentType) headers['Content-Type'] = contentType;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  if (UNSAFE.has(method) && state.csrf) headers['X-CSRF-Token'] = state.csrf;
  let resp;
  try {
    resp = await fetch(url, { method, headers, body: payload, signal, credentials: 'same-origin' });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', e.message);
  }
  let parsed = null;
  const text = resp.status === 204 ? '' : await resp.text();
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = null;
    }
  }
  if (!resp.ok) {
    const err = errorFrom(resp.status, parsed);
    if (resp.status === 401 && expireOn401 && state.signedIn) expire('expired');
    throw err;
  }
  return parsed;
}

/**
 * Reads the session from the server (GET /api/v1/session): the principal, its expiry and the CSRF
 * token. A server that cannot say (no such route, unreachable) counts as signed out.
 */
export async function load() {
  try {
    apply(await request('GET', '/api/v1/session', { expireOn401: false }));
  } catch (e) {
    console.warn('session:', e.message);
    apply(null);
  }
  notify();
  return current();
}

let loading = null;

/** Reads the session once (the first call loads it; later calls answer the same promise). */
export function ensure() {
  if (!loading) loading = load();
  return loading;
}

/** Signs in with an API token (POST /api/v1/session); throws the API's refusal (401: `field` `token`). */
export async function signIn(token) {
  const body = await request('POST', '/api/v1/session', { body: { token }, expireOn401: false });
  apply(body);
  if (!body?.csrf_token) {
    // Some answers may leave the CSRF token to GET; read it from there.
    try {
      apply(await request('GET', '/api/v1/session', { expireOn401: false }));
    } catch {
      // Keep what the sign-in answered.
    }
  }
  notify();
  return current();
}

/** Signs out (DELETE /api/v1/session); the page forgets the session even if the server cannot be reached. */
export async function signOut() {
  try {
    await request('DELETE', '/api/v1/session', { expireOn401: false });
  } finally {
    apply(null);
    notify();
  }
}
