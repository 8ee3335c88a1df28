// Small pieces the console's screens share: form fields that show the API's refusal at the field
// it names, a banner for the rest, a confirmation <dialog>, debouncing, dates and times.

import { clear, h } from './dom.js';
import { fmtNumber, locale, t } from './i18n.js';

/** `fn` called once `ms` after the last of a burst of calls (with the last call's arguments). */
export function debounce(fn, ms) {
  let timer = null;
  const d = (...args) => {
    window.clearTimeout(timer);
    timer = window.setTimeout(() => fn(...args), ms);
  };
  d.cancel = () => window.clearTimeout(timer);
  return d;
}

/**
 * The form field an API error names: `properties.capacity` → `capacity`, `location.lat` or
 * `geometry.coordinates` → `location`, `amenities[2]` → `amenities`.
 */
export function formField(name) {
  if (!name) return null;
  const bare = String(name).replace(/^properties\./, '');
  const head = bare.split(/[.[]/)[0];
  return head === 'geometry' ? 'location' : head;
}

/**
 * Where a refusal's messages go: `{ fields: Map(form field → [message]), general: [message] }`
 * from the error's `field` and every `details[].field` (details without a field, and an error
 * naming no field at all, are general).
 */
export function errorsByField(err) {
  const fields = new Map();
  const general = [];
  const add = (field, message) => {
    const f = formField(field);
    if (!f) {
      general.push(message);
      return;
    }
    if (!fields.has(f)) fields.set(f, []);
    if (!fields.get(f).includes(message)) fields.get(f).push(message);
  };
  const details = Array.isArray(err?.details) ? err.details : [];
  for (const d of details) add(d.field, d.message ?? '');
  if (!details.length) add(err?.field, err?.message ?? '');
  else if (err?.field && !details.some((d) => formField(d.field) === formField(err.field))) add(err.field, err.message ?? '');
  return { fields, general };
}

/**
 * A labelled form field: `<div class="cfield" data-field=name>` with the label, `control` and a
 * message line the API's refusals are written into. `hint` is a line under the control.
 */
export function field(name, label, control, { hint = null, wide = false } = {}) {
  const id = control.id || `f-${name}`;
  if (!control.id && control.tagName !== 'DIV' && control.tagName !== 'FIELDSET') control.id = id;
  return h(
    'div',
    { class: `cfield${wide ? ' wide' : ''}`, 'data-field': name },
    h('label', { class: 'field-label', for: control.tagName === 'DIV' || control.tagName === 'FIELDSET' ? null : id }, label),
    control,
    hint,
    h('p', { class: 'field-msg', id: `err-${name}`, role: 'alert', hidden: true }),
  );
}

/** Removes every field message and banner line shown in `root`. */
export function clearErrors(root) {
  for (const el of root.querySelectorAll('.cfield.invalid')) el.classList.remove('invalid');
  for (const el of root.querySelectorAll('.field-msg')) {
    el.textContent = '';
    el.hidden = true;
  }
  for (const el of root.querySelectorAll('[aria-invalid="true"]')) el.removeAttribute('aria-invalid');
}

/**
 * Shows the API's refusal `err` in `root`: each message at the field it names, the rest in
 * `banner` (a Banner). Answers the fields shown.
 */
export function showErrors(root, err, banner) {
  clearErrors(root);
  const { fields, general } = errorsByField(err);
  const shown = [];
  for (const [name, messages] of fields) {
    const box = root.querySelector(`.cfield[data-field="${CSS.escape(name)}"]`);
    if (!box) {
      general.push(...messages);
      continue;
    }
    box.classList.add('invalid');
    box.querySelector('input, select, textarea')?.setAttribute('aria-invalid', 'true');
    const msg = box.querySelector('.field-msg');
    msg.textContent = messages.join('；');
    msg.hidden = false;
    shown.push(name);
  }
  if (general.length) banner?.show('error', general.join(' · '));
  else if (shown.length) banner?.show('error', t('console.fix_fields'));
  root.querySelector('.cfield.invalid input, .cfield.invalid select, .cfield.invalid textarea')?.focus({ preventScroll: false });
  return shown;
}

/** A message line: `show(kind, text)` (`error`, `ok`, `info`), `hide()`. */
export function createBanner(id) {
  const el = h('div', { class: 'banner', id, role: 'status', 'aria-live': 'polite', hidden: true });
  return {
    el,
    show(kind, text) {
      el.dataset.kind = kind;
      el.setAttribute('role', kind === 'error' ? 'alert' : 'status');
      el.textContent = text;
      el.hidden = false;
    },
    hide() {
      el.hidden = true;
      el.textContent = '';
    },
  };
}

/** The message of an error for a banner: the network's, or the API's own. */
export function errorText(e) {
  return e.status === 0 ? t('error.network') : e.message;
}

let dialog = null;

/**
 * Asks to confirm in a modal <dialog id="confirm-dialog">: `message`, an `ok` label (danger
 * styling with `danger`). Resolves true when confirmed, false when cancelled or dismissed.
 */
export function confirmDialog({ title, message, ok, danger = false }) {
  if (!dialog) {
    dialog = h('dialog', { id: 'confirm-dialog', class: 'confirm' });
    document.body.append(dialog);
  }
  clear(dialog);
  return new Promise((resolve) => {
    let answer = false;
    const form = h(
      'form',
      { method: 'dialog' },
      title ? h('h3', { class: 'confirm-title' }, title) : null,
      h('p', { class: 'confirm-message' }, message),
      h(
        'div',
        { class: 'actions confirm-actions' },
        h('button', { type: 'submit', value: 'cancel', class: 'button secondary', id: 'confirm-cancel' }, t('console.cancel')),
        h(
          'button',
          { type: 'submit', value: 'ok', class: `button${danger ? ' danger' : ''}`, id: 'confirm-ok', onclick: () => (answer = true) },
          ok,
        ),
      ),
    );
    dialog.append(form);
    dialog.addEventListener(
      'close',
      () => {
        resolve(answer);
      },
      { once: true },
    );
    dialog.showModal();
    dialog.querySelector('#confirm-cancel').focus();
  });
}

/** A date and time (`iso`, RFC 3339) on this browser's clock: "2026/1/5 12:00" / "1/5/2026, 12:00". */
export function fmtDateTime(iso, l) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(l), { dateStyle: 'short', timeStyle: 'short', hour12: false }).format(d);
}

/** A calendar date (`YYYY-MM-DD`) as written: kept as is, or '—' when none. */
export function fmtDay(day) {
  return day || '—';
}

/** `<select>` of `options` (`[value, label]`), `value` chosen. */
export function select(id, options, value, onChange, attrs = {}) {
  return h(
    'select',
    { id, class: 'select', onchange: (e) => onChange?.(e.target.value), ...attrs },
    ...options.map(([v, label]) => h('option', { value: v, selected: v === value }, label)),
  );
}

/** The label of a station status code. */
export function statusLabel(code) {
  if (code === 'active') return t('console.status.active');
  if (code === 'planned') return t('console.status.planned');
  if (code === 'closed') return t('console.status.closed');
  return code ?? '';
}

/** The label of a coordinate system code. */
export function crsLabel(code) {
  if (code === 'gcj02') return t('console.crs.gcj02');
  if (code === 'bd09') return t('console.crs.bd09');
  return t('console.crs.wgs84');
}

/** The label of a role code. */
export function roleLabel(role) {
  if (role === 'admin') return t('console.role.admin');
  if (role === 'editor') return t('console.role.editor');
  if (role === 'planner') return t('console.role.planner');
  return role ?? '';
}

/** "第 1–50 条，共 12,345 条" for a page starting at `offset` with `shown` rows of `matched`. */
export function rangeText(offset, shown, matched, l) {
  if (!matched) return t('console.range.none', {}, l);
  return t('console.range', { from: fmtNumber(offset + 1, 0, l), to: fmtNumber(offset + shown, 0, l), total: fmtNumber(matched, 0, l) }, l);
}
