// Placement runs in the planner view: objective, number of sites (or a target share), the one
// threshold, then a job on the server whose progress is polled (with a cancel button). Proposals
// show as numbered markers with their marginal gains and the before/after shares. The planner can
// add candidate points by tapping the map, drag candidates, and drag a proposal to fix it at a
// place of their choosing; a re-run then uses the candidates as the candidate list and the fixed
// sites as existing ones, and the effect is shown against the previous run.

import { clear, h } from './dom.js';
import { fmtDemand, fmtDuration, fmtNumber, fmtPercent, fmtPoints, t } from './i18n.js';
import * as papi from './planner-api.js';
import { download, sitesCsv, sitesGeoJSON } from './planner-export.js';
import { planEffect } from './planner-model.js';

/** Appends `kids` to `el`, skipping null, undefined and false (Element.append would write "null"). */
function put(el, ...kids) {
  el.append(...kids.flat().filter((k) => k !== null && k !== undefined && k !== false));
}

/** Objectives the API knows. */
export const OBJECTIVES = ['max_cover', 'min_sites', 'p_median'];
/** Job states after which nothing changes. */
const FINAL = new Set(['done', 'failed', 'cancelled']);
/** Pause between two polls of a running job, milliseconds. */
const POLL_MS = 400;

/** The text of `prefix.code`, or the code itself when this page has none for it. */
function label(prefix, code) {
  const key = `${prefix}.${code}`;
  const text = t(key);
  return text === key ? code : text;
}

/** The label of a job's phase (the phase's own name when this page has no text for it). */
function phaseLabel(phase, status) {
  return phase ? label('phase', phase) : label('status', status);
}

/**
 * Builds the plan section. `layers`: PlannerLayers; `view`: the MapView; `coverageParams()`: the
 * coverage section's parameters (district, kinds, mode, resolution); `onDone(job)` when a run
 * finishes.
 */
export function createPlan({ layers, coverageParams, onDone }) {
  const state = {
    objective: 'max_cover',
    sites: 3,
    targetShare: 0.9,
    threshold: 10,
    candidates: [],
    nextCandidate: 1,
    fixed: [],
    exclude: [],
    adding: false,
    status: 'idle',
    job: null,
    result: null,
    previous: null,
    request: null,
    error: null,
    changed: false,
    seen: [],
    seq: 0,
  };
  let timer = null;
  let polling = null;

  const form = h('div', { class: 'form' });
  const picks = h('div', { class: 'picks' });
  const actions = h('div', { class: 'actions' });
  const progress = h('div', { class: 'progress-box', id: 'plan-progress', 'aria-live': 'polite' });
  const results = h('div', { class: 'plan-results', id: 'plan-results' });
  const el = h(
    'section',
    { class: 'planner-section', id: 'plan', 'data-state': 'idle', 'data-seq': '0' },
    h('h3', { class: 'section-title', 'data-i18n': 'plan.heading' }),
    form,
    picks,
    actions,
    progress,
    results,
  );

  function number(attrs, value, onValue) {
    return h('input', {
      type: 'number',
      class: 'input',
      inputmode: 'decimal',
      value,
      ...attrs,
      onchange: (e) => {
        const v = Number(e.target.value);
        if (Number.isFinite(v)) onValue(v);
        renderAll();
      },
    });
  }

  function renderForm() {
    clear(form);
    put(form, 
      h('label', { class: 'field-label', for: 'plan-objective' }, t('plan.objective')),
      h(
        'select',
        {
          id: 'plan-objective',
          class: 'select',
          onchange: (e) => {
            state.objective = e.target.value;
            renderAll();
          },
        },
        ...OBJECTIVES.map((o) => h('option', { value: o, selected: o === state.objective }, t(`plan.objective.${o}`))),
      ),
      h(
        'div',
        { class: 'row' },
        h(
          'label',
          { class: 'field' },
          h('span', { class: 'field-label' }, t(state.objective === 'min_sites' ? 'plan.max_sites' : 'plan.sites')),
          number({ id: 'plan-sites', min: 1, max: 50, step: 1 }, state.sites, (v) => {
            state.sites = Math.max(1, Math.round(v));
          }),
        ),
        state.objective === 'min_sites'
          ? h(
              'label',
              { class: 'field' },
              h('span', { class: 'field-label' }, t('plan.target_share')),
              number({ id: 'plan-target', min: 1, max: 100, step: 1 }, Math.round(state.targetShare * 100), (v) => {
                state.targetShare = Math.min(1, Math.max(0.01, v / 100));
              }),
            )
          : null,
      ),
      h('span', { class: 'field-label' }, t('plan.threshold')),
      h(
        'div',
        { class: 'segmented', role: 'group', 'data-field': 'threshold' },
        ...[10, 15].map((m) =>
          h(
            'button',
            {
              type: 'button',
              class: 'seg',
              'data-minutes': m,
              'aria-pressed': String(state.threshold === m),
              onclick: () => {
                state.threshold = m;
                renderAll();
              },
            },
            t('coverage.minutes.value', { m: fmtNumber(m) }),
          ),
        ),
      ),
      h('p', { class: 'hint' }, t('plan.uses_coverage')),
    );
  }

  function renderPicks() {
    clear(picks);
    put(picks, 
      h(
        'div',
        { class: 'picks-head' },
        h('span', { class: 'field-label' }, t('plan.candidates', { n: fmtNumber(state.candidates.length) })),
        h(
          'button',
          {
            type: 'button',
            class: 'chip',
            id: 'plan-add-candidate',
            'aria-pressed': String(state.adding),
            onclick: () => {
              state.adding = !state.adding;
              document.body.classList.toggle('adding-candidate', state.adding);
              renderPicks();
            },
          },
          t(state.adding ? 'plan.adding' : 'plan.add_candidate'),
        ),
      ),
      h('p', { class: 'hint' }, t(state.candidates.length ? 'plan.candidates.used' : 'plan.candidates.none')),
    );
    if (state.candidates.length)
      put(picks, 
        h(
          'ul',
          { class: 'pick-list', id: 'plan-candidates' },
          ...state.candidates.map((c) =>
            h(
              'li',
              { 'data-id': c.id },
              h('span', { class: 'pick-mark candidate' }, '+'),
              h('span', { class: 'pick-name' }, c.name),
              h('span', { class: 'coord' }, `${c.lon.toFixed(5)}, ${c.lat.toFixed(5)}`),
              h('button', { type: 'button', class: 'link', onclick: () => removeCandidate(c.id) }, t('plan.remove')),
            ),
          ),
        ),
      );
    if (state.fixed.length)
      put(picks, 
        h('span', { class: 'field-label' }, t('plan.fixed', { n: fmtNumber(state.fixed.length) })),
        h(
          'ul',
          { class: 'pick-list', id: 'plan-fixed' },
          ...state.fixed.map((f, i) =>
            h(
              'li',
              {},
              h('span', { class: 'pick-mark fixed' }, '✓'),
              h('span', { class: 'coord' }, `${f.lon.toFixed(5)}, ${f.lat.toFixed(5)}`),
              h(
                'button',
                {
                  type: 'button',
                  class: 'link',
                  onclick: () => {
                    state.fixed.splice(i, 1);
                    state.changed = true;
                    renderAll();
                  },
                },
                t('plan.remove'),
              ),
            ),
          ),
        ),
      );
    if (state.exclude.length)
      put(picks, 
        h(
          'p',
          { class: 'hint', id: 'plan-excluded' },
          t('plan.excluded', { n: fmtNumber(state.exclude.length) }),
          ' ',
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              onclick: () => {
                state.exclude = [];
                state.changed = true;
                renderAll();
              },
            },
            t('plan.excluded.clear'),
          ),
        ),
      );
  }

  function renderActions() {
    clear(actions);
    const running = state.status === 'running';
    put(actions, 
      h(
        'button',
        { type: 'button', class: 'button', id: 'plan-run', disabled: running || !coverageParams().district, onclick: () => run() },
        t(state.result ? 'plan.rerun' : 'plan.run'),
      ),
    );
    if (running) put(actions, h('button', { type: 'button', class: 'button secondary', id: 'plan-cancel', onclick: () => cancel() }, t('plan.cancel')));
    if (state.changed && state.result && !running) put(actions, h('p', { class: 'hint changed' }, t('plan.changed')));
  }

  function renderProgress() {
    clear(progress);
    const job = state.job;
    if (state.status === 'running' && job) {
      const f = job.progress?.fraction ?? 0;
      const phase = job.progress?.phase;
      put(progress, 
        h('progress', { id: 'plan-progress-bar', max: 1, value: f }),
        h('p', { class: 'busy', id: 'plan-phase' }, t('plan.progress', { phase: phaseLabel(phase, job.status), pct: fmtPercent(f, 0) })),
      );
    }
    if (state.status === 'failed' || state.status === 'error') put(progress, h('p', { class: 'error' }, t('plan.error', { message: state.error })));
    if (state.status === 'cancelled') put(progress, h('p', { class: 'hint', id: 'plan-cancelled' }, t(state.job?.result ? 'plan.cancelled.partial' : 'plan.cancelled')));
  }

  function shareRow(key, before, after, previous) {
    return h(
      'tr',
      { 'data-row': key },
      h('th', { scope: 'row' }, t(`plan.row.${key}`)),
      previous === null ? null : h('td', { 'data-col': 'previous' }, fmtPercent(previous)),
      h('td', { 'data-col': 'before' }, fmtPercent(before)),
      h('td', { 'data-col': 'after' }, fmtPercent(after)),
      h('td', { 'data-col': 'delta' }, fmtPoints(after - before)),
    );
  }

  function renderResults() {
    clear(results);
    const r = state.result;
    if (!r) return;
    const minutes = r.threshold_s / 60;
    const eff = planEffect(r, minutes);
    const prev = state.previous ? planEffect(state.previous, state.previous.threshold_s / 60).after : null;
    put(results, 
      h('h4', { class: 'sub-title' }, t('plan.proposals', { n: fmtNumber(r.sites.length), m: fmtNumber(minutes) })),
      h(
        'ol',
        { class: 'proposals', id: 'plan-proposals' },
        ...r.sites.map((s) =>
          h(
            'li',
            { 'data-rank': s.rank },
            h('span', { class: 'site-num' }, String(s.rank)),
            h(
              'span',
              { class: 'site-body' },
              h('span', { class: 'site-name' }, s.name ?? s.candidate_id ?? `${s.lon.toFixed(4)}, ${s.lat.toFixed(4)}`),
              h(
                'span',
                { class: 'site-gain' },
                t('plan.gain', { gain: fmtDemand(s.gain), share: fmtPercent(s.gain_share), total: fmtPercent(s.cumulative_share) }),
              ),
            ),
            h(
              'span',
              { class: 'site-actions' },
              h('button', { type: 'button', class: 'link', 'data-action': 'show', onclick: () => layers.flyTo([s.lon, s.lat], 14) }, t('plan.show')),
              h('button', { type: 'button', class: 'link', 'data-action': 'fix', onclick: () => fix(s, { lon: s.lon, lat: s.lat }) }, t('plan.fix')),
              s.h3 || s.candidate_id
                ? h('button', { type: 'button', class: 'link', 'data-action': 'exclude', onclick: () => exclude(s) }, t('plan.exclude'))
                : null,
            ),
          ),
        ),
      ),
      h('h4', { class: 'sub-title' }, t('plan.effect', { m: fmtNumber(minutes) })),
      h(
        'table',
        { class: 'data', id: 'plan-effect' },
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', {}, ''),
            prev === null ? null : h('th', {}, t('plan.col.previous')),
            h('th', {}, t('plan.col.before')),
            h('th', {}, t('plan.col.after')),
            h('th', {}, t('plan.col.delta')),
          ),
        ),
        h(
          'tbody',
          {},
          shareRow('demand', eff.before.demand, eff.after.demand, prev === null ? null : prev.demand),
          shareRow('area', eff.before.area, eff.after.area, prev === null ? null : prev.area),
        ),
      ),
      prev === null
        ? null
        : h('p', { class: 'hint', id: 'plan-vs-previous' }, t('plan.vs_previous', { d: fmtPoints(eff.after.demand - prev.demand) })),
      Array.isArray(r.mean_travel_time_s)
        ? h('p', { class: 'hint', id: 'plan-mean-time' }, t('plan.mean_time', { before: fmtDuration(r.mean_travel_time_s[0]), after: fmtDuration(r.mean_travel_time_s[1]) }))
        : null,
      h(
        'p',
        { class: 'hint', id: 'plan-termination' },
        t('plan.termination', {
          t: label('termination', r.termination),
          n: r.candidates === undefined ? '–' : fmtNumber(r.candidates),
          bound: r.upper_bound === null || r.upper_bound === undefined ? '–' : fmtDemand(r.upper_bound),
        }),
      ),
      h(
        'div',
        { class: 'exports' },
        h('span', { class: 'field-label' }, t('export.heading')),
        h('button', { type: 'button', class: 'button secondary', id: 'export-sites-geojson', onclick: () => download(`${stem()}.geojson`, sitesGeoJSON(r.sites), 'application/geo+json') }, t('export.sites_geojson')),
        h('button', { type: 'button', class: 'button secondary', id: 'export-sites-csv', onclick: () => download(`${stem()}.csv`, sitesCsv(r.sites), 'text/csv') }, t('export.sites_csv')),
      ),
    );
  }

  function stem() {
    return `plan-${state.request?.district ?? ''}-${state.job?.id ?? ''}`;
  }

  function siteTitle(s) {
    return s.fixed ? t('plan.fixed_pin') : t('plan.pin', { rank: s.rank, gain: fmtDemand(s.gain) });
  }

  function renderMarkers() {
    const shown = (state.result?.sites ?? []).map((s) => ({ ...s, fixed: false }));
    const fixed = state.fixed.map((f, i) => ({ rank: `f${i + 1}`, lon: f.lon, lat: f.lat, fixed: true, index: i }));
    layers.setSites([...shown, ...fixed], {
      title: siteTitle,
      onMove: (s, at) => {
        if (s.fixed) {
          state.fixed[s.index] = at;
          state.changed = true;
          renderAll();
        } else fix(s, at);
      },
      onSelect: (s) => {
        const row = results.querySelector(`#plan-proposals li[data-rank="${s.rank}"]`);
        row?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
      },
    });
    layers.setCandidates(state.candidates, {
      title: (c) => c.name,
      onMove: (c, at) => {
        Object.assign(c, at);
        state.changed = true;
        renderAll();
      },
    });
  }

  function renderAll() {
    el.dataset.state = state.status;
    el.dataset.seq = String(state.seq);
    renderForm();
    renderPicks();
    renderActions();
    renderProgress();
    renderResults();
    renderMarkers();
  }

  /** Fixes a proposal at `at` (where it was dropped): the next run counts it as an existing site. */
  function fix(site, at) {
    state.fixed.push({ lon: at.lon, lat: at.lat });
    state.changed = true;
    // The proposal now stands as a fixed site: drop it from the shown proposals.
    if (state.result) state.result = { ...state.result, sites: state.result.sites.filter((s) => s !== site && s.rank !== site.rank) };
    renderAll();
  }

  /** Excludes a proposal's cell (or candidate) from the next run. */
  function exclude(site) {
    const key = site.candidate_id ?? site.h3;
    if (key && !state.exclude.includes(key)) state.exclude.push(key);
    state.changed = true;
    renderAll();
  }

  function removeCandidate(id) {
    state.candidates = state.candidates.filter((c) => c.id !== id);
    state.changed = true;
    renderAll();
  }

  /** A tap on the map while adding candidates: adds one there. Returns whether it was used. */
  function tap({ lon, lat }) {
    if (!state.adding) return false;
    const n = state.nextCandidate++;
    state.candidates.push({ id: `c${n}`, name: t('plan.candidate_name', { n }), lon, lat });
    state.changed = true;
    renderAll();
    return true;
  }

  /** The body of the next run. */
  function body() {
    const p = coverageParams();
    const sites = state.candidates.length ? Math.min(state.sites, state.candidates.length) : state.sites;
    return papi.planBody({
      ...p,
      objective: state.objective,
      sites,
      targetShare: state.targetShare,
      threshold: state.threshold,
      candidates: state.candidates.map((c) => ({ id: c.id, name: c.name, lon: c.lon, lat: c.lat })),
      exclude: state.exclude,
      fixed: state.fixed.map((f) => [f.lon, f.lat]),
    });
  }

  function stopPolling() {
    if (timer) window.clearTimeout(timer);
    timer = null;
    polling?.abort();
    polling = null;
  }

  async function run() {
    stopPolling();
    state.request = body();
    state.status = 'running';
    state.error = null;
    state.job = { status: 'queued', progress: { fraction: 0 } };
    state.seen = [];
    renderAll();
    let started;
    try {
      started = await papi.startPlan(state.request);
    } catch (e) {
      state.status = 'error';
      state.error = e.status === 0 ? t('error.network') : e.message;
      renderAll();
      return;
    }
    state.job = { ...state.job, ...started };
    poll(started.id);
  }

  async function poll(id) {
    const ctrl = new AbortController();
    polling = ctrl;
    let job;
    try {
      job = await papi.plan(id, { signal: ctrl.signal });
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.status = 'error';
      state.error = e.status === 0 ? t('error.network') : e.message;
      renderAll();
      return;
    }
    if (polling !== ctrl) return;
    state.job = job;
    state.seen.push({ status: job.status, phase: job.progress?.phase ?? null, fraction: job.progress?.fraction ?? null });
    if (!FINAL.has(job.status)) {
      renderProgress();
      timer = window.setTimeout(() => poll(id), POLL_MS);
      return;
    }
    polling = null;
    if (job.status === 'done') {
      if (state.result) state.previous = state.result;
      state.result = job.result;
      state.changed = false;
      state.status = 'done';
      state.seq += 1;
    } else if (job.status === 'failed') {
      state.status = 'failed';
      state.error = job.error?.error?.message ?? job.error?.message ?? t('plan.failed');
    } else {
      state.status = 'cancelled';
      // The best plan found before the cancel, when the job kept one.
      if (job.result) {
        if (state.result) state.previous = state.result;
        state.result = job.result;
      }
    }
    renderAll();
    onDone?.(job);
  }

  async function cancel() {
    const id = state.job?.id;
    if (!id) return;
    try {
      await papi.cancelPlan(id);
    } catch (e) {
      // Finished meanwhile: the next poll tells.
      if (e.status !== 404 && e.status !== 409) {
        state.error = e.message;
      }
    }
  }

  /** Forgets runs, candidates and fixed sites (another district was chosen). */
  function reset() {
    stopPolling();
    Object.assign(state, { candidates: [], fixed: [], exclude: [], status: 'idle', job: null, result: null, previous: null, request: null, changed: false, adding: false });
    document.body.classList.remove('adding-candidate');
    renderAll();
  }

  renderAll();
  return { el, state, run, cancel, reset, tap, body, render: renderAll };
}
