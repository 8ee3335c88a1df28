// The station editor beside the stations table: every field of the model, the position as a
// draggable pin on an inset map (console-map.js) or pasted from Amap (GCJ-02), Baidu (BD-09) or a
// GPS app (WGS-84) and converted by the server (GET /api/v1/convert; stored always in WGS-84), a
// live preview of the opening hours as the server reads them (GET /api/v1/hours, debounced:
// "营业中 · 18:00 关门", and 全天 → 24/7 when written in Chinese), and the writes: 保存 (PUT,
// every field), 新建站点 (POST), 关闭/重新开放 (PUT with the status changed), 删除 (after a
// confirmation dialog), 标记为今日已核验 (POST …/verify). A refusal shows at the field it names.

import { AMENITIES, KINDS } from './catalog.js';
import * as capi from './console-api.js';
import { featureBody, stationBody } from './console-api.js';
import { fmtLonLat, parseLonLat, round6 } from './console-coords.js';
import { InsetMap } from './console-map.js';
import {
  clearErrors,
  confirmDialog,
  createBanner,
  crsLabel,
  debounce,
  errorText,
  field,
  fmtDateTime,
  showErrors,
  statusLabel,
} from './console-ui.js';
import { clear, h } from './dom.js';
import { amenityLabel, fmtOpening, kindLabel, t } from './i18n.js';

/** The hours preview waits this long after the last key, milliseconds. */
export const HOURS_DEBOUNCE_MS = 250;

/** Where a new station's pin starts when the map cannot say: 兖州区 (WGS-84). */
const DEFAULT_AT = { lon: 116.786, lat: 35.553 };

/** The text fields of a station, in form order, with their input type. */
const TEXT_FIELDS = [
  ['address', 'text'],
  ['district', 'text'],
  ['street', 'text'],
  ['operator', 'text'],
  ['phone', 'tel'],
  ['source', 'text'],
  ['external_id', 'text'],
];

/** Builds the editor; callbacks: `onSaved(feature)`, `onDeleted(id)`, `onClose()`. */
export function createEditor({ districts, canEdit, onSaved, onDeleted, onClose }) {
  const state = {
    id: null,
    feature: null,
    location: null,
    hours: { text: '', status: 'idle', answer: null, error: null, seq: 0 },
    busy: false,
    converted: null,
  };
  const banner = createBanner('editor-banner');
  let map = null;
  let hoursCtrl = null;

  // --- controls -----------------------------------------------------------------------------
  const title = h('h3', { class: 'editor-title', id: 'editor-title' });
  const meta = h('p', { class: 'hint', id: 'editor-meta' });
  const input = (id, type = 'text', attrs = {}) => h('input', { id, class: 'input', type, autocomplete: 'off', ...attrs });
  const name = input('ed-name', 'text', { required: true, maxlength: '200' });
  const kind = h('select', { id: 'ed-kind', class: 'select' });
  const status = h('select', { id: 'ed-status', class: 'select' });
  const amenities = h('fieldset', { class: 'amenity-boxes', id: 'ed-amenities' });
  const hours = input('ed-hours');
  const hoursPreview = h('p', { class: 'hours-preview', id: 'hours-preview', 'aria-live': 'polite' });
  const capacity = input('ed-capacity', 'number', { step: '1', inputmode: 'numeric' });
  const offer = h('textarea', { id: 'ed-offer', class: 'input textarea', rows: '2' });
  const verified = input('ed-verified_on', 'date');
  const texts = Object.fromEntries(TEXT_FIELDS.map(([key, type]) => [key, input(`ed-${key}`, type)]));
  const districtList = h('datalist', { id: 'ed-district-list' }, ...districts.features.map((f) => h('option', { value: f.properties.name })));
  const streetList = h('datalist', { id: 'ed-street-list' });
  texts.district.setAttribute('list', 'ed-district-list');
  texts.street.setAttribute('list', 'ed-street-list');
  texts.district.addEventListener('change', () => loadStreets(texts.district.value.trim()));

  const locText = h('span', { class: 'coord', id: 'ed-location' });
  const paste = input('coord-paste', 'text', { 'data-i18n-attr': 'placeholder:console.coords.placeholder' });
  const crs = h('select', { id: 'coord-crs', class: 'select' });
  const pasteButton = h('button', { type: 'button', class: 'button secondary small', id: 'coord-apply', onclick: () => applyPaste() });
  const pasteNote = h('p', { class: 'hint', id: 'coord-note' });
  const mapBox = h('div', { class: 'inset-map', id: 'editor-map' });

  const save = h('button', { type: 'submit', class: 'button', id: 'ed-save' });
  const toggle = h('button', { type: 'button', class: 'button secondary', id: 'ed-toggle-status', onclick: () => toggleStatus() });
  const verify = h('button', { type: 'button', class: 'button secondary', id: 'ed-verify', onclick: () => markVerified() });
  const remove = h('button', { type: 'button', class: 'button danger-outline', id: 'ed-delete', onclick: () => del() });
  const cancel = h('button', { type: 'button', class: 'link', id: 'ed-cancel', onclick: () => onClose() });

  const labels = {};
  const f = (key, control, opts) => {
    const box = field(key, '', control, opts);
    labels[key] = box.querySelector('.field-label');
    return box;
  };
  const form = h(
    'form',
    { class: 'editor-form', id: 'station-form', novalidate: true },
    banner.el,
    h(
      'div',
      { class: 'form-grid' },
      f('name', name, { wide: true }),
      f('kind', kind),
      f('status', status),
      f('amenities', amenities, { wide: true }),
      f('opening_hours', hours, { wide: true, hint: hoursPreview }),
      f('capacity', capacity),
      f('phone', texts.phone),
      f('operator', texts.operator, { wide: true }),
      f('offer', offer, { wide: true }),
      f('address', texts.address, { wide: true }),
      f('district', texts.district),
      f('street', texts.street),
      f('source', texts.source),
      f('external_id', texts.external_id),
      f('verified_on', verified),
    ),
    districtList,
    streetList,
    h(
      'div',
      { class: 'cfield wide location', 'data-field': 'location' },
      h('span', { class: 'field-label', id: 'ed-location-label' }),
      h('p', { class: 'loc-line' }, locText),
      mapBox,
      h('p', { class: 'hint', id: 'ed-map-hint' }),
      h('div', { class: 'paste-row' }, paste, crs, pasteButton),
      pasteNote,
      h('p', { class: 'field-msg', id: 'err-location', role: 'alert', hidden: true }),
    ),
    h('div', { class: 'actions editor-actions' }, save, toggle, verify, remove, cancel),
  );
  const back = h('button', { type: 'button', class: 'link back-to-list', id: 'ed-back', onclick: () => onClose() });
  const el = h('div', { class: 'editor', id: 'station-editor' }, h('div', { class: 'editor-head' }, back, title, meta), form);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });
  const previewSoon = debounce(() => previewHours(), HOURS_DEBOUNCE_MS);
  hours.addEventListener('input', () => {
    state.hours.status = 'pending';
    previewSoon();
  });

  // --- map ----------------------------------------------------------------------------------
  function ensureMap() {
    if (map) return map;
    map = new InsetMap(mapBox, districts);
    map.onClick((p) => {
      // A click drops the pin of a new station; an existing one moves by dragging or pasting.
      if (state.id === null && canEdit) setLocation(p);
    });
    return map;
  }

  function setLocation(p, { center = false } = {}) {
    state.location = { lon: round6(p.lon), lat: round6(p.lat) };
    locText.textContent = `${fmtLonLat(state.location)} (WGS-84)`;
    mapBox.dataset.lon = String(state.location.lon);
    mapBox.dataset.lat = String(state.location.lat);
    ensureMap().setPin(state.location, { onMove: (q) => setLocation(q), center });
  }

  async function loadStreets(district) {
    clear(streetList);
    if (!districts.features.some((x) => x.properties.name === district)) return;
    const names = await capi.streetNames(district);
    streetList.append(...names.map((name) => h('option', { value: name })));
  }

  // --- opening hours preview ---------------------------------------------------------------
  async function previewHours() {
    const text = hours.value.trim();
    hoursCtrl?.abort();
    const mine = ++state.hours.seq;
    state.hours.text = text;
    if (!text) {
      state.hours = { ...state.hours, status: 'idle', answer: null, error: null };
      renderHours();
      return state.hours;
    }
    const ctrl = new AbortController();
    hoursCtrl = ctrl;
    state.hours.status = 'loading';
    try {
      const answer = await capi.hours(text, { signal: ctrl.signal });
      if (mine !== state.hours.seq) return state.hours;
      state.hours = { ...state.hours, status: 'ok', answer, error: null };
    } catch (e) {
      if (e.name === 'AbortError') return state.hours;
      if (mine !== state.hours.seq) return state.hours;
      state.hours = { ...state.hours, status: e.status === 422 || e.status === 400 ? 'invalid' : 'unavailable', answer: null, error: errorText(e) };
    }
    renderHours();
    return state.hours;
  }

  function renderHours() {
    const hs = state.hours;
    clear(hoursPreview);
    hoursPreview.dataset.state = hs.status;
    const box = hours.closest('.cfield');
    const msg = box?.querySelector('.field-msg');
    if (hs.status === 'invalid') {
      box?.classList.add('invalid');
      if (msg) {
        msg.textContent = t('console.hours.invalid', { message: hs.error });
        msg.hidden = false;
        msg.dataset.from = 'preview';
      }
      return;
    }
    if (msg?.dataset.from === 'preview') {
      box.classList.remove('invalid');
      msg.hidden = true;
      msg.textContent = '';
      delete msg.dataset.from;
    }
    if (hs.status !== 'ok' || !hs.answer) return;
    const a = hs.answer;
    const open = fmtOpening({ open_now: a.open_now, next_change: a.next_change, station: { opening_hours: a.always_open ? '24/7' : a.opening_hours } }, new Date());
    hoursPreview.append(h('span', { class: `open open-${open.state}`, id: 'hours-open' }, open.text));
    if (a.converted) {
      hoursPreview.append(' · ', h('span', { class: 'converted', id: 'hours-converted' }, t('console.hours.converted', { written: a.input ?? hs.text, osm: a.opening_hours })));
    }
  }

  /** The hours to store: the server's OSM form of what was typed (converted from Chinese), else the text as typed. */
  async function hoursToStore() {
    const text = hours.value.trim();
    if (!text) return '';
    let hs = state.hours;
    if (hs.text !== text || hs.status === 'pending' || hs.status === 'loading' || hs.status === 'idle') {
      previewSoon.cancel();
      hs = await previewHours();
    }
    return hs.status === 'ok' && hs.answer?.opening_hours ? hs.answer.opening_hours : text;
  }

  // --- paste coordinates -------------------------------------------------------------------
  async function applyPaste() {
    const box = form.querySelector('.cfield.location');
    const msg = box.querySelector('.field-msg');
    box.classList.remove('invalid');
    msg.hidden = true;
    pasteNote.textContent = '';
    const parsed = parseLonLat(paste.value);
    if (parsed.error) {
      box.classList.add('invalid');
      msg.textContent = t(parsed.error === 'empty' ? 'console.coords.empty' : parsed.error === 'count' ? 'console.coords.count' : 'console.coords.range');
      msg.hidden = false;
      return;
    }
    const system = crs.value;
    let wgs = { lon: parsed.lon, lat: parsed.lat };
    if (system !== 'wgs84') {
      try {
        const answer = await capi.convert(parsed, system);
        wgs = answer.wgs84;
      } catch (e) {
        box.classList.add('invalid');
        msg.textContent = t('console.coords.failed', { message: errorText(e) });
        msg.hidden = false;
        return;
      }
    }
    setLocation(wgs, { center: true });
    state.converted = { from: system, input: parsed };
    pasteNote.textContent = t(system === 'wgs84' ? 'console.coords.moved' : 'console.coords.converted', {
      crs: crsLabel(system),
      input: fmtLonLat(parsed),
      wgs: fmtLonLat(state.location),
    });
  }

  // --- values ---------------------------------------------------------------------------------
  function values() {
    return {
      kind: kind.value,
      name: name.value,
      status: status.value,
      amenities: [...amenities.querySelectorAll('input:checked')].map((x) => x.value),
      opening_hours: hours.value,
      capacity: capacity.value,
      offer: offer.value,
      verified_on: verified.value,
      location: state.location,
      ...Object.fromEntries(TEXT_FIELDS.map(([key]) => [key, texts[key].value])),
    };
  }

  function fill(p, location) {
    name.value = p.name ?? '';
    kind.value = p.kind ?? KINDS[0].code;
    status.value = p.status ?? 'active';
    const have = new Set(p.amenities ?? []);
    for (const box of amenities.querySelectorAll('input')) box.checked = have.has(box.value);
    hours.value = p.opening_hours ?? '';
    capacity.value = p.capacity === undefined || p.capacity === null ? '' : String(p.capacity);
    offer.value = p.offer ?? '';
    verified.value = p.verified_on ?? '';
    for (const [key] of TEXT_FIELDS) texts[key].value = p[key] ?? '';
    paste.value = '';
    pasteNote.textContent = '';
    state.converted = null;
    state.hours = { text: '', status: 'idle', answer: null, error: null, seq: state.hours.seq + 1 };
    renderHours();
    if (location) setLocation(location, { center: true });
    if (hours.value) previewHours();
    if (p.district) loadStreets(p.district);
  }

  // --- writes -------------------------------------------------------------------------------
  async function run(what, fn) {
    if (state.busy) return;
    state.busy = true;
    el.dataset.busy = what;
    renderButtons();
    banner.hide();
    try {
      await fn();
    } catch (e) {
      if (e.status === 401) return; // the console returns to the sign-in form
      if (e.status >= 400 && e.status < 500) showErrors(form, e, banner);
      else banner.show('error', t('console.write_failed', { message: errorText(e) }));
      el.dataset.result = 'error';
    } finally {
      state.busy = false;
      delete el.dataset.busy;
      renderButtons();
    }
  }

  function stored(feature, message) {
    state.feature = feature;
    state.id = feature.id ?? feature.properties.id;
    const [lon, lat] = feature.geometry.coordinates;
    fill(feature.properties, { lon, lat });
    clearErrors(form);
    render();
    banner.show('ok', message);
    el.dataset.result = 'saved';
    el.dataset.seq = String(Number(el.dataset.seq ?? 0) + 1);
    onSaved(feature);
  }

  async function submit() {
    clearErrors(form);
    await run('save', async () => {
      if (!state.location) throw Object.assign(new Error(t('console.editor.no_location')), { status: 422, field: 'location', details: [] });
      const v = values();
      v.opening_hours = await hoursToStore();
      const body = stationBody(v);
      if (state.id === null) {
        const created = await capi.createStation(body);
        stored(created, t('console.editor.created', { id: created.id ?? created.properties.id }));
      } else {
        const saved = await capi.replaceStation(state.id, body);
        stored(saved, t('console.editor.saved'));
      }
    });
  }

  async function toggleStatus() {
    if (!state.feature) return;
    const closing = state.feature.properties.status !== 'closed';
    await run('status', async () => {
      const body = featureBody(state.feature);
      body.status = closing ? 'closed' : 'active';
      const saved = await capi.replaceStation(state.id, body);
      stored(saved, t(closing ? 'console.editor.closed' : 'console.editor.reopened'));
    });
  }

  async function markVerified() {
    if (state.id === null) return;
    await run('verify', async () => {
      const saved = await capi.verifyStation(state.id);
      stored(saved, t('console.editor.verified', { day: saved.properties.verified_on ?? '' }));
    });
  }

  async function del() {
    if (state.id === null) return;
    const ok = await confirmDialog({
      title: t('console.editor.delete.title'),
      message: t('console.editor.delete.confirm', { name: state.feature.properties.name, id: state.id }),
      ok: t('console.editor.delete'),
      danger: true,
    });
    if (!ok) return;
    const id = state.id;
    await run('delete', async () => {
      await capi.deleteStation(id);
      state.id = null;
      state.feature = null;
      el.dataset.result = 'deleted';
      onDeleted(id);
    });
  }

  // --- rendering ----------------------------------------------------------------------------
  function renderButtons() {
    const existing = state.id !== null;
    save.disabled = state.busy || !canEdit;
    toggle.hidden = !existing;
    verify.hidden = !existing;
    remove.hidden = !existing;
    toggle.disabled = state.busy || !canEdit;
    verify.disabled = state.busy || !canEdit;
    remove.disabled = state.busy || !canEdit;
    save.textContent = t(existing ? 'console.editor.save' : 'console.editor.create');
    toggle.textContent = t(state.feature?.properties.status === 'closed' ? 'console.editor.reopen' : 'console.editor.close');
  }

  function render() {
    const existing = state.id !== null;
    title.textContent = existing ? state.feature.properties.name : t('console.editor.new');
    meta.textContent = existing
      ? t('console.editor.meta', {
          id: state.id,
          created: fmtDateTime(state.feature.properties.created_at),
          updated: fmtDateTime(state.feature.properties.updated_at),
        })
      : t('console.editor.new.hint');
    for (const [key, label] of Object.entries(labels)) label.textContent = t(`console.field.${key}`);
    form.querySelector('#ed-location-label').textContent = t('console.field.location');
    form.querySelector('#ed-map-hint').textContent = t(existing ? 'console.editor.map.drag' : 'console.editor.map.click');
    pasteButton.textContent = t('console.coords.apply');
    cancel.textContent = t('console.editor.cancel');
    back.textContent = t('console.editor.back');
    remove.textContent = t('console.editor.delete');
    verify.textContent = t('console.editor.verify');
    const k = kind.value;
    clear(kind);
    kind.append(...KINDS.map((x) => h('option', { value: x.code }, kindLabel(x.code))));
    kind.value = k || KINDS[0].code;
    const s = status.value;
    clear(status);
    status.append(...['active', 'planned', 'closed'].map((code) => h('option', { value: code }, statusLabel(code))));
    status.value = s || 'active';
    const checked = new Set([...amenities.querySelectorAll('input:checked')].map((x) => x.value));
    clear(amenities);
    amenities.append(
      ...AMENITIES.map((a) =>
        h(
          'label',
          { class: 'inline amenity-box' },
          h('input', { type: 'checkbox', value: a.code, name: 'amenity', id: `ed-amenity-${a.code}`, checked: checked.has(a.code) }),
          amenityLabel(a.code),
        ),
      ),
    );
    const c = crs.value;
    clear(crs);
    crs.append(...['gcj02', 'bd09', 'wgs84'].map((code) => h('option', { value: code }, crsLabel(code))));
    crs.value = c || 'gcj02';
    crs.setAttribute('aria-label', t('console.coords.crs'));
    paste.setAttribute('aria-label', t('console.coords.label'));
    paste.placeholder = t('console.coords.placeholder');
    renderButtons();
    renderHours();
    for (const control of form.querySelectorAll('input, select, textarea')) control.disabled = !canEdit && control.type !== 'button';
  }

  render();

  return {
    el,
    state,
    /** Opens a stored station (a Feature). */
    open(feature) {
      state.feature = feature;
      state.id = feature.id ?? feature.properties.id;
      delete el.dataset.result;
      banner.hide();
      clearErrors(form);
      render();
      const [lon, lat] = feature.geometry.coordinates;
      ensureMap();
      fill(feature.properties, { lon, lat });
      render();
      requestAnimationFrame(() => map.resize());
    },
    /** Opens an empty form for a new station in `district`/`street`; the pin starts at the map's centre. */
    openNew({ district = '', street = '' } = {}) {
      state.feature = null;
      state.id = null;
      delete el.dataset.result;
      banner.hide();
      clearErrors(form);
      fill({ kind: KINDS[0].code, status: 'active', district, street, amenities: [] }, null);
      render();
      ensureMap();
      const d = districts.features.find((x) => x.properties.name === district);
      const bbox = d?.properties.bbox;
      const at = bbox ? { lon: (bbox[0] + bbox[2]) / 2, lat: (bbox[1] + bbox[3]) / 2 } : DEFAULT_AT;
      setLocation(at, { center: true });
      requestAnimationFrame(() => map.resize());
      name.focus();
    },
    resize() {
      map?.resize();
    },
    /** The inset map (for tests: where a click lands). */
    get map() {
      return map;
    },
    relang: render,
    destroy() {
      hoursCtrl?.abort();
      previewSoon.cancel();
      if (map?.available) map.view.map.remove();
      map = null;
    },
  };
}
