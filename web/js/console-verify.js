// The verification screen (核验): the stations due for a visit — never verified, or verified longer
// ago than the server's window (GET /api/v1/stations?verification=due&sort=verified_on, paged by
// the server; closed stations need no visit) — each with 标记已核验 for editors, and the share of verified stations per street
// (GET /api/v1/verification) as a sortable table with a bar per street. Planners read it only.

import * as capi from './console-api.js';
import { createBanner, errorText, fmtDay, rangeText } from './console-ui.js';
import { clear, h } from './dom.js';
import { fmtNumber, fmtPercent, kindLabel, t } from './i18n.js';

/** The statuses of stations that are checked on site: not closed ones. */
export const DUE_STATUSES = 'active,planned';

/** The per-street table's columns: key, label, numeric. */
const STREET_COLUMNS = [
  ['district', 'console.col.district', false],
  ['street', 'console.col.street', false],
  ['stations', 'console.verify.col.stations', true],
  ['current', 'console.verify.col.current', true],
  ['due', 'console.verify.col.due', true],
  ['never', 'console.verify.col.never', true],
  ['share', 'console.verify.col.share', true],
];

/**
 * `streets` sorted by `key` (`share`, `stations`, … or `district`/`street`), `dir` 1 ascending or
 * -1 descending; ties by district, then street.
 */
export function sortStreets(streets, key, dir) {
  const text = (s) => `${s.district ?? ''}\u0000${s.street ?? ''}`;
  return [...streets].sort((a, b) => {
    const x = a[key];
    const y = b[key];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x ?? '').localeCompare(String(y ?? ''), 'zh-CN');
    return dir * c || text(a).localeCompare(text(b), 'zh-CN');
  });
}

/** Builds the verification screen. */
export function createVerify({ session }) {
  const canVerify = session.hasRole('editor');
  const state = {
    page: 0,
    due: [],
    matched: 0,
    dueStatus: 'idle',
    summary: null,
    summaryStatus: 'idle',
    sort: { key: 'share', dir: 1 },
    seq: 0,
  };
  const banner = createBanner('verify-banner');
  const summary = h('p', { class: 'meta', id: 'verify-summary' });
  const dueHead = h('h3', { class: 'sub-title', id: 'due-heading' });
  const dueBody = h('tbody', {});
  const dueTable = h('table', { class: 'data ctable', id: 'due-table' }, h('thead', {}), dueBody);
  const range = h('span', { class: 'range', id: 'due-range' });
  const prev = h('button', { type: 'button', class: 'button secondary small', id: 'due-prev', onclick: () => turn(-1) });
  const next = h('button', { type: 'button', class: 'button secondary small', id: 'due-next', onclick: () => turn(1) });
  const streetsHead = h('h3', { class: 'sub-title', id: 'streets-heading' });
  const streetsTable = h('table', { class: 'data ctable share-table', id: 'verify-streets' });
  const el = h(
    'section',
    { class: 'console-screen verify', id: 'console-verify', hidden: true, 'data-state': 'idle', 'data-seq': '0' },
    h('h2', { class: 'panel-title', 'data-i18n': 'console.verify.heading' }),
    banner.el,
    summary,
    h(
      'div',
      { class: 'verify-grid' },
      h('div', { class: 'verify-due' }, dueHead, h('div', { class: 'table-wrap' }, dueTable), h('div', { class: 'pager' }, prev, range, next)),
      h('div', { class: 'verify-streets' }, streetsHead, h('div', { class: 'table-wrap' }, streetsTable)),
    ),
  );

  async function loadDue() {
    state.dueStatus = 'loading';
    try {
      // Closed stations need no visit (nor does the per-street count include them).
      const fc = await capi.stations({ verification: 'due', sort: 'verified_on', status: DUE_STATUSES, page: state.page });
      state.due = fc.features;
      state.matched = fc.numberMatched ?? fc.features.length;
      state.dueStatus = 'ready';
    } catch (e) {
      state.dueStatus = 'error';
      state.due = [];
      state.matched = 0;
      banner.show('error', t('console.verify.error', { message: errorText(e) }));
    }
  }

  async function loadSummary() {
    state.summaryStatus = 'loading';
    try {
      state.summary = await capi.verification();
      state.summaryStatus = 'ready';
    } catch (e) {
      state.summaryStatus = 'error';
      state.summary = null;
      banner.show('error', t('console.verify.error', { message: errorText(e) }));
    }
  }

  async function load() {
    el.dataset.state = 'loading';
    banner.hide();
    await Promise.all([loadDue(), loadSummary()]);
    state.seq += 1;
    el.dataset.state = state.dueStatus === 'error' || state.summaryStatus === 'error' ? 'error' : 'ready';
    el.dataset.seq = String(state.seq);
    render();
  }

  function turn(d) {
    const last = Math.max(0, Math.ceil(state.matched / capi.PAGE_SIZE) - 1);
    state.page = Math.min(last, Math.max(0, state.page + d));
    loadDue().then(render);
  }

  async function mark(feature, button) {
    const id = feature.id ?? feature.properties.id;
    button.disabled = true;
    try {
      const saved = await capi.verifyStation(id);
      banner.show('ok', t('console.verify.done', { name: saved.properties.name, day: saved.properties.verified_on ?? '' }));
      await load();
      banner.show('ok', t('console.verify.done', { name: saved.properties.name, day: saved.properties.verified_on ?? '' }));
    } catch (e) {
      button.disabled = false;
      if (e.status !== 401) banner.show('error', t('console.write_failed', { message: errorText(e) }));
    }
  }

  function renderDue() {
    dueHead.textContent = t('console.verify.due', { n: fmtNumber(state.matched) });
    dueTable.querySelector('thead').replaceChildren(
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, t('console.col.name')),
        h('th', { scope: 'col' }, t('console.col.kind')),
        h('th', { scope: 'col' }, t('console.col.district')),
        h('th', { scope: 'col' }, t('console.col.street')),
        h('th', { scope: 'col' }, t('console.col.verified_on')),
        canVerify ? h('th', { scope: 'col' }, '') : null,
      ),
    );
    clear(dueBody);
    for (const f of state.due) {
      const p = f.properties;
      const id = f.id ?? p.id;
      const button = canVerify ? h('button', { type: 'button', class: 'button secondary small', id: `verify-${id}` }, t('console.verify.mark')) : null;
      button?.addEventListener('click', () => mark(f, button));
      dueBody.append(
        h(
          'tr',
          { 'data-id': id },
          h('td', { 'data-col': 'name' }, p.name),
          h('td', { 'data-col': 'kind' }, kindLabel(p.kind)),
          h('td', { 'data-col': 'district' }, p.district ?? ''),
          h('td', { 'data-col': 'street' }, p.street ?? ''),
          h('td', { 'data-col': 'verified_on' }, p.verified_on ? fmtDay(p.verified_on) : t('console.verification.never')),
          canVerify ? h('td', {}, button) : null,
        ),
      );
    }
    if (!state.due.length && state.dueStatus === 'ready') {
      dueBody.append(h('tr', { class: 'empty' }, h('td', { colspan: canVerify ? '6' : '5' }, t('console.verify.none_due'))));
    }
    const offset = state.page * capi.PAGE_SIZE;
    range.textContent = rangeText(offset, state.due.length, state.matched);
    prev.disabled = state.page === 0;
    next.disabled = offset + state.due.length >= state.matched;
  }

  function renderStreets() {
    clear(streetsTable);
    const s = state.summary;
    streetsHead.textContent = t('console.verify.streets');
    if (!s) {
      summary.textContent = '';
      return;
    }
    const tot = s.total ?? {};
    summary.textContent = t('console.verify.summary', {
      n: fmtNumber(tot.stations ?? 0),
      current: fmtNumber(tot.current ?? 0),
      share: fmtPercent(tot.share ?? 0),
      due: fmtNumber(tot.due ?? 0),
      never: fmtNumber(tot.never ?? 0),
      days: fmtNumber(s.due_after_days ?? 0),
      day: s.as_of ?? '',
    });
    const { key, dir } = state.sort;
    streetsTable.append(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...STREET_COLUMNS.map(([k, label]) => {
            const sorted = k === key ? (dir > 0 ? 'ascending' : 'descending') : 'none';
            return h(
              'th',
              { scope: 'col', 'data-col': k, 'aria-sort': sorted },
              h(
                'button',
                {
                  type: 'button',
                  class: 'sort',
                  id: `vs-sort-${k}`,
                  onclick: () => {
                    state.sort = { key: k, dir: k === key ? -dir : 1 };
                    renderStreets();
                  },
                },
                t(label),
                h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, sorted === 'ascending' ? '▲' : sorted === 'descending' ? '▼' : ''),
              ),
            );
          }),
        ),
      ),
    );
    const bar = (share) =>
      h(
        'span',
        { class: 'share-cell' },
        h('span', { class: 'share-bar', 'aria-hidden': 'true' }, h('span', { class: 'share-fill', style: `width:${Math.round(Math.max(0, Math.min(1, share)) * 100)}%` })),
        h('span', { class: 'share-text' }, fmtPercent(share)),
      );
    const row = (x, attrs = {}) =>
      h(
        'tr',
        attrs,
        h('td', { 'data-col': 'district' }, x.district ?? ''),
        h('td', { 'data-col': 'street' }, x.street ?? t('console.verify.no_street')),
        h('td', { 'data-col': 'stations' }, fmtNumber(x.stations ?? 0)),
        h('td', { 'data-col': 'current' }, fmtNumber(x.current ?? 0)),
        h('td', { 'data-col': 'due' }, fmtNumber(x.due ?? 0)),
        h('td', { 'data-col': 'never' }, fmtNumber(x.never ?? 0)),
        h('td', { 'data-col': 'share' }, bar(x.share ?? 0)),
      );
    streetsTable.append(
      h(
        'tbody',
        {},
        ...sortStreets(s.streets ?? [], key, dir).map((x) => row(x, { 'data-district': x.district ?? '', 'data-street': x.street ?? '' })),
      ),
      h('tfoot', {}, row({ ...tot, district: t('console.verify.total'), street: '' }, { class: 'total' })),
    );
  }

  function render() {
    prev.textContent = t('console.prev');
    next.textContent = t('console.next');
    renderDue();
    renderStreets();
  }

  render();
  let loaded = false;
  return {
    el,
    state,
    show() {
      el.hidden = false;
      // Stations may have been verified on another screen: read again every time.
      load();
      loaded = true;
    },
    hide() {
      el.hidden = true;
    },
    relang: render,
    reload: load,
    get loaded() {
      return loaded;
    },
  };
}
