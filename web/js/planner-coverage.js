// The coverage part of the planner view: parameters (thresholds, travel mode, station kinds, H3
// resolution), "分析覆盖 / Analyse", then the grid on the map with a legend, an opacity control and
// the demand shading, the summary and per-street tables, the gap list (tap: fly there, outline its
// cells), and the exports of the cells.

import { KINDS, MODES } from './catalog.js';
import { clear, h } from './dom.js';
import { fmtArea, fmtDemand, fmtDuration, fmtNumber, fmtPercent, kindLabel, t } from './i18n.js';
import * as papi from './planner-api.js';
import { cellsCsv, cellsGeoJSON, download } from './planner-export.js';
import { cellsBBox, classCounts, coverageClasses } from './planner-model.js';

/** The thresholds offered, minutes. */
export const THRESHOLDS = [10, 15];
/** H3 resolutions offered (the API accepts 7..=11); finer ones are slow on a whole district. */
export const RESOLUTIONS = [7, 8, 9, 10];
/** The resolution chosen at first. */
export const DEFAULT_RESOLUTION = 8;

/** Appends `kids` to `el`, skipping null, undefined and false (Element.append would write "null"). */
function put(el, ...kids) {
  el.append(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
}

/** A labelled pressed/unpressed button. */
function toggle(attrs, pressed, ...label) {
  return h('button', { type: 'button', class: 'chip', 'aria-pressed': String(pressed), ...attrs }, ...label);
}

/** The legend label of a coverage class. */
export function classLabel(c, l) {
  if (c.code === 'unreachable') return t('coverage.class.unreachable', {}, l);
  if (c.code === 'beyond') return t('coverage.class.beyond', { m: fmtNumber(c.minutes, 0, l) }, l);
  return t('coverage.class.within', { m: fmtNumber(c.minutes, 0, l) }, l);
}

/** What the demand of an analysis is: the demo layer, uniform by area, or a dataset's name. */
export function demandLabel(source, l) {
  if (source === 'uniform') return t('demand.uniform', {}, l);
  if (source.startsWith('demo')) return t('demand.demo', {}, l);
  return t('demand.dataset', { name: source }, l);
}

/**
 * Builds the coverage section. `layers`: PlannerLayers; `district()`: the chosen district name;
 * `onResult(analysis)` after every answer (null when cleared).
 */
export function createCoverage({ layers, district, onResult }) {
  const state = {
    minutes: [...THRESHOLDS],
    mode: 'ebike',
    kinds: ['rest_station'],
    resolution: DEFAULT_RESOLUTION,
    status: 'idle',
    error: null,
    result: null,
    request: null,
    seq: 0,
    opacity: 0.65,
    demand: false,
    gap: null,
  };
  let inflight = null;

  const form = h('div', { class: 'form' });
  const runButton = h('button', { type: 'button', class: 'button', id: 'coverage-run', onclick: () => run() });
  const status = h('div', { class: 'status', id: 'coverage-status', 'aria-live': 'polite' });
  const results = h('div', { class: 'coverage-results', id: 'coverage-results' });
  const el = h(
    'section',
    { class: 'planner-section', id: 'coverage', 'data-state': 'idle', 'data-seq': '0' },
    h('h3', { class: 'section-title', 'data-i18n': 'coverage.heading' }),
    form,
    runButton,
    status,
    results,
  );

  /** The parameters as the API takes them. */
  function params() {
    return { district: district(), minutes: [...state.minutes], mode: state.mode, kinds: [...state.kinds], resolution: state.resolution };
  }

  function renderForm() {
    clear(form);
    put(form, 
      h('span', { class: 'field-label' }, t('coverage.minutes')),
      h(
        'div',
        { class: 'chips', role: 'group', 'data-field': 'minutes' },
        ...THRESHOLDS.map((m) =>
          toggle(
            {
              'data-minutes': m,
              onclick: () => {
                const on = state.minutes.includes(m);
                if (on && state.minutes.length === 1) return;
                state.minutes = on ? state.minutes.filter((x) => x !== m) : [...state.minutes, m].sort((a, b) => a - b);
                renderForm();
              },
            },
            state.minutes.includes(m),
            t('coverage.minutes.value', { m: fmtNumber(m) }),
          ),
        ),
      ),
      h('span', { class: 'field-label' }, t('filter.mode')),
      h(
        'div',
        { class: 'segmented', role: 'group', 'data-field': 'mode' },
        ...MODES.map((m) =>
          h(
            'button',
            {
              type: 'button',
              class: 'seg',
              'data-mode': m.code,
              'aria-pressed': String(state.mode === m.code),
              onclick: () => {
                state.mode = m.code;
                renderForm();
              },
            },
            t(`mode.${m.code}`),
          ),
        ),
      ),
      h('span', { class: 'field-label' }, t('filter.kind')),
      h(
        'div',
        { class: 'chips', role: 'group', 'data-field': 'kinds' },
        ...KINDS.map((k) =>
          toggle(
            {
              'data-kind': k.code,
              onclick: () => {
                const on = state.kinds.includes(k.code);
                state.kinds = on ? state.kinds.filter((x) => x !== k.code) : KINDS.map((x) => x.code).filter((c) => c === k.code || state.kinds.includes(c));
                renderForm();
              },
            },
            state.kinds.includes(k.code),
            h('span', { class: 'kind-dot', style: `--c:${k.color}` }),
            kindLabel(k.code),
          ),
        ),
      ),
      h('p', { class: 'hint' }, state.kinds.length ? '' : t('coverage.kinds.all')),
      h('label', { class: 'field-label', for: 'coverage-resolution' }, t('coverage.resolution')),
      h(
        'select',
        {
          id: 'coverage-resolution',
          class: 'select',
          onchange: (e) => {
            state.resolution = Number(e.target.value);
          },
        },
        ...RESOLUTIONS.map((r) => h('option', { value: r, selected: r === state.resolution }, t(`coverage.resolution.${r}`))),
      ),
    );
    runButton.textContent = t('coverage.run');
  }

  async function run() {
    const name = district();
    if (!name) return;
    inflight?.abort();
    const ctrl = new AbortController();
    inflight = ctrl;
    state.request = papi.coverageBody(params());
    state.status = 'loading';
    render();
    try {
      const result = await papi.coverage(state.request, { signal: ctrl.signal });
      if (inflight !== ctrl) return;
      state.result = result;
      state.status = 'ready';
      state.gap = null;
      state.seq += 1;
      layers.setCells(result.cells, result.minutes ?? state.request.minutes);
      onResult?.(result);
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.status = 'error';
      state.error = e.status === 0 ? t('error.network') : e.message;
    }
    render();
  }

  /** Forgets the analysis (another district was chosen). */
  function reset() {
    inflight?.abort();
    inflight = null;
    state.result = null;
    state.status = 'idle';
    state.gap = null;
    layers.setCells(null);
    onResult?.(null);
    render();
  }

  function selectGap(gap) {
    state.gap = state.gap === gap.rank ? null : gap.rank;
    layers.highlight(state.gap === null ? [] : gap.cells);
    if (state.gap !== null) {
      const b = cellsBBox(state.result.cells, gap.cells);
      if (b) layers.fitBBox(b);
      else layers.flyTo(gap.centroid);
    }
    renderResults();
  }

  function renderResults() {
    clear(results);
    const r = state.result;
    if (!r) return;
    const minutes = r.minutes ?? state.request.minutes;
    const classes = coverageClasses(minutes);
    const counts = classCounts(r.cells);
    const s = r.summary;

    put(results, 
      h('p', { class: 'meta', id: 'coverage-meta' },
        t('coverage.meta', {
          cells: fmtNumber(s.cells),
          area: fmtArea(s.area_km2),
          res: fmtNumber(r.resolution),
          method: t(`method.${r.method}`),
        }),
        r.demand?.source ? ` · ${demandLabel(r.demand.source)}` : '',
      ),
      // Legend with the number of cells in each class.
      h(
        'ul',
        { class: 'legend', id: 'coverage-legend' },
        ...classes.map((c) =>
          h('li', { 'data-class': c.code }, h('span', { class: 'swatch', style: `--c:${c.color}` }), h('span', { class: 'legend-label' }, classLabel(c)), h('span', { class: 'legend-count' }, fmtNumber(counts[c.code] ?? 0))),
        ),
      ),
      h(
        'div',
        { class: 'layer-controls' },
        h(
          'label',
          { class: 'inline' },
          h('span', {}, t('coverage.opacity')),
          h('input', {
            type: 'range',
            id: 'coverage-opacity',
            min: 0,
            max: 1,
            step: 0.05,
            value: state.opacity,
            oninput: (e) => {
              state.opacity = Number(e.target.value);
              layers.setOpacity(state.opacity);
            },
          }),
        ),
        h(
          'label',
          { class: 'inline' },
          h('input', {
            type: 'checkbox',
            id: 'coverage-demand',
            checked: state.demand,
            onchange: (e) => {
              state.demand = e.target.checked;
              layers.showDemand(state.demand);
              renderResults();
            },
          }),
          h('span', {}, t('coverage.demand_layer')),
        ),
      ),
      state.demand ? h('div', { class: 'demand-scale' }, h('span', {}, '0'), h('span', { class: 'demand-ramp' }), h('span', {}, fmtDemand(Math.max(0, ...r.cells.features.map((f) => Number(f.properties.demand) || 0))))) : null,
      // Summary: cumulative shares within each threshold.
      h('h4', { class: 'sub-title' }, t('coverage.summary')),
      h(
        'table',
        { class: 'data', id: 'coverage-summary' },
        h('thead', {}, h('tr', {}, h('th', {}, t('coverage.col.within')), h('th', {}, t('coverage.col.cells')), h('th', {}, t('coverage.col.area')), h('th', {}, t('coverage.col.demand')))),
        h(
          'tbody',
          {},
          ...s.thresholds.map((x) =>
            h(
              'tr',
              { 'data-minutes': x.minutes },
              h('th', { scope: 'row' }, t('coverage.class.within', { m: fmtNumber(x.minutes) })),
              h('td', { 'data-col': 'cells' }, fmtNumber(x.cells)),
              h('td', { 'data-col': 'area_share' }, fmtPercent(x.area_share)),
              h('td', { 'data-col': 'demand_share' }, fmtPercent(x.demand_share)),
            ),
          ),
          h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('coverage.total')), h('td', { 'data-col': 'cells' }, fmtNumber(s.cells)), h('td', { 'data-col': 'area' }, fmtArea(s.area_km2)), h('td', { 'data-col': 'demand' }, fmtDemand(s.demand_total))),
        ),
      ),
    );

    // Per street: the demand share within each threshold.
    if (r.streets?.length) {
      put(results, 
        h(
          'details',
          { class: 'streets' },
          h('summary', {}, t('coverage.streets', { n: fmtNumber(r.streets.length) })),
          h(
            'table',
            { class: 'data', id: 'coverage-streets' },
            h('thead', {}, h('tr', {}, h('th', {}, t('coverage.col.street')), ...minutes.map((m) => h('th', {}, t('coverage.col.demand_within', { m: fmtNumber(m) }))))),
            h(
              'tbody',
              {},
              ...r.streets.map((st) =>
                h(
                  'tr',
                  { 'data-street': st.name },
                  h('th', { scope: 'row' }, st.name),
                  ...minutes.map((m) => {
                    const x = st.summary.thresholds.find((y) => Number(y.minutes) === Number(m));
                    return h('td', {}, x ? fmtPercent(x.demand_share) : '–');
                  }),
                ),
              ),
            ),
          ),
        ),
      );
    }

    // Gaps, by demand.
    put(results, h('h4', { class: 'sub-title' }, t('coverage.gaps', { n: fmtNumber(r.gaps.length) })));
    if (!r.gaps.length) put(results, h('p', { class: 'hint' }, t('coverage.gaps.none')));
    else
      put(results, 
        h(
          'ol',
          { class: 'gaps', id: 'coverage-gaps' },
          ...r.gaps.slice(0, 30).map((g) =>
            h(
              'li',
              {},
              h(
                'button',
                { type: 'button', class: 'gap', 'data-rank': g.rank, 'aria-pressed': String(state.gap === g.rank), onclick: () => selectGap(g) },
                h('span', { class: 'gap-rank' }, `#${g.rank}`),
                h('span', { class: 'gap-text' }, t('coverage.gap', { demand: fmtDemand(g.demand), area: fmtArea(g.area_km2), cells: fmtNumber(g.cells.length) })),
              ),
            ),
          ),
        ),
      );

    const stem = `coverage-${r.area?.name ?? state.request.district}-r${r.resolution}`;
    put(results, 
      h(
        'div',
        { class: 'exports' },
        h('span', { class: 'field-label' }, t('export.heading')),
        h('button', { type: 'button', class: 'button secondary', id: 'export-cells-geojson', onclick: () => download(`${stem}.geojson`, cellsGeoJSON(r.cells), 'application/geo+json') }, t('export.cells_geojson')),
        h('button', { type: 'button', class: 'button secondary', id: 'export-cells-csv', onclick: () => download(`${stem}.csv`, cellsCsv(r.cells), 'text/csv') }, t('export.cells_csv')),
      ),
    );
  }

  function render() {
    el.dataset.state = state.status;
    el.dataset.seq = String(state.seq);
    renderForm();
    runButton.disabled = !district() || state.status === 'loading';
    clear(status);
    if (state.status === 'loading') status.append(h('p', { class: 'busy' }, t('coverage.loading')));
    if (state.status === 'error') status.append(h('p', { class: 'error' }, t('coverage.error', { message: state.error })));
    results.classList.toggle('stale', state.status === 'loading');
    renderResults();
  }

  /** The popup content of a tapped cell (its properties as the map gives them back). */
  function cellInfo(p) {
    const minutes = state.result?.minutes ?? state.minutes;
    const cls = coverageClasses(minutes).find((c) => c.code === p.class);
    const tt = p.travel_time_s === null || p.travel_time_s === undefined || p.travel_time_s === 'null' ? null : Number(p.travel_time_s);
    return h(
      'div',
      { class: 'cell-info', 'data-h3': p.h3 },
      h('p', { class: 'cell-class' }, h('span', { class: 'swatch', style: `--c:${cls?.color ?? '#888'}` }), cls ? classLabel(cls) : p.class),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, t('cell.travel_time')),
        h('dd', {}, tt === null ? t('coverage.class.unreachable') : fmtDuration(tt)),
        h('dt', {}, t('coverage.col.demand')),
        h('dd', {}, fmtDemand(Number(p.demand) || 0)),
        p.street ? [h('dt', {}, t('coverage.col.street')), h('dd', {}, p.street)] : null,
        h('dt', {}, 'H3'),
        h('dd', { class: 'coord' }, p.h3),
      ),
    );
  }

  render();
  return { el, state, params, run, reset, render, cellInfo };
}
