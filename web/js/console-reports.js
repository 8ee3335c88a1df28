// The reports screen (反馈 · Reports, editors and admins): riders' reports one page of 50 at a time
// from GET /api/v1/reports (status chips — new and acknowledged at first —, district and street of
// that district, a station id; newest first; the pager reads `numberMatched`). A row opens to the
// rider's text, the photo (GET /api/v1/reports/{id}/photo, re-encoded by the server), the rider's
// position and the station's on an inset map (console-map.js), the station's link, and the
// actions: 受理 (acknowledged), 解决 (resolved: a note the rider reads, and optionally the fix of
// the station in the same action — close it, its amenities, its hours, its pin moved on the map —
// sent as the full station body built from GET /api/v1/stations/{id}), 不采纳 (rejected, a note).
// A refusal shows at the field it names.

import { AMENITIES } from './catalog.js';
import * as capi from './console-api.js';
import { InsetMap } from './console-map.js';
import { fmtLonLat, round6 } from './console-coords.js';
import { clearErrors, createBanner, errorText, field, fmtDateTime, select, showErrors } from './console-ui.js';
import { clear, h, put } from './dom.js';
import { amenityLabel, fmtNumber, t } from './i18n.js';
import { OPEN_STATUSES, STATUSES, decisionField, reportCategory, statusLabel } from './report-model.js';

/** The table's columns: key and label. */
const COLUMNS = [
  ['created_at', 'console.reports.col.created_at'],
  ['code', 'console.reports.col.code'],
  ['category', 'console.reports.col.category'],
  ['station', 'console.reports.col.station'],
  ['place', 'console.reports.col.place'],
  ['status', 'console.reports.col.status'],
  ['photo', 'console.reports.col.photo'],
];

/** Builds the reports screen. */
export function createReports({ districts }) {
  const state = {
    filters: { statuses: [...OPEN_STATUSES], district: '', street: '', station: '', page: 0 },
    reports: [],
    matched: 0,
    status: 'idle',
    seq: 0,
    streets: [],
    open: null,
    station: null,
    decision: null,
    busy: false,
    moveTo: null,
  };
  let inflight = null;
  let map = null;
  const banner = createBanner('reports-banner');

  const chips = h('div', { class: 'chips rp-statuses', id: 'rp-statuses', role: 'group' });
  const filters = h('div', { class: 'filter-row', id: 'rp-filters' });
  const station = h('input', { id: 'rp-station', class: 'input rp-station', type: 'number', min: '1', step: '1', inputmode: 'numeric', autocomplete: 'off' });
  station.addEventListener('change', () => setFilter('station', station.value.trim()));
  const refresh = h('button', { type: 'button', class: 'button secondary small', id: 'rp-refresh', onclick: () => load() });
  const thead = h('thead', {});
  const tbody = h('tbody', {});
  const table = h('table', { class: 'data ctable rp-table', id: 'rp-table' }, thead, tbody);
  const range = h('span', { class: 'range', id: 'rp-range' });
  const prev = h('button', { type: 'button', class: 'button secondary small', id: 'rp-prev', onclick: () => turn(-1) });
  const next = h('button', { type: 'button', class: 'button secondary small', id: 'rp-next', onclick: () => turn(1) });
  const title = h('h2', { class: 'panel-title', 'data-i18n': 'console.reports.heading' });
  const el = h(
    'section',
    { class: 'console-screen reports', id: 'console-reports', hidden: true, 'data-state': 'idle', 'data-seq': '0' },
    title,
    h('div', { class: 'toolbar' }, chips, refresh),
    filters,
    banner.el,
    h('div', { class: 'table-wrap rp-wrap' }, table),
    h('div', { class: 'pager' }, prev, range, next),
  );

  // --- loading --------------------------------------------------------------------------------
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
      const answer = await capi.reports(state.filters, { signal: ctrl.signal });
      if (inflight !== ctrl) return;
      state.reports = answer.reports ?? [];
      state.matched = answer.numberMatched ?? state.reports.length;
      state.status = 'ready';
      if (!state.reports.length && state.matched > 0 && state.filters.page > 0) {
        state.filters.page = Math.floor((state.matched - 1) / capi.REPORTS_PAGE_SIZE);
        load();
        return;
      }
    } catch (e) {
      if (e.name === 'AbortError') return;
      if (e.status === 401) return;
      state.status = 'error';
      state.reports = [];
      state.matched = 0;
      banner.show('error', t('console.reports.error', { message: errorText(e) }));
    } finally {
      if (inflight === ctrl) inflight = null;
    }
    if (state.open !== null && !state.reports.some((r) => r.id === state.open)) closeDetail();
    state.seq += 1;
    renderTable();
  }

  function setFilter(key, value) {
    state.filters[key] = value;
    state.filters.page = 0;
    if (key === 'district') {
      state.filters.street = '';
      loadStreets(value).then(() => renderFilters());
    }
    banner.hide();
    load();
  }

  function toggleStatus(code) {
    const set = new Set(state.filters.statuses);
    if (set.has(code)) set.delete(code);
    else set.add(code);
    state.filters.statuses = STATUSES.filter((s) => set.has(s));
    state.filters.page = 0;
    renderChips();
    banner.hide();
    load();
  }

  function turn(d) {
    const last = Math.max(0, Math.ceil(state.matched / capi.REPORTS_PAGE_SIZE) - 1);
    state.filters.page = Math.min(last, Math.max(0, state.filters.page + d));
    load();
  }

  // --- rendering --------------------------------------------------------------------------------
  function renderChips() {
    clear(chips);
    chips.setAttribute('aria-label', t('console.reports.filter.status'));
    for (const s of STATUSES) {
      chips.append(
        h(
          'button',
          { type: 'button', class: 'chip', id: `rp-status-${s}`, 'data-status': s, 'aria-pressed': String(state.filters.statuses.includes(s)), onclick: () => toggleStatus(s) },
          statusLabel(s),
        ),
      );
    }
  }

  function renderFilters() {
    clear(filters);
    const f = state.filters;
    const names = districts.features.map((x) => x.properties.name);
    station.placeholder = t('console.reports.filter.station');
    station.setAttribute('aria-label', t('console.reports.filter.station'));
    filters.append(
      select('rp-district', [['', t('console.filter.district.all')], ...names.map((n) => [n, n])], f.district, (v) => setFilter('district', v), {
        'aria-label': t('console.col.district'),
      }),
      select('rp-street', [['', t('console.filter.street.all')], ...state.streets.map((n) => [n, n])], f.street, (v) => setFilter('street', v), {
        'aria-label': t('console.col.street'),
        disabled: !f.district || !state.streets.length,
      }),
      station,
    );
  }

  function placeText(r) {
    return [r.district, r.street].filter(Boolean).join(' · ');
  }

  function stationCell(r) {
    if (r.station_id === undefined || r.station_id === null) return h('span', { class: 'hint' }, t('console.reports.no_station'));
    return h('a', { href: `#/manage/stations/${r.station_id}`, class: 'rp-station-link', onclick: (e) => e.stopPropagation() }, r.station_name ?? `#${r.station_id}`);
  }

  function renderTable() {
    el.dataset.state = state.status;
    el.dataset.seq = String(state.seq);
    clear(thead);
    thead.append(h('tr', {}, ...COLUMNS.map(([key, label]) => h('th', { scope: 'col', 'data-col': key }, t(label)))));
    clear(tbody);
    for (const r of state.reports) {
      const open = r.id === state.open;
      tbody.append(
        h(
          'tr',
          {
            class: `rp-row${open ? ' selected' : ''}`,
            'data-id': String(r.id),
            'data-code': r.code,
            'data-status': r.status,
            tabindex: '0',
            'aria-expanded': String(open),
            onclick: () => toggleRow(r.id),
            onkeydown: (e) => {
              if (e.key === 'Enter' && e.target === e.currentTarget) toggleRow(r.id);
            },
          },
          h('td', { 'data-col': 'created_at' }, fmtDateTime(r.created_at)),
          h('td', { 'data-col': 'code', class: 'mono' }, r.code),
          h('td', { 'data-col': 'category' }, reportCategory(r)),
          h('td', { 'data-col': 'station' }, stationCell(r)),
          h('td', { 'data-col': 'place' }, placeText(r)),
          h('td', { 'data-col': 'status' }, h('span', { class: `report-status report-status-${r.status}` }, statusLabel(r.status))),
          h('td', { 'data-col': 'photo' }, r.has_photo ? t('console.reports.has_photo') : ''),
        ),
      );
      if (open) tbody.append(h('tr', { class: 'rp-detail-row', 'data-for': String(r.id) }, h('td', { colspan: String(COLUMNS.length) }, detailEl)));
    }
    if (!state.reports.length && state.status === 'ready') {
      tbody.append(h('tr', { class: 'empty' }, h('td', { colspan: String(COLUMNS.length) }, t('console.reports.empty'))));
    }
    const offset = state.filters.page * capi.REPORTS_PAGE_SIZE;
    range.textContent = state.matched
      ? t('console.range', { from: fmtNumber(offset + 1), to: fmtNumber(offset + state.reports.length), total: fmtNumber(state.matched) })
      : t('console.reports.none');
    prev.disabled = state.filters.page === 0;
    next.disabled = offset + state.reports.length >= state.matched;
    if (state.open !== null) map?.resize();
  }

  // --- a report opened ------------------------------------------------------------------------
  const detailEl = h('div', { class: 'rp-detail', id: 'rp-detail' });
  const detailBanner = createBanner('rp-detail-banner');

  function current() {
    return state.reports.find((r) => r.id === state.open) ?? null;
  }

  function toggleRow(id) {
    if (state.open === id) {
      closeDetail();
      renderTable();
      return;
    }
    openDetail(id);
  }

  function closeDetail() {
    state.open = null;
    state.station = null;
    state.decision = null;
    state.moveTo = null;
    if (map?.available) map.view.map.remove();
    map = null;
    clear(detailEl);
  }

  async function openDetail(id) {
    closeDetail();
    state.open = id;
    detailBanner.hide();
    // The row's detail is in the page before its map is made (the map needs its size).
    renderTable();
    renderDetail();
    const r = current();
    if (r?.station_id !== undefined && r?.station_id !== null) {
      detailEl.dataset.station = 'loading';
      try {
        const feature = await capi.station(r.station_id);
        if (state.open !== id) return;
        state.station = feature;
        detailEl.dataset.station = 'ready';
      } catch (e) {
        if (state.open !== id) return;
        state.station = null;
        detailEl.dataset.station = e.status === 404 ? 'gone' : 'error';
      }
      renderDetail();
    }
  }

  function facts(r) {
    const row = (key, value) => (value === null || value === undefined || value === '' ? null : [h('dt', {}, t(key)), h('dd', {}, value)]);
    return h(
      'dl',
      { class: 'facts rp-facts' },
      ...[
        row('console.reports.col.code', h('span', { class: 'mono' }, r.code)),
        row('console.reports.col.category', reportCategory(r)),
        row('console.reports.col.station', stationCell(r)),
        row('console.reports.text', r.text ? h('span', { class: 'rp-text', id: 'rp-text' }, r.text) : h('span', { class: 'hint' }, t('console.reports.no_text'))),
        row('console.reports.position', r.position ? h('span', { class: 'coord' }, `${fmtLonLat(r.position)} (WGS-84)`) : null),
        row('console.reports.col.status', h('span', { class: `report-status report-status-${r.status}` }, statusLabel(r.status))),
        row('console.reports.created', fmtDateTime(r.created_at)),
        row('console.reports.updated', r.updated_at && r.updated_at !== r.created_at ? fmtDateTime(r.updated_at) : null),
        row('console.reports.resolved', r.resolved_at ? fmtDateTime(r.resolved_at) : null),
        row('console.reports.note', r.note ? h('span', { id: 'rp-note-shown' }, r.note) : null),
      ]
        .filter(Boolean)
        .flat(),
    );
  }

  function renderDetail() {
    const r = current();
    clear(detailEl);
    if (!r) return;
    detailEl.dataset.id = String(r.id);
    const open = OPEN_STATUSES.includes(r.status);
    const photo = r.has_photo
      ? h(
          'a',
          { href: capi.reportPhotoUrl(r.id), target: '_blank', rel: 'noopener', class: 'rp-photo-link' },
          h('img', { src: capi.reportPhotoUrl(r.id), class: 'rp-photo', id: 'rp-photo', alt: t('console.reports.photo'), loading: 'lazy' }),
        )
      : null;
    const gone = detailEl.dataset.station === 'gone' ? h('p', { class: 'warning' }, t('console.reports.station_gone', { id: r.station_id })) : null;
    const mapBox = h('div', { class: 'inset-map rp-map', id: 'rp-map' });
    const hasPlace = Boolean(r.position) || Boolean(state.station);
    put(
      detailEl,
      detailBanner.el,
      h(
        'div',
        { class: 'rp-grid' },
        h('div', { class: 'rp-info' }, facts(r), photo, gone),
        hasPlace
          ? h(
              'div',
              { class: 'rp-side' },
              mapBox,
              h(
                'p',
                { class: 'hint rp-legend' },
                r.position ? h('span', { class: 'rp-key rp-key-rider' }, t('console.reports.legend.rider')) : null,
                state.station ? h('span', { class: 'rp-key rp-key-station' }, t('console.reports.legend.station')) : null,
              ),
            )
          : null,
      ),
      open && !state.decision
        ? h(
            'div',
            { class: 'actions rp-actions' },
            r.status === 'new' ? h('button', { type: 'button', class: 'button', id: 'rp-ack', onclick: () => acknowledge() }, t('console.reports.ack')) : null,
            h('button', { type: 'button', class: 'button', id: 'rp-resolve', onclick: () => startDecision('resolved') }, t('console.reports.resolve')),
            h('button', { type: 'button', class: 'button danger-outline', id: 'rp-reject', onclick: () => startDecision('rejected') }, t('console.reports.reject')),
          )
        : null,
      state.decision ? decisionForm(r) : null,
    );
    if (map?.available) map.view.map.remove();
    map = null;
    if (hasPlace) {
      map = new InsetMap(mapBox, districts);
      drawMap(r, { frame: true });
      map.onClick((p) => {
        if (state.decision === 'resolved' && state.moveTo) movePin(p);
      });
      requestAnimationFrame(() => map?.resize());
    }
  }

  function drawMap(r, { frame = false } = {}) {
    if (!map) return;
    const features = [];
    if (r.position) features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: [r.position.lon, r.position.lat] }, properties: { action: 'placed' } });
    const st = state.station?.geometry?.coordinates;
    if (st) features.push({ type: 'Feature', geometry: { type: 'Point', coordinates: st }, properties: { action: 'update' } });
    map.setPoints({ type: 'FeatureCollection', features });
    if (state.moveTo) map.setPin(state.moveTo, { onMove: (p) => movePin(p) });
    else map.setPin(null);
    if (frame && features.length) {
      const xs = features.map((f) => f.geometry.coordinates[0]);
      const ys = features.map((f) => f.geometry.coordinates[1]);
      map.ready.then(() => map?.fitBBox([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]));
    }
  }

  // --- decisions ------------------------------------------------------------------------------
  async function acknowledge() {
    const r = current();
    if (!r || state.busy) return;
    state.busy = true;
    detailEl.dataset.busy = 'ack';
    try {
      const answer = await capi.setReportStatus(r.id, { status: 'acknowledged' });
      done(answer, t('console.reports.done.acknowledged', { code: r.code }));
    } catch (e) {
      if (e.status !== 401) detailBanner.show('error', t('console.write_failed', { message: errorText(e) }));
    } finally {
      state.busy = false;
      delete detailEl.dataset.busy;
    }
  }

  function startDecision(mode) {
    state.decision = mode;
    state.moveTo = null;
    detailBanner.hide();
    renderDetail();
    detailEl.querySelector('#rp-note')?.focus();
  }

  function cancelDecision() {
    state.decision = null;
    state.moveTo = null;
    renderDetail();
  }

  function movePin(p) {
    state.moveTo = { lon: round6(p.lon), lat: round6(p.lat) };
    const loc = detailEl.querySelector('#rp-location');
    if (loc) loc.textContent = `${fmtLonLat(state.moveTo)} (WGS-84)`;
    const box = detailEl.querySelector('#rp-map');
    if (box) {
      box.dataset.lon = String(state.moveTo.lon);
      box.dataset.lat = String(state.moveTo.lat);
    }
    map?.setPin(state.moveTo, { onMove: (q) => movePin(q) });
  }

  function decisionForm(r) {
    const resolving = state.decision === 'resolved';
    const note = h('textarea', { id: 'rp-note', class: 'input textarea', rows: '3', maxlength: '1000' });
    note.addEventListener('input', () => {
      const box = note.closest('.cfield');
      box?.classList.remove('invalid');
      const msg = box?.querySelector('.field-msg');
      if (msg) msg.hidden = true;
    });
    const parts = [
      h('h4', { class: 'sub-title' }, t(resolving ? 'console.reports.resolve.title' : 'console.reports.reject.title', { code: r.code })),
      field('note', t('console.reports.note.label'), note, { wide: true, hint: h('p', { class: 'hint' }, t('console.reports.note.hint')) }),
    ];
    const canFix = resolving && state.station;
    if (canFix) {
      const p = state.station.properties;
      const [lon, lat] = state.station.geometry.coordinates;
      const check = (id, key, onchange) => h('label', { class: 'inline' }, h('input', { type: 'checkbox', id, onchange }), t(key));
      const amenities = h(
        'fieldset',
        { class: 'amenity-boxes', id: 'rp-amenities' },
        ...AMENITIES.map((a) =>
          h(
            'label',
            { class: `inline amenity-box${a.code === r.amenity ? ' reported' : ''}` },
            h('input', { type: 'checkbox', value: a.code, id: `rp-amenity-${a.code}`, checked: (p.amenities ?? []).includes(a.code) }),
            amenityLabel(a.code),
          ),
        ),
      );
      const hours = h('input', { id: 'rp-hours', class: 'input', type: 'text', autocomplete: 'off', value: p.opening_hours ?? '' });
      const amenityField = field('amenities', t('console.field.amenities'), amenities, { wide: true });
      const hoursField = field('opening_hours', t('console.field.opening_hours'), hours, { wide: true });
      const location = h('span', { class: 'coord', id: 'rp-location' }, `${fmtLonLat({ lon, lat })} (WGS-84)`);
      const toReport = r.position
        ? h('button', { type: 'button', class: 'button secondary small', id: 'rp-move-to-report', onclick: () => movePin(r.position) }, t('console.reports.move.to_report'))
        : null;
      const locationField = h(
        'div',
        { class: 'cfield wide', 'data-field': 'location' },
        h('p', { class: 'loc-line' }, location),
        h('p', { class: 'hint' }, t('console.reports.move.hint')),
        toReport,
        h('p', { class: 'field-msg', id: 'err-location', role: 'alert', hidden: true }),
      );
      amenityField.hidden = true;
      hoursField.hidden = true;
      locationField.hidden = true;
      parts.push(
        h(
          'fieldset',
          { class: 'rp-fix', id: 'rp-fix' },
          h('legend', {}, t('console.reports.fix')),
          h(
            'div',
            { class: 'cfield', 'data-field': 'status' },
            check('rp-close', 'console.reports.fix.close', null),
            h('p', { class: 'field-msg', id: 'err-status', role: 'alert', hidden: true }),
          ),
          check('rp-edit-amenities', 'console.reports.fix.amenities', (e) => {
            amenityField.hidden = !e.target.checked;
          }),
          amenityField,
          check('rp-edit-hours', 'console.reports.fix.hours', (e) => {
            hoursField.hidden = !e.target.checked;
          }),
          hoursField,
          check('rp-move', 'console.reports.fix.move', (e) => {
            locationField.hidden = !e.target.checked;
            state.moveTo = e.target.checked ? { lon, lat } : null;
            drawMap(r);
          }),
          locationField,
        ),
      );
    } else if (resolving && r.station_id !== undefined && r.station_id !== null && detailEl.dataset.station === 'loading') {
      parts.push(h('p', { class: 'hint busy' }, t('console.reports.station_loading')));
    }
    const apply = h('button', { type: 'submit', class: `button${resolving ? '' : ' danger'}`, id: 'rp-apply' }, t(resolving ? 'console.reports.resolve.apply' : 'console.reports.reject.apply'));
    parts.push(
      h(
        'div',
        { class: 'actions' },
        apply,
        h('button', { type: 'button', class: 'link', id: 'rp-decision-cancel', onclick: () => cancelDecision() }, t('console.cancel')),
      ),
    );
    const form = h('form', { class: 'rp-decision', id: 'rp-decision', 'data-mode': state.decision, novalidate: true }, ...parts);
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      decide(form, r);
    });
    return form;
  }

  /** The changes the decision form asks for, or null (none ticked). */
  function changesOf(form) {
    const ticked = (id) => form.querySelector(`#${id}`)?.checked === true;
    const changes = {};
    if (ticked('rp-close')) changes.status = 'closed';
    if (ticked('rp-edit-amenities')) changes.amenities = [...form.querySelectorAll('#rp-amenities input:checked')].map((x) => x.value);
    if (ticked('rp-edit-hours')) changes.opening_hours = form.querySelector('#rp-hours').value;
    if (ticked('rp-move') && state.moveTo) changes.location = state.moveTo;
    return Object.keys(changes).length ? changes : null;
  }

  function fieldError(form, name, message) {
    const box = form.querySelector(`.cfield[data-field="${name}"]`);
    const msg = box?.querySelector('.field-msg');
    if (!msg) return;
    box.hidden = false;
    box.classList.add('invalid');
    msg.textContent = message;
    msg.hidden = false;
    box.querySelector('input, textarea, select')?.focus();
  }

  async function decide(form, r) {
    if (state.busy) return;
    clearErrors(form);
    detailBanner.hide();
    const note = form.querySelector('#rp-note').value.trim();
    if (!note) {
      fieldError(form, 'note', t('console.reports.note.required'));
      return;
    }
    const mode = state.decision;
    state.busy = true;
    form.dataset.busy = 'true';
    form.querySelector('#rp-apply').disabled = true;
    try {
      let stationBody = null;
      const changes = mode === 'resolved' ? changesOf(form) : null;
      if (changes) {
        // Written hours are saved in the server's reading (全天 → 24/7), as the editor does.
        if (changes.opening_hours !== undefined && changes.opening_hours.trim()) {
          try {
            const read = await capi.hours(changes.opening_hours.trim());
            if (read?.opening_hours) changes.opening_hours = read.opening_hours;
          } catch (e) {
            if (e.status === 400 || e.status === 422) {
              fieldError(form, 'opening_hours', t('console.hours.invalid', { message: errorText(e) }));
              return;
            }
          }
        }
        // The full body from the station as stored now, with the changes applied.
        const fresh = await capi.station(r.station_id);
        stationBody = capi.stationFix(fresh, changes);
      }
      const answer = await capi.setReportStatus(r.id, { status: mode, note, station: stationBody });
      const key = mode === 'resolved' ? (changes?.status === 'closed' ? 'console.reports.done.resolved_closed' : changes ? 'console.reports.done.resolved_fixed' : 'console.reports.done.resolved') : 'console.reports.done.rejected';
      done(answer, t(key, { code: r.code }));
    } catch (e) {
      if (e.status === 401) return;
      if (e.status >= 400 && e.status < 500) {
        const mapped = {
          ...e,
          message: e.message,
          field: decisionField(e.field),
          details: (e.details ?? []).map((d) => ({ ...d, field: decisionField(d.field) })),
        };
        // A field the form hides (amenities, hours, position not ticked) is shown for the message.
        for (const name of [mapped.field, ...mapped.details.map((d) => d.field)]) {
          const box = name ? form.querySelector(`.cfield[data-field="${CSS.escape(name)}"]`) : null;
          if (box) box.hidden = false;
        }
        showErrors(form, mapped, detailBanner);
      } else {
        detailBanner.show('error', t('console.write_failed', { message: errorText(e) }));
      }
      el.dataset.result = 'error';
    } finally {
      state.busy = false;
      delete form.dataset.busy;
      const apply = form.querySelector('#rp-apply');
      if (apply) apply.disabled = false;
    }
  }

  function done(answer, message) {
    const i = state.reports.findIndex((x) => x.id === answer?.id);
    if (i >= 0) state.reports[i] = { ...state.reports[i], ...answer };
    state.decision = null;
    state.moveTo = null;
    el.dataset.result = 'saved';
    el.dataset.resultSeq = String(Number(el.dataset.resultSeq ?? 0) + 1);
    banner.show('ok', message);
    closeDetail();
    load();
  }

  function render() {
    renderChips();
    renderFilters();
    refresh.textContent = t('console.reports.refresh');
    prev.textContent = t('console.prev');
    next.textContent = t('console.next');
    title.textContent = t('console.reports.heading');
    renderTable();
    if (state.open !== null) renderDetail();
  }

  render();

  return {
    el,
    state,
    show() {
      el.hidden = false;
      // New reports arrive all the time: the queue is read again whenever the screen is shown.
      load();
      map?.resize();
    },
    hide() {
      el.hidden = true;
    },
    relang: render,
    reload: load,
    /** The inset map of the report opened (for tests). */
    get map() {
      return map;
    },
    destroy() {
      inflight?.abort();
      if (map?.available) map.view.map.remove();
      map = null;
    },
  };
}
