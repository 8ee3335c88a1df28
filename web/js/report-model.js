// Riders' reports without DOM: the categories a rider may choose, what a report must hold before it
// is sent, the request it becomes (JSON, or multipart/form-data with a photo), the codes kept on
// this device (`localStorage` key `yizhan.reports`: `[{code, created_at}]`, nothing else), the
// texts of a station's open reports ("2 位骑手反馈：无热水 · 3 天前"), and where an editor's
// refused decision goes in the console's form. The browser tests import this module under node.

import { formField } from './console-ui.js';
import { amenityLabel, t } from './i18n.js';

/** Report categories, in the order the form offers them; `amenity`: the report names one. */
export const CATEGORIES = [
  { code: 'closed', amenity: false },
  { code: 'not_found', amenity: false },
  { code: 'wrong_location', amenity: false },
  { code: 'amenity_missing', amenity: true },
  { code: 'amenity_broken', amenity: true },
  { code: 'hours_wrong', amenity: false },
  { code: 'crowded', amenity: false },
  { code: 'thanks', amenity: false },
  { code: 'other', amenity: false },
];

/** Report statuses, in the order they follow each other. */
export const STATUSES = ['new', 'acknowledged', 'resolved', 'rejected'];

/** The open statuses (a station's notice counts these). */
export const OPEN_STATUSES = ['new', 'acknowledged'];

/** The longest text a report may carry, characters. */
export const TEXT_MAX = 500;

/** The largest photo the server takes, bytes (5 MB). */
export const PHOTO_MAX_BYTES = 5 * 1024 * 1024;

/** The photo types the server reads. */
export const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];

/** Where the codes of this device's reports are kept. */
export const STORAGE_KEY = 'yizhan.reports';

/** How many codes are kept (the oldest are forgotten first). */
export const STORED_MAX = 50;

/** Whether reports of category `code` name an amenity. */
export function needsAmenity(code) {
  return CATEGORIES.some((c) => c.code === code && c.amenity);
}

/** The number of characters of `s` as the server counts them (Unicode scalar values). */
export function textLength(s) {
  return [...(s ?? '')].length;
}

/** A coordinate rounded to 6 decimals (about 0.1 m). */
export function round6(x) {
  return Math.round(x * 1e6) / 1e6;
}

/**
 * What is wrong with a photo before it is sent (`{ size, type, name }`, a File): `too_big`,
 * `bad_type`, or null. A file without a type is judged by its name's extension.
 */
export function photoProblem(file) {
  if (!file) return null;
  const type = (file.type || '').toLowerCase();
  const byName = /\.(jpe?g|png|webp)$/i.test(file.name ?? '');
  if (type ? !PHOTO_TYPES.includes(type) : !byName) return 'bad_type';
  if (file.size > PHOTO_MAX_BYTES) return 'too_big';
  return null;
}

/** A size in bytes as megabytes with one decimal, rounded up (a photo just over 5 MB says 5.1): "6.2". */
export function megabytes(bytes) {
  return (Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1);
}

/**
 * The report object the API takes, from what the form holds: `stationId` (or null), `category`,
 * `amenity` (only kept for the amenity categories), `text` (trimmed; left out when empty) and
 * `position` (`{lon, lat}` WGS-84, or null).
 */
export function reportBody({ stationId = null, category, amenity = null, text = '', position = null }) {
  const body = {};
  if (stationId !== null && stationId !== undefined) body.station_id = Number(stationId);
  body.category = category;
  if (needsAmenity(category) && amenity) body.amenity = amenity;
  const trimmed = (text ?? '').trim();
  if (trimmed) body.text = trimmed;
  if (position) body.position = { lon: round6(position.lon), lat: round6(position.lat) };
  return body;
}

/**
 * What the form lacks before a report can be sent: `[{field, key}]` (a text key), empty when it
 * may go. A report needs a category, the amenity of an amenity category, a station or a position,
 * a text of at most 500 characters and an acceptable photo.
 */
export function reportProblems({ stationId = null, category = null, amenity = null, text = '', position = null, wantsPosition = false, photo = null }) {
  const out = [];
  if (!category) out.push({ field: 'category', key: 'report.need_category' });
  else if (needsAmenity(category) && !amenity) out.push({ field: 'amenity', key: 'report.need_amenity' });
  if (textLength(text) > TEXT_MAX) out.push({ field: 'text', key: 'report.text.too_long' });
  if ((stationId === null || stationId === undefined) && !position && !wantsPosition) out.push({ field: 'position', key: 'report.position.needed' });
  const p = photoProblem(photo);
  if (p) out.push({ field: 'photo', key: p === 'too_big' ? 'report.photo.too_big' : 'report.photo.bad_type' });
  return out;
}

/**
 * The request that sends `body` (a report object) with an optional `photo` (a Blob/File):
 * `{ body, contentType }` — JSON text with `application/json` without a photo; with one, a
 * FormData with the parts `report` (the JSON, as text) and `photo` (its content type left to the
 * browser, which adds the boundary).
 */
export function reportRequest(body, photo = null) {
  const json = JSON.stringify(body);
  if (!photo) return { body: json, contentType: 'application/json' };
  const form = new FormData();
  form.append('report', json);
  form.append('photo', photo, photo.name || 'photo');
  return { body: form, contentType: null };
}

// --- the codes kept on this device --------------------------------------------------------------

/** The codes kept in `storage` (localStorage): `[{code, created_at}]`, newest first; bad entries skipped. */
export function storedReports(storage) {
  let raw = null;
  try {
    raw = storage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return [];
  }
  if (!raw) return [];
  let list;
  try {
    list = JSON.parse(raw);
  } catch {
    return [];
  }
  if (!Array.isArray(list)) return [];
  return list
    .filter((x) => x && typeof x.code === 'string' && x.code)
    .map((x) => ({ code: x.code, created_at: typeof x.created_at === 'string' ? x.created_at : null }));
}

function write(storage, list) {
  try {
    storage?.setItem(STORAGE_KEY, JSON.stringify(list.slice(0, STORED_MAX)));
  } catch {
    // Private mode or a full store: the code was shown, nothing else can be done.
  }
}

/** Keeps a report's `code` and `created_at` (only these) in `storage`, newest first; answers the list. */
export function rememberReport(storage, { code, created_at }) {
  const list = storedReports(storage).filter((x) => x.code !== code);
  list.unshift({ code, created_at: created_at ?? null });
  write(storage, list);
  return storedReports(storage);
}

/** Forgets `code`; answers the list left. */
export function forgetReport(storage, code) {
  const list = storedReports(storage).filter((x) => x.code !== code);
  write(storage, list);
  return list;
}

// --- texts ----------------------------------------------------------------------------------------

/** The label of a category as the form offers it: "设施缺失". */
export function categoryLabel(code, l) {
  return t(`report.cat.${code}`, {}, l);
}

/** The label of a report status: 新提交 / 已受理 / 已解决 / 未采纳. */
export function statusLabel(code, l) {
  return STATUSES.includes(code) ? t(`report.status.${code}`, {}, l) : (code ?? '');
}

/** What a report says in a few words: "无热水", "热水损坏", "人太多". */
export function reportWhat(r, l) {
  if (needsAmenity(r.category) && r.amenity) return t(`report.what.${r.category}`, { amenity: amenityLabel(r.amenity, l) }, l);
  return t(`report.what.${CATEGORIES.some((c) => c.code === r.category) ? r.category : 'other'}`, {}, l);
}

/** How long ago `iso` (RFC 3339) was, from `now`: 刚刚 / 5 分钟前 / 3 小时前 / 2 天前. */
export function timeAgo(iso, now, l) {
  const then = Date.parse(iso ?? '');
  if (Number.isNaN(then)) return '';
  const s = Math.max(0, (now.getTime() - then) / 1000);
  if (s < 60) return t('report.ago.now', {}, l);
  if (s < 3600) return t('report.ago.minutes', { n: Math.floor(s / 60) }, l);
  if (s < 86400) return t('report.ago.hours', { n: Math.floor(s / 3600) }, l);
  const days = Math.floor(s / 86400);
  return t(days === 1 ? 'report.ago.day' : 'report.ago.days', { n: days }, l);
}

/**
 * The line a station's sheet shows for its open reports (the answer of
 * GET /api/v1/stations/{id}/reports), or null when none is open: "2 位骑手反馈：无热水、人太多 ·
 * 3 天前" — up to three different things reported (newest first), and the newest report's age.
 */
export function noticeText(answer, now, l) {
  const open = answer?.open ?? 0;
  const reports = Array.isArray(answer?.reports) ? answer.reports : [];
  if (!open || open < 1) return null;
  const whats = [];
  for (const r of reports) {
    const w = reportWhat(r, l);
    if (!whats.includes(w)) whats.push(w);
    if (whats.length === 3) break;
  }
  const newest = reports[0]?.created_at;
  const text = whats.length
    ? t(open === 1 ? 'report.notice.one' : 'report.notice', { n: open, what: whats.join(t('report.notice.sep', {}, l)) }, l)
    : t(open === 1 ? 'report.notice.bare.one' : 'report.notice.bare', { n: open }, l);
  const ago = newest ? timeAgo(newest, now, l) : '';
  return ago ? `${text} · ${ago}` : text;
}

// --- the editors' side -------------------------------------------------------------------------

/**
 * The form field of a refusal of POST /api/v1/reports/{id}/status: `note`, or the station body's
 * field (`station.properties.opening_hours` → `opening_hours`, `station.geometry` → `location`).
 */
export function decisionField(name) {
  if (!name) return null;
  // The report's own status (a decision no longer possible) is not the station's status box.
  if (name === 'status') return null;
  const bare = String(name).replace(/^station\./, '');
  if (bare === 'station') return 'station';
  return formField(bare);
}

/** A report's category with its amenity: "设施缺失 · 热水". */
export function reportCategory(r, l) {
  const c = categoryLabel(r.category, l);
  return needsAmenity(r.category) && r.amenity ? `${c} · ${amenityLabel(r.amenity, l)}` : c;
}
