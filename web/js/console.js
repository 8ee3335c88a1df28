// The station keepers' console (#/manage): sign in, then the screens the signed-in role may use —
// editor: 站点 Stations, 反馈 Reports, 导入 Import, 核验 Verification; planner: 核验 (read-only);
// admin: all of them plus 审计 Audit and 令牌 Tokens. A screen the role may not use is never built (its tab and
// its DOM do not exist); the API refuses its calls anyway. Signing out, or a session the server
// refuses (401: expired or revoked), removes every screen and shows the sign-in form again.
//
// Routes: #/manage (the role's first screen), #/manage/stations (#/manage/stations/ID opens that
// station in the editor), #/manage/reports, #/manage/import, #/manage/verify, #/manage/audit,
// #/manage/tokens.

import { clear, h } from './dom.js';
import { applyI18n, t } from './i18n.js';
import { createAudit } from './console-audit.js';
import { createImport } from './console-import.js';
import { createReports } from './console-reports.js';
import { createSignIn, createWho } from './console-session.js';
import { createStations } from './console-stations.js';
import { createTokens } from './console-tokens.js';
import { createVerify } from './console-verify.js';
import * as session from './session.js';

/** The screens, in tab order, with the roles that may use them and how each is built. */
export const SCREENS = [
  { name: 'stations', label: 'console.tab.stations', roles: ['editor'], create: createStations },
  { name: 'reports', label: 'console.tab.reports', roles: ['editor'], create: createReports },
  { name: 'import', label: 'console.tab.import', roles: ['editor'], create: createImport },
  { name: 'verify', label: 'console.tab.verify', roles: ['editor', 'planner'], create: createVerify },
  { name: 'audit', label: 'console.tab.audit', roles: ['admin'], create: createAudit },
  { name: 'tokens', label: 'console.tab.tokens', roles: ['admin'], create: createTokens },
];

/** The screens a role may use (admin includes editor and planner). */
export function screensFor(role) {
  return SCREENS.filter((s) => s.roles.some((r) => session.roleIncludes(role, r))).map((s) => s.name);
}

/** Builds the console in `root`; `districts` is the API's collection (for filters and maps). */
export function createConsole({ root, districts }) {
  const nav = h('nav', { class: 'console-nav', id: 'console-nav', role: 'tablist', 'data-i18n-attr': 'aria-label:console.nav' });
  const who = createWho({ onSignedOut: () => signedOut(false) });
  const signin = createSignIn({ onSignedIn: () => signedIn() });
  const body = h('div', { class: 'console-body', id: 'console-body' }, signin.el);
  const el = h(
    'div',
    { class: 'console', id: 'console', hidden: true, 'data-screen': 'signin' },
    h('header', { class: 'console-head' }, h('h2', { class: 'console-title', 'data-i18n': 'console.heading' }), nav, who.el),
    body,
  );
  root.append(el);

  /** Built screens by name (only those the session's role may use). */
  const built = new Map();
  let active = false;
  let screen = null;
  let wanted = '';

  session.onSessionChange((s) => {
    if (!s.signedIn && built.size) signedOut(s.ended === 'expired');
    else who.render();
  });

  function allowed() {
    const s = session.current();
    return s.signedIn ? screensFor(s.principal?.role) : [];
  }

  function renderNav() {
    clear(nav);
    for (const name of allowed()) {
      const def = SCREENS.find((x) => x.name === name);
      nav.append(
        h(
          'a',
          {
            role: 'tab',
            class: `console-tab${name === screen ? ' active' : ''}`,
            id: `console-tab-${name}`,
            href: `#/manage/${name}`,
            'aria-selected': String(name === screen),
          },
          t(def.label),
        ),
      );
    }
    nav.hidden = !nav.children.length;
  }

  function build(name) {
    if (built.has(name)) return built.get(name);
    const def = SCREENS.find((x) => x.name === name);
    const s = def.create({ districts, session });
    built.set(name, s);
    body.append(s.el);
    applyI18n(s.el);
    return s;
  }

  function destroyAll() {
    for (const s of built.values()) {
      s.destroy?.();
      s.el.remove();
    }
    built.clear();
    screen = null;
  }

  function signedIn() {
    who.render();
    const first = allowed()[0] ?? '';
    const next = allowed().includes(wanted.split('/')[0]) ? wanted : first;
    if (window.location.hash !== `#/manage/${next}`) window.location.hash = `#/manage/${next}`;
    else show(next);
  }

  function signedOut(expired) {
    destroyAll();
    who.render();
    renderNav();
    if (active) {
      showSignIn();
      if (expired) signin.expired();
    }
  }

  function showSignIn() {
    for (const s of built.values()) s.hide();
    screen = null;
    el.dataset.screen = 'signin';
    signin.show();
    renderNav();
  }

  /**
   * Shows screen `name` (or the role's first one; the sign-in form when signed out); `name` may
   * carry an argument for the screen after a slash (`stations/17`).
   */
  function show(route = '') {
    const name = route.split('/')[0];
    const arg = route.slice(name.length + 1) || null;
    active = true;
    el.hidden = false;
    applyI18n(el);
    wanted = route;
    const s = session.current();
    if (!s.known) {
      // The first look at the console: ask the server who is signed in, then show.
      session.ensure().then(() => {
        if (active && wanted === route) show(route);
      });
      return;
    }
    who.render();
    if (!s.signedIn) {
      showSignIn();
      return;
    }
    signin.hide();
    const names = allowed();
    const target = names.includes(name) ? name : names[0];
    if (!target) {
      showSignIn();
      return;
    }
    if (target !== name) {
      window.history.replaceState(null, '', `#/manage/${target}`);
    }
    for (const [n, x] of built) if (n !== target) x.hide();
    screen = target;
    el.dataset.screen = target;
    renderNav();
    build(target).show(target === name ? arg : null);
  }

  return {
    el,
    show,
    hide() {
      active = false;
      el.hidden = true;
      for (const x of built.values()) x.hide();
    },
    relang() {
      applyI18n(el);
      signin.render();
      who.render();
      renderNav();
      for (const x of built.values()) x.relang?.();
    },
    get screens() {
      return built;
    },
  };
}
