// The planner view: pick a district (its boundary and the active stations registered in it), then
// the coverage analysis (planner-coverage.js), placement runs (planner-plan.js) and scenarios
// (planner-scenarios.js), drawing on the map through map-layers.js.

import * as api from './api.js';
import { KINDS } from './catalog.js';
import { clear, h } from './dom.js';
import { fmtNumber, kindLabel, t } from './i18n.js';
import { PlannerLayers } from './map-layers.js';
import { reportUrl } from './planner-api.js';
import { createCoverage } from './planner-coverage.js';
import { createPlan } from './planner-plan.js';
import { createScenarios } from './planner-scenarios.js';

/** The district chosen when the view first opens (where the demo data lies). */
const DEFAULT_DISTRICT = '兖州区';

/** At most this many of a district's stations are drawn. */
const MAP_LIMIT = 5000;

/** Stations as map dots: only the geometry and the kind. */
function dots(fc) {
  return {
    type: 'FeatureCollection',
    features: fc.features.map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { kind: f.properties.kind } })),
  };
}

/** Builds the planner view in `root`, drawing on `map` (a MapView); `districts` is the API's collection. */
export function createPlanner({ root, map, districts }) {
  const state = { district: null, counts: null, status: 'idle', error: null, seq: 0 };
  let inflight = null;
  let active = false;

  const select = h('select', { id: 'district-select', class: 'select' });
  select.addEventListener('change', () => choose(select.value, { fit: true }));
  const label = h('label', { for: 'district-select', class: 'field-label', 'data-i18n': 'planner.district' });
  const info = h('div', { class: 'district-info' });
  const layers = new PlannerLayers(map);
  const coverage = createCoverage({
    layers,
    district: () => state.district,
    onResult: (r) => {
      plan.el.hidden = !r;
      scenarios.el.hidden = !r;
      if (r && !scenarios.state.list.length) scenarios.refresh();
    },
  });
  const plan = createPlan({ layers, coverageParams: () => coverage.params(), onDone: () => scenarios.render() });
  const scenarios = createScenarios({ plan: () => plan.state, coverageParams: () => coverage.params() });
  plan.el.hidden = true;
  scenarios.el.hidden = true;
  map.onTap((at) => {
    if (!active || plan.tap(at)) return;
    const cell = layers.cellAt(at);
    layers.popup(cell ? at : null, cell ? coverage.cellInfo(cell) : null);
  });
  const body = h(
    'div',
    { class: 'planner', id: 'planner', hidden: true, 'data-state': 'idle' },
    h('h2', { class: 'panel-title', 'data-i18n': 'planner.heading' }),
    label,
    select,
    info,
    coverage.el,
    plan.el,
    scenarios.el,
  );
  root.append(body);

  async function choose(name, { fit }) {
    if ((name || null) !== state.district) {
      state.district = name || null;
      coverage.reset();
      plan.reset();
    }
    map.selectDistrict(state.district, { fit });
    if (state.district) {
      const u = new URL(window.location.href);
      u.searchParams.set('district', state.district);
      window.history.replaceState(null, '', u);
    }
    inflight?.abort();
    state.counts = null;
    if (!state.district) {
      state.status = 'idle';
      render();
      return;
    }
    const ctrl = new AbortController();
    inflight = ctrl;
    state.status = 'loading';
    render();
    try {
      const [counts, stations] = await Promise.all([
        Promise.all(
          KINDS.map((k) => api.stationCount({ district: state.district, kind: k.code, status: 'active' }, { signal: ctrl.signal })),
        ),
        api.stations({ district: state.district, status: 'active', limit: String(MAP_LIMIT) }, { signal: ctrl.signal }),
      ]);
      if (inflight !== ctrl) return;
      if (active) map.setStations(dots(stations));
      state.counts = Object.fromEntries(KINDS.map((k, i) => [k.code, counts[i]]));
      state.status = 'ready';
      state.seq += 1;
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.status = 'error';
      state.error = e.status === 0 ? t('error.network') : e.message;
    }
    render();
  }

  function render() {
    body.dataset.state = state.status;
    body.dataset.seq = String(state.seq);
    clear(select);
    select.append(h('option', { value: '' }, t('planner.district.placeholder')));
    for (const f of districts.features) {
      const p = f.properties;
      select.append(h('option', { value: p.name, selected: p.name === state.district }, p.name));
    }
    select.value = state.district ?? '';
    clear(info);
    const f = districts.features.find((x) => x.properties.name === state.district);
    if (!f) return;
    const p = f.properties;
    info.append(
      h('h3', { class: 'district-name' }, p.name),
      h('p', { class: 'district-where' }, `${t('planner.city')} ${[p.province, p.city].filter(Boolean).join(' · ')}`),
    );
    const report = h(
      'a',
      {
        class: 'button secondary report-download',
        id: 'report-download',
        href: reportUrl(p.name, coverage.params()),
        download: `${p.name}-report.pdf`,
        title: t('planner.report.hint'),
      },
      t('planner.report'),
    );
    // The coverage panel's mode and resolution may have changed since this was drawn.
    report.addEventListener('click', () => {
      report.href = reportUrl(p.name, coverage.params());
    });
    info.append(report);
    if (state.status === 'loading') info.append(h('p', { class: 'busy' }, t('planner.loading')));
    if (state.status === 'error') info.append(h('p', { class: 'error' }, t('planner.error', { message: state.error })));
    if (state.status === 'ready') {
      const total = Object.values(state.counts).reduce((a, b) => a + b, 0);
      info.append(
        h(
          'details',
          { class: 'station-counts' },
          h('summary', {}, t('planner.stations.summary', { n: fmtNumber(total) })),
          h('p', { class: 'field-label' }, t('planner.stations')),
          h(
          'table',
          { class: 'counts' },
          h(
            'tbody',
            {},
            ...KINDS.map((k) =>
              h(
                'tr',
                { 'data-kind': k.code },
                h('th', { scope: 'row' }, h('span', { class: 'kind-name' }, h('span', { class: 'kind-dot', style: `--c:${k.color}` }), kindLabel(k.code))),
                h('td', {}, fmtNumber(state.counts[k.code])),
              ),
            ),
            h('tr', { class: 'total', 'data-kind': 'all' }, h('th', { scope: 'row' }, t('planner.stations.total')), h('td', {}, fmtNumber(total))),
          ),
          ),
        ),
      );
    }
  }

  const wanted = new URLSearchParams(window.location.search).get('district');
  const first = districts.features.some((f) => f.properties.name === wanted) ? wanted : DEFAULT_DISTRICT;
  let opened = false;
  render();

  function relang() {
    render();
    coverage.render();
    plan.render();
    scenarios.render();
  }

  return {
    show() {
      active = true;
      body.hidden = false;
      layers.setVisible(true);
      if (!opened) {
        opened = true;
        choose(districts.features.some((f) => f.properties.name === first) ? first : '', { fit: true });
      } else {
        // Back from the rider view: draw this district's stations again.
        choose(state.district ?? '', { fit: true });
      }
    },
    hide() {
      active = false;
      body.hidden = true;
      layers.setVisible(false);
      plan.state.adding = false;
      document.body.classList.remove('adding-candidate');
    },
    rerender: render,
    relang,
    coverage,
    plan,
    scenarios,
    layers,
    get active() {
      return active;
    },
    state,
  };
}
