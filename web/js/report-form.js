// The rider's report form: what happened as large tappable choices (设施缺失/设施损坏 then which
// amenity — the station's own, or all of them), a short text with a counter, an optional photo
// (camera or file, a small preview, refused above 5 MB before anything is sent) and "附上我的位置"
// (the browser's geolocation, asked only when ticked). It sends POST /api/v1/reports — JSON, or
// multipart/form-data when a photo is attached — keeps the answered code on this device and hands
// the answer to `onSent`. Every refusal shows at the field it names; 429 says when to try again.

import { ApiError, sendReport } from './api.js';
import { FILTER_AMENITIES } from './catalog.js';
import { clearErrors, createBanner, errorText, showErrors } from './console-ui.js';
import { clear, h } from './dom.js';
import { amenityLabel, fmtNumber, t } from './i18n.js';
import {
  CATEGORIES,
  PHOTO_TYPES,
  TEXT_MAX,
  megabytes,
  needsAmenity,
  photoProblem,
  rememberReport,
  reportBody,
  reportProblems,
  reportRequest,
  round6,
  textLength,
} from './report-model.js';

/** How long a position fix may take, milliseconds. */
const LOCATE_TIMEOUT_MS = 15000;

/**
 * Builds the form for `target`: `{ station: {id, name, amenities} }` for a station, or
 * `{ point: {lon, lat} | null }` for a place with no station. `onSent(answer, body)` after the
 * server stored the report, `onCancel()`; `storage` is where codes are kept (localStorage).
 */
export function createReportForm({ target, onSent, onCancel, storage, onPoint = () => {} }) {
  const station = target.station ?? null;
  const state = {
    category: null,
    amenity: null,
    allAmenities: !station || !(station.amenities?.length > 0),
    photo: null,
    photoUrl: null,
    point: target.point ? { lon: round6(target.point.lon), lat: round6(target.point.lat) } : null,
    wantsPosition: false,
    fix: null,
    locating: null,
    busy: false,
  };
  const banner = createBanner('report-banner');

  // --- controls -------------------------------------------------------------------------------
  const title = h('h3', { class: 'report-title', id: 'report-title', tabindex: '-1' });
  const place = h('p', { class: 'report-place', id: 'report-place', hidden: Boolean(station) });
  const choices = h('div', { class: 'report-choices', id: 'report-choices', role: 'radiogroup', 'aria-labelledby': 'report-category-label' });
  const amenityBox = h('div', { class: 'report-amenities', id: 'report-amenities', role: 'radiogroup', 'aria-labelledby': 'report-amenity-label' });
  const amenityAll = h('button', { type: 'button', class: 'link', id: 'report-amenity-all', onclick: () => toggleAll() });
  const text = h('textarea', { id: 'report-text', class: 'input textarea', rows: '3', maxlength: String(TEXT_MAX) });
  const count = h('p', { class: 'hint report-count', id: 'report-text-count', 'aria-live': 'polite' });
  const photo = h('input', {
    id: 'report-photo',
    class: 'file-input',
    type: 'file',
    accept: PHOTO_TYPES.join(','),
    capture: 'environment',
  });
  const pick = h('label', { class: 'button secondary report-pick', for: 'report-photo', id: 'report-photo-pick' });
  const preview = h('img', { id: 'report-photo-preview', class: 'report-preview', alt: '' });
  const photoSize = h('span', { class: 'hint report-photo-size', id: 'report-photo-size' });
  const photoRemove = h('button', { type: 'button', class: 'link', id: 'report-photo-remove', onclick: () => setPhoto(null) });
  const photoBox = h('div', { class: 'report-photo-box', id: 'report-photo-box', hidden: true }, preview, h('div', { class: 'report-photo-side' }, photoSize, photoRemove));
  const position = h('input', { type: 'checkbox', id: 'report-position', onchange: () => togglePosition() });
  const positionState = h('p', { class: 'hint', id: 'report-position-state', 'aria-live': 'polite' });
  const submit = h('button', { type: 'submit', class: 'button report-submit', id: 'report-submit' });
  const cancel = h('button', { type: 'button', class: 'link', id: 'report-cancel', onclick: () => onCancel() });

  const fieldBox = (name, ...kids) => h('div', { class: 'cfield rfield', 'data-field': name }, ...kids, h('p', { class: 'field-msg', id: `err-report-${name}`, role: 'alert', hidden: true }));
  const amenityField = fieldBox(
    'amenity',
    h('span', { class: 'field-label', id: 'report-amenity-label', 'data-i18n': 'report.amenity' }),
    amenityBox,
    station?.amenities?.length ? amenityAll : null,
  );
  amenityField.hidden = true;
  const form = h(
    'form',
    { class: 'report-form', id: 'report-form', novalidate: true },
    title,
    place,
    fieldBox('category', h('span', { class: 'field-label', id: 'report-category-label', 'data-i18n': 'report.category' }), choices),
    amenityField,
    fieldBox('text', h('label', { class: 'field-label', for: 'report-text', 'data-i18n': 'report.text' }), text, count),
    fieldBox(
      'photo',
      h('span', { class: 'field-label', 'data-i18n': 'report.photo' }),
      photo,
      h('div', { class: 'report-photo-row' }, pick),
      photoBox,
      h('p', { class: 'hint', 'data-i18n': 'report.photo.hint' }),
    ),
    fieldBox(
      'position',
      h('label', { class: 'inline report-position', for: 'report-position' }, position, h('span', { 'data-i18n': 'report.position' })),
      positionState,
    ),
    h('p', { class: 'hint report-privacy', 'data-i18n': 'report.privacy' }),
    // Beside the button that sends: where the rider looks after tapping it.
    banner.el,
    h('div', { class: 'actions report-actions' }, submit, cancel),
  );
  const el = h('div', { class: 'report-form-wrap', 'data-state': 'editing' }, form);

  form.addEventListener('submit', (e) => {
    e.preventDefault();
    send();
  });
  text.addEventListener('input', () => renderCount());
  photo.addEventListener('change', () => setPhoto(photo.files?.[0] ?? null));

  // --- choices --------------------------------------------------------------------------------
  function choose(code) {
    state.category = code;
    if (!needsAmenity(code)) state.amenity = null;
    renderChoices();
    renderAmenities();
    fieldMessage('category', null);
  }

  function chooseAmenity(code) {
    state.amenity = code;
    renderAmenities();
    fieldMessage('amenity', null);
  }

  function toggleAll() {
    state.allAmenities = !state.allAmenities;
    renderAmenities();
  }

  function renderChoices() {
    clear(choices);
    for (const c of CATEGORIES) {
      const checked = state.category === c.code;
      const input = h('input', { type: 'radio', name: 'category', value: c.code, id: `report-cat-${c.code}`, checked, onchange: () => choose(c.code) });
      choices.append(
        h(
          'label',
          { class: `report-choice${checked ? ' checked' : ''}`, 'data-category': c.code, for: `report-cat-${c.code}` },
          input,
          h('span', { class: 'choice-title' }, t(`report.cat.${c.code}`)),
          h('span', { class: 'choice-hint' }, t(`report.cat.${c.code}.hint`)),
        ),
      );
    }
  }

  function amenityCodes() {
    if (state.allAmenities) return FILTER_AMENITIES;
    const own = new Set(station?.amenities ?? []);
    return FILTER_AMENITIES.filter((c) => own.has(c));
  }

  function renderAmenities() {
    amenityField.hidden = !needsAmenity(state.category);
    clear(amenityBox);
    const codes = [...amenityCodes()];
    // A chosen amenity stays in sight when the list narrows.
    if (state.amenity && !codes.includes(state.amenity)) codes.push(state.amenity);
    for (const code of codes) {
      const checked = state.amenity === code;
      amenityBox.append(
        h(
          'label',
          { class: `report-amenity${checked ? ' checked' : ''}`, 'data-amenity': code, for: `report-amenity-${code}` },
          h('input', { type: 'radio', name: 'amenity', value: code, id: `report-amenity-${code}`, checked, onchange: () => chooseAmenity(code) }),
          amenityLabel(code),
        ),
      );
    }
    amenityAll.textContent = t(state.allAmenities ? 'report.amenity.station' : 'report.amenity.all');
    amenityAll.setAttribute('aria-pressed', String(state.allAmenities));
  }

  // --- text, photo, position -------------------------------------------------------------------
  function renderCount() {
    const n = textLength(text.value);
    count.textContent = t('report.text.count', { n: fmtNumber(n), max: fmtNumber(TEXT_MAX) });
    count.classList.toggle('over', n > TEXT_MAX);
  }

  function setPhoto(file) {
    if (state.photoUrl) URL.revokeObjectURL(state.photoUrl);
    state.photoUrl = null;
    state.photo = null;
    fieldMessage('photo', null);
    if (!file) {
      photo.value = '';
      renderPhoto();
      return;
    }
    const problem = photoProblem(file);
    if (problem) {
      // Refused here, before anything is sent.
      photo.value = '';
      renderPhoto();
      fieldMessage('photo', problem === 'too_big' ? t('report.photo.too_big.size', { size: megabytes(file.size) }) : t('report.photo.bad_type'));
      return;
    }
    state.photo = file;
    state.photoUrl = URL.createObjectURL(file);
    renderPhoto();
  }

  function renderPhoto() {
    photoBox.hidden = !state.photo;
    pick.textContent = t(state.photo ? 'report.photo.change' : 'report.photo.pick');
    photoRemove.textContent = t('report.photo.remove');
    if (state.photo) {
      preview.src = state.photoUrl;
      preview.alt = t('report.photo.preview');
      const size = state.photo.size;
      photoSize.textContent = size < 1024 * 1024 ? `${fmtNumber(Math.max(1, Math.round(size / 1024)))} KB` : `${megabytes(size)} MB`;
    } else {
      preview.removeAttribute('src');
    }
  }

  function togglePosition() {
    state.wantsPosition = position.checked;
    fieldMessage('position', null);
    if (!state.wantsPosition) {
      state.fix = null;
      renderPosition();
      return;
    }
    locate().catch(() => {});
  }

  /** Reads the browser's position once (only after the box is ticked); resolves `{lon, lat}`. */
  function locate() {
    if (state.fix) return Promise.resolve(state.fix);
    if (state.locating) return state.locating;
    if (!('geolocation' in navigator)) {
      fieldMessage('position', t('locate.unsupported'));
      return Promise.reject(new Error('unsupported'));
    }
    state.locating = new Promise((resolve, reject) => {
      navigator.geolocation.getCurrentPosition(
        (pos) => {
          state.locating = null;
          if (!state.wantsPosition) {
            reject(new Error('unticked'));
            return;
          }
          state.fix = { lon: round6(pos.coords.longitude), lat: round6(pos.coords.latitude), accuracy: pos.coords.accuracy };
          if (!station) setPoint(state.fix);
          renderPosition();
          resolve(state.fix);
        },
        (err) => {
          state.locating = null;
          state.fix = null;
          renderPosition();
          fieldMessage('position', t(err.code === 1 ? 'report.position.denied' : 'report.position.failed'));
          reject(err);
        },
        { enableHighAccuracy: true, timeout: LOCATE_TIMEOUT_MS, maximumAge: 30000 },
      );
    });
    renderPosition();
    return state.locating;
  }

  function renderPosition() {
    // A place report whose place is known carries that place; the box is for a station, or a place not yet chosen.
    const field = form.querySelector('.cfield[data-field="position"]');
    field.hidden = !station && state.point !== null && !state.wantsPosition;
    if (state.locating) positionState.textContent = t('report.position.locating');
    else if (state.fix) positionState.textContent = t('report.position.got', { m: fmtNumber(Math.max(1, Math.round(state.fix.accuracy ?? 0))) });
    else positionState.textContent = t('report.position.hint');
    if (!station) {
      place.textContent = state.point ? t('report.place.at', { lon: state.point.lon.toFixed(5), lat: state.point.lat.toFixed(5) }) : t('report.place.none');
      place.dataset.lon = state.point ? String(state.point.lon) : '';
      place.dataset.lat = state.point ? String(state.point.lat) : '';
    }
  }

  /** The place of a place report moves to `p` (a tap on the map). */
  function setPoint(p) {
    if (station) return;
    state.point = p ? { lon: round6(p.lon), lat: round6(p.lat) } : null;
    fieldMessage('position', null);
    renderPosition();
    onPoint(state.point);
  }

  // --- messages -------------------------------------------------------------------------------
  function fieldMessage(name, message) {
    const box = form.querySelector(`.cfield[data-field="${name}"]`);
    const msg = box?.querySelector('.field-msg');
    if (!msg) return;
    box.classList.toggle('invalid', Boolean(message));
    msg.textContent = message ?? '';
    msg.hidden = !message;
  }

  function showProblems(list) {
    for (const p of list) fieldMessage(p.field, t(p.key));
    banner.show('error', t('report.fix'));
    form.querySelector('.cfield.invalid')?.scrollIntoView({ block: 'center' });
  }

  /** Keeps the banner in sight (it sits beside the send button). */
  function showBanner(kind, message) {
    banner.show(kind, message);
    banner.el.scrollIntoView({ block: 'nearest' });
  }

  // --- send -------------------------------------------------------------------------------------
  async function send() {
    if (state.busy) return;
    clearErrors(form);
    banner.hide();
    const values = {
      stationId: station?.id ?? null,
      category: state.category,
      amenity: state.amenity,
      text: text.value,
      position: station ? null : state.point,
      wantsPosition: state.wantsPosition,
      photo: state.photo,
    };
    const problems = reportProblems(values);
    if (problems.length) {
      showProblems(problems);
      return;
    }
    state.busy = true;
    el.dataset.state = 'sending';
    renderButtons();
    try {
      if (state.wantsPosition) {
        try {
          const fix = await locate();
          values.position = { lon: fix.lon, lat: fix.lat };
        } catch {
          banner.show('error', t('report.fix'));
          el.dataset.state = 'error';
          return;
        }
      }
      const body = reportBody(values);
      const answer = await sendReport(reportRequest(body, state.photo));
      rememberReport(storage, { code: answer.code, created_at: answer.created_at });
      el.dataset.state = 'sent';
      onSent(answer, body);
    } catch (e) {
      el.dataset.state = 'error';
      refused(e);
    } finally {
      state.busy = false;
      renderButtons();
    }
  }

  function refused(e) {
    if (!(e instanceof ApiError)) {
      showBanner('error', t('report.failed', { message: e.message }));
      return;
    }
    if (e.status === 429) {
      showBanner('error', e.retryAfter ? t('report.rate_limited', { n: fmtNumber(e.retryAfter) }) : t('report.rate_limited.plain'));
      el.dataset.state = 'rate-limited';
      return;
    }
    if (e.status === 413) {
      fieldMessage('photo', t('report.photo.too_big'));
      banner.show('error', t('report.fix'));
      return;
    }
    if (e.code === 'invalid_photo') {
      fieldMessage('photo', t('report.photo.invalid'));
      banner.show('error', t('report.fix'));
      return;
    }
    if (e.status >= 400 && e.status < 500) {
      // "station_id or position": for a place, that is its position; a station's id is no field here.
      const at = (name) => (name === 'station_id' ? (station ? null : 'position') : name === 'report' ? null : name);
      showErrors(form, { ...e, message: e.message, field: at(e.field), details: (e.details ?? []).map((d) => ({ ...d, field: at(d.field) })) }, banner);
      return;
    }
    showBanner('error', t('report.failed', { message: errorText(e) }));
  }

  function renderButtons() {
    submit.disabled = state.busy;
    submit.textContent = t(state.busy ? 'report.sending' : 'report.submit');
    cancel.textContent = t('report.cancel');
  }

  function render() {
    title.textContent = station ? t('report.title.station', { name: station.name }) : t('report.title.place');
    for (const x of form.querySelectorAll('[data-i18n]')) x.textContent = t(x.dataset.i18n);
    text.placeholder = t('report.text.placeholder');
    renderChoices();
    renderAmenities();
    renderCount();
    renderPhoto();
    renderPosition();
    renderButtons();
  }

  render();

  return {
    el,
    form,
    state,
    setPoint,
    /** Whether the form is about a place (a map tap moves it). */
    get isPlace() {
      return !station;
    },
    relang: render,
    destroy() {
      if (state.photoUrl) URL.revokeObjectURL(state.photoUrl);
      state.photoUrl = null;
    },
  };
}
