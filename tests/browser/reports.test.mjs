// Riders report, stations answer (发现—上报—解决—反馈) in a real browser (Debian's chromium,
// headless) against a real `yizhan serve` with the demo data. A rider on a phone (360×740,
// Chinese) reports a missing amenity with a text, their position and a JPEG carrying EXIF GPS
// tags; the page shows the code and keeps it on the device; an editor finds the report in the
// console's queue and resolves it with a note, closing the station in the same action; the rider's
// 我的反馈 shows 已解决 and the note, and the station is no longer offered. A station's sheet shows
// its open reports; a long press on the map reports a place with no station; too many reports are
// refused with 429 and the page says when to try again. Every outcome is read back through the API
// (with the admin token); the photos the server keeps are checked byte by byte for metadata.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FILTER_AMENITIES } from '../../web/js/catalog.js';
import { amenityLabel } from '../../web/js/i18n.js';
import {
  api,
  appReady,
  createToken,
  getJSON,
  launchBrowser,
  openPage,
  riderAnswered,
  riderList,
  screenshot,
  signIn,
  startServer,
  unexpected,
  yizhanBinary,
} from './harness.mjs';

const ADMIN = 'reports-test-admin-token';
/** Where the rider stands: near 兖州区's centre (WGS-84). */
const FIX = { lon: 116.786, lat: 35.553 };
const NEAREST = `/api/v1/nearest?lon=${FIX.lon}&lat=${FIX.lat}&k=10&mode=ebike`;
const GEO = { permissions: ['geolocation'], geolocation: { longitude: FIX.lon, latitude: FIX.lat, accuracy: 20 } };
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
const TEXT = '热水器坏了，已经两天没有热水';
const NOTE = '已到现场核实：热水器损坏，站点暂停开放，修好后重新开放。';
/** Crockford base 32 (no I, L, O, U), XXXX-XXXX. */
const CODE = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;
/** The category choices, in the form's order. */
const CHOICES = ['站点关闭', '找不到站点', '位置不对', '设施缺失', '设施损坏', '开放时间不对', '人太多', '点赞感谢', '其他'];

let server;
let browser;
let editorToken;
/** The station reported on, the rider's and the editor's pages, the code: shared by the first tests. */
const first = { station: null, before: null, code: null, id: null, rider: null, editor: null };
/** The code of the place reported by a long press. */
let placeCode = null;

before(async () => {
  server = await startServer(yizhanBinary(), ['--api-token', ADMIN]);
  browser = await launchBrowser();
  editorToken = (await createToken(server.base, ADMIN, '编辑 小周', 'editor')).token;
});

after(async () => {
  await first.rider?.ctx.close();
  await first.editor?.ctx.close();
  await browser?.close();
  await server?.stop();
});

// --- photos with location metadata, built here byte by byte -----------------------------------

/** Little-endian writer. */
function bytes() {
  const b = [];
  return {
    b,
    u8: (...v) => b.push(...v),
    u16: (v) => b.push(v & 0xff, (v >> 8) & 0xff),
    u32: (v) => b.push(v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff),
  };
}

/** GPS latitude 35°33'10.8" as three EXIF RATIONALs (little-endian): what must not come back. */
const GPS_LATITUDE = (() => {
  const w = bytes();
  for (const [n, d] of [[35, 1], [33, 1], [108, 10]]) {
    w.u32(n);
    w.u32(d);
  }
  return Buffer.from(w.b);
})();

/**
 * A TIFF structure as EXIF holds it: IFD0 with only a GPSInfo pointer, and a GPS IFD with version,
 * N 35°33'10.8", E 116°47'9.6".
 */
function exifTiff() {
  const w = bytes();
  w.u8(0x49, 0x49); // "II": little-endian
  w.u16(42);
  w.u32(8); // IFD0 at 8
  w.u16(1); // IFD0: one entry
  w.u16(0x8825); // GPSInfo IFD pointer
  w.u16(4); // LONG
  w.u32(1);
  w.u32(26); // the GPS IFD at 8 + 2 + 12 + 4
  w.u32(0); // no next IFD
  w.u16(5); // GPS IFD: five entries
  w.u16(0x0000); w.u16(1); w.u32(4); w.u8(2, 3, 0, 0); // GPSVersionID 2.3.0.0
  w.u16(0x0001); w.u16(2); w.u32(2); w.u8(0x4e, 0, 0, 0); // GPSLatitudeRef "N"
  w.u16(0x0002); w.u16(5); w.u32(3); w.u32(92); // GPSLatitude → 92
  w.u16(0x0003); w.u16(2); w.u32(2); w.u8(0x45, 0, 0, 0); // GPSLongitudeRef "E"
  w.u16(0x0004); w.u16(5); w.u32(3); w.u32(116); // GPSLongitude → 116
  w.u32(0);
  assert.equal(w.b.length, 92);
  w.b.push(...GPS_LATITUDE);
  for (const [n, d] of [[116, 1], [47, 1], [96, 10]]) {
    w.u32(n);
    w.u32(d);
  }
  assert.equal(w.b.length, 140);
  return Buffer.from(w.b);
}

/** `jpeg` with an APP1 Exif segment (the GPS tags above) right after its SOI marker. */
function withExif(jpeg) {
  assert.equal(jpeg.readUInt16BE(0), 0xffd8, 'a JPEG starts with SOI');
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), exifTiff()]);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, payload, jpeg.subarray(2)]);
}

/** CRC-32 (ISO-HDLC) of PNG chunks. */
function crc32(buf) {
  let c = ~0;
  for (const x of buf) {
    c ^= x;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

/** `png` with a tEXt chunk naming a position and an eXIf chunk (the GPS tags above) after IHDR. */
function withPngMetadata(png) {
  assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
  const ihdrEnd = 8 + 8 + png.readUInt32BE(8) + 4;
  return Buffer.concat([
    png.subarray(0, ihdrEnd),
    pngChunk('tEXt', Buffer.from('Comment\0GPS 35.553N 116.786E', 'latin1')),
    pngChunk('eXIf', exifTiff()),
    png.subarray(ihdrEnd),
  ]);
}

/** A small picture drawn by the browser, as `type` (image/jpeg or image/png) bytes. */
async function drawnImage(page, type) {
  const data = await page.evaluate(async (t) => {
    const c = document.createElement('canvas');
    c.width = 64;
    c.height = 48;
    const g = c.getContext('2d');
    g.fillStyle = '#13795b';
    g.fillRect(0, 0, 64, 48);
    g.fillStyle = '#f5c518';
    g.fillRect(8, 8, 30, 20);
    const blob = await new Promise((r) => c.toBlob(r, t, 0.9));
    return [...new Uint8Array(await blob.arrayBuffer())];
  }, type);
  return Buffer.from(data);
}

/** The markers of a JPEG's segments up to the scan (SOS), e.g. [0xe0, 0xdb, 0xc0, 0xc4, 0xda]. */
function jpegMarkers(buf) {
  assert.equal(buf.readUInt16BE(0), 0xffd8, 'a JPEG');
  const markers = [];
  let i = 2;
  while (i + 4 <= buf.length) {
    assert.equal(buf[i], 0xff, `a marker at ${i}`);
    const m = buf[i + 1];
    markers.push(m);
    if (m === 0xda || m === 0xd9) break;
    i += 2 + buf.readUInt16BE(i + 2);
  }
  return markers;
}

/** GET with the admin token: `{ status, type, bytes }`. */
async function adminBytes(pathAndQuery, token = ADMIN) {
  const resp = await fetch(server.base + pathAndQuery, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
  return { status: resp.status, type: resp.headers.get('content-type'), bytes: Buffer.from(await resp.arrayBuffer()) };
}

/** The editor's view of the report `code` (every status), through the API with the admin token. */
async function editorView(code, stationId) {
  const q = `/api/v1/reports?status=new,acknowledged,resolved,rejected&limit=50${stationId ? `&station=${stationId}` : ''}`;
  const r = await api(server.base, 'GET', q, { token: ADMIN });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const found = r.body.reports.find((x) => x.code === code);
  assert.ok(found, `report ${code} in the editors' list`);
  return found;
}

/** Asserts the photo the server keeps for report `id` is a JPEG without EXIF, XMP or the GPS bytes. */
async function assertPhotoStripped(id) {
  const photo = await adminBytes(`/api/v1/reports/${id}/photo`);
  assert.equal(photo.status, 200);
  assert.match(photo.type, /^image\/jpeg/);
  const markers = jpegMarkers(photo.bytes);
  assert.ok(!markers.includes(0xe1), `no APP1 segment (Exif, XMP): ${markers.map((m) => m.toString(16))}`);
  assert.equal(photo.bytes.indexOf(Buffer.from('Exif', 'latin1')), -1, 'no Exif marker anywhere');
  assert.equal(photo.bytes.indexOf(GPS_LATITUDE), -1, 'no GPS latitude bytes');
  assert.equal(photo.bytes.indexOf(Buffer.from('GPS', 'latin1')), -1, 'no GPS text');
  assert.equal(photo.bytes.indexOf(Buffer.from('tEXt', 'latin1')), -1);
  // Riders cannot read photos back: they are for the editors.
  const anonymous = await adminBytes(`/api/v1/reports/${id}/photo`, null);
  assert.ok([401, 403].includes(anonymous.status), `anonymous photo: HTTP ${anonymous.status}`);
  return photo;
}

/** POSTs made to /api/v1/reports by `page`: their content types. */
function reportPosts(page) {
  const seen = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && new URL(r.url()).pathname === '/api/v1/reports') seen.push(r.headers()['content-type'] ?? '');
  });
  return seen;
}

/** A rider page on a phone located at FIX, the first answer shown. */
async function riderPhone() {
  const p = await openPage(browser, server.base, { ...GEO, ...PHONE });
  await p.page.goto('/');
  await appReady(p.page);
  await p.page.tap('#locate');
  await riderAnswered(p.page, 1);
  return p;
}

// --------------------------------------------------------------------------------------------------

test('a rider reports a missing amenity from a phone, with a text, a position and a photo with GPS tags', async () => {
  const nearest = await getJSON(server.base, NEAREST);
  const target = nearest.results.find((r) => r.station.amenities.includes('hot_water'));
  assert.ok(target, 'a station with hot water near the rider');
  first.station = target.station;
  first.before = (await getJSON(server.base, `/api/v1/stations/${target.station.id}`)).properties;

  const rider = await riderPhone();
  first.rider = rider;
  const { page } = rider;
  const posts = reportPosts(page);
  assert.equal(await page.textContent('#my-reports'), '我的反馈');
  assert.equal(await page.textContent('#report-here'), '在此处反馈');

  await page.tap(`#results > li[data-id="${target.station.id}"] .result-main`);
  await page.waitForSelector('#detail:not([hidden])');
  await page.waitForSelector('#report-notice[data-state="ready"]', { state: 'attached' });
  assert.equal(await page.getAttribute('#report-notice', 'data-open'), '0');
  assert.ok(await page.locator('#report-notice').isHidden(), 'no notice without open reports');
  assert.equal(await page.textContent('#report-station'), '反馈问题');

  await page.tap('#report-station');
  await page.waitForSelector('#report-form');
  assert.ok(await page.locator('#detail').isHidden(), 'the form takes the sheet');
  assert.equal(await page.getAttribute('#panel', 'data-sheet'), 'full');
  assert.equal(await page.textContent('#report-title'), `反馈「${target.station.name}」`);
  assert.deepEqual(await page.$$eval('#report-choices .choice-title', (els) => els.map((e) => e.textContent)), CHOICES);
  for (const box of await page.locator('#report-choices .report-choice').all()) {
    const b = await box.boundingBox();
    assert.ok(b.height >= 56 && b.width >= 140, 'large choices to tap');
  }
  assert.ok(await page.locator('.cfield[data-field="amenity"]').isHidden(), 'no amenity asked before an amenity category');

  // Sending without a category is refused at the field, nothing sent.
  await page.tap('#report-submit');
  assert.equal(await page.textContent('#err-report-category'), '请选择一种情况。');

  await page.tap('#report-choices [data-category="amenity_missing"]');
  await page.waitForSelector('.cfield[data-field="amenity"]:not([hidden])');
  // The station's own amenities first, in the riders' order; 显示全部设施 shows all of them.
  const own = FILTER_AMENITIES.filter((c) => target.station.amenities.includes(c));
  assert.deepEqual(await page.$$eval('#report-amenities .report-amenity', (els) => els.map((e) => e.dataset.amenity)), own);
  assert.deepEqual(await page.$$eval('#report-amenities .report-amenity', (els) => els.map((e) => e.textContent)), own.map((c) => amenityLabel(c, 'zh')));
  assert.equal(await page.textContent('#report-amenity-all'), '显示全部设施');
  await page.tap('#report-amenity-all');
  assert.equal(await page.locator('#report-amenities .report-amenity').count(), FILTER_AMENITIES.length);
  await page.tap('#report-amenity-all');
  assert.equal(await page.locator('#report-amenities .report-amenity').count(), own.length);
  await page.tap('#report-submit');
  assert.equal(await page.textContent('#err-report-amenity'), '请选择是哪项设施。');
  await page.tap('#report-amenities [data-amenity="hot_water"]');
  assert.equal(await page.getAttribute('#report-amenities [data-amenity="hot_water"]', 'class'), 'report-amenity checked');

  await page.fill('#report-text', TEXT);
  assert.equal(await page.textContent('#report-text-count'), `${[...TEXT].length}/500`);
  assert.equal(await page.getAttribute('#report-text', 'maxlength'), '500');

  // The photo input: camera first, three types; a file over 5 MB is refused before sending.
  assert.equal(await page.getAttribute('#report-photo', 'accept'), 'image/jpeg,image/png,image/webp');
  assert.equal(await page.getAttribute('#report-photo', 'capture'), 'environment');
  await page.setInputFiles('#report-photo', { name: 'big.jpg', mimeType: 'image/jpeg', buffer: Buffer.alloc(5 * 1024 * 1024 + 1) });
  assert.equal(await page.textContent('#err-report-photo'), '这张照片有 5.1 MB，超过 5 MB，请换一张或不附照片。');
  assert.ok(await page.locator('#report-photo-box').isHidden());
  assert.deepEqual(posts, [], 'nothing was sent');

  const jpeg = withExif(await drawnImage(page, 'image/jpeg'));
  assert.notEqual(jpeg.indexOf(GPS_LATITUDE), -1, 'the photo sent carries GPS tags');
  assert.ok(jpegMarkers(jpeg).includes(0xe1), 'and an APP1 Exif segment');
  await page.setInputFiles('#report-photo', { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: jpeg });
  await page.waitForFunction(() => document.querySelector('#report-photo-preview')?.naturalWidth === 64);
  assert.ok(await page.locator('#err-report-photo').isHidden());
  assert.equal(await page.textContent('#report-photo-size'), `${Math.max(1, Math.round(jpeg.length / 1024))} KB`);

  // 附上我的位置: the browser's position, asked only now.
  assert.equal(await page.isChecked('#report-position'), false);
  await page.tap('#report-position');
  await page.waitForFunction(() => document.querySelector('#report-position-state').textContent.startsWith('已获取位置'));
  assert.equal(await page.textContent('#report-position-state'), '已获取位置（精度约 20 米）');
  await page.locator('#report-title').scrollIntoViewIfNeeded();
  await screenshot(page, 'rider-report-form');

  const sent = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/reports');
  await page.tap('#report-submit');
  assert.equal((await sent).status(), 201);
  await page.waitForSelector('#report-done');
  assert.equal(posts.length, 1);
  assert.match(posts[0], /^multipart\/form-data; boundary=/, 'a photo goes as multipart');
  const code = await page.textContent('#report-code');
  assert.match(code, CODE);
  first.code = code;
  assert.equal(await page.textContent('#report-done-title'), `已提交，编号 ${code}`);
  const big = await page.locator('#report-code').evaluate((e) => Number.parseFloat(getComputedStyle(e).fontSize));
  assert.ok(big >= 28, `the code is shown big (${big} px)`);
  await screenshot(page, 'rider-report-done');

  // The device keeps the code and when it was sent, nothing else.
  const kept = await page.evaluate(() => JSON.parse(window.localStorage.getItem('yizhan.reports')));
  assert.equal(kept.length, 1);
  assert.deepEqual(Object.keys(kept[0]).sort(), ['code', 'created_at']);
  assert.equal(kept[0].code, code);
  const storage = await page.evaluate(() => Object.keys(window.localStorage).sort());
  assert.deepEqual(storage.filter((k) => k !== 'yizhan.lang'), ['yizhan.reports']);

  // The store: what anyone with the code sees, and the editors' view.
  const pub = await api(server.base, 'GET', `/api/v1/reports/${code}`);
  assert.equal(pub.status, 200);
  assert.equal(pub.body.code, code);
  assert.equal(pub.body.status, 'new');
  assert.equal(pub.body.category, 'amenity_missing');
  assert.equal(pub.body.amenity, 'hot_water');
  assert.equal(pub.body.station_id, target.station.id);
  assert.equal(pub.body.station_name, target.station.name);
  assert.equal(pub.body.text, undefined, 'the public view has no text');
  assert.equal(pub.body.position, undefined, 'nor the position');
  assert.ok(Math.abs(Date.parse(kept[0].created_at) - Date.parse(pub.body.created_at)) < 1000, 'the time the server answered');
  const view = await editorView(code, target.station.id);
  first.id = view.id;
  assert.equal(view.text, TEXT);
  assert.deepEqual(view.position, { lon: FIX.lon, lat: FIX.lat });
  assert.equal(view.has_photo, true);
  assert.equal(view.status, 'new');

  const photo = await assertPhotoStripped(view.id);
  assert.ok(!photo.bytes.equals(jpeg), 'the photo was re-encoded');

  // The editor's queue shows it.
  const editor = await openPage(browser, server.base, { viewport: { width: 1366, height: 900 } });
  first.editor = editor;
  await signIn(editor.page, editorToken, '#/manage/reports');
  assert.equal(await editor.page.textContent('#console-tab-reports'), '反馈');
  await editor.page.waitForSelector('#console-reports[data-state="ready"]');
  assert.deepEqual(
    await editor.page.$$eval('#rp-statuses .chip', (els) => els.map((e) => [e.textContent, e.getAttribute('aria-pressed')])),
    [['新提交', 'true'], ['已受理', 'true'], ['已解决', 'false'], ['未采纳', 'false']],
  );
  const row = editor.page.locator(`#rp-table tr.rp-row[data-code="${code}"]`);
  await row.waitFor();
  const cells = await row.evaluate((tr) => Object.fromEntries([...tr.cells].map((td) => [td.dataset.col, td.textContent])));
  assert.equal(cells.code, code);
  assert.equal(cells.category, '设施缺失 · 热水');
  assert.equal(cells.station, target.station.name);
  assert.equal(cells.place, [view.district, view.street].filter(Boolean).join(' · '));
  assert.equal(cells.status, '新提交');
  assert.equal(cells.photo, '有照片');
  await row.locator('td[data-col="code"]').click();
  await editor.page.waitForSelector('#rp-detail[data-station="ready"]');
  assert.equal(await editor.page.textContent('#rp-text'), TEXT);
  await editor.page.waitForFunction(() => document.querySelector('#rp-photo')?.naturalWidth > 0);
  await editor.page.waitForSelector('#rp-map[data-points="2"]');
  assert.equal(await editor.page.getAttribute('#rp-detail a.rp-station-link', 'href'), `#/manage/stations/${target.station.id}`);
  assert.deepEqual(await editor.page.$$eval('#rp-detail .rp-actions button', (els) => els.map((e) => e.textContent)), ['受理', '解决', '不采纳']);
  await editor.page.waitForTimeout(300);
  await screenshot(editor.page, 'console-reports');

  assert.deepEqual(rider.problems, []);
  assert.deepEqual(editor.problems, []);
});

test('the editor resolves it with a note and closes the station in the same action; the rider sees 已解决', async () => {
  assert.ok(first.code, 'the first test made a report');
  const { page, problems } = first.editor;
  const statusPosts = [];
  page.on('request', (r) => {
    if (r.method() === 'POST' && /\/api\/v1\/reports\/\d+\/status$/.test(r.url())) statusPosts.push(r.postDataJSON());
  });
  await page.click('#rp-resolve');
  await page.waitForSelector('#rp-decision[data-mode="resolved"]');
  assert.ok(await page.locator('#rp-fix').isVisible(), 'the station can be changed in the same action');
  // A note is required: refused at the field, nothing sent.
  await page.click('#rp-apply');
  assert.equal(await page.textContent('#err-note'), '请填写处理说明。');
  // Hours the server cannot read are refused at their field.
  await page.fill('#rp-note', NOTE);
  await page.check('#rp-edit-hours');
  assert.equal(await page.inputValue('#rp-hours'), first.before.opening_hours ?? '');
  await page.fill('#rp-hours', 'xyz 不是时间');
  await page.click('#rp-apply');
  await page.waitForSelector('#err-opening_hours:not([hidden])');
  assert.match(await page.textContent('#err-opening_hours'), /^无法识别的开放时间：/);
  assert.deepEqual(statusPosts, [], 'nothing was sent');
  await page.uncheck('#rp-edit-hours');

  await page.check('#rp-close');
  await page.click('#rp-apply');
  await page.waitForSelector('#reports-banner:not([hidden])');
  assert.equal(await page.textContent('#reports-banner'), `反馈 ${first.code} 已解决，站点已关闭。`);
  assert.equal(statusPosts.length, 1);
  assert.equal(statusPosts[0].status, 'resolved');
  assert.equal(statusPosts[0].note, NOTE);
  assert.equal(statusPosts[0].station.type, 'Feature');
  assert.equal(statusPosts[0].station.properties.status, 'closed');

  // The store: the station closed and otherwise as it was; the report resolved with the note.
  const st = (await api(server.base, 'GET', `/api/v1/stations/${first.station.id}`)).body;
  assert.equal(st.properties.status, 'closed');
  for (const key of ['name', 'kind', 'address', 'district', 'street', 'amenities', 'opening_hours', 'capacity', 'operator', 'phone', 'source', 'external_id', 'verified_on']) {
    assert.deepEqual(st.properties[key], first.before[key], `${key} unchanged`);
  }
  assert.deepEqual(st.geometry.coordinates, [first.station.location.lon, first.station.location.lat]);
  const pub = (await api(server.base, 'GET', `/api/v1/reports/${first.code}`)).body;
  assert.equal(pub.status, 'resolved');
  assert.equal(pub.note, NOTE);
  assert.ok(pub.resolved_at, 'resolved_at is set');

  // The default queue (open reports) no longer lists it; 已解决 does.
  await page.waitForSelector('#console-reports[data-state="ready"]');
  assert.equal(await page.locator(`#rp-table tr.rp-row[data-code="${first.code}"]`).count(), 0);
  const seq = Number(await page.getAttribute('#console-reports', 'data-seq'));
  await page.click('#rp-status-resolved');
  await page.waitForFunction((s) => Number(document.querySelector('#console-reports').dataset.seq) > s && document.querySelector('#console-reports').dataset.state === 'ready', seq);
  assert.equal(await page.textContent(`#rp-table tr.rp-row[data-code="${first.code}"] td[data-col="status"]`), '已解决');
  assert.deepEqual(unexpected(problems, [{ status: 422, url: /\/api\/v1\/hours\?/ }]), []);

  // The rider, in the same browser (the code kept in localStorage): 我的反馈 shows 已解决 and the note.
  const rider = first.rider;
  await rider.page.reload();
  await appReady(rider.page);
  assert.equal(await rider.page.textContent('#my-reports'), '我的反馈（1）');
  await rider.page.tap('#my-reports');
  await rider.page.waitForSelector('#report-pane[data-mine="ready"]');
  const item = rider.page.locator(`.my-report[data-code="${first.code}"]`);
  assert.equal(await item.locator('.report-status').textContent(), '已解决');
  assert.equal(await item.locator('.my-report-what').textContent(), '设施缺失 · 热水');
  assert.equal(await item.locator('.my-report-station').textContent(), first.station.name);
  assert.equal(await item.locator('.my-report-note').textContent(), `处理说明：${NOTE}`);
  await screenshot(rider.page, 'rider-my-reports');

  // The closed station is no longer offered to riders.
  await rider.page.tap('#report-back');
  await rider.page.waitForSelector('#report-pane[hidden]', { state: 'attached' });
  await rider.page.tap('#locate');
  await riderAnswered(rider.page, 1);
  const ids = (await riderList(rider.page)).map((r) => r.id);
  assert.equal(ids.length, 10);
  assert.ok(!ids.includes(first.station.id), 'the closed station is not in the list');
  const nearest = await getJSON(server.base, NEAREST);
  assert.deepEqual(ids, nearest.results.map((r) => r.station.id));
  assert.deepEqual(rider.problems, []);
});

test('a station\'s sheet shows its open reports, in both languages', async () => {
  const nearest = await getJSON(server.base, NEAREST);
  const target = nearest.results.find((r) => r.station.amenities.includes('hot_water'));
  assert.ok(target && target.station.id !== first.station?.id);
  // Sent as riders send it, with a PNG carrying a text chunk and an eXIf chunk.
  const { ctx, page, problems } = await riderPhone();
  const png = withPngMetadata(await drawnImage(page, 'image/png'));
  const form = new FormData();
  form.append('report', JSON.stringify({ station_id: target.station.id, category: 'amenity_broken', amenity: 'hot_water' }));
  form.append('photo', new Blob([png], { type: 'image/png' }), 'shot.png');
  const resp = await fetch(`${server.base}/api/v1/reports`, { method: 'POST', body: form });
  assert.equal(resp.status, 201, await resp.clone().text());
  const made = await resp.json();
  assert.match(made.code, CODE);
  assert.equal(made.has_photo, true);
  await assertPhotoStripped((await editorView(made.code, target.station.id)).id);

  await page.tap(`#results > li[data-id="${target.station.id}"] .result-main`);
  await page.waitForSelector('#report-notice:not([hidden])');
  assert.equal(await page.getAttribute('#report-notice', 'data-open'), '1');
  assert.equal(await page.textContent('#report-notice'), '1 位骑手反馈：热水损坏 · 刚刚');
  const answer = await getJSON(server.base, `/api/v1/stations/${target.station.id}/reports`);
  assert.equal(answer.open, 1);
  assert.deepEqual(answer.reports.map((r) => [r.category, r.amenity]), [['amenity_broken', 'hot_water']]);
  assert.equal(answer.reports[0].text, undefined, 'never the text');
  assert.equal(answer.reports[0].position, undefined, 'never the position');
  await page.tap('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  await page.waitForSelector('#report-notice:not([hidden])');
  assert.equal(await page.textContent('#report-notice'), '1 rider reports: Hot water broken · just now');
  assert.equal(await page.textContent('#report-station'), 'Report a problem');
  await page.tap('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a long press on the map reports a place with no station (JSON, the place as position)', async () => {
  const { ctx, page, problems } = await riderPhone();
  const posts = reportPosts(page);
  const seq = Number(await page.getAttribute('#rider', 'data-seq'));
  // A point of the map itself (no pin or control over it), above the sheet.
  const at = await page.evaluate(() => {
    const canvas = window.yizhan.map.map.getCanvas();
    const top = document.querySelector('#panel').getBoundingClientRect().top;
    const r = canvas.getBoundingClientRect();
    for (let y = r.top + 150; y < top - 20; y += 23) {
      for (let x = r.left + 60; x < r.right - 60; x += 31) if (document.elementFromPoint(x, y) === canvas) return { x: Math.round(x), y: Math.round(y) };
    }
    return null;
  });
  assert.ok(at, 'a free point on the map');
  const cdp = await ctx.newCDPSession(page);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [{ x: at.x, y: at.y }] });
  await page.waitForTimeout(900);
  await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  await page.waitForSelector('#report-here-popup');
  assert.equal(await page.textContent('#report-here-popup'), '在此处反馈');
  // Lifting the finger of a long press is not a tap: no new search.
  await page.waitForTimeout(500);
  assert.equal(Number(await page.getAttribute('#rider', 'data-seq')), seq);
  const pressed = await page.evaluate(({ x, y }) => {
    const m = window.yizhan.map.map;
    const r = m.getCanvas().getBoundingClientRect();
    const p = m.unproject([x - r.left, y - r.top]);
    return { lon: Number(p.lng.toFixed(6)), lat: Number(p.lat.toFixed(6)) };
  }, at);

  await page.tap('#report-here-popup');
  await page.waitForSelector('#report-form');
  assert.equal(await page.textContent('#report-title'), '反馈这个位置');
  const place = { lon: Number(await page.getAttribute('#report-place', 'data-lon')), lat: Number(await page.getAttribute('#report-place', 'data-lat')) };
  assert.ok(Math.abs(place.lon - pressed.lon) < 1e-5 && Math.abs(place.lat - pressed.lat) < 1e-5, `${JSON.stringify(place)} is where the finger was (${JSON.stringify(pressed)})`);
  assert.equal(await page.textContent('#report-place'), `位置：${place.lon.toFixed(5)}, ${place.lat.toFixed(5)}（可在地图上点选移动）`);
  assert.ok(await page.locator('#report-mark').isVisible(), 'the place is marked on the map');
  assert.ok(await page.locator('.cfield[data-field="position"]').isHidden(), 'the place is the position');
  await page.tap('#report-choices [data-category="not_found"]');
  await page.tap('#report-submit');
  await page.waitForSelector('#report-done');
  assert.deepEqual(posts, ['application/json'], 'no photo: JSON');
  const code = await page.textContent('#report-code');
  placeCode = code;
  const view = await editorView(code);
  assert.equal(view.station_id ?? null, null);
  assert.equal(view.category, 'not_found');
  assert.deepEqual(view.position, place);
  assert.equal(view.has_photo, false);
  assert.ok(await page.locator('#report-mark').count() === 0, 'the mark is gone');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('too many reports: 429, and the page says when to try again', async () => {
  const { ctx, page, problems } = await riderPhone();
  // Reports sent directly, as one client, until the server refuses.
  let refused = null;
  for (let i = 0; i < 30 && !refused; i++) {
    const r = await ctx.request.post('/api/v1/reports', { data: { station_id: first.station.id, category: 'thanks' } });
    if (r.status() === 429) refused = r;
    else assert.equal(r.status(), 201, await r.text());
  }
  assert.ok(refused, 'the server refuses at last');
  assert.equal((await refused.json()).error.code, 'rate_limited');
  const retry = Number(refused.headers()['retry-after']);
  assert.ok(retry > 0 && retry <= 600, `Retry-After: ${retry}`);
  const before = (await api(server.base, 'GET', '/api/v1/reports?status=new,acknowledged,resolved,rejected&limit=1', { token: ADMIN })).body.numberMatched;

  const station = (await riderList(page))[0];
  await page.tap(`#results > li[data-id="${station.id}"] .result-main`);
  await page.waitForSelector('#report-station');
  await page.tap('#report-station');
  await page.tap('#report-choices [data-category="thanks"]');
  await page.fill('#report-text', '谢谢你们的热水');
  await page.tap('#report-submit');
  await page.waitForSelector('.report-form-wrap[data-state="rate-limited"]');
  const message = await page.textContent('#report-banner');
  const m = /^提交太频繁，请稍后再试（(\d+) 秒后可以再次提交）。$/.exec(message);
  assert.ok(m, message);
  assert.ok(Number(m[1]) > 0 && Number(m[1]) <= retry, `${m[1]} s`);
  assert.ok(await page.locator('#report-banner').isVisible(), 'the message is in sight');
  assert.equal(await page.inputValue('#report-text'), '谢谢你们的热水', 'the form is kept to try again');
  const afterCount = (await api(server.base, 'GET', '/api/v1/reports?status=new,acknowledged,resolved,rejected&limit=1', { token: ADMIN })).body.numberMatched;
  assert.equal(afterCount, before, 'nothing was stored');

  // This phone kept no code: 我的反馈 is empty, and a code sent from another phone can be looked up.
  await page.tap('#report-back');
  await page.waitForSelector('#detail:not([hidden])');
  await page.tap('#detail .back');
  await page.tap('#my-reports');
  await page.waitForSelector('#report-pane[data-mine="ready"]');
  assert.equal(await page.textContent('#my-reports-empty'), '还没有提交过反馈。');
  await page.fill('#my-reports-code', 'ZZZZ-ZZZZ');
  await page.tap('#my-reports-add-submit');
  await page.waitForSelector('#err-my-reports-code:not([hidden])');
  assert.equal(await page.textContent('#err-my-reports-code'), '没有这个编号的反馈，请核对后再试。');
  assert.ok(placeCode, 'the long-press test made a report');
  await page.fill('#my-reports-code', placeCode.replace('-', '').toLowerCase());
  await page.tap('#my-reports-add-submit');
  await page.waitForSelector(`.my-report[data-code="${placeCode}"] .report-status`);
  assert.equal(await page.textContent(`.my-report[data-code="${placeCode}"] .report-status`), '新提交');
  assert.equal(await page.textContent(`.my-report[data-code="${placeCode}"] .my-report-station`), '地图上的位置');
  assert.deepEqual((await page.evaluate(() => JSON.parse(window.localStorage.getItem('yizhan.reports')))).map((x) => x.code), [placeCode]);
  assert.equal(await page.textContent('#my-reports'), '我的反馈（1）');
  assert.deepEqual(
    unexpected(problems, [
      { status: 429, url: /\/api\/v1\/reports$/ },
      { status: 404, url: /\/api\/v1\/reports\/ZZZZ-ZZZZ$/ },
    ]),
    [],
  );
  await ctx.close();
});
