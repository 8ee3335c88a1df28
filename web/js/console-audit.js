// The audit screen (审计, admins only): every write, newest first (GET /api/v1/audit?order=desc,
// then before=<last seq> for 加载更多), filtered by station, actor (token), operation and time;
// each entry opens to what it changed: the changed fields of an update with the old value struck
// through beside the new one, every field of a create or a delete, an import's counts.

import { AMENITIES } from './catalog.js';
import * as capi from './console-api.js';
import { changeKind, diffEntry } from './console-diff.js';
import { createBanner, errorText, fmtDateTime, roleLabel, statusLabel } from './console-ui.js';
import { clear, h } from './dom.js';
import { amenityLabel, kindLabel, t } from './i18n.js';

/** The operation codes the filter offers. */
export const OPERATIONS = [
  'station.create',
  'station.update',
  'station.delete',
  'station.import',
  'station.verify',
  'token.create',
  'token.revoke',
  'scenario.create',
  'demand.import',
  'district.import',
  'street.import',
];

const AMENITY_CODES = new Set(AMENITIES.map((a) => a.code));

/** The label of an operation code (the code itself for one this page does not know). */
export function operationLabel(code) {
  const key = `console.op.${String(code).replace('.', '_')}`;
  const text = t(key);
  return text === key ? code : text;
}

/** A value of an audit state as text: a position "lon, lat", amenities and kinds by label, lists joined. */
export function valueText(field, v) {
  if (v === null || v === undefined || v === '') return '—';
  if (field === 'location' && typeof v === 'object') return `${Number(v.lon).toFixed(6)}, ${Number(v.lat).toFixed(6)}`;
  if (field === 'amenities' && Array.isArray(v)) return v.length ? v.map((a) => (AMENITY_CODES.has(a) ? amenityLabel(a) : a)).join('、') : '—';
  if (field === 'kind') return kindLabel(v);
  if (field === 'status') return statusLabel(v);
  if (field === 'role') return roleLabel(v);
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** For a list field (amenities): what was added and removed, "（+卫生间 −取暖）"; null otherwise. */
function listChange(r) {
  if (!Array.isArray(r.before ?? []) || !Array.isArray(r.after ?? [])) return null;
  if (!Array.isArray(r.before) && !Array.isArray(r.after)) return null;
  const was = new Set(r.before ?? []);
  const now = new Set(r.after ?? []);
  const added = [...now].filter((x) => !was.has(x));
  const removed = [...was].filter((x) => !now.has(x));
  if (!added.length && !removed.length) return null;
  const label = (x) => valueText(r.field, [x]);
  return h(
    'span',
    { class: 'list-change' },
    ' （',
    ...added.map((x) => h('ins', { class: 'new', 'data-added': x }, `+${label(x)}`)),
    added.length && removed.length ? ' ' : '',
    ...removed.map((x) => h('del', { class: 'old', 'data-removed': x }, `−${label(x)}`)),
    '）',
  );
}

/** `datetime-local` text (this browser's clock) as RFC 3339 UTC, or ''. */
export function localToRfc3339(value) {
  if (!value) return '';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '' : d.toISOString();
}

/** Builds the audit screen. */
export function createAudit() {
  const state = { entries: [], status: 'idle', more: false, open: new Set(), tokens: [], seq: 0 };
  const banner = createBanner('audit-banner');
  const station = h('input', { id: 'audit-station', class: 'input', type: 'number', min: '1', step: '1', inputmode: 'numeric' });
  const actor = h('select', { id: 'audit-actor', class: 'select' });
  const operation = h('select', { id: 'audit-operation', class: 'select' });
  const since = h('input', { id: 'audit-since', class: 'input', type: 'datetime-local' });
  const until = h('input', { id: 'audit-until', class: 'input', type: 'datetime-local' });
  const apply = h('button', { type: 'submit', class: 'button', id: 'audit-apply' });
  const labelled = (key, control) => h('label', { class: 'field' }, h('span', { class: 'field-label', 'data-i18n': key }), control);
  const form = h(
    'form',
    { class: 'filter-row audit-filters', id: 'audit-filters' },
    labelled('console.audit.station', station),
    labelled('console.audit.actor', actor),
    labelled('console.audit.operation', operation),
    labelled('console.audit.since', since),
    labelled('console.audit.until', until),
    h('div', { class: 'field actions' }, apply),
  );
  const list = h('ol', { class: 'audit-list', id: 'audit-list' });
  const more = h('button', { type: 'button', class: 'button secondary', id: 'audit-more', hidden: true, onclick: () => load({ append: true }) });
  const el = h(
    'section',
    { class: 'console-screen audit', id: 'console-audit', hidden: true, 'data-state': 'idle', 'data-seq': '0' },
    h('h2', { class: 'panel-title', 'data-i18n': 'console.audit.heading' }),
    form,
    banner.el,
    list,
    h('div', { class: 'actions' }, more),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    load();
  });

  function filters() {
    return {
      station: station.value,
      actor: actor.value,
      operation: operation.value,
      since: localToRfc3339(since.value),
      until: localToRfc3339(until.value),
    };
  }

  async function load({ append = false } = {}) {
    el.dataset.state = 'loading';
    banner.hide();
    const f = filters();
    if (append && state.entries.length) f.before = state.entries.at(-1).seq;
    try {
      const page = await capi.audit(f);
      const entries = page.entries ?? [];
      state.entries = append ? [...state.entries, ...entries] : entries;
      if (!append) state.open.clear();
      state.more = entries.length >= capi.PAGE_SIZE;
      state.status = 'ready';
    } catch (e) {
      state.status = 'error';
      if (e.status !== 401) banner.show('error', t('console.audit.error', { message: errorText(e) }));
    }
    state.seq += 1;
    el.dataset.state = state.status;
    el.dataset.seq = String(state.seq);
    renderList();
  }

  async function loadTokens() {
    try {
      state.tokens = (await capi.tokens()).tokens ?? [];
    } catch (e) {
      state.tokens = [];
      console.warn('tokens:', e.message);
    }
    renderFilters();
  }

  function renderFilters() {
    const a = actor.value;
    clear(actor);
    actor.append(
      h('option', { value: '' }, t('console.audit.actor.all')),
      h('option', { value: 'config' }, t('console.audit.actor.config')),
      ...state.tokens.map((x) => h('option', { value: x.id }, `${x.name} (${roleLabel(x.role)})`)),
    );
    actor.value = a;
    const o = operation.value;
    clear(operation);
    operation.append(h('option', { value: '' }, t('console.audit.operation.all')), ...OPERATIONS.map((code) => h('option', { value: code }, operationLabel(code))));
    operation.value = o;
    apply.textContent = t('console.audit.apply');
    more.textContent = t('console.audit.more');
  }

  function diffView(entry) {
    const kind = changeKind(entry);
    const rows = diffEntry(entry.before, entry.after);
    const cell = (cls, field, v) => h('td', { class: cls }, v === null ? '—' : valueText(field, v));
    let body;
    if (kind === 'update') {
      body = rows.map((r) =>
        h(
          'tr',
          { 'data-field': r.field },
          h('th', { scope: 'row' }, fieldLabel(r.field)),
          h(
            'td',
            { class: 'diff-values' },
            h('del', { class: 'old' }, valueText(r.field, r.before)),
            ' → ',
            h('ins', { class: 'new' }, valueText(r.field, r.after)),
            listChange(r),
          ),
        ),
      );
    } else {
      const side = kind === 'delete' ? 'before' : 'after';
      body = rows.map((r) => h('tr', { 'data-field': r.field }, h('th', { scope: 'row' }, fieldLabel(r.field)), cell(kind === 'delete' ? 'old' : 'new', r.field, r[side])));
    }
    return h(
      'div',
      { class: 'audit-detail', 'data-kind': kind },
      h('p', { class: 'hint' }, t(`console.audit.kind.${kind}`), entry.route ? ` · ${entry.route}` : ''),
      rows.length ? h('table', { class: 'data audit-diff' }, h('tbody', {}, ...body)) : h('p', { class: 'hint' }, t('console.audit.no_change')),
    );
  }

  function renderList() {
    clear(list);
    for (const e of state.entries) {
      const open = state.open.has(e.seq);
      const li = h('li', { class: 'audit-entry', 'data-seq': e.seq, 'data-operation': e.operation, 'data-target': e.target ?? '' });
      const head = h(
        'button',
        {
          type: 'button',
          class: 'audit-row',
          'aria-expanded': String(open),
          onclick: () => {
            if (state.open.has(e.seq)) state.open.delete(e.seq);
            else state.open.add(e.seq);
            renderList();
          },
        },
        h('span', { class: 'audit-time' }, fmtDateTime(e.at)),
        h('span', { class: 'audit-op' }, operationLabel(e.operation)),
        h('span', { class: 'audit-target' }, e.target ? `#${e.target}` : ''),
        h('span', { class: 'audit-actor' }, `${e.actor_name} (${roleLabel(e.role)})`),
      );
      li.append(head);
      if (open) li.append(diffView(e));
      list.append(li);
    }
    if (!state.entries.length && state.status === 'ready') list.append(h('li', { class: 'empty' }, t('console.audit.empty')));
    more.hidden = !state.more;
  }

  renderFilters();
  return {
    el,
    state,
    show() {
      el.hidden = false;
      loadTokens();
      load();
    },
    hide() {
      el.hidden = true;
    },
    relang() {
      renderFilters();
      renderList();
    },
  };
}

/** The label of a station or token field in the diff. */
export function fieldLabel(field) {
  const key = `console.field.${field}`;
  const text = t(key);
  return text === key ? field : text;
}
