// Shared helpers of the browser tests: build and start a real `yizhan serve` on a free loopback
// port over a fresh data directory (the demo data set loads into it), drive Debian's chromium with
// playwright-core, collect every console error, failed request and error response, and keep
// screenshots under target/browser-artifacts/.

import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'target', 'browser-artifacts');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The `yizhan` binary: `$YIZHAN_BIN`, or `target/debug/yizhan` after `cargo build -p yizhan-server`. */
export function yizhanBinary() {
  if (process.env.YIZHAN_BIN) return process.env.YIZHAN_BIN;
  execFileSync('cargo', ['build', '-p', 'yizhan-server', '--locked', '--quiet'], { cwd: ROOT, stdio: 'inherit' });
  return path.join(ROOT, 'target', 'debug', 'yizhan');
}

/**
 * Starts `yizhan serve` on 127.0.0.1 with a port the system picks, over a fresh temporary data
 * directory, with `extraArgs`. Resolves once it listens: `{ base, stop() }`.
 */
export async function startServer(bin, extraArgs = []) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'yizhan-browser-'));
  const child = spawn(bin, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dataDir, ...extraArgs], {
    env: { ...process.env, NO_COLOR: '1', YIZHAN_LOG: 'info,sqlx=warn,tower_http=warn' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in 60 s:\n${log}`)), 60000);
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk) => {
      log += chunk;
      // eslint-disable-next-line no-control-regex
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log.replace(/\x1b\[[0-9;]*m/g, ''));
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    base,
    log: () => log,
    async stop() {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Headless chromium, sandbox off (containers), no background traffic. */
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh context and page on `base`: `options` go to `browser.newContext` (viewport, geolocation,
 * userAgent…). `problems` collects console errors, uncaught exceptions, failed requests and
 * answers of status ≥ 400.
 */
export async function openPage(browser, base, options = {}) {
  const ctx = await browser.newContext({
    baseURL: base,
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
    viewport: { width: 1280, height: 800 },
    ...options,
  });
  const page = await ctx.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`uncaught: ${e.message}`));
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    // A search replaced by a newer one is aborted on purpose; so is a vector tile the map no
    // longer needs after a move.
    if (why.includes('ERR_ABORTED') && (r.url().includes('/api/v1/') || r.url().includes('/tiles/'))) return;
    problems.push(`request failed: ${r.url()} ${why}`);
  });
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { ctx, page, problems };
}

/** Waits until the app has started and the map has loaded. */
export async function appReady(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.waitForSelector('#map[data-map-ready="true"]', { timeout: 30000 });
}

/** Waits until the rider view has answered at least `n` searches and shows the answer. */
export async function riderAnswered(page, n) {
  await page.waitForFunction(
    (want) => {
      const el = document.querySelector('#rider');
      return el && Number(el.dataset.seq) >= want && ['ready', 'empty'].includes(el.dataset.state);
    },
    n,
    { timeout: 30000 },
  );
}

/** The rider list as shown: one `{ id, name, kind, dist, eta, open }` per row, in order. */
export function riderList(page) {
  return page.$$eval('#results > li', (rows) =>
    rows.map((li) => ({
      id: Number(li.dataset.id),
      kind: li.dataset.kind,
      name: li.querySelector('.result-name').textContent,
      dist: li.querySelector('.dist').textContent,
      eta: li.querySelector('.eta').textContent,
      open: li.querySelector('.open').textContent,
    })),
  );
}

/** Saves a screenshot of `page` as target/browser-artifacts/NAME.png. */
export async function screenshot(page, name) {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** GET `base + pathAndQuery` as JSON (throws on a non-2xx answer). */
export async function getJSON(base, pathAndQuery) {
  const resp = await fetch(base + pathAndQuery);
  const body = await resp.json();
  if (!resp.ok) throw new Error(`${pathAndQuery}: HTTP ${resp.status} ${JSON.stringify(body)}`);
  return body;
}

// --- the keepers' console -------------------------------------------------------------------------

/**
 * A call to the API from node: `method`, `pathAndQuery`, with `token` as Bearer, `body` as JSON or
 * `raw` bytes with `contentType`. Answers `{ status, body }` (body parsed when JSON, else null).
 */
export async function api(base, method, pathAndQuery, { token, body, raw, contentType } = {}) {
  const headers = {};
  if (token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (raw !== undefined) {
    payload = raw;
    if (contentType) headers['Content-Type'] = contentType;
  } else if (body !== undefined) {
    payload = JSON.stringify(body);
    headers['Content-Type'] = 'application/json';
  }
  const resp = await fetch(base + pathAndQuery, { method, headers, body: payload });
  const text = await resp.text();
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { status: resp.status, body: parsed };
}

/** Creates an API token `name` with `role` as the admin `adminToken`: `{ token, record }`. */
export async function createToken(base, adminToken, name, role) {
  const r = await api(base, 'POST', '/api/v1/admin/tokens', { token: adminToken, body: { name, role } });
  if (r.status !== 201 && r.status !== 200) throw new Error(`token ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Today's date (YYYY-MM-DD) on the wall clock of `timeZone`. */
export function todayIn(timeZone = 'Asia/Shanghai') {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
}

/** Waits until the app has started on the console (#/manage…), the map not needed. */
export async function consoleReady(page) {
  await page.waitForSelector('body[data-ready="true"]', { timeout: 30000 });
  await page.waitForSelector('#console:not([hidden])', { timeout: 30000 });
}

/** Opens the console and signs in with `token` through the form; resolves once who is signed in shows. */
export async function signIn(page, token, hash = '#/manage') {
  await page.goto(`/${hash}`);
  await consoleReady(page);
  await page.waitForSelector('#signin-token');
  await page.fill('#signin-token', token);
  await page.click('#signin-submit');
  await page.waitForSelector('#console-who:not([hidden])', { timeout: 30000 });
}

/**
 * `problems` less those `expected`: each `{ status, url }` (a RegExp) removes the matching
 * `HTTP status: url` lines and the browser's console line about a resource answered with that
 * status.
 */
export function unexpected(problems, expected = []) {
  const statuses = new Set();
  const left = problems.filter((p) => {
    const m = /^HTTP (\d+): (.*)$/.exec(p);
    if (!m) return true;
    const hit = expected.find((e) => e.status === Number(m[1]) && e.url.test(m[2]));
    if (hit) statuses.add(hit.status);
    return !hit;
  });
  return left.filter((p) => {
    const m = /^console error: Failed to load resource: the server responded with a status of (\d+)/.exec(p);
    return !(m && statuses.has(Number(m[1])));
  });
}
