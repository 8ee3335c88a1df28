// The web UI in a real browser (Debian's chromium, headless) against a real `yizhan serve` with the
// demo data set. Every list the page shows is compared with the API's own answer for the same
// question, every number with the page's formatter applied to the API's value, and every
// navigation link with the API's converted coordinates (and with an independent WGS-84 → GCJ-02 →
// BD-09 conversion). Screenshots of each view are kept in target/browser-artifacts/.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fmtDistance, fmtDuration } from '../../web/js/i18n.js';
import {
  appReady,
  getJSON,
  launchBrowser,
  openPage,
  riderAnswered,
  riderList,
  screenshot,
  startServer,
  yizhanBinary,
} from './harness.mjs';

/** Where the rider stands: near 兖州区's centre (WGS-84). */
const FIX = { lon: 116.786, lat: 35.553 };
const NEAREST = `/api/v1/nearest?lon=${FIX.lon}&lat=${FIX.lat}&k=10`;
const GEO = { permissions: ['geolocation'], geolocation: { longitude: FIX.lon, latitude: FIX.lat } };
const PHONE = { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 };

let bin;
let server;
let browser;

before(async () => {
  bin = yizhanBinary();
  server = await startServer(bin);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Opens the rider view located at FIX, its first answer shown. */
async function locatedPage(options = {}) {
  const p = await openPage(browser, server.base, { ...GEO, ...options });
  await p.page.goto('/');
  await appReady(p.page);
  await p.page.click('#locate');
  await riderAnswered(p.page, 1);
  return p;
}

/** Asserts the list shows exactly the API's answer to `query`, formatted in `lang`. */
async function assertListMatches(page, query, lang = 'zh') {
  const api = await getJSON(server.base, query);
  const shown = await riderList(page);
  assert.deepEqual(
    shown.map((r) => r.id),
    api.results.map((r) => r.station.id),
    `the list is the API's answer to ${query}`,
  );
  api.results.forEach((r, i) => {
    assert.equal(shown[i].name, r.station.name);
    assert.equal(shown[i].kind, r.station.kind);
    assert.equal(shown[i].dist, fmtDistance(r.distance_m, lang), `distance of row ${i + 1}`);
    assert.equal(shown[i].eta, fmtDuration(r.eta_s, lang), `travel time of row ${i + 1}`);
  });
  return { api, shown };
}

// --- an independent reference for the coordinate conversions (the published GCJ-02 and BD-09
// formulas, written out again here) -------------------------------------------------------------
const A = 6378245.0;
const EE = 0.006693421622965943;
function gcjDelta(lon, lat) {
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
function gcjToBd(g) {
  const xPi = (Math.PI * 3000) / 180;
  const z = Math.sqrt(g.lon * g.lon + g.lat * g.lat) + 0.00002 * Math.sin(g.lat * xPi);
  const theta = Math.atan2(g.lat, g.lon) + 0.000003 * Math.cos(g.lon * xPi);
  return { lon: z * Math.cos(theta) + 0.0065, lat: z * Math.sin(theta) + 0.006 };
}

test('the page loads with no console errors and draws the offline base map', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await page.goto('/');
  await appReady(page);
  assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
  assert.equal(await page.textContent('#tab-rider'), '骑手');
  assert.equal(await page.textContent('#tab-planner'), '规划');
  const districts = await getJSON(server.base, '/api/v1/districts');
  const labels = await page.$$eval('.district-label', (els) => els.map((e) => e.textContent));
  assert.deepEqual(labels, districts.features.map((f) => f.properties.name), 'every district is named on the map');
  const drawn = await page.evaluate(() => {
    const m = window.yizhan.map.map;
    return m.querySourceFeatures('districts').map((f) => f.properties.name);
  });
  assert.deepEqual(new Set(drawn), new Set(labels), 'the boundaries are drawn from /api/v1/districts');
  // The overview dots come from the server's vector tiles: the demo stations, none closed.
  await page.waitForFunction(() => window.yizhan.map.map.querySourceFeatures('station-tiles', { sourceLayer: 'stations' }).length > 0);
  // Overview tiles are thinned: a dot per grid cell standing for `point_count` stations (the same
  // dot, once per tile that holds its cell, so counted once by id).
  const dots = await page.evaluate(() => {
    const byId = new Map();
    for (const f of window.yizhan.map.map.querySourceFeatures('station-tiles', { sourceLayer: 'stations' })) {
      byId.set(f.properties.id, f.properties.point_count ?? 1);
    }
    return [...byId];
  });
  // The view frames the Jining districts; the demo's Helsinki stations are in other tiles.
  const xs = [];
  const ys = [];
  for (const f of districts.features) for (const poly of f.geometry.coordinates) for (const ring of poly) for (const [x, y] of ring) { xs.push(x); ys.push(y); }
  const bbox = [Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)].join(',');
  const all = await getJSON(server.base, `/api/v1/stations?limit=5000&bbox=${bbox}`);
  assert.ok(all.features.length >= 433, 'the 兖州区 demo stations lie in the Jining frame');
  const ids = new Set(all.features.map((f) => f.id));
  assert.ok(dots.every(([id]) => ids.has(id)), 'every dot is one of the stations');
  assert.equal(dots.reduce((sum, [, n]) => sum + n, 0), ids.size, 'the dots count every station once');
  assert.ok(dots.length < ids.size && dots.some(([, n]) => n > 1), 'dense areas are drawn as clusters');
  // A cluster's dot is drawn larger than a single station's.
  const radius = await page.evaluate(() => window.yizhan.map.map.getPaintProperty('station-tiles', 'circle-radius'));
  assert.match(JSON.stringify(radius), /point_count/);
  assert.match(await page.textContent('#rider .status'), /定位/);
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'rider-start');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('locating lists the same stations, in the same order, as the API', async () => {
  const { ctx, page, problems } = await locatedPage();
  const { api } = await assertListMatches(page, `${NEAREST}&mode=ebike`);
  assert.equal(api.results.length, 10);
  // The pins on the map are the same stations, numbered in the same order.
  const pins = await page.$$eval('.pin', (els) => els.map((e) => [Number(e.dataset.id), e.textContent]));
  assert.deepEqual(
    pins,
    api.results.map((r, i) => [r.station.id, String(i + 1)]),
  );
  // Opening state as the API computed it.
  const rows = await riderList(page);
  api.results.forEach((r, i) => {
    if (r.open_now === null) assert.equal(rows[i].open, '营业时间未公布');
    else if (r.open_now) assert.match(rows[i].open, /^(营业中|24 小时营业)/);
    else assert.match(rows[i].open, /^已打烊/);
  });
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'rider-list');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('kind, amenity, mode and open-now filters change the list to the API answer', async () => {
  const { ctx, page, problems } = await locatedPage();
  const unfiltered = (await riderList(page)).map((r) => r.id);

  await page.click('.chips [data-kind="rest_station"]');
  await riderAnswered(page, 2);
  const byKind = await assertListMatches(page, `${NEAREST}&mode=ebike&kind=rest_station`);
  assert.notDeepEqual(byKind.shown.map((r) => r.id), unfiltered, 'the kind filter changes this list');
  assert.ok(byKind.shown.every((r) => r.kind === 'rest_station'));
  assert.equal(await page.getAttribute('.chips [data-kind="rest_station"]', 'aria-pressed'), 'true');

  await page.click('[data-filter="amenities"]');
  await page.click('.chips-amenities [data-amenity="microwave"]');
  await riderAnswered(page, 3);
  const byAmenity = await assertListMatches(page, `${NEAREST}&mode=ebike&kind=rest_station&amenity=microwave`);
  assert.notDeepEqual(
    byAmenity.shown.map((r) => r.id),
    byKind.shown.map((r) => r.id),
    'the amenity filter changes this list',
  );
  await screenshot(page, 'rider-filtered');

  await page.click('.segmented [data-mode="walk"]');
  await riderAnswered(page, 4);
  await assertListMatches(page, `${NEAREST}&mode=walk&kind=rest_station&amenity=microwave`);

  await page.click('[data-filter="open_now"]');
  await riderAnswered(page, 5);
  // The page and this check ask within a second of each other; both read "now" in Asia/Shanghai.
  await assertListMatches(page, `${NEAREST}&mode=walk&kind=rest_station&amenity=microwave&open_now=true`);

  await page.click('[data-filter="clear"]');
  await riderAnswered(page, 6);
  await assertListMatches(page, `${NEAREST}&mode=walk`);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the navigate links carry the converted coordinates', async () => {
  const { ctx, page, problems } = await locatedPage();
  const api = await getJSON(server.base, `${NEAREST}&mode=ebike`);
  for (const index of [0, 2]) {
    const r = api.results[index];
    await page.click(`#results > li:nth-child(${index + 1}) .result-main`);
    await page.waitForSelector(`#detail[data-id="${r.station.id}"]`);
    assert.equal(await page.textContent('.detail-name'), r.station.name);
    const nav = r.navigation;
    // The API's conversions agree with the published formulas, and really move the point.
    const wgs = r.station.location;
    const g = gcjDelta(wgs.lon, wgs.lat);
    const b = gcjToBd(g);
    assert.ok(Math.abs(g.lon - nav.gcj02.lon) < 1e-9 && Math.abs(g.lat - nav.gcj02.lat) < 1e-9, 'GCJ-02');
    assert.ok(Math.abs(b.lon - nav.bd09.lon) < 1e-9 && Math.abs(b.lat - nav.bd09.lat) < 1e-9, 'BD-09');
    assert.ok(Math.abs(g.lon - wgs.lon) > 1e-3 || Math.abs(g.lat - wgs.lat) > 1e-3);

    const amap = await page.$eval('.nav-amap', (a) => ({ href: a.href, android: a.dataset.android, ios: a.dataset.ios }));
    const baidu = await page.$eval('.nav-baidu', (a) => ({ href: a.href, android: a.dataset.android, ios: a.dataset.ios }));
    // Web fallbacks: exactly the API's links.
    assert.equal(decodeURI(amap.href), decodeURI(nav.amap_url));
    assert.equal(decodeURI(baidu.href), decodeURI(nav.baidu_url));
    // App schemes: GCJ-02 for Amap (dev=0: already converted; t=3: ride), BD-09 for Baidu.
    const name = encodeURIComponent(r.station.name);
    const amapQuery = `sourceApplication=yizhan&dlat=${nav.gcj02.lat.toFixed(6)}&dlon=${nav.gcj02.lon.toFixed(6)}&dname=${name}&dev=0&t=3`;
    assert.equal(amap.android, `amapuri://route/plan/?${amapQuery}`);
    assert.equal(amap.ios, `iosamap://path?${amapQuery}`);
    const dest = `destination=name:${name}|latlng:${nav.bd09.lat.toFixed(6)},${nav.bd09.lon.toFixed(6)}&coord_type=bd09ll&mode=riding`;
    assert.equal(baidu.android, `bdapp://map/direction?${dest}&src=andr.yizhan.rider`);
    assert.equal(baidu.ios, `baidumap://map/direction?${dest}&src=ios.yizhan.rider`);
    if (index === 0) await screenshot(page, 'rider-detail');
    await page.click('#detail .back');
  }

  // On a desktop a tap opens the web page in a new tab (the vendor's site is stubbed: no network).
  await ctx.route(/^https:\/\/(uri\.amap\.com|api\.map\.baidu\.com)\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>stub</title>' }),
  );
  await page.click('#results > li:nth-child(1) .result-main');
  const [tab] = await Promise.all([ctx.waitForEvent('page'), page.click('.nav-baidu')]);
  await tab.waitForLoadState();
  assert.equal(decodeURI(tab.url()), decodeURI(api.results[0].navigation.baidu_url));
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('on a phone the app is tried first, then the web page', async () => {
  const android =
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36';
  const { ctx, page } = await locatedPage({ ...PHONE, userAgent: android });
  await ctx.route(/^https:\/\/uri\.amap\.com\//, (route) =>
    route.fulfill({ status: 200, contentType: 'text/html', body: '<title>amap web</title>' }),
  );
  const api = await getJSON(server.base, `${NEAREST}&mode=ebike`);
  await page.click('#results > li:nth-child(1) .result-main');
  const appLink = await page.getAttribute('.nav-amap', 'data-android');
  await page.click('.nav-amap');
  // The app scheme first (no app here: nothing takes over) …
  await page.waitForFunction((want) => document.body.dataset.handoff === want, appLink);
  assert.equal(page.url(), `${server.base}/`, 'still on the page while the app may take over');
  // … then the web page.
  await page.waitForURL(/^https:\/\/uri\.amap\.com\//, { timeout: 10000 });
  assert.equal(decodeURI(page.url()), decodeURI(api.results[0].navigation.amap_url));
  await ctx.close();
});

test('English: labels, units and the choice survive a reload', async () => {
  const { ctx, page, problems } = await locatedPage();
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.textContent('#tab-rider'), 'Rider');
  assert.equal(await page.textContent('#tab-planner'), 'Planner');
  assert.equal(await page.textContent('#rider .panel-title'), 'Nearby stations');
  assert.equal(await page.textContent('#lang-toggle'), '中文');
  const rows = await riderList(page);
  for (const r of rows) {
    assert.match(r.dist, /^[\d,.]+ (m|km)$/);
    assert.match(r.eta, /^(about [\d,]+ (min|h)|about \d+ h \d+ min|under 1 min)$/);
  }
  await assertListMatches(page, `${NEAREST}&mode=ebike`, 'en');
  assert.equal(await page.textContent('.chips [data-kind="caring_merchant"]'), 'Caring merchant');
  await screenshot(page, 'rider-en');

  await page.reload();
  await appReady(page);
  assert.equal(await page.textContent('#tab-planner'), 'Planner', 'the choice is remembered');
  await page.goto('/?lang=zh');
  await appReady(page);
  assert.equal(await page.textContent('#tab-planner'), '规划', '?lang= switches back');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a phone viewport shows the map and a bottom sheet', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base, { ...GEO, ...PHONE });
  await page.goto('/');
  await appReady(page);
  await screenshot(page, 'phone-start');
  const panel = await page.locator('#panel').boundingBox();
  const canvas = await page.locator('#map canvas').boundingBox();
  assert.equal(panel.x, 0);
  assert.equal(panel.width, 360);
  assert.ok(Math.abs(panel.y + panel.height - 740) < 1, 'the sheet sits on the bottom edge');
  assert.ok(panel.height < 740 * 0.6, 'the sheet leaves the map visible');
  assert.ok(canvas.width === 360 && panel.y - canvas.y > 200, 'the map shows above the sheet');
  const fab = await page.locator('#locate').boundingBox();
  assert.ok(fab.y + fab.height <= panel.y, 'the locate button sits above the sheet');
  assert.ok(fab.height >= 44, 'touch targets are large');

  await page.tap('#locate');
  await riderAnswered(page, 1);
  await assertListMatches(page, `${NEAREST}&mode=ebike`);
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'phone-list');

  // Tapping the map searches from the tapped place.
  await page.tap('#map canvas', { position: { x: 120, y: 120 } });
  await riderAnswered(page, 2);
  const origin = await page.evaluate(() => window.yizhan.rider.state.origin);
  assert.ok(Math.abs(origin.lon - FIX.lon) > 1e-5 || Math.abs(origin.lat - FIX.lat) > 1e-5, 'a new place');
  await assertListMatches(page, `/api/v1/nearest?lon=${origin.lon}&lat=${origin.lat}&k=10&mode=ebike`);

  await page.tap('#results > li:nth-child(1) .result-main');
  await page.waitForSelector('#detail:not([hidden])');
  for (const sel of ['.nav-amap', '.nav-baidu']) {
    const box = await page.locator(sel).boundingBox();
    assert.ok(box.y >= panel.y && box.y + box.height <= 740, `${sel} is visible in the sheet`);
    assert.ok(box.height >= 44);
  }
  await screenshot(page, 'phone-detail');

  // The handle opens the sheet fully.
  await page.tap('#sheet-handle');
  await page.waitForFunction(() => document.querySelector('#panel').dataset.sheet === 'full');
  await page.waitForTimeout(300);
  assert.ok((await page.locator('#panel').boundingBox()).height > 600);
  await screenshot(page, 'phone-sheet-full');

  // The planner works on a phone too.
  await page.goto('/#/planner');
  await appReady(page);
  await page.waitForSelector('#planner[data-state="ready"]');
  await page.waitForFunction(() => !window.yizhan.map.map.isMoving());
  await screenshot(page, 'phone-planner');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('the planner tab shows the district picker and draws the boundary', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await page.goto('/#/planner');
  await appReady(page);
  await page.waitForSelector('#planner[data-state="ready"]');
  const districts = await getJSON(server.base, '/api/v1/districts');
  const options = await page.$$eval('#district-select option', (els) => els.map((o) => o.value));
  assert.deepEqual(options, ['', ...districts.features.map((f) => f.properties.name)]);
  assert.equal(await page.inputValue('#district-select'), '兖州区');
  assert.equal(await page.getAttribute('#tab-planner', 'aria-selected'), 'true');

  const checkDistrict = async (name) => {
    await page.waitForFunction((n) => {
      const el = document.querySelector('#planner');
      return el.dataset.state === 'ready' && el.querySelector('.district-name')?.textContent === n;
    }, name);
    // The district's active stations are the dots on the map.
    const all = await getJSON(server.base, `/api/v1/stations?${new URLSearchParams({ district: name, status: 'active' })}`);
    const dots = await page.evaluate(() => window.yizhan.map.stations.features.map((f) => f.properties.kind));
    assert.deepEqual(dots, all.features.map((f) => f.properties.kind));
    // Counts are the API's.
    for (const kind of ['rest_station', 'caring_merchant', 'charging_cabinet', 'ride_hailing_bay']) {
      const q = new URLSearchParams({ district: name, kind, status: 'active', limit: '0' });
      const want = (await getJSON(server.base, `/api/v1/stations?${q}`)).numberMatched;
      assert.equal(await page.textContent(`.counts tr[data-kind="${kind}"] td`), new Intl.NumberFormat('zh-CN').format(want));
    }
    // The boundary is highlighted and drawn.
    await page.waitForFunction(() => !window.yizhan.map.map.isMoving());
    await page.waitForTimeout(200);
    const drawn = await page.evaluate((n) => {
      const m = window.yizhan.map.map;
      return {
        filter: m.getFilter('district-selected'),
        rendered: [...new Set(m.queryRenderedFeatures({ layers: ['district-selected'] }).map((f) => f.properties.name))],
      };
    }, name);
    assert.deepEqual(drawn.filter, ['==', ['get', 'name'], name]);
    assert.deepEqual(drawn.rendered, [name]);
  };
  await checkDistrict('兖州区');
  const total = await page.textContent('.counts tr.total td');
  assert.ok(Number(total.replace(/,/g, '')) > 0, 'the demo stations are in 兖州区');
  assert.equal(await page.textContent('#coverage-run'), '分析覆盖', 'the coverage analysis is offered');
  await page.waitForLoadState('networkidle');
  await screenshot(page, 'planner');

  await page.selectOption('#district-select', '曲阜市');
  await checkDistrict('曲阜市');
  await screenshot(page, 'planner-qufu');
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('an online base map from the configuration, and the offline one when it cannot load', async () => {
  const STYLE = 'https://tiles.example.test/style.json';
  const online = await startServer(bin, ['--map-style-url', STYLE, '--no-demo']);
  try {
    // Served (stubbed here: no network) — the product's layers go on top of it.
    const a = await openPage(browser, online.base);
    await a.ctx.route(STYLE, (route) =>
      route.fulfill({
        contentType: 'application/json',
        body: JSON.stringify({ version: 8, sources: {}, layers: [{ id: 'online-bg', type: 'background', paint: { 'background-color': '#dde7f0' } }] }),
      }),
    );
    await a.page.goto('/');
    await appReady(a.page);
    const layers = await a.page.evaluate(() => window.yizhan.map.map.getStyle().layers.map((l) => l.id));
    assert.deepEqual(layers, ['online-bg', 'district-fill', 'district-line', 'district-selected', 'roads', 'roads-path', 'station-tiles', 'stations']);
    assert.deepEqual(a.problems, []);
    await a.ctx.close();

    // Unreachable: the offline style takes over and says so.
    const b = await openPage(browser, online.base);
    await b.ctx.route(STYLE, (route) => route.abort('internetdisconnected'));
    await b.page.goto('/');
    await appReady(b.page);
    const fallback = await b.page.evaluate(() => window.yizhan.map.map.getStyle().layers.map((l) => l.id));
    assert.deepEqual(fallback, ['background', 'district-fill', 'district-line', 'district-selected', 'roads', 'roads-path', 'station-tiles', 'stations']);
    assert.match(await b.page.textContent('.map-note'), /离线底图/);
    // The only problem is the style request this test cut off.
    assert.ok(b.problems.length > 0 && b.problems.every((p) => p.includes('style.json') || p.includes('INTERNET_DISCONNECTED')), b.problems.join('\n'));
    await b.ctx.close();
  } finally {
    await online.stop();
  }
});
