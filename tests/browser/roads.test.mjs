// The map's road layer in a real browser: with the Helsinki extract loaded, zooming in over
// central Helsinki draws the server's road lines under the stations.

import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { ROOT, appReady, getJSON, launchBrowser, openPage, screenshot, startServer, yizhanBinary } from './harness.mjs';

let server;
let browser;

before(async () => {
  const extract = path.join(ROOT, 'data', 'osm', 'helsinki-centre.osm.pbf');
  server = await startServer(yizhanBinary(), ['--network', extract, '--network-modes', 'ebike']);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

test('roads appear under the stations when a network is loaded', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await page.goto('/');
  await appReady(page);
  await page.evaluate(() => window.yizhan.map.map.jumpTo({ center: [24.945, 60.1705], zoom: 15 }));
  await page.waitForFunction(() => Number(document.querySelector('#map').dataset.roads) > 0, null, { timeout: 30000 });
  const drawn = await page.evaluate(() => {
    const map = window.yizhan.map.map;
    map.triggerRepaint();
    return new Promise((resolve) =>
      map.once('idle', () => {
        const order = map.getStyle().layers.map((l) => l.id);
        resolve({
          shown: Number(document.querySelector('#map').dataset.roads),
          rendered: map.queryRenderedFeatures({ layers: ['roads'] }).length,
          classes: [...new Set(map.queryRenderedFeatures({ layers: ['roads', 'roads-path'] }).map((f) => f.properties.class))],
          roadsBelowStations: order.indexOf('roads') < order.indexOf('stations') && order.indexOf('roads') >= 0,
          bounds: map.getBounds().toArray().flat(),
        });
      }),
    );
  });
  assert.ok(drawn.rendered > 0, 'road lines are rendered');
  assert.ok(drawn.roadsBelowStations, 'roads are drawn under the stations');
  assert.ok(drawn.classes.includes('major'), `classes drawn: ${drawn.classes}`);
  // The layer holds what the API answers for (at least) the visible area.
  const [w, s, e, n] = drawn.bounds;
  const api = await getJSON(server.base, `/api/v1/network/roads?bbox=${w},${s},${e},${n}`);
  assert.equal(api.mode, 'ebike');
  assert.ok(api.features.length > 0 && drawn.shown >= api.features.length, `${drawn.shown} vs ${api.features.length}`);
  await screenshot(page, 'roads-helsinki');
  assert.deepEqual(problems, []);
  await ctx.close();
});
