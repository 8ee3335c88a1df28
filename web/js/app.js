// The app shell: language, the session, the map, the panel (a side panel on wide screens, a
// bottom sheet on phones), and the three views — rider (#/rider, the default), planner
// (#/planner) and the station keepers' console (#/manage…, console.js), which replaces the map
// and panel with its own screens.

import * as api from './api.js';
import { createConsole } from './console.js';
import { applyI18n, initLang, lang, onLangChange, setLang, t } from './i18n.js';
import { MapView } from './map.js';
import { createPlanner } from './planner.js';
import { createRider } from './rider.js';
import * as session from './session.js';

/** Narrower than this, the panel is a bottom sheet, pixels. */
const PHONE_MAX_WIDTH = 767;

/**
 * The bottom sheet on phones: `peek` (a handle and a line), `half`, or `full`; drag the handle or
 * tap it to switch. On wide screens it is a side panel and these calls change nothing visible.
 */
function createSheet(panel, handle, stage, map) {
  const heights = () => {
    const h = stage.clientHeight;
    return { peek: 96, half: Math.round(h * 0.46), full: Math.round(h * 0.9) };
  };
  let current = 'half';
  const isPhone = () => window.innerWidth <= PHONE_MAX_WIDTH;

  function apply(px) {
    stage.style.setProperty('--sheet-h', `${px}px`);
    updatePadding(px);
  }

  function updatePadding(px) {
    if (isPhone()) map.setPadding({ top: 56, right: 24, bottom: px + 24, left: 24 });
    else map.setPadding({ top: 48, right: 64, bottom: 48, left: panel.offsetWidth + 48 });
  }

  /** Shows the sheet at `state`; a result arriving (`half`) does not shrink a fully open sheet unless `force`. */
  function open(state, { force = false } = {}) {
    if (state === 'half' && current === 'full' && !force) return;
    current = state;
    panel.dataset.sheet = state;
    stage.dataset.sheet = state;
    apply(heights()[state]);
  }

  handle.addEventListener('click', () => {
    if (dragged) return;
    open(current === 'full' ? 'peek' : current === 'half' ? 'full' : 'half');
  });

  let startY = 0;
  let startH = 0;
  let dragging = false;
  let dragged = false;
  handle.addEventListener('pointerdown', (e) => {
    if (!isPhone()) return;
    dragging = true;
    dragged = false;
    startY = e.clientY;
    startH = panel.getBoundingClientRect().height;
    handle.setPointerCapture(e.pointerId);
    panel.classList.add('dragging');
  });
  handle.addEventListener('pointermove', (e) => {
    if (!dragging) return;
    const dy = startY - e.clientY;
    if (Math.abs(dy) > 6) dragged = true;
    const hs = heights();
    apply(Math.max(hs.peek, Math.min(hs.full, startH + dy)));
  });
  const end = () => {
    if (!dragging) return;
    dragging = false;
    panel.classList.remove('dragging');
    if (!dragged) return;
    const h = panel.getBoundingClientRect().height;
    const hs = heights();
    const nearest = Object.entries(hs).sort((a, b) => Math.abs(a[1] - h) - Math.abs(b[1] - h))[0][0];
    open(nearest);
    window.setTimeout(() => {
      dragged = false;
    }, 0);
  };
  handle.addEventListener('pointerup', end);
  handle.addEventListener('pointercancel', end);
  window.addEventListener('resize', () => apply(heights()[current]));
  open('half');
  return { open };
}

async function main() {
  initLang();
  const stage = document.getElementById('stage');
  const panel = document.getElementById('panel');
  const config = await api.uiConfig();
  const map = new MapView(document.getElementById('map'), { styleUrl: config.map_style_url });
  const sheet = createSheet(panel, document.getElementById('sheet-handle'), stage, map);

  const views = document.getElementById('views');
  const rider = createRider({ root: views, map, fab: document.getElementById('locate'), sheet });
  let districts = { type: 'FeatureCollection', features: [] };
  try {
    districts = await api.districts();
  } catch (e) {
    console.warn('districts:', e.message);
  }
  map.setDistricts(districts);
  const planner = createPlanner({ root: views, map, districts });
  const keepers = createConsole({ root: document.getElementById('console-root'), districts });

  const tabs = {
    rider: document.getElementById('tab-rider'),
    planner: document.getElementById('tab-planner'),
    manage: document.getElementById('tab-manage'),
  };
  let firstRoute = true;
  let lastView = null;
  function route() {
    const hash = window.location.hash;
    const view = hash === '#/planner' ? 'planner' : hash === '#/manage' || hash.startsWith('#/manage/') ? 'manage' : 'rider';
    document.body.dataset.view = view;
    for (const [name, tab] of Object.entries(tabs)) {
      tab.setAttribute('aria-selected', String(name === view));
      tab.classList.toggle('active', name === view);
    }
    if (view === 'manage') {
      rider.hide();
      planner.hide();
      keepers.show(hash.slice('#/manage/'.length));
      lastView = view;
      firstRoute = false;
      return;
    }
    keepers.hide();
    // The map was hidden behind the console: it takes its size again.
    if (lastView === 'manage') map.map?.resize();
    lastView = view;
    sheet.open('half', { force: true });
    if (view === 'planner') {
      rider.hide();
      planner.show();
      // Saving a scenario needs a session: read it once the planner is opened (riders never ask).
      session.ensure();
    } else {
      planner.hide();
      map.selectDistrict(null);
      rider.show();
      const whole = districts.features.map((f) => f.properties.bbox);
      if (firstRoute && whole.length && !rider.state.origin) {
        map.fitBBox(
          [Math.min(...whole.map((b) => b[0])), Math.min(...whole.map((b) => b[1])), Math.max(...whole.map((b) => b[2])), Math.max(...whole.map((b) => b[3]))],
          { animate: false },
        );
      }
    }
    firstRoute = false;
  }
  window.addEventListener('hashchange', route);
  route();

  const toggle = document.getElementById('lang-toggle');
  toggle.addEventListener('click', () => setLang(lang() === 'zh' ? 'en' : 'zh'));
  onLangChange(() => {
    rider.relang();
    planner.relang();
    keepers.relang();
    map.relabel();
    applyI18n(document);
  });
  applyI18n(document);
  document.body.dataset.ready = 'true';
  // For tests and debugging in the console.
  window.yizhan = { map, rider, planner, console: keepers, t };
}

main().catch((e) => {
  console.error('Yizhan failed to start:', e);
  document.body.dataset.ready = 'failed';
});
