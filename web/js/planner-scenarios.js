// Scenarios in the planner view: save the finished plan's sites as a named scenario (a write: it
// needs a planner's or admin's session, signed in on the 管理 · Manage tab), and compare two
// scenarios (or one with the baseline) side by side: the share of area and demand within each
// threshold.

import { roleLabel } from './console-ui.js';
import { clear, h } from './dom.js';
import { fmtArea, fmtNumber, fmtPercent, fmtPoints, t } from './i18n.js';
import * as papi from './planner-api.js';
import * as session from './session.js';

/** Appends `kids` to `el`, skipping null, undefined and false (Element.append would write "null"). */
function put(el, ...kids) {
  el.append(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
}

/** The scenarios of a `GET /api/v1/scenarios` answer, whichever way the list is wrapped. */
export function scenarioList(body) {
  const list = Array.isArray(body) ? body : (body?.scenarios ?? body?.items ?? body?.features ?? []);
  return list.map((s) => (typeof s === 'string' ? { name: s } : { ...s, name: s.name ?? s.properties?.name }));
}

/**
 * Builds the scenario section. `plan()`: the plan section's state (its finished job and result);
 * `coverageParams()`: district, thresholds and mode to compare in.
 */
export function createScenarios({ plan, coverageParams }) {
  const state = {
    name: '',
    list: [],
    a: '',
    b: '',
    saveStatus: 'idle',
    saveError: null,
    saved: null,
    compareStatus: 'idle',
    compareError: null,
    comparison: null,
    seq: 0,
  };

  const body = h('div', {});
  const el = h(
    'section',
    { class: 'planner-section', id: 'scenarios', 'data-state': 'idle', 'data-seq': '0' },
    h('h3', { class: 'section-title', 'data-i18n': 'scenario.heading' }),
    body,
  );

  async function refresh() {
    try {
      state.list = scenarioList(await papi.scenarios());
    } catch (e) {
      state.list = [];
      state.compareError = e.message;
    }
    render();
  }

  async function save() {
    const job = plan().job;
    if (!job?.id || plan().status !== 'done' || !state.name.trim()) return;
    state.saveStatus = 'saving';
    render();
    try {
      state.saved = await papi.saveScenario(state.name.trim(), job.id);
      state.saveStatus = 'saved';
      await refresh();
    } catch (e) {
      state.saveStatus = 'error';
      state.saveError =
        e.status === 401
          ? t('scenario.session_refused', { message: e.message })
          : e.status === 403
            ? t('scenario.role_refused', { message: e.message })
            : e.message;
    }
    render();
  }

  async function compare() {
    const p = coverageParams();
    state.compareStatus = 'loading';
    render();
    try {
      state.comparison = await papi.compareScenarios({ a: state.a, b: state.b, district: p.district, minutes: p.minutes, mode: p.mode, resolution: p.resolution });
      state.compareStatus = 'ready';
      state.seq += 1;
    } catch (e) {
      state.compareStatus = 'error';
      state.compareError = e.status === 0 ? t('error.network') : e.message;
    }
    render();
  }

  function pickSelect(id, value, onValue) {
    return h(
      'select',
      { id, class: 'select', onchange: (e) => onValue(e.target.value) },
      h('option', { value: '', selected: value === '' }, t('scenario.baseline')),
      ...state.list.map((s) => h('option', { value: s.name, selected: s.name === value }, s.name)),
    );
  }

  function comparisonTable(c) {
    const cols = [{ key: 'baseline', name: t('scenario.baseline'), summary: c.baseline }];
    if (c.a) cols.push({ key: 'a', name: c.a.name, summary: c.a.summary });
    if (c.b) cols.push({ key: 'b', name: c.b.name, summary: c.b.summary });
    const minutes = c.baseline.thresholds.map((x) => x.minutes);
    const at = (summary, m) => summary.thresholds.find((x) => Number(x.minutes) === Number(m));
    const rows = [];
    for (const m of minutes) {
      for (const key of ['demand_share', 'area_share']) {
        rows.push(
          h(
            'tr',
            { 'data-minutes': m, 'data-row': key },
            h('th', { scope: 'row' }, t(`scenario.row.${key}`, { m: fmtNumber(m) })),
            ...cols.map((col) => h('td', { 'data-col': col.key }, fmtPercent(at(col.summary, m)?.[key] ?? 0))),
          ),
        );
      }
    }
    // Change of the demand share, B against A (or the one scenario against the baseline).
    const last = cols.at(-1);
    const first = cols.length > 2 ? cols[1] : cols[0];
    const diff =
      cols.length > 1
        ? h(
            'p',
            { class: 'hint', id: 'compare-diff' },
            t('scenario.diff', {
              a: first.name,
              b: last.name,
              d: minutes.map((m) => `${t('coverage.class.within', { m: fmtNumber(m) })} ${fmtPoints((at(last.summary, m)?.demand_share ?? 0) - (at(first.summary, m)?.demand_share ?? 0))}`).join(' · '),
            }),
          )
        : null;
    return [
      h(
        'table',
        { class: 'data compare', id: 'compare-table' },
        h('thead', {}, h('tr', {}, h('th', {}, ''), ...cols.map((col) => h('th', { 'data-col': col.key }, col.name)))),
        h(
          'tbody',
          {},
          ...rows,
          h('tr', { class: 'total' }, h('th', { scope: 'row' }, t('coverage.col.area')), ...cols.map((col) => h('td', { 'data-col': col.key }, fmtArea(col.summary.area_km2)))),
        ),
      ),
      diff,
    ];
  }

  /** Who saves: the signed-in planner, or a link to sign in on the Manage tab. */
  function signInLine() {
    const s = session.current();
    if (session.hasRole('planner')) {
      return h('p', { class: 'hint', id: 'scenario-who' }, t('scenario.signed_in', { name: s.principal?.name ?? '', role: roleLabel(s.principal?.role) }));
    }
    const why = s.signedIn ? t('scenario.wrong_role', { role: roleLabel(s.principal?.role) }) : t('scenario.needs_signin');
    return h('p', { class: 'hint', id: 'scenario-signin' }, why, ' ', h('a', { href: '#/manage', id: 'scenario-signin-link' }, t('scenario.signin_link')));
  }

  session.onSessionChange(() => render());

  function render() {
    el.dataset.state = state.compareStatus;
    el.dataset.seq = String(state.seq);
    clear(body);
    const p = plan();
    const mayWrite = session.hasRole('planner');
    const canSave = p.status === 'done' && p.job?.id && state.name.trim() && mayWrite;
    put(body,
      signInLine(),
      h('label', { class: 'field-label', for: 'scenario-name' }, t('scenario.name')),
      h(
        'div',
        { class: 'row' },
        h('input', {
          id: 'scenario-name',
          class: 'input',
          type: 'text',
          value: state.name,
          placeholder: t('scenario.name.placeholder'),
          oninput: (e) => {
            state.name = e.target.value;
            el.querySelector('#scenario-save').disabled = !(plan().status === 'done' && state.name.trim() && session.hasRole('planner'));
          },
        }),
        h('button', { type: 'button', class: 'button', id: 'scenario-save', disabled: !canSave, onclick: () => save() }, t('scenario.save')),
      ),
      p.status === 'done' ? null : h('p', { class: 'hint' }, t('scenario.save.needs_plan')),
      state.saveStatus === 'saving' ? h('p', { class: 'busy' }, t('scenario.saving')) : null,
      state.saveStatus === 'saved' && state.saved
        ? h('p', { class: 'ok', id: 'scenario-saved' }, t('scenario.saved', { name: state.saved.name, n: fmtNumber(state.saved.station_ids?.length ?? 0) }))
        : null,
      state.saveStatus === 'error' ? h('p', { class: 'error' }, t('scenario.save_error', { message: state.saveError })) : null,
      h('span', { class: 'field-label' }, t('scenario.compare')),
      h(
        'div',
        { class: 'row' },
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'A'), pickSelect('compare-a', state.a, (v) => (state.a = v))),
        h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'B'), pickSelect('compare-b', state.b, (v) => (state.b = v))),
      ),
      h(
        'div',
        { class: 'actions' },
        h('button', { type: 'button', class: 'button secondary', id: 'compare-run', disabled: !coverageParams().district, onclick: () => compare() }, t('scenario.compare.run')),
        h('button', { type: 'button', class: 'link', id: 'scenario-refresh', onclick: () => refresh() }, t('scenario.refresh')),
      ),
      state.compareStatus === 'loading' ? h('p', { class: 'busy' }, t('scenario.comparing')) : null,
      state.compareStatus === 'error' ? h('p', { class: 'error' }, t('scenario.compare_error', { message: state.compareError })) : null,
      state.compareStatus === 'ready' && state.comparison ? comparisonTable(state.comparison) : null,
    );
  }

  render();
  return { el, state, refresh, save, compare, render };
}
