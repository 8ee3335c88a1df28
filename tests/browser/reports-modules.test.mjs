// Riders' reports without a browser (node): what a report must hold, the request it becomes, the
// codes kept on the device, the station sheet's line and its ages in both languages, the console's
// query strings and the station body a resolution sends. Expected values are written out here.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { reportsQuery, stationFix } from '../../web/js/console-api.js';
import { keys } from '../../web/js/i18n.js';
import {
  CATEGORIES,
  PHOTO_MAX_BYTES,
  STORAGE_KEY,
  decisionField,
  forgetReport,
  megabytes,
  noticeText,
  photoProblem,
  rememberReport,
  reportBody,
  reportCategory,
  reportProblems,
  reportRequest,
  reportWhat,
  statusLabel,
  storedReports,
  timeAgo,
} from '../../web/js/report-model.js';
import { ROOT } from './harness.mjs';

/** A localStorage stand-in. */
function memoryStorage(initial = {}) {
  const m = new Map(Object.entries(initial));
  return {
    getItem: (k) => (m.has(k) ? m.get(k) : null),
    setItem: (k, v) => m.set(k, String(v)),
    removeItem: (k) => m.delete(k),
    dump: () => Object.fromEntries(m),
  };
}

test('the categories are the server\'s, in the form\'s order', () => {
  const src = readFileSync(path.join(ROOT, 'planner', 'src', 'report.rs'), 'utf8');
  const block = src.slice(src.indexOf('ReportCategory, UnknownCategory'), src.indexOf('impl ReportCategory'));
  const codes = [...block.matchAll(/^\s*\w+ = "(\w+)",/gm)].map((m) => m[1]);
  assert.deepEqual(CATEGORIES.map((c) => c.code), codes);
  assert.deepEqual(CATEGORIES.filter((c) => c.amenity).map((c) => c.code), ['amenity_missing', 'amenity_broken']);
});

test('a report body: the station or the place, the amenity only where it belongs, trimmed text', () => {
  assert.deepEqual(reportBody({ stationId: 17, category: 'amenity_missing', amenity: 'hot_water', text: '  热水器坏了 ', position: { lon: 116.7861234, lat: 35.5530004 } }), {
    station_id: 17,
    category: 'amenity_missing',
    amenity: 'hot_water',
    text: '热水器坏了',
    position: { lon: 116.786123, lat: 35.553 },
  });
  assert.deepEqual(reportBody({ stationId: null, category: 'crowded', amenity: 'hot_water', text: '   ', position: { lon: 116.8, lat: 35.5 } }), {
    category: 'crowded',
    position: { lon: 116.8, lat: 35.5 },
  });
  assert.deepEqual(reportBody({ stationId: '9', category: 'thanks' }), { station_id: 9, category: 'thanks' });
});

test('what the form lacks before sending', () => {
  assert.deepEqual(reportProblems({ stationId: 1, category: 'closed' }), []);
  assert.deepEqual(reportProblems({ stationId: 1 }), [{ field: 'category', key: 'report.need_category' }]);
  assert.deepEqual(reportProblems({ stationId: 1, category: 'amenity_broken' }), [{ field: 'amenity', key: 'report.need_amenity' }]);
  assert.deepEqual(reportProblems({ category: 'not_found' }), [{ field: 'position', key: 'report.position.needed' }]);
  assert.deepEqual(reportProblems({ category: 'not_found', wantsPosition: true }), []);
  assert.deepEqual(reportProblems({ category: 'not_found', position: { lon: 116.8, lat: 35.5 } }), []);
  assert.deepEqual(reportProblems({ stationId: 1, category: 'other', text: '字'.repeat(500) }), []);
  assert.deepEqual(reportProblems({ stationId: 1, category: 'other', text: '字'.repeat(501) }), [{ field: 'text', key: 'report.text.too_long' }]);
  // 500 characters as the server counts them (code points), not UTF-16 units.
  assert.deepEqual(reportProblems({ stationId: 1, category: 'other', text: '😀'.repeat(500) }), []);
});

test('photos: type and size are checked before anything is sent', () => {
  assert.equal(PHOTO_MAX_BYTES, 5 * 1024 * 1024);
  assert.equal(photoProblem(null), null);
  assert.equal(photoProblem({ name: 'a.jpg', type: 'image/jpeg', size: 5 * 1024 * 1024 }), null);
  assert.equal(photoProblem({ name: 'a.jpg', type: 'image/jpeg', size: 5 * 1024 * 1024 + 1 }), 'too_big');
  assert.equal(photoProblem({ name: 'a.webp', type: 'image/webp', size: 10 }), null);
  assert.equal(photoProblem({ name: 'a.png', type: '', size: 10 }), null, 'no type: judged by the name');
  assert.equal(photoProblem({ name: 'a.heic', type: 'image/heic', size: 10 }), 'bad_type');
  assert.equal(photoProblem({ name: 'a.gif', type: '', size: 10 }), 'bad_type');
  assert.deepEqual(reportProblems({ stationId: 1, category: 'other', photo: { name: 'big.jpg', type: 'image/jpeg', size: 6 * 1024 * 1024 } }), [
    { field: 'photo', key: 'report.photo.too_big' },
  ]);
  assert.equal(megabytes(5 * 1024 * 1024 + 1), '5.1');
  assert.equal(megabytes(6.2 * 1024 * 1024), '6.2');
});

test('the request: JSON without a photo, multipart with the parts report and photo', async () => {
  const body = { station_id: 3, category: 'closed' };
  assert.deepEqual(reportRequest(body), { body: '{"station_id":3,"category":"closed"}', contentType: 'application/json' });
  const photo = new File([new Uint8Array([0xff, 0xd8, 0xff, 0xd9])], 'p.jpg', { type: 'image/jpeg' });
  const r = reportRequest(body, photo);
  assert.equal(r.contentType, null, 'the browser writes the multipart boundary');
  assert.ok(r.body instanceof FormData);
  assert.deepEqual([...r.body.keys()], ['report', 'photo']);
  assert.equal(r.body.get('report'), '{"station_id":3,"category":"closed"}');
  const sent = r.body.get('photo');
  assert.equal(sent.name, 'p.jpg');
  assert.equal(sent.type, 'image/jpeg');
  assert.deepEqual([...new Uint8Array(await sent.arrayBuffer())], [0xff, 0xd8, 0xff, 0xd9]);
});

test('codes kept on the device: code and time only, newest first, bad entries skipped', () => {
  const s = memoryStorage();
  assert.deepEqual(storedReports(s), []);
  rememberReport(s, { code: 'AAAA-1111', created_at: '2026-01-01T00:00:00Z', status: 'new', text: '不该存' });
  rememberReport(s, { code: 'BBBB-2222', created_at: '2026-01-02T00:00:00Z' });
  assert.deepEqual(JSON.parse(s.dump()[STORAGE_KEY]), [
    { code: 'BBBB-2222', created_at: '2026-01-02T00:00:00Z' },
    { code: 'AAAA-1111', created_at: '2026-01-01T00:00:00Z' },
  ]);
  rememberReport(s, { code: 'AAAA-1111', created_at: '2026-01-01T00:00:00Z' });
  assert.deepEqual(storedReports(s).map((x) => x.code), ['AAAA-1111', 'BBBB-2222'], 'sent again: moved to the front, not doubled');
  assert.deepEqual(forgetReport(s, 'AAAA-1111').map((x) => x.code), ['BBBB-2222']);
  for (let i = 0; i < 60; i++) rememberReport(s, { code: `C${i}`, created_at: null });
  assert.equal(storedReports(s).length, 50, 'at most 50 kept');
  assert.deepEqual(storedReports(memoryStorage({ [STORAGE_KEY]: 'not json' })), []);
  assert.deepEqual(storedReports(memoryStorage({ [STORAGE_KEY]: '[{"code":""},null,{"code":"X"},{"nope":1}]' })), [{ code: 'X', created_at: null }]);
  assert.deepEqual(storedReports(null), []);
});

test('ages and the station sheet\'s line, in both languages', () => {
  const now = new Date('2026-01-05T12:00:00Z');
  const ago = (s) => new Date(now.getTime() - s * 1000).toISOString();
  assert.equal(timeAgo(ago(10), now, 'zh'), '刚刚');
  assert.equal(timeAgo(ago(10), now, 'en'), 'just now');
  assert.equal(timeAgo(ago(5 * 60 + 30), now, 'zh'), '5 分钟前');
  assert.equal(timeAgo(ago(5 * 60 + 30), now, 'en'), '5 min ago');
  assert.equal(timeAgo(ago(3 * 3600 + 59), now, 'zh'), '3 小时前');
  assert.equal(timeAgo(ago(86400 + 5), now, 'zh'), '1 天前');
  assert.equal(timeAgo(ago(86400 + 5), now, 'en'), '1 day ago');
  assert.equal(timeAgo(ago(3 * 86400 + 5), now, 'zh'), '3 天前');
  assert.equal(timeAgo(ago(3 * 86400 + 5), now, 'en'), '3 days ago');
  assert.equal(timeAgo(ago(-30), now, 'zh'), '刚刚', 'a clock slightly ahead');

  assert.equal(noticeText({ open: 0, reports: [] }, now, 'zh'), null);
  const two = {
    open: 2,
    reports: [
      { category: 'amenity_missing', amenity: 'hot_water', created_at: ago(3 * 86400 + 60) },
      { category: 'crowded', created_at: ago(5 * 86400) },
    ],
  };
  assert.equal(noticeText(two, now, 'zh'), '2 位骑手反馈：无热水、人太多 · 3 天前');
  assert.equal(noticeText(two, now, 'en'), '2 riders report: Hot water missing, crowded · 3 days ago');
  const same = { open: 3, reports: [{ category: 'closed', created_at: ago(120) }, { category: 'closed', created_at: ago(600) }, { category: 'amenity_broken', amenity: 'toilet', created_at: ago(900) }] };
  assert.equal(noticeText(same, now, 'zh'), '3 位骑手反馈：站点关闭、卫生间损坏 · 2 分钟前');
  assert.equal(noticeText({ open: 1, reports: [{ category: 'amenity_broken', amenity: 'wifi', created_at: ago(7200) }] }, now, 'en'), '1 rider reports: Wi-Fi broken · 2 h ago');
  assert.equal(noticeText({ open: 1, reports: [] }, now, 'zh'), '1 位骑手反馈了问题');
  assert.equal(reportWhat({ category: 'made_up' }, 'zh'), '其他问题');
  assert.equal(statusLabel('acknowledged', 'zh'), '已受理');
  assert.equal(statusLabel('rejected', 'zh'), '未采纳');
  assert.equal(statusLabel('resolved', 'en'), 'Resolved');
  assert.equal(reportCategory({ category: 'amenity_missing', amenity: 'hot_water' }, 'zh'), '设施缺失 · 热水');
  assert.equal(reportCategory({ category: 'hours_wrong' }, 'en'), 'Wrong opening hours');
});

test('the console: the queue\'s query string, refusals at their field, the station body of a fix', () => {
  assert.equal(reportsQuery({ statuses: ['new', 'acknowledged'], page: 0 }), 'status=new%2Cacknowledged&limit=50&offset=0');
  assert.equal(
    reportsQuery({ statuses: [], district: '兖州区', street: '鼓楼街道', station: ' 17 ', page: 2 }),
    'district=%E5%85%96%E5%B7%9E%E5%8C%BA&street=%E9%BC%93%E6%A5%BC%E8%A1%97%E9%81%93&station=17&limit=50&offset=100',
  );
  assert.equal(decisionField('note'), 'note');
  assert.equal(decisionField('station.properties.opening_hours'), 'opening_hours');
  assert.equal(decisionField('station.properties.amenities[3]'), 'amenities');
  assert.equal(decisionField('station.geometry.coordinates'), 'location');
  assert.equal(decisionField('station'), 'station');
  assert.equal(decisionField('status'), null, 'the report\'s own status is no field of the form');
  assert.equal(decisionField(null), null);

  const stored = {
    type: 'Feature',
    id: 17,
    geometry: { type: 'Point', coordinates: [116.7844, 35.5538] },
    properties: {
      id: 17,
      kind: 'rest_station',
      name: '甲站',
      amenities: ['hot_water', 'toilet'],
      opening_hours: 'Mo-Su 07:00-22:00',
      capacity: 10,
      status: 'active',
      district: '兖州区',
      created_at: '2026-01-01T00:00:00Z',
      updated_at: '2026-01-01T00:00:00Z',
    },
  };
  const props = { kind: 'rest_station', name: '甲站', amenities: ['hot_water', 'toilet'], status: 'active', district: '兖州区', opening_hours: 'Mo-Su 07:00-22:00', capacity: 10 };
  assert.deepEqual(stationFix(stored), { type: 'Feature', geometry: { type: 'Point', coordinates: [116.7844, 35.5538] }, properties: props });
  assert.deepEqual(stationFix(stored, { status: 'closed' }).properties, { ...props, status: 'closed' });
  assert.deepEqual(stationFix(stored, { amenities: ['toilet'], opening_hours: '24/7' }).properties, { ...props, amenities: ['toilet'], opening_hours: '24/7' });
  assert.equal(stationFix(stored, { opening_hours: '  ' }).properties.opening_hours, undefined, 'hours cleared');
  assert.deepEqual(stationFix(stored, { location: { lon: 116.79, lat: 35.55 } }).geometry, { type: 'Point', coordinates: [116.79, 35.55] });
  assert.deepEqual(stored.properties.amenities, ['hot_water', 'toilet'], 'the stored feature is left as it was');
});

test('the reports\' texts: both languages, every key the rider and console use', () => {
  const zh = new Set(keys('zh'));
  const en = new Set(keys('en'));
  const used = new Set();
  const dir = path.join(ROOT, 'web', 'js');
  for (const f of readdirSync(dir).filter((x) => /^(report|console-reports|rider)/.test(x))) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/'((?:report|console\.reports)\.[a-z0-9_.]+)'/g)) used.add(m[1]);
  }
  // Keys built at run time.
  for (const c of CATEGORIES) {
    used.add(`report.cat.${c.code}`);
    used.add(`report.cat.${c.code}.hint`);
    used.add(`report.what.${c.code}`);
  }
  for (const s of ['new', 'acknowledged', 'resolved', 'rejected']) used.add(`report.status.${s}`);
  const missing = [...used].filter((k) => !zh.has(k) || !en.has(k));
  assert.deepEqual(missing, [], 'keys used but not defined in both languages');
});
