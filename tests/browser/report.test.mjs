// The district report button of the planner view: its URL carries the page's language and the
// coverage panel's travel mode and resolution, and in a real browser against a real
// `yizhan serve` (demo data) clicking it downloads the server's PDF.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { reportUrl } from '../../web/js/planner-api.js';
import { appReady, launchBrowser, openPage, screenshot, startServer, yizhanBinary } from './harness.mjs';

test('the report URL names the district, language, mode and resolution', () => {
  assert.equal(
    reportUrl('兖州区', { mode: 'walk', resolution: 7 }, 'en'),
    '/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA/report.pdf?lang=en&mode=walk&resolution=7',
  );
  assert.equal(reportUrl('a/b', {}, 'zh'), '/api/v1/districts/a%2Fb/report.pdf?lang=zh');
});

describe('the report button in a browser', () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer(yizhanBinary());
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('clicking it downloads the PDF of the chosen district', async () => {
    const { ctx, page, problems } = await openPage(browser, server.base, { acceptDownloads: true });
    await page.goto('/#/planner');
    await appReady(page);
    await page.waitForSelector('#planner[data-state="ready"]');
    // A coarse grid keeps the server's work short; the link follows the panel.
    await page.selectOption('#coverage-resolution', '7');
    const button = page.locator('#report-download');
    assert.equal((await button.textContent()).trim(), '下载区县报告（PDF）');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60000 }), button.click()]);
    const href = await button.getAttribute('href');
    assert.equal(href, '/api/v1/districts/%E5%85%96%E5%B7%9E%E5%8C%BA/report.pdf?lang=zh&mode=ebike&resolution=7');
    assert.match(download.suggestedFilename(), /\.pdf$/);
    assert.equal(download.url(), server.base + href);
    const bytes = readFileSync(await download.path());
    assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(bytes.length > 20000, `${bytes.length} bytes`);
    await screenshot(page, 'planner-report-button');
    assert.deepEqual(problems, []);
    await ctx.close();
  });
});
