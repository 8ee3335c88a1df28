// The keepers' console's import screen in a real browser against a real `yizhan serve`: a file with
// bad rows is refused at the preview, every bad row listed and nothing stored; a good CSV with an
// extra column (备注, ignored) and a row without coordinates, which the keeper places by clicking
// the map, is previewed and committed, and the API then has the stations with the fields of the
// file; an Excel workbook's dry run, when the fixture is there. CSV files are written here.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { api, createToken, launchBrowser, openPage, ROOT, screenshot, signIn, startServer, unexpected, yizhanBinary } from './harness.mjs';

const ADMIN = 'console-import-admin-token';
const SOURCE = '控制台导入测试';

let server;
let browser;
let editor;

before(async () => {
  server = await startServer(yizhanBinary(), ['--api-token', ADMIN]);
  browser = await launchBrowser();
  editor = await createToken(server.base, ADMIN, '编辑 小王', 'editor');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

const count = async () => (await api(server.base, 'GET', '/api/v1/stations?status=all&limit=0')).body.numberMatched;
const seqOf = async (page) => Number((await page.getAttribute('#console-import', 'data-seq')) ?? 0);

/** Picks `name` with `text` (UTF-8) in the file input and runs the preview; waits for its answer. */
async function previewFile(page, name, buffer, mimeType = 'text/csv') {
  await page.setInputFiles('#import-file', { name, mimeType, buffer });
  await page.waitForSelector('#import-preview:not([disabled])');
  const seq = await seqOf(page);
  await page.click('#import-preview');
  await page.waitForFunction((s) => Number(document.querySelector('#console-import').dataset.seq) > s, seq, { timeout: 60000 });
  return page.getAttribute('#console-import', 'data-state');
}

/** The rows of a table as `{ line, column, reason }` / the cells by column. */
const tableRows = (page, selector) =>
  page.$$eval(`${selector} tbody tr`, (trs) => trs.map((tr) => Object.fromEntries([...tr.querySelectorAll('td[data-col]')].map((td) => [td.dataset.col, td.textContent]))));

test('a file with bad rows: every one listed with its line and reason, nothing stored', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, editor.token, '#/manage/import');
  await page.waitForSelector('#console-import:not([hidden])');
  const before = await count();
  const csv = [
    '名称,类型,经度,纬度,开放时间,容量',
    '好站一,驿站,116.80,35.55,全天,3',
    '坏时间站,驿站,116.81,35.56,看情况,2',
    '坏坐标站,驿站,200,35.56,全天,2',
    '坏类型站,不知道,116.82,35.57,全天,2',
    '',
  ].join('\n');
  await page.fill('#import-source', SOURCE);
  assert.equal(await previewFile(page, '有问题.csv', Buffer.from(csv, 'utf8')), 'preview', await page.textContent('#console-import'));
  const errors = await tableRows(page, '#import-errors');
  assert.deepEqual([...new Set(errors.map((e) => e.line))], ['3', '4', '5'], 'every bad line, in order');
  assert.ok(errors.every((e) => e.reason.trim().length > 0), 'each with its reason');
  assert.match(errors.find((e) => e.line === '3').reason, /看情况/, 'the reason quotes the text');
  assert.match(errors.find((e) => e.line === '3').column, /开放时间/);
  assert.match(await page.textContent('#import-errors-heading'), /有问题的行/);
  assert.equal(await page.isDisabled('#import-commit'), true, 'no import with bad rows');
  assert.match(await page.textContent('#import-commit-hint'), /问题/);
  assert.equal(await count(), before, 'the preview stored nothing');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a good CSV: 备注 ignored, an unplaced row placed on the map, committed as previewed', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, editor.token, '#/manage/import');
  await page.waitForSelector('#console-import:not([hidden])');
  const before = await count();
  const csv = [
    '名称,类型,地址,经度,纬度,开放时间,容量,外部编号,备注',
    '导入测试站甲,驿站,兖州区测试路1号,116.79,35.55,全天,5,IMP-1,门口有台阶',
    '导入测试站乙,爱心商户,兖州区测试路2号,116.80,35.56,周一至周五 8:00-18:00,3,IMP-2,',
    '导入测试站丙,驿站,兖州区测试路3号,,,全天,2,IMP-3,待定位',
    '',
  ].join('\n');
  await page.fill('#import-source', SOURCE);
  assert.equal(await previewFile(page, '站点.csv', Buffer.from(csv, 'utf8')), 'preview', await page.textContent('#console-import'));
  assert.equal(await page.textContent('#import-summary'), '将新建 2 个站点，更新 0 个 · CSV', 'the placed rows; the unplaced one is listed below');
  assert.match(await page.textContent('#import-ignored'), /备注（第 9 列）/);
  assert.equal(await page.locator('#import-errors').count(), 0);
  const rows = await tableRows(page, '#import-rows');
  assert.deepEqual(
    rows.map((r) => [r.line, r.action, r.name, r.kind, r.hours]),
    [
      ['2', '新建', '导入测试站甲', '驿站', '全天 → 24/7'],
      ['3', '新建', '导入测试站乙', '爱心商户', '周一至周五 8:00-18:00 → Mo-Fr 08:00-18:00'],
    ],
  );
  // The unplaced row blocks the import until it is placed.
  assert.deepEqual(await page.$$eval('#import-unplaced-list li', (lis) => lis.map((li) => li.dataset.line)), ['4']);
  assert.equal(await page.isDisabled('#import-commit'), true);
  assert.match(await page.textContent('#import-commit-hint'), /1 行没有放置位置/);
  await page.waitForSelector('#import-map[data-map-ready="true"]');
  await page.waitForFunction(() => document.querySelector('#import-map').dataset.points === '2');
  await page.click('#import-unplaced-list li[data-line="4"] button[id^="place-"]');
  // The browser delivers clicks at whole CSS pixels: aim at one, and unproject that point.
  const at = await page.evaluate(() => {
    const r = document.querySelector('#import-map canvas').getBoundingClientRect();
    const cx = Math.round(r.left + r.width / 2 + 40);
    const cy = Math.round(r.top + r.height / 2 - 30);
    return { x: cx - r.left, y: cy - r.top, left: r.left, top: r.top };
  });
  const clicked = await page.evaluate(({ x, y }) => {
    const ll = window.yizhan.console.screens.get('import').map.view.map.unproject([x, y]);
    return { lon: ll.lng, lat: ll.lat };
  }, at);
  await page.mouse.click(at.left + at.x, at.top + at.y);
  await page.waitForSelector('#import-unplaced-list li[data-line="4"].placed');
  await page.waitForFunction(() => document.querySelector('#import-map').dataset.points === '3');
  assert.equal(await page.isDisabled('#import-commit'), false, 'every row placed: the import may go');
  await screenshot(page, 'console-import-preview');

  const seq = await seqOf(page);
  await page.click('#import-commit');
  await page.waitForFunction((s) => Number(document.querySelector('#console-import').dataset.seq) > s, seq, { timeout: 60000 });
  assert.equal(await page.getAttribute('#console-import', 'data-state'), 'done', await page.textContent('#console-import'));
  assert.match(await page.textContent('#import-result'), /新建 3 个，更新 0 个/);
  assert.equal(await count(), before + 3);

  const stored = (await api(server.base, 'GET', `/api/v1/stations?${new URLSearchParams({ q: '导入测试站', status: 'all' })}`)).body.features;
  const byName = Object.fromEntries(stored.map((f) => [f.properties.name, f]));
  assert.deepEqual(Object.keys(byName).sort(), ['导入测试站丙', '导入测试站乙', '导入测试站甲']);
  const want = {
    导入测试站甲: { kind: 'rest_station', address: '兖州区测试路1号', opening_hours: '24/7', capacity: 5, external_id: 'IMP-1', at: [116.79, 35.55] },
    导入测试站乙: { kind: 'caring_merchant', address: '兖州区测试路2号', opening_hours: 'Mo-Fr 08:00-18:00', capacity: 3, external_id: 'IMP-2', at: [116.8, 35.56] },
    导入测试站丙: { kind: 'rest_station', address: '兖州区测试路3号', opening_hours: '24/7', capacity: 2, external_id: 'IMP-3', at: null },
  };
  for (const [name, w] of Object.entries(want)) {
    const p = byName[name].properties;
    for (const key of ['kind', 'address', 'opening_hours', 'capacity', 'external_id']) assert.deepEqual(p[key], w[key], `${name} ${key}`);
    assert.equal(p.source, SOURCE, `${name} source`);
    assert.ok(!('备注' in p), 'the ignored column is not stored');
    const [lon, lat] = byName[name].geometry.coordinates;
    const [wl, wa] = w.at ?? [clicked.lon, clicked.lat];
    assert.ok(Math.abs(lon - wl) < 1e-5 && Math.abs(lat - wa) < 1e-5, `${name} at ${lon},${lat}, expected ${wl},${wa}`);
  }
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('an Excel workbook: the dry run reads its sheet', async (t) => {
  const dir = path.join(ROOT, 'data', 'fixtures', 'import');
  const books = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.xlsx')) : [];
  const workbook = books.find((f) => !f.includes('bad')) ?? books[0];
  if (!workbook) {
    t.skip('no data/fixtures/import/*.xlsx yet: the workbook dry run is not checked');
    return;
  }
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, editor.token, '#/manage/import');
  await page.waitForSelector('#console-import:not([hidden])');
  const before = await count();
  await page.fill('#import-source', SOURCE);
  await page.setInputFiles('#import-file', {
    name: workbook,
    mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    buffer: readFileSync(path.join(dir, workbook)),
  });
  assert.equal(await page.isVisible('#import-sheet'), true, 'a workbook offers the sheet name');
  const seq = await seqOf(page);
  await page.click('#import-preview');
  await page.waitForFunction((s) => Number(document.querySelector('#console-import').dataset.seq) > s, seq, { timeout: 60000 });
  assert.equal(await page.getAttribute('#console-import', 'data-state'), 'preview', await page.textContent('#console-import'));
  assert.match(await page.textContent('#import-summary'), /XLSX/);
  // The page shows the server's own dry run of the same bytes.
  const dry = await api(server.base, 'POST', `/api/v1/import?dry_run=true&format=xlsx&crs=wgs84&source=${encodeURIComponent(SOURCE)}`, {
    token: ADMIN,
    raw: readFileSync(path.join(dir, workbook)),
    contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  assert.equal(dry.status, 200, JSON.stringify(dry.body));
  assert.equal(await page.locator('#import-rows tbody tr').count(), Math.min(500, dry.body.rows.length));
  assert.equal(await page.locator('#import-errors tbody tr').count(), dry.body.errors.length);
  assert.equal(await count(), before, 'a dry run stores nothing');
  assert.deepEqual(unexpected(problems, []), []);
  await ctx.close();
});
