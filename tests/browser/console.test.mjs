// The keepers' console in a real browser (Debian's chromium, headless) against a real `yizhan
// serve`: signing in and out (the session cookie is HttpOnly, no token is kept by the page), what
// an editor sees and may call, CSRF, and API tokens (made, shown once, signed in with elsewhere,
// revoked — the revoked session's next write is refused and its page returns to the sign-in form).
// Every outcome is checked in the store through the API with the admin's token.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  api,
  consoleReady,
  createToken,
  launchBrowser,
  openPage,
  screenshot,
  signIn,
  startServer,
  unexpected,
  yizhanBinary,
} from './harness.mjs';

/** The admin bootstrap token the server starts with. */
const ADMIN = 'console-test-admin-token';

let server;
let browser;
/** Stored tokens: `{ token, record }`. */
const tokens = {};

before(async () => {
  server = await startServer(yizhanBinary(), ['--api-token', ADMIN]);
  browser = await launchBrowser();
  tokens.admin = await createToken(server.base, ADMIN, '管理员 老李', 'admin');
  tokens.editor = await createToken(server.base, ADMIN, '编辑 小王', 'editor');
  tokens.planner = await createToken(server.base, ADMIN, '规划 小陈', 'planner');
});

after(async () => {
  await browser?.close();
  await server?.stop();
});

/** Tabs of the console as shown: their ids' screen names. */
function consoleTabs(page) {
  return page.$$eval('#console-nav .console-tab', (as) => as.map((a) => a.id.replace('console-tab-', '')));
}

test('sign in and out: the session cookie is HttpOnly and the page keeps no token', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await page.goto('/#/manage');
  await consoleReady(page);
  await page.waitForSelector('#console-signin:not([hidden])');
  assert.equal(await page.textContent('#tab-manage'), '管理');
  assert.equal(await page.getAttribute('#signin-token', 'type'), 'password');
  assert.equal(await page.getAttribute('#signin-token', 'autocomplete'), 'off');
  assert.equal(await page.textContent('#signin-submit'), '登录');
  assert.equal(await page.locator('#console-nav .console-tab').count(), 0, 'no screen before signing in');
  await screenshot(page, 'console-signin');

  // A wrong token is refused at the field.
  await page.fill('#signin-token', 'yz_000000000000_wrong');
  await page.click('#signin-submit');
  await page.waitForSelector('#err-token:not([hidden])');
  assert.match(await page.textContent('#err-token'), /令牌无效/);
  assert.equal(await page.locator('#console-who:not([hidden])').count(), 0);

  await page.fill('#signin-token', tokens.admin.token);
  await page.click('#signin-submit');
  await page.waitForSelector('#console-who:not([hidden])');
  assert.equal(await page.textContent('#who-name'), '管理员 老李（管理员）');
  assert.match(await page.textContent('#who-expires'), /^登录有效期至 /);
  assert.deepEqual(await consoleTabs(page), ['stations', 'reports', 'import', 'verify', 'audit', 'tokens']);
  assert.equal(new URL(page.url()).hash, '#/manage/stations');

  // The cookie: HttpOnly, SameSite=Strict, Path=/, invisible to the page's scripts.
  const cookies = await ctx.cookies();
  const session = cookies.find((c) => c.name === 'yizhan_session');
  assert.ok(session, `a yizhan_session cookie: ${JSON.stringify(cookies.map((c) => c.name))}`);
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, 'Strict');
  assert.equal(session.path, '/');
  assert.ok(!(await page.evaluate(() => document.cookie)).includes('yizhan_session'), 'document.cookie lacks the session');
  const storage = await page.evaluate(() => ({
    local: Object.fromEntries(Object.entries(window.localStorage)),
    session: Object.fromEntries(Object.entries(window.sessionStorage)),
  }));
  assert.deepEqual(Object.keys(storage.local).filter((k) => k !== 'yizhan.lang'), [], 'localStorage holds the language only');
  assert.deepEqual(storage.session, {}, 'sessionStorage is empty');
  assert.ok(!JSON.stringify(storage).includes(tokens.admin.token));

  // The session survives a reload (GET /api/v1/session), and ends with 退出登录.
  await page.reload();
  await consoleReady(page);
  await page.waitForSelector('#console-who:not([hidden])');
  assert.equal(await page.textContent('#who-name'), '管理员 老李（管理员）');
  assert.equal(await page.textContent('#signout'), '退出登录');
  await page.click('#signout');
  await page.waitForSelector('#console-signin:not([hidden])');
  assert.equal(await page.locator('#console-nav .console-tab').count(), 0);
  assert.equal(await page.locator('#console-stations').count(), 0, 'the screens are gone');
  const after = await ctx.request.get('/api/v1/session');
  assert.equal(after.status(), 200);
  assert.equal((await after.json()).signed_in, false);
  assert.ok(!(await ctx.cookies()).some((c) => c.name === 'yizhan_session' && c.value), 'the cookie is cleared');

  assert.deepEqual(unexpected(problems, [{ status: 401, url: /\/api\/v1\/session$/ }]), []);
  await ctx.close();
});

test('an editor sees no admin screen, and the API refuses them', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.editor.token);
  assert.equal(await page.textContent('#who-name'), '编辑 小王（编辑）');
  assert.deepEqual(await consoleTabs(page), ['stations', 'reports', 'import', 'verify']);
  await page.waitForSelector('#console-stations[data-state="ready"]');
  // Asking for an admin screen by address lands on the editor's first screen; nothing of it is built.
  await page.evaluate(() => {
    window.location.hash = '#/manage/audit';
  });
  await page.waitForFunction(() => window.location.hash === '#/manage/stations');
  await page.evaluate(() => {
    window.location.hash = '#/manage/tokens';
  });
  await page.waitForFunction(() => window.location.hash === '#/manage/stations');
  assert.equal(await page.locator('#console-audit, #console-tokens, #console-tab-audit, #console-tab-tokens').count(), 0);
  // The API says the same to the editor's session.
  const audit = await ctx.request.get('/api/v1/audit');
  assert.equal(audit.status(), 403, await audit.text());
  const list = await ctx.request.get('/api/v1/admin/tokens');
  assert.equal(list.status(), 403);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('a planner sees the verification screen only', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.planner.token);
  assert.equal(await page.textContent('#who-name'), '规划 小陈（规划员）');
  assert.deepEqual(await consoleTabs(page), ['verify']);
  await page.waitForSelector('#console-verify[data-state="ready"]');
  assert.equal(await page.locator('#due-table button').count(), 0, 'no 标记已核验 for a planner');
  assert.equal(await page.locator('#console-stations, #console-import, #console-reports, #console-tab-reports').count(), 0);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('CSRF: a write with the session cookie but without X-CSRF-Token is refused', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.editor.token);
  const count = async () => (await api(server.base, 'GET', '/api/v1/stations?status=all&limit=0')).body.numberMatched;
  const before = await count();
  const station = { kind: 'rest_station', name: 'CSRF 测试站', location: { lon: 116.8, lat: 35.55 } };
  const refused = await ctx.request.post('/api/v1/stations', { data: station });
  assert.equal(refused.status(), 403, await refused.text());
  assert.equal((await refused.json()).error.code, 'csrf_failed');
  const wrong = await ctx.request.post('/api/v1/stations', { data: station, headers: { 'X-CSRF-Token': 'not-the-token' } });
  assert.equal(wrong.status(), 403);
  assert.equal(await count(), before, 'nothing was stored');
  // With the session's own CSRF token the same write goes through.
  const s = await (await ctx.request.get('/api/v1/session')).json();
  assert.equal(s.signed_in, true);
  const ok = await ctx.request.post('/api/v1/stations', { data: station, headers: { 'X-CSRF-Token': s.csrf_token } });
  assert.equal(ok.status(), 201, await ok.text());
  const id = (await ok.json()).id;
  assert.equal(await count(), before + 1);
  assert.ok((await api(server.base, 'DELETE', `/api/v1/stations/${id}`, { token: ADMIN })).status < 300);
  assert.deepEqual(problems, []);
  await ctx.close();
});

test('tokens: an editor token made and shown once, signed in with elsewhere, revoked; its next write is refused', async () => {
  const admin = await openPage(browser, server.base);
  await signIn(admin.page, tokens.admin.token, '#/manage/tokens');
  await admin.page.waitForSelector('#console-tokens[data-state="ready"]');
  await admin.page.fill('#token-name', '临时编辑 小赵');
  await admin.page.selectOption('#token-role', 'editor');
  await admin.page.click('#token-create');
  await admin.page.waitForSelector('#token-secret-box:not([hidden])');
  const secret = await admin.page.inputValue('#token-secret');
  assert.match(secret, /^yz_[0-9a-z]+_[0-9A-Za-z]+$/);
  assert.match(await admin.page.textContent('#token-warning'), /只显示这一次/);
  await admin.page.waitForSelector('#token-table tbody tr td:text-is("临时编辑 小赵")');
  await screenshot(admin.page, 'console-tokens');
  const listed = (await api(server.base, 'GET', '/api/v1/admin/tokens', { token: ADMIN })).body.tokens;
  const record = listed.find((x) => x.name === '临时编辑 小赵');
  assert.ok(record, 'the token is stored');
  assert.equal(record.role, 'editor');
  assert.equal(record.revoked_at ?? null, null);
  assert.ok(secret.includes(record.id), 'the secret names its id');
  // Shown once: a fresh look at the screen has no secret.
  await admin.page.click('#console-tab-stations');
  await admin.page.click('#console-tab-tokens');
  await admin.page.waitForSelector('#console-tokens:not([hidden])');
  await admin.page.reload();
  await consoleReady(admin.page);
  await admin.page.waitForSelector('#console-tokens[data-state="ready"]');
  assert.equal(await admin.page.locator('#token-secret').count(), 0, 'the secret is not shown again');

  // The new editor signs in in another browser context and opens a station.
  const ed = await openPage(browser, server.base);
  await signIn(ed.page, secret);
  assert.equal(await ed.page.textContent('#who-name'), '临时编辑 小赵（编辑）');
  await ed.page.waitForSelector('#console-stations[data-state="ready"]');
  await ed.page.click('#st-table tbody tr.st-row >> nth=0');
  await ed.page.waitForSelector('#station-editor-panel:not([hidden])');
  const id = Number(await ed.page.getAttribute('#st-table tbody tr.st-row >> nth=0', 'data-id'));
  const original = (await api(server.base, 'GET', `/api/v1/stations/${id}`)).body.properties.name;

  // The admin revokes it, after confirming in the dialog.
  await admin.page.click(`#revoke-${record.id}`);
  await admin.page.waitForSelector('#confirm-dialog[open]');
  assert.match(await admin.page.textContent('#confirm-dialog'), /临时编辑 小赵/);
  await admin.page.click('#confirm-ok');
  await admin.page.waitForSelector(`#token-table tr[data-id="${record.id}"].revoked`);
  const revoked = (await api(server.base, 'GET', '/api/v1/admin/tokens', { token: ADMIN })).body.tokens.find((x) => x.id === record.id);
  assert.ok(revoked.revoked_at, 'revoked in the store');

  // The editor's next write is refused (401) and the page returns to the sign-in form.
  await ed.page.fill('#ed-name', `${original}（不应保存）`);
  await ed.page.click('#ed-save');
  await ed.page.waitForSelector('#console-signin:not([hidden])');
  assert.match(await ed.page.textContent('#signin-banner'), /重新登录/);
  assert.equal(await ed.page.locator('#console-stations').count(), 0);
  assert.equal((await api(server.base, 'GET', `/api/v1/stations/${id}`)).body.properties.name, original, 'nothing was stored');

  assert.deepEqual(unexpected(ed.problems, [{ status: 401, url: /\/api\/v1\/stations\/\d+$/ }]), []);
  assert.deepEqual(admin.problems, []);
  await ed.ctx.close();
  await admin.ctx.close();
});

test('English', async () => {
  const { ctx, page, problems } = await openPage(browser, server.base);
  await signIn(page, tokens.admin.token);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'en');
  assert.equal(await page.textContent('#tab-manage'), 'Manage');
  assert.deepEqual(
    await page.$$eval('#console-nav .console-tab', (as) => as.map((a) => a.textContent)),
    ['Stations', 'Reports', 'Import', 'Verification', 'Audit', 'Tokens'],
  );
  assert.equal(await page.textContent('#signout'), 'Sign out');
  assert.equal(await page.textContent('#who-name'), '管理员 老李 (admin)');
  await page.waitForSelector('#console-stations[data-state="ready"]');
  assert.equal(await page.textContent('#st-new'), 'New station');
  assert.match(await page.textContent('#st-range'), /^1–50 of [\d,]+$/);
  await page.click('#lang-toggle');
  await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');
  assert.equal(await page.textContent('#st-new'), '新建站点');
  assert.deepEqual(problems, []);
  await ctx.close();
});
