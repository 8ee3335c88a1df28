// The rider view: locate (or tap the map), then the nearest stations as a list and as pins —
// kind, distance, travel time, open now / closes at, amenities, merchant offer — with filters by
// travel mode, kind, amenity and "open now", a detail sheet, and the hand-off to Amap or Baidu.
// Riders report what they find (report.js): 反馈问题 on a station's sheet (which also shows the
// station's open reports), 在此处反馈 for a place with no station (a long press or right-click on
// the map, or the button under the list), and 我的反馈.

import * as api from './api.js';
import { FILTER_AMENITIES, KINDS, MODES, kind } from './catalog.js';
import { amenityLabel, fmtDistance, fmtDuration, fmtOpening, kindLabel, t } from './i18n.js';
import { svgIcon } from './map.js';
import { handOff, navLinks } from './nav.js';
import { clear, h } from './dom.js';
import { createReports } from './report.js';

/** How many stations a search asks for. */
export const K = 10;
/** Amenities shown on a list row before "+n". */
const ROW_AMENITIES = 4;
/** Background stations are loaded from this zoom on, at most this many. */
const STATIONS_MIN_ZOOM = 10;
const STATIONS_LIMIT = 2000;

const LOCATE_ICON =
  'M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zm8.9 3A9 9 0 0 0 13 3.1V1h-2v2.1A9 9 0 0 0 3.1 11H1v2h2.1a9 9 0 0 0 7.9 7.9V23h2v-2.1a9 9 0 0 0 7.9-7.9H23v-2zM12 19a7 7 0 1 1 0-14 7 7 0 0 1 0 14z';

/**
 * Builds the rider view in `root`, drawing on `map` (a MapView); `fab` is the locate button and
 * `sheet` the panel controller (`open(state)`).
 */
export function createRider({ root, map, fab, sheet }) {
  const state = {
    origin: null,
    mode: 'ebike',
    kinds: new Set(),
    amenities: new Set(),
    openNow: false,
    showAmenities: false,
    results: [],
    status: 'idle', // idle | locating | loading | ready | empty | error
    error: null,
    selected: null,
    seq: 0,
  };
  let inflight = null;
  let active = false;
  let stationsTimer = null;

  // --- skeleton -------------------------------------------------------------------------------
  const heading = h('h2', { class: 'panel-title', 'data-i18n': 'rider.heading' });
  const modes = h('div', { class: 'segmented', role: 'group', 'data-i18n-attr': 'aria-label:filter.mode' });
  const kinds = h('div', { class: 'chips', role: 'group', 'data-i18n-attr': 'aria-label:filter.kind' });
  const extra = h('div', { class: 'chips chips-extra' });
  const amenities = h('div', { class: 'chips chips-amenities', id: 'amenity-filters', role: 'group', 'data-i18n-attr': 'aria-label:filter.amenities' });
  const filters = h('div', { class: 'filters' }, modes, h('div', { class: 'chip-row' }, kinds, extra), amenities);
  const status = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const list = h('ol', { class: 'results', id: 'results' });
  const reportHere = h('button', { type: 'button', class: 'link', id: 'report-here', 'data-i18n-attr': 'title:report.here.label', onclick: () => reports.openPlace(state.origin) });
  const myReports = h('button', { type: 'button', class: 'link', id: 'my-reports', onclick: () => reports.openMine() });
  const riderActions = h('div', { class: 'rider-actions' }, reportHere, myReports);
  const listView = h('div', { class: 'list-view' }, filters, status, riderActions, list);
  const detail = h('article', { class: 'detail', id: 'detail', hidden: true });
  const reports = createReports({
    map,
    sheet,
    onOpen: () => renderDetail(),
    onClose: () => {
      renderDetail();
      if (state.selected === null) list.querySelector('.result-main')?.focus({ preventScroll: true });
    },
    onChange: () => renderActions(),
  });
  const body = h('div', { class: 'rider', id: 'rider', 'data-state': 'idle', 'data-seq': '0' }, heading, listView, detail, reports.el);
  root.append(body);

  fab.replaceChildren(svgIcon(LOCATE_ICON, 22), h('span', { 'data-i18n': 'locate' }));
  fab.setAttribute('data-i18n-attr', 'aria-label:locate.label;title:locate.label');
  fab.addEventListener('click', locate);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || !active) return;
    if (reports.isOpen()) reports.close();
    else if (state.selected !== null) back();
  });

  map.onTap((p) => {
    if (!active) return;
    // With a report open, a tap moves the reported place (or does nothing).
    if (reports.mapTap(p)) return;
    setOrigin(p);
  });
  map.onLongPress((p) => {
    if (!active) return;
    reports.longPress({ lon: Number(p.lon.toFixed(6)), lat: Number(p.lat.toFixed(6)) });
  });
  // The stations in sight, as dots under the pins.
  map.onMoveEnd(() => {
    if (!active) return;
    window.clearTimeout(stationsTimer);
    stationsTimer = window.setTimeout(loadStations, 250);
  });

  // --- actions ----------------------------------------------------------------------------------
  function setOrigin(p) {
    state.origin = { lon: Number(p.lon.toFixed(6)), lat: Number(p.lat.toFixed(6)) };
    map.setOrigin(state.origin);
    search();
  }

  function locate() {
    if (!('geolocation' in navigator)) {
      fail(t('locate.unsupported'), 'locate');
      return;
    }
    state.status = 'locating';
    render();
    navigator.geolocation.getCurrentPosition(
      (pos) => setOrigin({ lon: pos.coords.longitude, lat: pos.coords.latitude }),
      (err) => fail(t(err.code === 1 ? 'locate.denied' : 'locate.failed'), 'locate'),
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
    );
  }

  function fail(message, kindOfError) {
    state.status = 'error';
    state.error = { message, kind: kindOfError };
    render();
  }

  async function search() {
    if (!state.origin) {
      render();
      return;
    }
    inflight?.abort();
    const ctrl = new AbortController();
    inflight = ctrl;
    state.status = 'loading';
    state.selected = null;
    render();
    try {
      const answer = await api.nearest(
        {
          lon: state.origin.lon,
          lat: state.origin.lat,
          k: K,
          mode: state.mode,
          kinds: [...state.kinds],
          amenities: [...state.amenities],
          openNow: state.openNow,
        },
        { signal: ctrl.signal },
      );
      if (inflight !== ctrl) return;
      state.results = answer.results;
      state.status = answer.results.length ? 'ready' : 'empty';
      state.error = null;
      state.answeredAt = new Date();
      map.setResults(state.results, state.origin, (id) => select(id));
      sheet.open('half');
    } catch (e) {
      if (e.name === 'AbortError') return;
      state.results = [];
      map.setResults([], state.origin, () => {});
      fail(t('rider.error', { message: e.status === 0 ? t('error.network') : e.message }), 'search');
      return;
    } finally {
      if (inflight === ctrl) inflight = null;
    }
    state.seq += 1;
    render();
  }

  function select(id) {
    state.selected = id;
    map.highlight(id);
    renderDetail();
    sheet.open('half');
  }

  function back() {
    state.selected = null;
    map.highlight(null);
    renderDetail();
    list.querySelector('.result-main')?.focus({ preventScroll: true });
  }

  async function loadStations() {
    if (map.zoom() < STATIONS_MIN_ZOOM) {
      map.setStations({ type: 'FeatureCollection', features: [] });
      return;
    }
    const bbox = map.bounds();
    if (!bbox) return;
    try {
      const fc = await api.stationsInBBox(bbox, STATIONS_LIMIT);
      map.setStations({
        type: 'FeatureCollection',
        features: fc.features.map((f) => ({ type: 'Feature', geometry: f.geometry, properties: { kind: f.properties.kind } })),
      });
    } catch (e) {
      console.warn('stations layer:', e.message);
    }
  }

  function toggle(set, code) {
    if (set.has(code)) set.delete(code);
    else set.add(code);
    search();
  }

  function clearFilters() {
    state.kinds.clear();
    state.amenities.clear();
    state.openNow = false;
    search();
  }

  // --- rendering --------------------------------------------------------------------------------
  function chip(label, pressed, onClick, attrs = {}) {
    return h('button', { type: 'button', class: 'chip', 'aria-pressed': String(pressed), onclick: onClick, ...attrs }, label);
  }

  function renderFilters() {
    clear(modes);
    for (const m of MODES) {
      modes.append(
        h(
          'button',
          {
            type: 'button',
            class: 'seg',
            'data-mode': m.code,
            'aria-pressed': String(state.mode === m.code),
            onclick: () => {
              state.mode = m.code;
              search();
            },
          },
          t(`mode.${m.code}`),
        ),
      );
    }
    clear(kinds);
    for (const k of KINDS) {
      const c = chip(
        [h('span', { class: 'kind-dot', style: `--c:${k.color}` }), kindLabel(k.code)],
        state.kinds.has(k.code),
        () => toggle(state.kinds, k.code),
        { 'data-kind': k.code },
      );
      kinds.append(c);
    }
    clear(extra);
    extra.append(
      chip(t('filter.open_now'), state.openNow, () => {
        state.openNow = !state.openNow;
        search();
      }, { 'data-filter': 'open_now' }),
      chip(
        state.amenities.size ? `${t('filter.amenities.more')} · ${state.amenities.size}` : t('filter.amenities.more'),
        state.showAmenities,
        () => {
          state.showAmenities = !state.showAmenities;
          renderFilters();
        },
        { 'data-filter': 'amenities', 'aria-expanded': String(state.showAmenities), 'aria-controls': 'amenity-filters' },
      ),
    );
    if (state.kinds.size || state.amenities.size || state.openNow) {
      extra.append(h('button', { type: 'button', class: 'link', 'data-filter': 'clear', onclick: clearFilters }, t('filter.clear')));
    }
    clear(amenities);
    amenities.hidden = !state.showAmenities;
    for (const code of FILTER_AMENITIES) {
      amenities.append(chip(amenityLabel(code), state.amenities.has(code), () => toggle(state.amenities, code), { 'data-amenity': code }));
    }
  }

  function renderStatus() {
    clear(status);
    const s = state.status;
    body.dataset.state = s;
    body.dataset.seq = String(state.seq);
    status.className = `status status-${s}`;
    if (s === 'idle') status.append(h('p', {}, t('rider.hint')));
    else if (s === 'locating') status.append(h('p', { class: 'busy' }, t('locate.busy')));
    else if (s === 'loading') status.append(h('p', { class: 'busy' }, t('rider.loading')));
    else if (s === 'empty') {
      status.append(h('p', {}, t('rider.empty')));
      if (state.kinds.size || state.amenities.size || state.openNow) {
        status.append(h('button', { type: 'button', class: 'button', onclick: clearFilters }, t('rider.empty.clear')));
      }
    } else if (s === 'error') {
      status.append(h('p', { class: 'error' }, state.error?.message ?? ''));
      status.append(
        h('button', { type: 'button', class: 'button', onclick: state.error?.kind === 'locate' ? locate : search }, t('rider.retry')),
      );
    } else if (s === 'ready') {
      status.append(h('p', { class: 'count' }, t('rider.count', { n: state.results.length })));
    }
  }

  function amenityBadges(codes, limit) {
    const shown = limit ? codes.slice(0, limit) : codes;
    const out = shown.map((c) => h('span', { class: 'badge', 'data-amenity': c }, amenityLabel(c)));
    if (limit && codes.length > limit) out.push(h('span', { class: 'badge more' }, t('more', { n: codes.length - limit })));
    return out;
  }

  function kindIcon(code, size = 20) {
    const k = kind(code);
    return h('span', { class: 'kind-icon', style: `--c:${k.color}`, title: kindLabel(code) }, svgIcon(k.icon, size));
  }

  function renderActions() {
    reportHere.textContent = t('report.here');
    const n = reports.count();
    myReports.textContent = n ? t('report.mine.count', { n }) : t('report.mine');
  }

  function renderList() {
    clear(list);
    const now = state.answeredAt ?? new Date();
    // While a new search runs, the previous list stays, dimmed.
    const showList = state.status === 'ready' || (state.status === 'loading' && state.results.length > 0);
    list.hidden = !showList;
    list.classList.toggle('stale', state.status === 'loading');
    if (!showList) return;
    state.results.forEach((r, i) => {
      const s = r.station;
      const open = fmtOpening(r, now);
      const row = h(
        'li',
        { class: 'result', 'data-id': String(s.id), 'data-kind': s.kind },
        h(
          'button',
          { type: 'button', class: 'result-main', onclick: () => select(s.id) },
          h('span', { class: 'rank' }, String(i + 1)),
          kindIcon(s.kind),
          h(
            'span',
            { class: 'result-body' },
            h('span', { class: 'result-name' }, s.name),
            h(
              'span',
              { class: 'result-meta' },
              h('span', { class: 'kind-label' }, kindLabel(s.kind)),
              ' · ',
              h('span', { class: 'dist' }, fmtDistance(r.distance_m)),
              ' · ',
              h('span', { class: 'eta' }, fmtDuration(r.eta_s)),
            ),
            h('span', { class: `open open-${open.state}` }, open.text),
            s.amenities.length ? h('span', { class: 'badges' }, ...amenityBadges(s.amenities, ROW_AMENITIES)) : null,
            s.offer ? h('span', { class: 'offer' }, h('b', {}, t('offer.label')), ' ', s.offer) : null,
          ),
        ),
      );
      list.append(row);
    });
  }

  function field(labelKey, value) {
    if (value === null || value === undefined || value === '') return null;
    return [h('dt', {}, t(labelKey)), h('dd', {}, value)];
  }

  function renderDetail() {
    const r = state.results.find((x) => x.station.id === state.selected);
    const reporting = reports.isOpen();
    listView.hidden = Boolean(r) || reporting;
    detail.hidden = !r || reporting;
    clear(detail);
    if (!r || reporting) return;
    const s = r.station;
    const links = navLinks(r, state.mode);
    const open = fmtOpening(r, state.answeredAt ?? new Date());
    const navButton = (app, labelKey) =>
      h(
        'a',
        {
          class: `nav-button nav-${app}`,
          href: links[app].web,
          target: '_blank',
          rel: 'noopener',
          'data-app': app,
          'data-android': links[app].android,
          'data-ios': links[app].ios,
          onclick: (ev) => {
            ev.preventDefault();
            handOff(links[app]);
          },
        },
        t(labelKey),
      );
    detail.dataset.id = String(s.id);
    const parts = [
      h('button', { type: 'button', class: 'link back', onclick: back }, `‹ ${t('detail.back')}`),
      h('header', { class: 'detail-head' }, kindIcon(s.kind, 24), h('div', {}, h('h3', { class: 'detail-name' }, s.name), h('p', { class: 'detail-kind' }, kindLabel(s.kind)))),
      h(
        'p',
        { class: 'detail-trip' },
        h('span', { class: 'dist' }, fmtDistance(r.distance_m)),
        ' · ',
        h('span', { class: 'eta' }, `${t(`mode.${state.mode}`)} ${fmtDuration(r.eta_s)}`),
      ),
      h('p', { class: `open open-${open.state}` }, open.text),
      reports.notice(s.id),
      h('div', { class: 'nav-buttons', role: 'group', 'aria-label': t('detail.navigate') }, navButton('amap', 'detail.amap'), navButton('baidu', 'detail.baidu')),
      h('p', { class: 'hint' }, t('detail.navigate.hint')),
      s.offer ? h('p', { class: 'offer offer-detail' }, h('b', {}, t('detail.offer')), ' ', s.offer) : null,
      h(
        'dl',
        { class: 'facts' },
        ...[
          field('detail.hours', s.opening_hours),
          field('detail.address', s.address),
          s.amenities.length ? [h('dt', {}, t('detail.amenities')), h('dd', { class: 'badges' }, ...amenityBadges(s.amenities, 0))] : null,
          field('detail.capacity', s.capacity == null ? null : t('detail.capacity.value', { n: s.capacity })),
          field('detail.operator', s.operator),
          field('detail.phone', s.phone ? h('a', { href: `tel:${s.phone.replace(/[^\d+]/g, '')}` }, s.phone) : null),
          field('detail.verified', s.verified_on),
        ]
          .filter(Boolean)
          .flat(),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'button secondary',
          onclick: () => {
            sheet.open('half', { force: true });
            map.highlight(s.id, { center: true });
          },
        },
        t('detail.show_on_map'),
      ),
      h('button', { type: 'button', class: 'button secondary report-station', id: 'report-station', onclick: () => reports.openStation(s) }, t('report.button')),
    ];
    detail.append(...parts.filter(Boolean));
    root.scrollTop = 0;
    detail.querySelector('.back').focus({ preventScroll: true });
  }

  function render() {
    renderFilters();
    renderStatus();
    renderActions();
    renderList();
    renderDetail();
  }

  // A position in the URL (`?lon=…&lat=…`, WGS-84) searches at once: links can point at a place.
  const params = new URLSearchParams(window.location.search);
  const lon = Number(params.get('lon'));
  const lat = Number(params.get('lat'));
  render();
  if (params.has('lon') && params.has('lat') && Number.isFinite(lon) && Number.isFinite(lat)) {
    map.ready.then(() => setOrigin({ lon, lat }));
  }

  return {
    show() {
      active = true;
      body.hidden = false;
      fab.hidden = false;
      reports.shown();
      loadStations();
    },
    hide() {
      active = false;
      body.hidden = true;
      fab.hidden = true;
      map.setMark(null);
    },
    rerender: render,
    /** The language changed: labels and units are redrawn. */
    relang() {
      render();
      reports.relang();
    },
    state,
    reports,
  };
}
