// The keepers' console's stations, verification and audit screens in a real browser against a
// real `yizhan serve` with the demo data: the table pages, searches, filters and sorts on the
// server; an edit of every field (hours written in Chinese shown converted, amenities, the pin
// dragged and pasted from Amap coordinates) and refusals shown at their field; create, close,
// reopen and delete; marking a station verified; the edit in the audit log as a diff. After every
// write the store is read back through the API and compared with the values typed here.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fmtPercent } from '../../web/js/i18n.js';
import {
  api,
  createToken,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  startServer,
  todayIn,
  unexpected,
  yizhanBinary,
} from './harness.mjs';

const ADMIN = 'console-stations-admin-token';
const DISTRICT = '兖州区';

let server;
let browser;
const tokens = {};
/** The station edited, its properties before the edit, and the values typed. */
const edited = { id: null, before: null };

/** What the edit types into every field (the street is set once the district's streets are known). */
const TYPED = {
  name: '测试编辑驿站（已改）',
  kind: 'caring_merchant',
  status: 'planned',
  amenities: ['drinking_water', 'toilet', 'wifi'],
  hoursWritten: '周一至周五 8:00-18:00',
  opening_hours: 'Mo-Fr 08:00-18:00',
  capacity: 12,
  phone: '0537-1234567',
  operator: '兖州区总工会',
  offer: '骑手凭工牌免费热水',
  address: '兖州区测试路 1 号',
  district: DISTRICT,
  street: null,
  source: '控制台测试',
  external_id: 'CT-0001',
  // A week ago: checked recently, so not due (the verification test picks a due station).
  verified_on: new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date(Date.now() - 7 * 86400000)),
};

/** Amap (GCJ-02) coordinates pasted latitude first, as copied from some apps. */
const PASTED = { lon: 116.8234, lat: 35.5512, text: '35.5512,116.8234' };

before(async () => {
  server = await startServer(yizhanBinary(), ['--api-token', ADMIN]);
  browser = await launchBrowser();
  tokens.admin = await createToken(server.base, ADMIN, '管理员 老李', 'admin');
  tokens.editor = await createToken(server.base, ADMIN, '编辑 小王', 'editor');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const get = async (pathAndQuery) => {
  const r = await api(server.base, 'GET', pathAndQuery, { token: ADMIN });
  assert.ok(r.status < 400, `${pathAndQuery}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
};
const stationsPage = (params) => get(`/api/v1/stations?${new URLSearchParams({ status: 'all', limit: '50', ...params })}`);

/** The ids in the stations table, in order. */
const tableIds = (page, table = '#st-table') => page.$$eval(`${table} tbody tr[data-id]`, (trs) => trs.map((tr) => Number(tr.dataset.id)));

/** Waits until `selector`'s `data-seq` grows past `seq`. */
async function nextSeq(page, selector, seq) {
  await page.waitForFunction(([sel, s]) => Number(document.querySelector(sel)?.dataset.seq ?? 0) > s, [selector, seq], { timeout: 30000 });
}
const seqOf = async (page, selector) => Number((await page.getAttribute(selector, 'data-seq')) ?? 0);

/** Clicks 保存 (or another editor button) and waits for the editor's answer: `saved` or `error`. */
async function editorWrite(page, button = '#ed-save') {
  const seq = await seqOf(page, '#station-editor');
  await page.evaluate(() => {
    delete document.querySelector('#station-editor').dataset.result;
  });
  await page.click(button);
  await page.waitForFunction(
    (s) => {
      const el = document.querySelector('#station-editor');
      return el && (el.dataset.result === 'error' || el.dataset.result === 'deleted' || Number(el.dataset.seq ?? 0) > s);
    },
    seq,
    { timeout: 30000 },
  );
  return page.getAttribute('#station-editor', 'data-result');
}

/** Signs the editor in on the stations screen and finds `name` with the search box. */
async function openStation(page, id, name) {
  await page.waitForSelector('#console-stations[data-state="ready"]');
  const seq = await seqOf(page, '#console-stations');
  await page.fill('#st-q', name);
  await nextSeq(page, '#console-stations', seq);
  await page.click(`#st-table tbody tr[data-id="${id}"]`);
  await page.waitForSelector('#station-editor-panel:not([hidden])');
  await page.waitForFunction((n) => document.querySelector('#ed-name').value === n, name);
}

// --- an independent WGS-84 → GCJ-02 (the published formula, written out again here) -----------
const A = 6378245.0;
const EE = 0.006693421622965943;
function gcj02(lon, lat) {
  const x = lon - 105;
  const y = lat - 35;
  let dLat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
  dLat += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  dLat += ((20 * Math.sin(y * Math.PI) + 40 * Math.sin((y / 3) * Math.PI)) * 2) / 3;
  dLat += ((160 * Math.sin((y / 12) * Math.PI) + 320 * Math.sin((y * Math.PI) / 30)) * 2) / 3;
  let dLon = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
  dLon += ((20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2) / 3;
  dLon += ((20 * Math.sin(x * Math.PI) + 40 * Math.sin((x / 3) * Math.PI)) * 2) / 3;
  dLon += ((150 * Math.sin((x / 12) * Math.PI) + 300 * Math.sin((x / 30) * Math.PI)) * 2) / 3;
  const radLat = (lat / 180) * Math.PI;
  let magic = Math.sin(radLat);
  magic = 1 - EE * magic * magic;
  const sqrtMagic = Math.sqrt(magic);
  dLat = (dLat * 180) / (((A * (1 - EE)) / (magic * sqrtMagic)) * Math.PI);
  dLon = (dLon * 180) / ((A / sqrtMagic) * Math.cos(radLat) * Math.PI);
  return { lon: lon + dLon, lat: lat + dLat };
}

test('the stations table: pages, a debounced search, filters and sorting, all on the server', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  const asked = [];
  page.on('request', (r) => {
    if (r.url().includes('/api/v1/stations?')) asked.push(new URL(r.url()).searchParams);
  });
  await signIn(page, tokens.editor.token, '#/manage/stations');
  await page.waitForSelector('#console-stations[data-state="ready"]');
  const first = await stationsPage({});
  assert.ok(first.numberMatched > 50, 'the demo has more than one page');
  assert.equal(await page.textContent('#st-range'), `第 1–50 条，共 ${first.numberMatched.toLocaleString('en')} 条`);
  assert.deepEqual(await tableIds(page), first.features.map((f) => f.id));
  assert.ok(asked.every((q) => Number(q.get('limit')) === 50), 'never more than a page at a time');

  let seq = await seqOf(page, '#console-stations');
  await page.click('#st-next');
  await nextSeq(page, '#console-stations', seq);
  const second = await stationsPage({ offset: '50' });
  assert.equal(await page.textContent('#st-range'), `第 51–100 条，共 ${first.numberMatched.toLocaleString('en')} 条`);
  assert.deepEqual(await tableIds(page), second.features.map((f) => f.id));

  // Typing a word asks the server once, after the last key.
  asked.length = 0;
  seq = await seqOf(page, '#console-stations');
  await page.locator('#st-q').pressSequentially('鼓楼街道', { delay: 40 });
  await nextSeq(page, '#console-stations', seq);
  await page.waitForTimeout(400);
  const searches = asked.filter((q) => q.has('q')).map((q) => q.get('q'));
  assert.equal(searches.at(-1), '鼓楼街道');
  assert.ok(searches.length < '鼓楼街道'.length, `not a request per key: ${JSON.stringify(searches)}`);
  const found = await stationsPage({ q: '鼓楼街道' });
  assert.deepEqual(await tableIds(page), found.features.map((f) => f.id));
  assert.equal(await page.textContent('#st-range'), `第 1–${Math.min(50, found.numberMatched)} 条，共 ${found.numberMatched} 条`);

  // Sorted by name, then the other way.
  seq = await seqOf(page, '#console-stations');
  await page.click('#st-sort-name');
  await nextSeq(page, '#console-stations', seq);
  assert.deepEqual(await tableIds(page), (await stationsPage({ q: '鼓楼街道', sort: 'name' })).features.map((f) => f.id));
  assert.equal(await page.getAttribute('th[data-col="name"]', 'aria-sort'), 'ascending');
  seq = await seqOf(page, '#console-stations');
  await page.click('#st-sort-name');
  await nextSeq(page, '#console-stations', seq);
  assert.deepEqual(await tableIds(page), (await stationsPage({ q: '鼓楼街道', sort: '-name' })).features.map((f) => f.id));
  assert.equal(await page.getAttribute('th[data-col="name"]', 'aria-sort'), 'descending');

  // District, then one of its streets (the district's own list), then a kind.
  seq = await seqOf(page, '#console-stations');
  await page.fill('#st-q', '');
  await nextSeq(page, '#console-stations', seq);
  seq = await seqOf(page, '#console-stations');
  await page.selectOption('#st-district', DISTRICT);
  await nextSeq(page, '#console-stations', seq);
  await page.waitForSelector('#st-street:not([disabled])');
  const streets = (await get(`/api/v1/districts/${encodeURIComponent(DISTRICT)}/streets`)).features.map((f) => f.properties.name);
  const offered = await page.$$eval('#st-street option', (os) => os.map((o) => o.value).filter(Boolean));
  assert.deepEqual([...offered].sort(), [...streets].sort());
  seq = await seqOf(page, '#console-stations');
  await page.selectOption('#st-street', '鼓楼街道');
  await nextSeq(page, '#console-stations', seq);
  seq = await seqOf(page, '#console-stations');
  await page.selectOption('#st-kind', 'rest_station');
  await nextSeq(page, '#console-stations', seq);
  const filtered = await stationsPage({ district: DISTRICT, street: '鼓楼街道', kind: 'rest_station', sort: '-name' });
  assert.ok(filtered.numberMatched > 0);
  assert.deepEqual(await tableIds(page), filtered.features.map((f) => f.id));
  const shown = await page.$$eval('#st-table tbody tr[data-id]', (trs) => trs.map((tr) => [tr.querySelector('[data-col="district"]').textContent, tr.querySelector('[data-col="street"]').textContent, tr.querySelector('[data-col="kind"]').textContent]));
  assert.ok(shown.every(([d, s, k]) => d === DISTRICT && s === '鼓楼街道' && k === '驿站'));
  await screenshot(page, 'console-stations');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('edit a station: every field, hours written in Chinese, amenities, the pin dragged, then pasted', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  const streets = (await get(`/api/v1/districts/${encodeURIComponent(DISTRICT)}/streets`)).features.map((f) => f.properties.name);
  const target = (await stationsPage({ district: DISTRICT, kind: 'rest_station', limit: '1' })).features[0];
  edited.id = target.id;
  edited.before = target;
  TYPED.street = streets.find((s) => s !== target.properties.street);
  await signIn(page, tokens.editor.token, '#/manage/stations');
  await openStation(page, target.id, target.properties.name);
  assert.equal(await page.textContent('#editor-title'), target.properties.name);

  await page.fill('#ed-name', TYPED.name);
  await page.selectOption('#ed-kind', TYPED.kind);
  await page.selectOption('#ed-status', TYPED.status);
  for (const code of await page.$$eval('#ed-amenities input', (xs) => xs.map((x) => x.value))) {
    await page.setChecked(`#ed-amenity-${code}`, TYPED.amenities.includes(code));
  }
  await page.fill('#ed-hours', TYPED.hoursWritten);
  await page.waitForSelector('#hours-converted');
  assert.equal(await page.textContent('#hours-converted'), `「${TYPED.hoursWritten}」将保存为 ${TYPED.opening_hours}`);
  assert.match(await page.textContent('#hours-open'), /^(营业中|已打烊)/);
  await page.fill('#ed-capacity', String(TYPED.capacity));
  await page.fill('#ed-phone', TYPED.phone);
  await page.fill('#ed-operator', TYPED.operator);
  await page.fill('#ed-offer', TYPED.offer);
  await page.fill('#ed-address', TYPED.address);
  await page.fill('#ed-district', TYPED.district);
  await page.fill('#ed-street', TYPED.street);
  await page.fill('#ed-source', TYPED.source);
  await page.fill('#ed-external_id', TYPED.external_id);
  await page.fill('#ed-verified_on', TYPED.verified_on);

  // Drag the pin right and down: the position moves east and south.
  await page.locator('#editor-map').scrollIntoViewIfNeeded();
  await page.waitForSelector('#editor-map[data-map-ready="true"]');
  const [lon0, lat0] = target.geometry.coordinates;
  const pin = await page.locator('#editor-pin').boundingBox();
  await page.mouse.move(pin.x + pin.width / 2, pin.y + pin.height / 2);
  await page.mouse.down();
  await page.mouse.move(pin.x + pin.width / 2 + 60, pin.y + pin.height / 2 + 40, { steps: 10 });
  await page.mouse.up();
  await page.waitForFunction((lon) => Number(document.querySelector('#editor-map').dataset.lon) !== lon, lon0);
  const dragged = await page.$eval('#editor-map', (el) => ({ lon: Number(el.dataset.lon), lat: Number(el.dataset.lat) }));
  assert.ok(dragged.lon > lon0 && dragged.lat < lat0, `dragged east and south: ${JSON.stringify(dragged)} from ${lon0},${lat0}`);
  await screenshot(page, 'console-editor');
  assert.equal(await editorWrite(page), 'saved', await page.textContent('#station-editor'));

  const saved = (await get(`/api/v1/stations/${target.id}`)).properties;
  const [lon1, lat1] = (await get(`/api/v1/stations/${target.id}`)).geometry.coordinates;
  for (const key of ['name', 'kind', 'status', 'opening_hours', 'capacity', 'phone', 'operator', 'offer', 'address', 'district', 'street', 'source', 'external_id', 'verified_on']) {
    assert.deepEqual(saved[key], TYPED[key], key);
  }
  assert.deepEqual([...saved.amenities].sort(), [...TYPED.amenities].sort());
  assert.deepEqual([lon1, lat1], [dragged.lon, dragged.lat], 'stored where the pin was dropped');
  assert.equal(await page.textContent('#editor-title'), TYPED.name);

  // Amap coordinates pasted latitude first: converted by the server, stored in WGS-84.
  await page.fill('#coord-paste', PASTED.text);
  await page.selectOption('#coord-crs', 'gcj02');
  await page.click('#coord-apply');
  await page.waitForFunction(() => document.querySelector('#coord-note').textContent.includes('WGS-84'));
  assert.equal(await editorWrite(page), 'saved');
  const [lon2, lat2] = (await get(`/api/v1/stations/${target.id}`)).geometry.coordinates;
  const back = gcj02(lon2, lat2);
  assert.ok(Math.abs(back.lon - PASTED.lon) < 1e-5 && Math.abs(back.lat - PASTED.lat) < 1e-5, `${lon2},${lat2} is the GCJ-02 point ${PASTED.text} in WGS-84`);
  assert.ok(Math.abs(lon2 - PASTED.lon) > 1e-4, 'the point was converted, not stored as pasted');
  edited.pastedAt = { lon: lon2, lat: lat2 };
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a refused save shows at the fields the API names, and stores nothing', async () => {
  assert.ok(edited.id, 'runs after the edit');
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.editor.token, '#/manage/stations');
  await openStation(page, edited.id, TYPED.name);
  await page.fill('#ed-capacity', '-1');
  assert.equal(await editorWrite(page), 'error');
  await page.waitForSelector('.cfield[data-field="capacity"].invalid #err-capacity:not([hidden])');
  assert.match(await page.textContent('#err-capacity'), /capacity/);
  assert.equal(await page.locator('.cfield.invalid').count(), 1, 'only capacity is marked');

  await page.fill('#ed-capacity', '3');
  await page.fill('#ed-name', '');
  await page.fill('#ed-phone', '打电话');
  assert.equal(await editorWrite(page), 'error');
  await page.waitForSelector('#err-name:not([hidden])');
  await page.waitForSelector('#err-phone:not([hidden])');
  assert.match(await page.textContent('#err-phone'), /telephone/);
  assert.equal(await page.locator('.cfield.invalid').count(), 2, 'name and phone are marked, capacity no longer');
  assert.equal(await page.locator('#err-capacity:not([hidden])').count(), 0);

  const stored = (await get(`/api/v1/stations/${edited.id}`)).properties;
  assert.equal(stored.capacity, TYPED.capacity);
  assert.equal(stored.name, TYPED.name);
  assert.equal(stored.phone, TYPED.phone);
  assert.deepEqual(unexpected(problems, [{ status: 422, url: new RegExp(`/api/v1/stations/${edited.id}$`) }]), []);
  await ctx.close();
});

test('create a station where the pin is dropped, close it, reopen it, delete it after confirming', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.editor.token, '#/manage/stations');
  await page.waitForSelector('#console-stations[data-state="ready"]');
  const count = async () => (await stationsPage({ limit: '0' })).numberMatched;
  const before = await count();
  await page.click('#st-new');
  await page.waitForSelector('#station-editor-panel:not([hidden])');
  assert.equal(await page.textContent('#editor-title'), '新建站点');
  assert.equal(await page.textContent('#ed-save'), '创建站点');
  await page.fill('#ed-name', '控制台新建测试驿站');
  await page.selectOption('#ed-kind', 'rest_station');
  await page.fill('#ed-hours', '全天');
  await page.waitForSelector('#hours-converted');
  assert.equal(await page.textContent('#hours-converted'), '「全天」将保存为 24/7');
  await page.fill('#ed-capacity', '4');
  await page.setChecked('#ed-amenity-hot_water', true);
  // Drop the pin by clicking the map away from where it starts.
  await page.locator('#editor-map').scrollIntoViewIfNeeded();
  await page.waitForSelector('#editor-map[data-map-ready="true"]');
  // The browser delivers clicks at whole CSS pixels: aim at one, and unproject that point.
  const at = await page.evaluate(() => {
    const r = document.querySelector('#editor-map canvas').getBoundingClientRect();
    const cx = Math.round(r.left + r.width / 2 + 70);
    const cy = Math.round(r.top + r.height / 2 + 50);
    return { x: cx - r.left, y: cy - r.top, left: r.left, top: r.top };
  });
  const clicked = await page.evaluate(({ x, y }) => {
    const ll = window.yizhan.console.screens.get('stations').editor.map.view.map.unproject([x, y]);
    return { lon: ll.lng, lat: ll.lat };
  }, at);
  await page.mouse.click(at.left + at.x, at.top + at.y);
  await page.waitForFunction((lon) => Math.abs(Number(document.querySelector('#editor-map').dataset.lon) - lon) < 1e-5, clicked.lon);
  assert.equal(await editorWrite(page), 'saved', await page.textContent('#station-editor'));
  const found = await stationsPage({ q: '控制台新建测试驿站' });
  assert.equal(found.numberMatched, 1);
  const created = found.features[0];
  assert.equal(await count(), before + 1);
  assert.equal(created.properties.kind, 'rest_station');
  assert.equal(created.properties.status, 'active');
  assert.equal(created.properties.opening_hours, '24/7');
  assert.equal(created.properties.capacity, 4);
  assert.deepEqual(created.properties.amenities, ['hot_water']);
  assert.ok(Math.abs(created.geometry.coordinates[0] - clicked.lon) < 1e-5 && Math.abs(created.geometry.coordinates[1] - clicked.lat) < 1e-5, 'stored where the map was clicked');
  assert.equal(await page.textContent('#ed-save'), '保存', 'the editor now holds the stored station');

  assert.equal(await page.textContent('#ed-toggle-status'), '关闭站点');
  assert.equal(await editorWrite(page, '#ed-toggle-status'), 'saved');
  assert.equal((await get(`/api/v1/stations/${created.id}`)).properties.status, 'closed');
  assert.equal(await page.textContent('#ed-toggle-status'), '重新开放');
  assert.equal(await editorWrite(page, '#ed-toggle-status'), 'saved');
  const reopened = (await get(`/api/v1/stations/${created.id}`)).properties;
  assert.equal(reopened.status, 'active');
  assert.equal(reopened.opening_hours, '24/7', 'a status change keeps the other fields');

  // Delete: cancelling the dialog keeps the station; confirming removes it.
  await page.click('#ed-delete');
  await page.waitForSelector('#confirm-dialog[open]');
  assert.match(await page.textContent('#confirm-dialog .confirm-message'), /控制台新建测试驿站/);
  await page.click('#confirm-cancel');
  await page.waitForSelector('#confirm-dialog:not([open])', { state: 'attached' });
  assert.equal((await api(server.base, 'GET', `/api/v1/stations/${created.id}`)).status, 200);
  await page.click('#ed-delete');
  await page.waitForSelector('#confirm-dialog[open]');
  await page.click('#confirm-ok');
  await page.waitForSelector('#station-editor-panel', { state: 'hidden' });
  assert.equal((await api(server.base, 'GET', `/api/v1/stations/${created.id}`)).status, 404);
  assert.equal(await count(), before);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('verification: mark a due station verified today; the due list no longer shows it', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.editor.token, '#/manage/verify');
  await page.waitForSelector('#console-verify[data-state="ready"]');
  const due = await stationsPage({ verification: 'due', sort: 'verified_on', status: 'active,planned' });
  assert.ok(due.numberMatched > 0, 'the demo has stations due');
  assert.equal(due.numberMatched, (await get('/api/v1/verification')).total.due, 'the due list counts what the summary counts');
  assert.deepEqual(await tableIds(page, '#due-table'), due.features.map((f) => f.id));
  assert.equal(await page.textContent('#due-heading'), `需要核验的站点（${due.numberMatched.toLocaleString('en')} 个）`);
  const summary = await get('/api/v1/verification');
  const rows = await page.$$eval('#verify-streets tbody tr', (trs) =>
    trs.map((tr) => [tr.dataset.district, tr.dataset.street, tr.querySelector('[data-col="stations"]').textContent, tr.querySelector('.share-text').textContent]),
  );
  assert.equal(rows.length, summary.streets.length);
  for (const s of summary.streets) {
    const row = rows.find((r) => r[0] === (s.district ?? '') && r[1] === (s.street ?? ''));
    assert.ok(row, `${s.district} ${s.street} is listed`);
    assert.equal(row[2], s.stations.toLocaleString('en'));
    assert.equal(row[3], fmtPercent(s.share, 1, 'zh'));
  }
  await screenshot(page, 'console-verification');

  const id = due.features[0].id;
  const seq = await seqOf(page, '#console-verify');
  await page.click(`#verify-${id}`);
  await nextSeq(page, '#console-verify', seq);
  const today = todayIn('Asia/Shanghai');
  assert.equal((await get(`/api/v1/stations/${id}`)).properties.verified_on, today);
  assert.equal(await page.locator(`#due-table tr[data-id="${id}"]`).count(), 0, 'gone from the due list');
  const dueAfter = await stationsPage({ verification: 'due', sort: 'verified_on', status: 'active,planned' });
  assert.equal(dueAfter.numberMatched, due.numberMatched - 1);
  assert.ok(!dueAfter.features.some((f) => f.id === id));
  assert.equal((await get('/api/v1/verification')).total.current, summary.total.current + 1);
  assert.match(await page.textContent('#verify-banner'), new RegExp(`${today} 核验`));
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('audit: the edit, newest first, opens to a diff of exactly the changed fields', async () => {
  assert.ok(edited.id, 'runs after the edit');
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.admin.token, '#/manage/audit');
  await page.waitForSelector('#console-audit[data-state="ready"]');
  const seq = await seqOf(page, '#console-audit');
  await page.fill('#audit-station', String(edited.id));
  await page.click('#audit-apply');
  await nextSeq(page, '#console-audit', seq);
  const entries = await page.$$eval('#audit-list li[data-seq]', (lis) => lis.map((li) => ({ seq: Number(li.dataset.seq), op: li.dataset.operation, target: li.dataset.target })));
  assert.deepEqual(
    entries.map((e) => [e.op, e.target]),
    [
      ['station.update', String(edited.id)],
      ['station.update', String(edited.id)],
    ],
    'the paste, then the edit (refused saves are not written)',
  );
  assert.ok(entries[0].seq > entries[1].seq, 'newest first');

  // The edit changed these fields from what the station had before.
  const b = edited.before.properties;
  const changed = ['name', 'kind', 'status', 'amenities', 'opening_hours', 'capacity', 'phone', 'operator', 'offer', 'address', 'district', 'street', 'source', 'external_id', 'verified_on'].filter((k) =>
    k === 'amenities' ? JSON.stringify([...b.amenities].sort()) !== JSON.stringify([...TYPED.amenities].sort()) : (b[k] ?? null) !== TYPED[k],
  );
  changed.push('location');
  await page.click(`#audit-list li[data-seq="${entries[1].seq}"] .audit-row`);
  await page.waitForSelector(`#audit-list li[data-seq="${entries[1].seq}"] .audit-diff`);
  const fields = await page.$$eval(`#audit-list li[data-seq="${entries[1].seq}"] .audit-diff tr`, (trs) => trs.map((tr) => tr.dataset.field));
  assert.deepEqual([...fields].sort(), [...changed].sort());
  const nameRow = `#audit-list li[data-seq="${entries[1].seq}"] tr[data-field="name"]`;
  assert.equal(await page.textContent(`${nameRow} del.old`), b.name);
  assert.equal(await page.textContent(`${nameRow} ins.new`), TYPED.name);
  assert.equal(await page.textContent(`#audit-list li[data-seq="${entries[1].seq}"] tr[data-field="opening_hours"] ins.new`), TYPED.opening_hours);
  assert.equal(await page.textContent(`#audit-list li[data-seq="${entries[1].seq}"] tr[data-field="kind"] ins.new`), '爱心商户');
  // The paste changed the position only.
  await page.click(`#audit-list li[data-seq="${entries[0].seq}"] .audit-row`);
  await page.waitForSelector(`#audit-list li[data-seq="${entries[0].seq}"] .audit-diff`);
  assert.deepEqual(await page.$$eval(`#audit-list li[data-seq="${entries[0].seq}"] .audit-diff tr`, (trs) => trs.map((tr) => tr.dataset.field)), ['location']);
  assert.equal(
    await page.textContent(`#audit-list li[data-seq="${entries[0].seq}"] tr[data-field="location"] ins.new`),
    `${edited.pastedAt.lon.toFixed(6)}, ${edited.pastedAt.lat.toFixed(6)}`,
  );
  await screenshot(page, 'console-audit');

  // The stored log agrees, newest first.
  const log = await get(`/api/v1/audit?station=${edited.id}&order=desc`);
  assert.deepEqual(log.entries.map((e) => e.seq), entries.map((e) => e.seq));

  // More than a page: 加载更多 asks for the entries before the last one shown.
  const other = (await stationsPage({ limit: '1', offset: '10' })).features[0].id;
  for (let i = 0; i < 52; i++) {
    const r = await api(server.base, 'POST', `/api/v1/stations/${other}/verify`, { token: ADMIN });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  }
  let s2 = await seqOf(page, '#console-audit');
  await page.fill('#audit-station', String(other));
  await page.selectOption('#audit-operation', 'station.verify');
  await page.click('#audit-apply');
  await nextSeq(page, '#console-audit', s2);
  assert.equal(await page.locator('#audit-list li[data-seq]').count(), 50);
  assert.equal(await page.isVisible('#audit-more'), true);
  s2 = await seqOf(page, '#console-audit');
  await page.click('#audit-more');
  await nextSeq(page, '#console-audit', s2);
  const all = await page.$$eval('#audit-list li[data-seq]', (lis) => lis.map((li) => [Number(li.dataset.seq), li.dataset.operation, li.dataset.target]));
  const stored = await get(`/api/v1/audit?station=${other}&operation=station.verify&order=desc&limit=100`);
  assert.equal(stored.entries.length, 52);
  assert.deepEqual(all, stored.entries.map((e) => [e.seq, 'station.verify', String(other)]), 'both pages, newest first, none twice');
  assert.equal(await page.isVisible('#audit-more'), false, 'nothing more to load');
  assert.deepEqual(problems, []);
  await ctx.close();
});
