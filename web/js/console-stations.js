// The stations screen (站点): one page of the register at a time (the server filters, sorts and
// pages; `numberMatched` drives the pager — the table never fetches the whole register), a
// debounced search box, filters (kind, status, district, street of that district, amenity,
// verification state), sorting by clicking a column header, and the editor (console-editor.js)
// beside the table for the row clicked or a new station.

import { AMENITIES, KINDS } from './catalog.js';
import * as capi from './console-api.js';
import { createEditor } from './console-editor.js';
import { createBanner, debounce, errorText, fmtDateTime, fmtDay, rangeText, select, statusLabel } from './console-ui.js';
import { clear, h } from './dom.js';
import { amenityLabel, kindLabel, t } from './i18n.js';

/** How long the search box waits after the last key before asking the server, milliseconds. */
export const SEARCH_DEBOUNCE_MS = 300;

/** The table's columns: key, label, and the sort key of the API (null: not sortable). */
const COLUMNS = [
  { key: 'name', label: 'console.col.name', sort: 'name' },
  { key: 'kind', label: 'console.col.kind', sort: null },
  { key: 'status', label: 'console.col.status', sort: null },
  { key: 'district', label: 'console.col.district', sort: null },
  { key: 'street', label: 'console.col.street', sort: null },
  { key: 'verified_on', label: 'console.col.verified_on', sort: 'verified_on' },
  { key: 'updated_at', label: 'console.col.updated_at', sort: 'updated_at' },
];

/** Builds the stations screen. */
export function createStations({ districts, session }) {
  const canEdit = session.hasRole('editor');
  const state = {
    filters: { q: '', kind: '', status: '', district: '', street: '', amenity: '', verification: '', sort: '', page: 0 },
    features: [],
    matched: 0,
    status: 'idle',
    error: null,
    seq: 0,
    streets: [],
    selected: null,
  };
  let inflight = null;
  const banner = createBanner('stations-banner');

  const search = h('input', {
    id: 'st-q',
    class: 'input search',
    type: 'search',
    autocomplete: 'off',
    'data-i18n-attr': 'placeholder:console.stations.search;aria-label:console.stations.search',
  });
  const debounced = debounce(() => {
    state.filters.q = search.value;
    state.filters.page = 0;
    load();
  }, SEARCH_DEBOUNCE_MS);
  search.addEventListener('input', debounced);
  const newButton = h('button', { type: 'button', class: 'button', id: 'st-new', hidden: !canEdit, onclick: () => openNew() });
  const filters = h('div', { class: 'filter-row', id: 'st-filters' });
  const thead = h('thead', {});
  const tbody = h('tbody', {});
  const table = h('table', { class: 'data ctable', id: 'st-table' }, thead, tbody);
  const range = h('span', { class: 'range', id: 'st-range' });
  const prev = h('button', { type: 'button', class: 'button secondary small', id: 'st-prev', onclick: () => turn(-1) });
  const next = h('button', { type: 'button', class: 'button secondary small', id: 'st-next', onclick: () => turn(1) });
  const list = h(
    'div',
    { class: 'stations-list' },
    h('div', { class: 'toolbar' }, search, newButton),
    filters,
    banner.el,
    h('div', { class: 'table-wrap' }, table),
    h('div', { class: 'pager' }, prev, range, next),
  );
  const editor = createEditor({
    districts,
    canEdit,
    onSaved: (feature) => {
      state.selected = feature.id ?? feature.properties?.id;
      load({ keepEditor: true });
    },
    onDeleted: () => {
      state.selected = null;
      closeEditor();
      load();
    },
    onClose: () => closeEditor(),
  });
  const aside = h('aside', { class: 'stations-editor', id: 'station-editor-panel', hidden: true }, editor.el);
  const el = h('section', { class: 'console-screen stations', id: 'console-stations', hidden: true, 'data-state': 'idle', 'data-seq': '0' }, list, aside);

  async function loadStreets(district) {
    state.streets = [];
    state.streets = await capi.streetNames(district);
  }

  async function load() {
    inflight?.abort();
    const ctrl = new AbortController();
    inflight = ctrl;
    state.status = 'loading';
    el.dataset.state = 'loading';
    try {
      const fc = await capi.stations(state.filters, { signal: ctrl.signal });
      if (inflight !== ctrl) return;
      state.features = fc.features;
      state.matched = fc.numberMatched ?? fc.features.length;
      state.status = 'ready';
      state.error = null;
      banner.hide();
      // A page past the end (after a delete or a narrower filter): go back to the last one.
      if (!fc.features.length && state.matched > 0 && state.filters.page > 0) {
        state.filters.page = Math.floor((state.matched - 1) / capi.PAGE_SIZE);
        load();
        return;
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.status = 'error';
      state.error = errorText(e);
      state.features = [];
      state.matched = 0;
      banner.show('error', t('console.stations.error', { message: state.error }));
    } finally {
      if (inflight === ctrl) inflight = null;
    }
    state.seq += 1;
    renderTable();
  }

  function turn(d) {
    const last = Math.max(0, Math.ceil(state.matched / capi.PAGE_SIZE) - 1);
    state.filters.page = Math.min(last, Math.max(0, state.filters.page + d));
    load();
  }

  function setFilter(key, value) {
    state.filters[key] = value;
    state.filters.page = 0;
    if (key === 'district') {
      state.filters.street = '';
      loadStreets(value).then(() => renderFilters());
    }
    load();
  }

  function sortBy(key) {
    const f = state.filters;
    f.sort = f.sort === key ? `-${key}` : key;
    f.page = 0;
    load();
  }

  function renderFilters() {
    clear(filters);
    const f = state.filters;
    const any = (key) => [['', t(key)]];
    const districtNames = districts.features.map((x) => x.properties.name);
    filters.append(
      select('st-kind', [...any('console.filter.kind.all'), ...KINDS.map((k) => [k.code, kindLabel(k.code)])], f.kind, (v) => setFilter('kind', v), {
        'aria-label': t('console.col.kind'),
      }),
      select(
        'st-status',
        [
          ...any('console.filter.status.all'),
          ['active', statusLabel('active')],
          ['planned', statusLabel('planned')],
          ['closed', statusLabel('closed')],
        ],
        f.status,
        (v) => setFilter('status', v),
        { 'aria-label': t('console.col.status') },
      ),
      select('st-district', [...any('console.filter.district.all'), ...districtNames.map((n) => [n, n])], f.district, (v) => setFilter('district', v), {
        'aria-label': t('console.col.district'),
      }),
      select('st-street', [...any('console.filter.street.all'), ...state.streets.map((n) => [n, n])], f.street, (v) => setFilter('street', v), {
        'aria-label': t('console.col.street'),
        disabled: !f.district || !state.streets.length,
      }),
      select('st-amenity', [...any('console.filter.amenity.all'), ...AMENITIES.map((a) => [a.code, amenityLabel(a.code)])], f.amenity, (v) => setFilter('amenity', v), {
        'aria-label': t('console.filter.amenity'),
      }),
      select(
        'st-verification',
        [
          ...any('console.filter.verification.all'),
          ['due', t('console.verification.due')],
          ['never', t('console.verification.never')],
          ['current', t('console.verification.current')],
        ],
        f.verification,
        (v) => setFilter('verification', v),
        { 'aria-label': t('console.filter.verification') },
      ),
    );
  }

  function renderHead() {
    clear(thead);
    const sort = state.filters.sort;
    thead.append(
      h(
        'tr',
        {},
        ...COLUMNS.map((c) => {
          if (!c.sort) return h('th', { scope: 'col', 'data-col': c.key }, t(c.label));
          const dir = sort === c.sort ? 'ascending' : sort === `-${c.sort}` ? 'descending' : 'none';
          return h(
            'th',
            { scope: 'col', 'data-col': c.key, 'aria-sort': dir },
            h(
              'button',
              { type: 'button', class: 'sort', id: `st-sort-${c.key}`, onclick: () => sortBy(c.sort) },
              t(c.label),
              h('span', { class: 'sort-mark', 'aria-hidden': 'true' }, dir === 'ascending' ? '▲' : dir === 'descending' ? '▼' : ''),
            ),
          );
        }),
      ),
    );
  }

  function renderTable() {
    el.dataset.state = state.status;
    el.dataset.seq = String(state.seq);
    renderHead();
    clear(tbody);
    for (const f of state.features) {
      const p = f.properties;
      const id = f.id ?? p.id;
      tbody.append(
        h(
          'tr',
          {
            'data-id': id,
            class: `st-row${id === state.selected ? ' selected' : ''}${p.status === 'closed' ? ' closed' : ''}`,
            tabindex: '0',
            onclick: () => openStation(f),
            onkeydown: (e) => {
              if (e.key === 'Enter') openStation(f);
            },
          },
          h('td', { 'data-col': 'name' }, p.name),
          h('td', { 'data-col': 'kind' }, kindLabel(p.kind)),
          h('td', { 'data-col': 'status' }, h('span', { class: `status-tag status-${p.status}` }, statusLabel(p.status))),
          h('td', { 'data-col': 'district' }, p.district ?? ''),
          h('td', { 'data-col': 'street' }, p.street ?? ''),
          h('td', { 'data-col': 'verified_on' }, fmtDay(p.verified_on)),
          h('td', { 'data-col': 'updated_at' }, fmtDateTime(p.updated_at)),
        ),
      );
    }
    if (!state.features.length && state.status === 'ready') {
      tbody.append(h('tr', { class: 'empty' }, h('td', { colspan: String(COLUMNS.length) }, t('console.stations.empty'))));
    }
    const offset = state.filters.page * capi.PAGE_SIZE;
    range.textContent = rangeText(offset, state.features.length, state.matched);
    prev.disabled = state.filters.page === 0;
    next.disabled = offset + state.features.length >= state.matched;
  }

  function openStation(f) {
    state.selected = f.id ?? f.properties.id;
    for (const tr of tbody.querySelectorAll('tr')) tr.classList.toggle('selected', Number(tr.dataset.id) === state.selected);
    aside.hidden = false;
    el.dataset.editing = 'true';
    editor.open(f);
  }

  /** Opens station `id` (read from the API) in the editor. */
  async function openById(id) {
    try {
      openStation(await capi.station(id));
    } catch (e) {
      if (e.status === 401) return;
      banner.show('error', t('console.stations.error', { message: errorText(e) }));
    }
  }

  function openNew() {
    state.selected = null;
    for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    aside.hidden = false;
    el.dataset.editing = 'true';
    editor.openNew({ district: state.filters.district, street: state.filters.street });
  }

  function closeEditor() {
    aside.hidden = true;
    delete el.dataset.editing;
    for (const tr of tbody.querySelectorAll('tr.selected')) tr.classList.remove('selected');
    state.selected = null;
  }

  function render() {
    newButton.textContent = t('console.stations.new');
    prev.textContent = t('console.prev');
    next.textContent = t('console.next');
    renderFilters();
    renderTable();
  }

  let loaded = false;
  render();

  return {
    el,
    state,
    editor,
    /** Shows the screen; `arg`, a station id (#/manage/stations/ID), opens that station in the editor. */
    show(arg = null) {
      el.hidden = false;
      if (!loaded) {
        loaded = true;
        load();
      }
      editor.resize();
      if (arg && /^\d+$/.test(arg) && Number(arg) !== state.selected) openById(Number(arg));
    },
    hide() {
      el.hidden = true;
    },
    relang() {
      render();
      editor.relang();
    },
    reload: load,
    destroy() {
      inflight?.abort();
      debounced.cancel();
      editor.destroy();
    },
  };
}
