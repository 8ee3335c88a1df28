// The planner view: its DOM-free modules under node (texts in both languages, number formats,
// request bodies, exports), then in a real browser (Debian's chromium, headless) against a real
// `yizhan serve` with the demo data. Every number the page shows is compared with the API's own
// answer to the same request, formatted by the page's formatters; screenshots of each view go to
// target/browser-artifacts/.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fmtArea, fmtDemand, fmtDuration, fmtNumber, fmtPercent, fmtPoints, keys, t } from '../../web/js/i18n.js';
import { coverageBody, compareUrl, planBody } from '../../web/js/planner-api.js';
import { cellsCsv, sitesCsv, sitesFeatureCollection, spreadsheetText } from '../../web/js/planner-export.js';
import { cellsBBox, classColorExpression, coverageClasses, planEffect } from '../../web/js/planner-model.js';
import { appReady, launchBrowser, openPage, ROOT, screenshot, startServer, yizhanBinary } from './harness.mjs';

const TOKEN = 'planner-test-token';
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };
/** What the page asks for 兖州区 at resolution 8 with its defaults. */
const COVERAGE_BODY = { district: '兖州区', resolution: 8, minutes: [10, 15], mode: 'ebike', kinds: ['rest_station'] };
/**
 * The coarser grid the plan, scenario and phone tests use (H3 7: about 5 km² a cell) to keep the
 * run short; the coverage test checks resolution 8.
 */
const COARSE = { ...COVERAGE_BODY, resolution: 7 };

// --- DOM-free modules -------------------------------------------------------------------------

test('both languages have the same texts, and every key the page uses exists', () => {
  const zh = keys('zh');
  const en = keys('en');
  assert.ok(zh.length > 150);
  assert.deepEqual([...en].sort(), [...zh].sort(), 'zh and en have the same keys');
  for (const l of ['zh', 'en']) for (const k of zh) assert.notEqual(t(k, {}, l).trim(), '', `${l} ${k} is not empty`);
  // Literal keys in the page's modules: t('key' …) and data-i18n="key".
  const dir = path.join(ROOT, 'web', 'js');
  const used = new Set();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.js'))) {
    const src = readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/\bt\(\s*'([a-z0-9_.]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/'data-i18n': '([a-z0-9_.]+)'/g)) used.add(m[1]);
    for (const m of src.matchAll(/\? '([a-z_]+\.[a-z0-9_.]+)' : '([a-z_]+\.[a-z0-9_.]+)'/g)) used.add(m[1]).add(m[2]);
  }
  const html = readFileSync(path.join(ROOT, 'web', 'index.html'), 'utf8');
  for (const m of html.matchAll(/data-i18n="([a-z0-9_.]+)"/g)) used.add(m[1]);
  // Keys built at run time.
  for (const k of [7, 8, 9, 10].map((r) => `coverage.resolution.${r}`)) used.add(k);
  for (const k of ['max_cover', 'min_sites', 'p_median']) used.add(`plan.objective.${k}`);
  for (const k of ['network', 'straight_line']) used.add(`method.${k}`);
  for (const k of ['demand', 'area']) used.add(`plan.row.${k}`);
  for (const k of ['demand_share', 'area_share']) used.add(`scenario.row.${k}`);
  for (const k of ['ebike', 'walk', 'car']) used.add(`mode.${k}`);
  // The server's job phases and the solver's termination codes.
  for (const k of ['queued', 'coverage', 'greedy', 'bound', 'improve', 'done', 'stopped']) used.add(`phase.${k}`);
  for (const k of ['optimal', 'budget', 'time_limit', 'cancelled']) used.add(`termination.${k}`);
  assert.ok(used.size > 100);
  const missing = [...used].filter((k) => !zh.includes(k));
  assert.deepEqual(missing, [], 'keys used but not defined');
});

test('shares, percentage points, areas and demand in both languages', () => {
  assert.equal(fmtPercent(0.8534, 1, 'zh'), '85.3%');
  assert.equal(fmtPercent(0.8534, 1, 'en'), '85.3%');
  assert.equal(fmtPercent(1, 1, 'zh'), '100%');
  assert.equal(fmtPercent(0, 1, 'en'), '0%');
  assert.equal(fmtPercent(0.123, 0, 'en'), '12%');
  assert.equal(fmtPoints(0.032, 'zh'), '+3.2 个百分点');
  assert.equal(fmtPoints(0.032, 'en'), '+3.2 pp');
  assert.equal(fmtPoints(-0.0012, 'en'), '-0.1 pp');
  assert.equal(fmtPoints(0, 'zh'), '0 个百分点');
  assert.equal(fmtArea(651.3, 'zh'), '651 平方公里');
  assert.equal(fmtArea(0.7372, 'en'), '0.74 km²');
  assert.equal(fmtArea(12.345, 'en'), '12.3 km²');
  assert.equal(fmtArea(1234.5, 'en'), '1,235 km²');
  assert.equal(fmtDemand(12.34, 'zh'), '12.3');
  assert.equal(fmtDemand(10693.4, 'en'), '10,693');
});

test('request bodies follow the API contract', () => {
  const p = { district: '兖州区', resolution: 8, minutes: [10, 15], mode: 'walk', kinds: ['rest_station'] };
  assert.deepEqual(coverageBody(p), { district: '兖州区', resolution: 8, minutes: [10, 15], mode: 'walk', kinds: ['rest_station'] });
  assert.deepEqual(coverageBody({ ...p, kinds: [] }), { district: '兖州区', resolution: 8, minutes: [10, 15], mode: 'walk' });
  assert.deepEqual(planBody({ ...p, objective: 'max_cover', sites: 3, threshold: 10, candidates: [], exclude: [], fixed: [] }), {
    district: '兖州区',
    resolution: 8,
    minutes: 10,
    mode: 'walk',
    kinds: ['rest_station'],
    objective: 'max_cover',
    sites: 3,
    candidates: 'cells',
  });
  assert.deepEqual(
    planBody({
      ...p,
      objective: 'min_sites',
      sites: 8,
      targetShare: 0.95,
      threshold: 15,
      candidates: [{ id: 'c1', name: '候选点 1', lon: 116.8, lat: 35.5 }],
      exclude: ['88283082b9fffff'],
      fixed: [[116.7, 35.6]],
    }),
    {
      district: '兖州区',
      resolution: 8,
      minutes: 15,
      mode: 'walk',
      kinds: ['rest_station'],
      objective: 'min_sites',
      sites: 8,
      target_share: 0.95,
      candidates: [{ id: 'c1', name: '候选点 1', lon: 116.8, lat: 35.5 }],
      exclude: ['88283082b9fffff'],
      fixed: [[116.7, 35.6]],
    },
  );
  assert.equal(
    compareUrl({ a: '方案A', b: '', district: '兖州区', minutes: [10, 15], mode: 'ebike', resolution: 7 }),
    '/api/v1/scenarios/compare?a=%E6%96%B9%E6%A1%88A&district=%E5%85%96%E5%B7%9E%E5%8C%BA&minutes=10%2C15&mode=ebike&resolution=7',
  );
});

test('coverage classes, colours, extents and plan effects', () => {
  assert.deepEqual(
    coverageClasses([10, 15]).map((c) => [c.code, c.minutes]),
    [
      ['within_10', 10],
      ['within_15', 15],
      ['beyond', 15],
      ['unreachable', null],
    ],
  );
  const expr = classColorExpression([10]);
  assert.deepEqual(expr.slice(0, 2), ['match', ['get', 'class']]);
  assert.deepEqual(expr.filter((x, i) => i >= 2 && i % 2 === 0 && i < expr.length - 1), ['within_10', 'beyond', 'unreachable']);
  const square = (h3, x, y) => ({
    type: 'Feature',
    geometry: { type: 'Polygon', coordinates: [[[x, y], [x + 1, y], [x + 1, y + 1], [x, y + 1], [x, y]]] },
    properties: { h3 },
  });
  const fc = { type: 'FeatureCollection', features: [square('a', 0, 0), square('b', 5, 2), square('c', -3, -4)] };
  assert.deepEqual(cellsBBox(fc, ['a', 'b']), [0, 0, 6, 3]);
  assert.equal(cellsBBox(fc, ['zzz']), null);
  const summary = (area, demand) => ({ thresholds: [{ minutes: 10, cells: 1, area_share: area, demand_share: demand }] });
  const eff = planEffect({ before: summary(0.5, 0.6), after: summary(0.625, 0.75) }, 10);
  assert.deepEqual(eff.before, { area: 0.5, demand: 0.6 });
  assert.deepEqual(eff.after, { area: 0.625, demand: 0.75 });
  assert.equal(eff.delta.area, 0.125);
  assert.ok(Math.abs(eff.delta.demand - 0.15) < 1e-12);
});

test('exports: cells and proposed sites as CSV and GeoJSON', () => {
  const fc = {
    type: 'FeatureCollection',
    features: [
      {
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [[[116, 35], [116.002, 35], [116.002, 35.002], [116, 35.002], [116, 35]]] },
        properties: { h3: '88283082b9fffff', travel_time_s: 301.26, class: 'within_10', demand: 12.5, street: '鼓楼街道, 北', station_id: 7 },
      },
      {
        type: 'Feature',
        geometry: { type: 'Polygon', coordinates: [[[117, 36], [117.004, 36], [117.004, 36.002], [117, 36.002], [117, 36]]] },
        properties: { h3: '88283082bbfffff', travel_time_s: null, class: 'unreachable', demand: 0, street: null, station_id: null },
      },
    ],
  };
  assert.equal(
    cellsCsv(fc),
    'h3,lon,lat,class,travel_time_s,demand,street,station_id\r\n' +
      '88283082b9fffff,116.001000,35.001000,within_10,301.3,12.5,"鼓楼街道, 北",7\r\n' +
      '88283082bbfffff,117.002000,36.001000,unreachable,,0,,\r\n',
  );
  const sites = [
    { rank: 1, lon: 116.78, lat: 35.55, h3: '88283082b9fffff', candidate_id: null, name: null, gain: 120.5, gain_share: 0.05, cumulative_share: 0.8 },
    { rank: 2, lon: 116.7, lat: 35.6, h3: null, candidate_id: 'c1', name: '候选点 "甲"', gain: 30, gain_share: 0.0125, cumulative_share: 0.8125 },
  ];
  assert.equal(
    sitesCsv(sites),
    'rank,lon,lat,h3,candidate_id,name,gain,gain_share,cumulative_share\r\n' +
      '1,116.780000,35.550000,88283082b9fffff,,,120.5,0.05,0.8\r\n' +
      '2,116.700000,35.600000,,c1,"候选点 ""甲""",30,0.0125,0.8125\r\n',
  );
  // Text that a spreadsheet would run as a formula is quoted, as the server's export does.
  assert.equal(spreadsheetText('=HYPERLINK("x")'), '\'=HYPERLINK("x")');
  assert.equal(spreadsheetText('-1'), "'-1");
  assert.equal(spreadsheetText("'=x"), "''=x");
  assert.equal(spreadsheetText("it's"), "it's");
  assert.equal(spreadsheetText('鼓楼街道'), '鼓楼街道');
  assert.equal(
    sitesCsv([{ ...sites[1], name: '@SUM(A1)', candidate_id: '+c1' }]).split('\r\n')[1],
    "2,116.700000,35.600000,,'+c1,'@SUM(A1),30,0.0125,0.8125",
  );
  // Street names too; numbers (a negative longitude, a travel time) stay numbers.
  const hostile = { ...fc.features[0], properties: { ...fc.features[0].properties, centre: [-0.5, 51.25], street: '=HYPERLINK("http://x")' } };
  assert.equal(
    cellsCsv({ type: 'FeatureCollection', features: [hostile, { ...hostile, properties: { ...hostile.properties, street: '@SUM(1)' } }] }).split('\r\n').slice(1, 3).join('\n'),
    '88283082b9fffff,-0.500000,51.250000,within_10,301.3,12.5,"\'=HYPERLINK(""http://x"")",7\n' +
      "88283082b9fffff,-0.500000,51.250000,within_10,301.3,12.5,'@SUM(1),7",
  );
  const geo = sitesFeatureCollection(sites);
  assert.deepEqual(geo.features[1], {
    type: 'Feature',
    geometry: { type: 'Point', coordinates: [116.7, 35.6] },
    properties: { rank: 2, h3: null, candidate_id: 'c1', name: '候选点 "甲"', gain: 30, gain_share: 0.0125, cumulative_share: 0.8125 },
  });
});

// --- in the browser -----------------------------------------------------------------------------

describe('the planner view in a browser', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer(yizhanBinary(), ['--api-token', TOKEN]);
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** POST `body` to `pathname` as JSON; the parsed answer (throws on a non-2xx answer). */
  async function post(pathname, body, token) {
    const headers = { 'Content-Type': 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    const resp = await fetch(server.base + pathname, { method: 'POST', headers, body: JSON.stringify(body) });
    const parsed = await resp.json();
    if (!resp.ok) throw new Error(`${pathname}: HTTP ${resp.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  async function get(pathname) {
    const resp = await fetch(server.base + pathname);
    const parsed = await resp.json();
    if (!resp.ok) throw new Error(`${pathname}: HTTP ${resp.status} ${JSON.stringify(parsed)}`);
    return parsed;
  }

  /** Runs a plan through the API and waits for it: the finished job. */
  async function apiPlan(body) {
    const started = await post('/api/v1/plans', body);
    for (let i = 0; i < 600; i++) {
      const job = await get(`/api/v1/plans/${started.id}`);
      if (['done', 'failed', 'cancelled'].includes(job.status)) return job;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('the plan did not finish in 60 s');
  }

  /** The planner on 兖州区 at H3 `resolution`, its coverage analysed. */
  async function analysed(options = {}, resolution = 7) {
    const p = await openPage(browser, server.base, options);
    await p.page.goto('/#/planner');
    await appReady(p.page);
    await p.page.waitForSelector('#planner[data-state="ready"]');
    await p.page.selectOption('#coverage-resolution', String(resolution));
    await p.page.click('#coverage-run');
    await p.page.waitForSelector('#coverage[data-state="ready"]', { timeout: 60000 });
    return p;
  }

  /** Starts a plan in the page and waits until it is done: the page's finished job. */
  async function runPlan(page, seq) {
    await page.evaluate(() => {
      window.__sawProgress = false;
      const mo = new MutationObserver(() => {
        if (document.querySelector('#plan-progress-bar')) window.__sawProgress = true;
      });
      mo.observe(document.querySelector('#plan'), { childList: true, subtree: true });
    });
    await page.click('#plan-run');
    await page.waitForFunction((n) => {
      const el = document.querySelector('#plan');
      return Number(el.dataset.seq) >= n && el.dataset.state === 'done';
    }, seq, { timeout: 60000 });
    return page.evaluate(() => {
      const s = window.yizhan.planner.plan.state;
      return { request: s.request, result: s.result, seen: s.seen, sawProgress: window.__sawProgress };
    });
  }

  /** The proposals as shown: marker numbers, and each list row's rank and gain text. */
  async function shownProposals(page) {
    return page.evaluate(() => ({
      pins: [...document.querySelectorAll('.site-pin:not(.fixed)')].map((e) => e.textContent),
      rows: [...document.querySelectorAll('#plan-proposals > li')].map((li) => ({
        rank: li.dataset.rank,
        gain: li.querySelector('.site-gain').textContent,
      })),
    }));
  }

  test('analysing 兖州区 draws the API\'s cells and shows its numbers', async () => {
    const { ctx, page, problems } = await analysed({}, 8);
    const state = await page.evaluate(() => window.yizhan.planner.coverage.state.request);
    assert.deepEqual(state, COVERAGE_BODY, 'the page asks what the contract says');
    const api = await post('/api/v1/coverage', COVERAGE_BODY);
    assert.ok(api.cells.features.length > 50, 'a district at resolution 8 has many cells');

    // The layer holds exactly the API's cells.
    const drawn = await page.evaluate(() => {
      const m = window.yizhan.map.map;
      const data = window.yizhan.planner.layers.cells;
      return {
        layers: m.getStyle().layers.map((l) => l.id),
        count: data.features.length,
        h3: data.features.map((f) => f.properties.h3),
        classes: data.features.map((f) => f.properties.class),
      };
    });
    assert.equal(drawn.count, api.cells.features.length);
    assert.deepEqual(drawn.h3, api.cells.features.map((f) => f.properties.h3));
    assert.deepEqual(drawn.classes, api.cells.features.map((f) => f.properties.class));
    assert.ok(drawn.layers.indexOf('coverage-fill') < drawn.layers.indexOf('district-line'), 'boundaries stay above the grid');
    await page.waitForFunction(() => !window.yizhan.map.map.isMoving());
    await page.waitForTimeout(300);
    const rendered = await page.evaluate(() => window.yizhan.map.map.queryRenderedFeatures({ layers: ['coverage-fill'] }).length);
    assert.ok(rendered > 0, 'the grid is drawn');

    // Legend: visible, one row per class with the API's count of cells.
    assert.ok(await page.isVisible('#coverage-legend'));
    const legend = await page.$$eval('#coverage-legend li', (els) => els.map((e) => [e.dataset.class, e.querySelector('.legend-label').textContent, e.querySelector('.legend-count').textContent]));
    const count = (c) => api.cells.features.filter((f) => f.properties.class === c).length;
    assert.deepEqual(legend, [
      ['within_10', '≤ 10 分钟', fmtNumber(count('within_10'), 0, 'zh')],
      ['within_15', '≤ 15 分钟', fmtNumber(count('within_15'), 0, 'zh')],
      ['beyond', '> 15 分钟', fmtNumber(count('beyond'), 0, 'zh')],
      ['unreachable', '无可达站点', fmtNumber(count('unreachable'), 0, 'zh')],
    ]);

    // Summary: the API's shares, formatted.
    const rows = await page.$$eval('#coverage-summary tbody tr[data-minutes]', (trs) =>
      trs.map((tr) => [tr.dataset.minutes, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    assert.deepEqual(
      rows,
      api.summary.thresholds.map((x) => [String(x.minutes), fmtNumber(x.cells, 0, 'zh'), fmtPercent(x.area_share, 1, 'zh'), fmtPercent(x.demand_share, 1, 'zh')]),
    );
    assert.deepEqual(await page.$$eval('#coverage-summary tr.total td', (tds) => tds.map((td) => td.textContent)), [
      fmtNumber(api.summary.cells, 0, 'zh'),
      fmtArea(api.summary.area_km2, 'zh'),
      fmtDemand(api.summary.demand_total, 'zh'),
    ]);
    // Streets: one row each.
    if (api.streets.length) {
      const streets = await page.$$eval('#coverage-streets tbody tr', (trs) => trs.map((tr) => tr.dataset.street));
      assert.deepEqual(streets, api.streets.map((s) => s.name));
    }
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'planner-coverage');

    // Gaps: the API's, by rank; a tap outlines the gap's cells.
    const gaps = await page.$$eval('#coverage-gaps .gap', (els) => els.map((e) => Number(e.dataset.rank)));
    assert.deepEqual(gaps, api.gaps.slice(0, 30).map((g) => g.rank));
    if (api.gaps.length) {
      await page.click('#coverage-gaps .gap[data-rank="1"]');
      const filter = await page.evaluate(() => window.yizhan.map.map.getFilter('coverage-gap'));
      assert.deepEqual(filter, ['in', ['get', 'h3'], ['literal', api.gaps[0].cells]]);
      await page.waitForFunction(() => !window.yizhan.map.map.isMoving());
      await screenshot(page, 'planner-gap');
    }

    // Tapping a cell tells its class, travel time and demand.
    const cell = api.cells.features.find((f) => f.properties.class === 'within_10') ?? api.cells.features[0];
    const ring = cell.geometry.coordinates[0].slice(0, -1);
    const centre = [ring.reduce((a, p) => a + p[0], 0) / ring.length, ring.reduce((a, p) => a + p[1], 0) / ring.length];
    await page.evaluate((c) => window.yizhan.map.map.jumpTo({ center: c, zoom: 12 }), centre);
    await page.waitForTimeout(300);
    const px = await page.evaluate((c) => window.yizhan.map.map.project(c), centre);
    const mapBox = await page.locator('#map').boundingBox();
    await page.mouse.click(mapBox.x + px.x, mapBox.y + px.y);
    await page.waitForSelector(`.cell-info[data-h3="${cell.properties.h3}"]`);
    const info = await page.$$eval('.cell-info dd', (dds) => dds.map((d) => d.textContent));
    assert.equal(info[0], cell.properties.travel_time_s === null ? '无可达站点' : fmtDuration(cell.properties.travel_time_s, 'zh'));
    assert.equal(info[1], fmtDemand(cell.properties.demand, 'zh'));
    await screenshot(page, 'planner-cell');

    // Demand shading and opacity.
    await page.check('#coverage-demand');
    const vis = await page.evaluate(() => {
      const m = window.yizhan.map.map;
      return [m.getLayoutProperty('coverage-fill', 'visibility'), m.getLayoutProperty('coverage-demand', 'visibility')];
    });
    assert.deepEqual(vis, ['none', 'visible']);
    await page.fill('#coverage-opacity', '0.3');
    assert.equal(await page.evaluate(() => window.yizhan.map.map.getPaintProperty('coverage-demand', 'fill-opacity')), 0.3);
    await page.waitForTimeout(200);
    await screenshot(page, 'planner-demand');

    // Export: the CSV offered is built from exactly these cells.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-cells-csv')]);
    const text = readFileSync(await dl.path(), 'utf8');
    assert.equal(text, `\ufeff${cellsCsv(api.cells)}`);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('a plan for 3 sites: progress, then 3 numbered proposals with the API\'s gains; a candidate changes the result', async () => {
    const { ctx, page, problems } = await analysed();
    const first = await runPlan(page, 1);
    assert.ok(first.sawProgress, 'the progress bar showed while the job ran');
    assert.ok(first.seen.some((s) => s.status === 'running' || s.status === 'queued'), 'the page polled the job while it ran');
    assert.equal(first.seen.at(-1).status, 'done');
    assert.deepEqual(first.request, { ...COARSE, minutes: 10, objective: 'max_cover', sites: 3, candidates: 'cells' });
    const api = await apiPlan(first.request);
    assert.equal(api.status, 'done');
    assert.equal(api.result.sites.length, 3);
    assert.deepEqual(
      first.result.sites.map((s) => [s.rank, s.gain, s.lon, s.lat]),
      api.result.sites.map((s) => [s.rank, s.gain, s.lon, s.lat]),
      'the page shows the API\'s answer to the same request',
    );
    const shown = await shownProposals(page);
    assert.deepEqual(shown.pins, ['1', '2', '3']);
    assert.deepEqual(
      shown.rows,
      api.result.sites.map((s) => ({
        rank: String(s.rank),
        gain: t('plan.gain', { gain: fmtDemand(s.gain, 'zh'), share: fmtPercent(s.gain_share, 1, 'zh'), total: fmtPercent(s.cumulative_share, 1, 'zh') }, 'zh'),
      })),
    );
    // Before and after at the plan's threshold.
    const eff = planEffect(api.result, 10);
    const effect = await page.$$eval('#plan-effect tbody tr', (trs) => trs.map((tr) => [tr.dataset.row, tr.querySelector('[data-col="before"]').textContent, tr.querySelector('[data-col="after"]').textContent]));
    assert.deepEqual(effect, [
      ['demand', fmtPercent(eff.before.demand, 1, 'zh'), fmtPercent(eff.after.demand, 1, 'zh')],
      ['area', fmtPercent(eff.before.area, 1, 'zh'), fmtPercent(eff.after.area, 1, 'zh')],
    ]);
    assert.ok(eff.after.demand >= eff.before.demand);
    await page.waitForLoadState('networkidle');
    await screenshot(page, 'planner-plan');

    // Add a candidate by tapping the map inside the district, away from the proposals, and run again.
    await page.click('#plan-add-candidate');
    const at = await page.evaluate(() => {
      const m = window.yizhan.map.map;
      const p = m.project([116.75, 35.5]);
      return { x: p.x, y: p.y };
    });
    const box = await page.locator('#map').boundingBox();
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.waitForSelector('#plan-candidates li[data-id="c1"]');
    await page.click('#plan-add-candidate');
    const second = await runPlan(page, 2);
    assert.equal(second.request.candidates.length, 1);
    assert.equal(second.request.candidates[0].id, 'c1');
    assert.ok(Math.abs(second.request.candidates[0].lon - 116.75) < 1e-3 && Math.abs(second.request.candidates[0].lat - 35.5) < 1e-3);
    assert.equal(second.request.sites, 1, 'no more sites than candidates');
    const api2 = await apiPlan(second.request);
    assert.deepEqual(
      second.result.sites.map((s) => [s.rank, s.gain, s.candidate_id]),
      api2.result.sites.map((s) => [s.rank, s.gain, s.candidate_id]),
    );
    assert.notDeepEqual(
      second.result.sites.map((s) => [s.lon, s.lat]),
      first.result.sites.map((s) => [s.lon, s.lat]),
      'the re-run changed the result',
    );
    // The effect is set against the previous run.
    const prev = await page.textContent('#plan-effect tr[data-row="demand"] [data-col="previous"]');
    assert.equal(prev, fmtPercent(planEffect(first.result, 10).after.demand, 1, 'zh'));
    assert.deepEqual((await shownProposals(page)).pins, second.result.sites.map((s) => String(s.rank)));
    await screenshot(page, 'planner-candidate');

    // Proposals export.
    const [dl] = await Promise.all([page.waitForEvent('download'), page.click('#export-sites-csv')]);
    assert.equal(readFileSync(await dl.path(), 'utf8'), `\ufeff${sitesCsv(api2.result.sites)}`);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('the page-built CSV exports quote text a spreadsheet would run as a formula', async () => {
    const { ctx, page, problems } = await openPage(browser, server.base);
    // A street and site names as a hostile import could have stored them: the API's own answers,
    // edited on their way to the page.
    const HYPERLINK = '=HYPERLINK("http://x")';
    const SUM = '@SUM(1)';
    let cells;
    await page.route('**/api/v1/coverage', async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      json.cells.features[0].properties.street = HYPERLINK;
      json.cells.features[1].properties.street = SUM;
      cells = json.cells;
      await route.fulfill({ response, json });
    });
    let sites;
    await page.route('**/api/v1/plans/*', async (route) => {
      const response = await route.fetch();
      const json = await response.json();
      if (json.result?.sites?.length >= 2) {
        json.result.sites[0].name = HYPERLINK;
        json.result.sites[1].name = SUM;
        json.result.sites[1].candidate_id = '-c1';
        sites = json.result.sites;
      }
      await route.fulfill({ response, json });
    });
    await page.goto('/#/planner');
    await appReady(page);
    await page.waitForSelector('#planner[data-state="ready"]');
    await page.selectOption('#coverage-resolution', '7');
    await page.click('#coverage-run');
    await page.waitForSelector('#coverage[data-state="ready"]', { timeout: 60000 });

    const [cellsDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-cells-csv')]);
    const cellsText = readFileSync(await cellsDl.path(), 'utf8');
    assert.equal(cellsText, `\ufeff${cellsCsv(cells)}`);
    const cellRows = cellsText.slice(1).split('\r\n');
    assert.ok(cellRows[1].includes(`,"'=HYPERLINK(""http://x"")",`), cellRows[1]);
    assert.ok(cellRows[2].includes(",'@SUM(1),"), cellRows[2]);
    assert.ok(!cellsText.includes(',=HYPERLINK') && !cellsText.includes(',@SUM'), 'no cell starts with a formula');
    // Numbers stay numbers: the centre's coordinates are not quoted.
    assert.match(cellRows[1], /^[0-9a-f]{15},\d+\.\d{6},\d+\.\d{6},/);

    await runPlan(page, 1);
    const [sitesDl] = await Promise.all([page.waitForEvent('download'), page.click('#export-sites-csv')]);
    const sitesText = readFileSync(await sitesDl.path(), 'utf8');
    assert.equal(sitesText, `\ufeff${sitesCsv(sites)}`);
    const siteRows = sitesText.slice(1).split('\r\n');
    assert.ok(siteRows[1].includes(`,"'=HYPERLINK(""http://x"")",`), siteRows[1]);
    assert.ok(siteRows[2].includes(",'-c1,'@SUM(1),"), siteRows[2]);
    assert.ok(siteRows[2].startsWith('2,'), 'the rank is a number');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('a running plan can be cancelled', async () => {
    const { ctx, page, problems } = await analysed();
    // p-median over every cell: the job spends a while in its coverage phase before the solver's
    // first progress report, which is where a cancel takes effect.
    await page.selectOption('#plan-objective', 'p_median');
    await page.fill('#plan-sites', '5');
    await page.press('#plan-sites', 'Tab');
    await page.click('#plan-run');
    await page.waitForSelector('#plan-cancel');
    await page.waitForFunction(() => Boolean(window.yizhan.planner.plan.state.job?.id));
    await page.click('#plan-cancel');
    await page.waitForFunction(() => ['cancelled', 'done', 'failed'].includes(document.querySelector('#plan').dataset.state), null, { timeout: 60000 });
    assert.equal(await page.getAttribute('#plan', 'data-state'), 'cancelled');
    assert.ok(await page.isVisible('#plan-cancelled'));
    assert.equal(await page.locator('#plan-cancel').count(), 0, 'no cancel button once stopped');
    const id = await page.evaluate(() => window.yizhan.planner.plan.state.job.id);
    assert.equal((await get(`/api/v1/plans/${id}`)).status, 'cancelled', 'the server stopped the job');
    await screenshot(page, 'planner-cancelled');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('dragging a proposal fixes it there for the next run', async () => {
    const { ctx, page, problems } = await analysed();
    const first = await runPlan(page, 1);
    await page.waitForFunction(() => !window.yizhan.map.map.isMoving());
    const pin = page.locator('.site-pin[data-rank="1"]');
    const b = await pin.boundingBox();
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2);
    await page.mouse.down();
    await page.mouse.move(b.x + b.width / 2 + 40, b.y + b.height / 2 + 30, { steps: 8 });
    await page.mouse.up();
    await page.waitForSelector('#plan-fixed li');
    const fixed = await page.evaluate(() => window.yizhan.planner.plan.state.fixed);
    assert.equal(fixed.length, 1);
    const moved = Math.abs(fixed[0].lon - first.result.sites[0].lon) + Math.abs(fixed[0].lat - first.result.sites[0].lat);
    assert.ok(moved > 1e-4, 'the fixed site is where it was dropped');
    const second = await runPlan(page, 2);
    assert.deepEqual(second.request.fixed, [[fixed[0].lon, fixed[0].lat]]);
    const api = await apiPlan(second.request);
    assert.deepEqual(second.result.sites.map((s) => s.gain), api.result.sites.map((s) => s.gain));
    assert.equal(await page.locator('.site-pin.fixed').count(), 1);
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('save two scenarios with a planner session and compare them side by side', async () => {
    const planner = await post('/api/v1/admin/tokens', { name: '规划 小陈', role: 'planner' }, TOKEN);
    const { ctx, page, problems } = await analysed();
    await runPlan(page, 1);
    // Signed out: no token field, a link to sign in on the Manage tab instead.
    assert.equal(await page.locator('#scenario-token').count(), 0);
    await page.fill('#scenario-name', '方案A');
    assert.equal(await page.isDisabled('#scenario-save'), true, 'no saving without a session');
    await page.click('#scenario-signin-link');
    await page.waitForSelector('#signin-token');
    await page.fill('#signin-token', planner.token);
    await page.click('#signin-submit');
    await page.waitForSelector('#console-who:not([hidden])');
    await page.click('#tab-planner');
    await page.waitForSelector('#scenario-who');
    assert.equal(await page.textContent('#scenario-who'), '以 规划 小陈（规划员）的身份保存。');
    const storage = await page.evaluate(() => JSON.stringify([{ ...window.localStorage }, { ...window.sessionStorage }]));
    assert.ok(!storage.includes(planner.token), 'the page keeps no token');
    await page.fill('#scenario-name', '方案A');
    await page.click('#scenario-save');
    await page.waitForSelector('#scenario-saved');
    // A second plan with 2 sites, saved as 方案B.
    await page.fill('#plan-sites', '2');
    await page.press('#plan-sites', 'Tab');
    await runPlan(page, 2);
    await page.fill('#scenario-name', '方案B');
    await page.click('#scenario-save');
    await page.waitForFunction(() => document.querySelector('#scenario-saved')?.textContent.includes('方案B'));
    await page.waitForFunction(() => document.querySelectorAll('#compare-a option').length >= 3);
    await page.selectOption('#compare-a', '方案A');
    await page.selectOption('#compare-b', '方案B');
    await page.click('#compare-run');
    await page
      .waitForFunction(() => ['ready', 'error'].includes(document.querySelector('#scenarios').dataset.state), null, { timeout: 60000 })
      .catch(async (e) => {
        const st = await page.evaluate(() => JSON.stringify(window.yizhan.planner.scenarios.state));
        throw new Error(`${e.message}\nstate: ${st}\nserver log:\n${server.log().slice(-4000)}`);
      });
    assert.equal(await page.getAttribute('#scenarios', 'data-state'), 'ready', await page.textContent('#scenarios'));
    const api = await get(`/api/v1/scenarios/compare?${new URLSearchParams({ a: '方案A', b: '方案B', district: '兖州区', minutes: '10,15', mode: 'ebike', resolution: '7' })}`);
    const table = await page.$$eval('#compare-table tbody tr[data-row]', (trs) =>
      trs.map((tr) => [tr.dataset.minutes, tr.dataset.row, ...[...tr.querySelectorAll('td')].map((td) => td.textContent)]),
    );
    const at = (s, m) => s.thresholds.find((x) => Number(x.minutes) === m);
    const want = [];
    for (const m of [10, 15]) {
      for (const key of ['demand_share', 'area_share']) {
        want.push([String(m), key, ...[api.baseline, api.a.summary, api.b.summary].map((s) => fmtPercent(at(s, m)[key], 1, 'zh'))]);
      }
    }
    assert.deepEqual(table, want);
    assert.ok(at(api.a.summary, 10).demand_share >= at(api.baseline, 10).demand_share, 'a plan does not lower coverage');
    await screenshot(page, 'planner-scenarios');
    assert.deepEqual(problems, []);
    await ctx.close();
  });

  test('English, and a phone viewport', async () => {
    const { ctx, page, problems } = await analysed({ ...PHONE });
    const api = await post('/api/v1/coverage', COARSE);
    await page.click('#lang-toggle');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(await page.textContent('#coverage-run'), 'Analyse');
    assert.equal(await page.textContent('#coverage-legend li[data-class="within_15"] .legend-label'), '≤ 15 min');
    assert.equal(
      await page.textContent('#coverage-summary tr[data-minutes="10"] [data-col="demand_share"]'),
      fmtPercent(api.summary.thresholds[0].demand_share, 1, 'en'),
    );
    assert.equal(await page.textContent('#coverage-summary tr.total [data-col="area"]'), fmtArea(api.summary.area_km2, 'en'));
    // The sheet is the bottom of the screen, the map visible above it, the controls big enough.
    const panel = await page.locator('#panel').boundingBox();
    assert.equal(panel.width, 360);
    assert.ok(Math.abs(panel.y + panel.height - 740) < 1);
    const run = await page.locator('#coverage-run').boundingBox();
    assert.ok(run.height >= 44, 'the analyse button is a large touch target');
    await page.tap('#sheet-handle');
    await page.waitForFunction(() => document.querySelector('#panel').dataset.sheet === 'full');
    await page.locator('#coverage-legend').scrollIntoViewIfNeeded();
    await page.waitForTimeout(300);
    await screenshot(page, 'planner-phone-en');
    const legend = await page.locator('#coverage-legend').boundingBox();
    assert.ok(legend.x >= 0 && legend.x + legend.width <= 360, 'the legend fits the screen width');
    const overflow = await page.evaluate(() => document.querySelector('#views').scrollWidth - document.querySelector('#views').clientWidth);
    assert.ok(overflow <= 0, 'nothing sticks out sideways');
    await page.tap('#sheet-handle');
    await page.waitForTimeout(300);
    await screenshot(page, 'planner-phone-map');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
