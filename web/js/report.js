// Riders report, stations answer — the rider's side. A pane of the rider panel that shows, one at
// a time: the report form (report-form.js) for a station (反馈问题 on its sheet) or for a place
// with no station (在此处反馈: a long press or right-click on the map, or the button under the
// list); the answer ("已提交，编号 K7Q2-9XMA", the code kept on this device); and 我的反馈, the
// reports sent from this device with their status read from GET /api/v1/reports/{code} (新提交 /
// 已受理 / 已解决 / 未采纳, and the keepers' answer). Also the line a station's sheet shows for
// its open reports (GET /api/v1/stations/{id}/reports): "2 位骑手反馈：无热水 · 3 天前".

import { reportByCode, stationReports } from './api.js';
import { fmtDateTime } from './console-ui.js';
import { clear, h } from './dom.js';
import { t } from './i18n.js';
import { createReportForm } from './report-form.js';
import { forgetReport, noticeText, rememberReport, reportCategory, statusLabel, storedReports } from './report-model.js';

/** A station's open reports are asked again after this long, milliseconds. */
const NOTICE_TTL_MS = 30000;

function storage() {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

/**
 * Builds the pane. `map` is the MapView (marks and popups), `sheet` the panel controller;
 * `onOpen()` when the pane takes the panel (the rider view hides its list and sheet),
 * `onClose()` after the pane is left (the rider view shows its list or sheet again),
 * `onChange()` after a report was sent (the count of 我的反馈 changes).
 */
export function createReports({ map, sheet, onOpen = () => {}, onClose, onChange = () => {} }) {
  const el = h('section', { class: 'report-pane', id: 'report-pane', hidden: true, 'data-view': 'none' });
  const notices = new Map();
  const state = { view: 'none', form: null, popup: null, mine: [], mineSeq: 0, sent: null };

  function show(view) {
    const was = state.view;
    state.view = view;
    el.dataset.view = view;
    el.hidden = view === 'none';
    if (view === 'none') return;
    if (was === 'none') onOpen();
    const views = el.closest('.views');
    if (views) views.scrollTop = 0;
  }

  function leave() {
    state.form?.destroy();
    state.form = null;
    map.setMark(null);
    clear(el);
    show('none');
    sheet.open('half', { force: true });
    onClose();
  }

  function head(titleKey, ...extra) {
    return h(
      'div',
      { class: 'report-head' },
      h('button', { type: 'button', class: 'link back', id: 'report-back', onclick: () => leave() }, t('report.back')),
      titleKey ? h('h3', { class: 'report-title' }, t(titleKey)) : null,
      ...extra,
    );
  }

  // --- the form -------------------------------------------------------------------------------
  function openForm(target) {
    state.popup?.remove();
    state.popup = null;
    state.form?.destroy();
    clear(el);
    const form = createReportForm({
      target,
      storage: storage(),
      onSent: (answer, body) => sent(answer, body, target),
      onCancel: () => leave(),
      onPoint: (p) => map.setMark(p),
    });
    state.form = form;
    el.append(head(null), form.el);
    show('form');
    map.setMark(form.isPlace ? form.state.point : null);
    sheet.open('full', { force: true });
    el.querySelector('#report-title')?.focus({ preventScroll: true });
  }

  function sent(answer, body, target) {
    state.form?.destroy();
    state.form = null;
    map.setMark(null);
    if (body.station_id !== undefined) notices.delete(body.station_id);
    state.sent = { answer, target };
    renderDone();
    show('done');
    onChange();
  }

  function renderDone() {
    const { answer } = state.sent;
    clear(el);
    el.append(
      h(
        'div',
        { class: 'report-done', id: 'report-done', 'data-code': answer.code },
        h('p', { class: 'report-done-mark', 'aria-hidden': 'true' }, '✓'),
        h('h3', { class: 'report-done-title', id: 'report-done-title' }, t('report.done.title', { code: answer.code })),
        h('p', { class: 'report-code-label' }, t('report.done.code')),
        h('p', { class: 'report-code', id: 'report-code' }, answer.code),
        h('p', { class: 'hint report-done-hint' }, t('report.done.hint')),
        h(
          'div',
          { class: 'actions report-actions' },
          h('button', { type: 'button', class: 'button', id: 'report-done-mine', onclick: () => openMine() }, t('report.done.mine')),
          h('button', { type: 'button', class: 'button secondary', id: 'report-done-back', onclick: () => leave() }, t('report.done.back')),
        ),
      ),
    );
    el.querySelector('#report-done-mine').focus({ preventScroll: true });
  }

  // --- 我的反馈 -----------------------------------------------------------------------------------
  function openMine() {
    state.popup?.remove();
    state.form?.destroy();
    state.form = null;
    map.setMark(null);
    show('mine');
    sheet.open('full', { force: true });
    loadMine();
  }

  async function loadMine() {
    const mine = ++state.mineSeq;
    const stored = storedReports(storage());
    state.mine = stored.map((x) => ({ ...x, status: 'loading', report: null, error: null }));
    el.dataset.mine = 'loading';
    renderMine();
    await Promise.all(
      state.mine.map(async (entry) => {
        try {
          entry.report = await reportByCode(entry.code);
          entry.status = 'ready';
        } catch (e) {
          entry.status = e.status === 404 ? 'unknown' : 'error';
          entry.error = e.status === 0 ? t('error.network') : e.message;
        }
      }),
    );
    if (mine !== state.mineSeq || state.view !== 'mine') return;
    el.dataset.mine = 'ready';
    renderMine();
  }

  function mineItem(entry) {
    const r = entry.report;
    const status = r?.status ?? entry.status;
    const what = r ? reportCategory(r) : null;
    return h(
      'li',
      { class: 'my-report', 'data-code': entry.code, 'data-status': status },
      h(
        'div',
        { class: 'my-report-head' },
        h('span', { class: 'report-code-small' }, entry.code),
        r ? h('span', { class: `report-status report-status-${r.status}` }, statusLabel(r.status)) : null,
      ),
      what ? h('p', { class: 'my-report-what' }, what) : null,
      r ? h('p', { class: 'my-report-station' }, r.station_name ?? (r.station_id ? `#${r.station_id}` : t('report.mine.place'))) : null,
      h(
        'p',
        { class: 'my-report-time' },
        t('report.mine.submitted', { time: fmtDateTime(r?.created_at ?? entry.created_at) }),
        r?.updated_at && r.updated_at !== r.created_at ? ` · ${t('report.mine.updated', { time: fmtDateTime(r.updated_at) })}` : '',
      ),
      r?.note ? h('p', { class: 'my-report-note' }, t('report.mine.note', { note: r.note })) : null,
      entry.status === 'loading' ? h('p', { class: 'hint busy' }, t('report.mine.loading')) : null,
      entry.status === 'unknown' ? h('p', { class: 'hint' }, t('report.mine.unknown')) : null,
      entry.status === 'error' ? h('p', { class: 'error' }, t('report.mine.error', { message: entry.error })) : null,
      h(
        'button',
        {
          type: 'button',
          class: 'link my-report-remove',
          onclick: () => {
            forgetReport(storage(), entry.code);
            state.mine = state.mine.filter((x) => x.code !== entry.code);
            renderMine();
            onChange();
          },
        },
        t('report.mine.remove'),
      ),
    );
  }

  /** A code typed in (from another device, or after the browser forgot): kept once the server knows it. */
  async function addCode(form) {
    const input = form.querySelector('#my-reports-code');
    const msg = form.querySelector('#err-my-reports-code');
    const typed = input.value.trim();
    msg.hidden = true;
    if (!typed) return;
    try {
      const r = await reportByCode(typed);
      rememberReport(storage(), { code: r.code, created_at: r.created_at });
      input.value = '';
      onChange();
      loadMine();
    } catch (e) {
      msg.textContent = e.status === 404 ? t('report.mine.add.unknown') : t('report.mine.error', { message: e.status === 0 ? t('error.network') : e.message });
      msg.hidden = false;
    }
  }

  function renderMine() {
    clear(el);
    const list = h('ol', { class: 'my-reports', id: 'my-reports-list' }, ...state.mine.map(mineItem));
    const add = h(
      'form',
      { class: 'my-reports-add', id: 'my-reports-add', novalidate: true },
      h('label', { class: 'field-label', for: 'my-reports-code' }, t('report.mine.add')),
      h(
        'div',
        { class: 'my-reports-add-row' },
        h('input', { id: 'my-reports-code', class: 'input', type: 'text', autocomplete: 'off', autocapitalize: 'characters', spellcheck: 'false', maxlength: '16', placeholder: 'K7Q2-9XMA' }),
        h('button', { type: 'submit', class: 'button secondary', id: 'my-reports-add-submit' }, t('report.mine.add.submit')),
      ),
      h('p', { class: 'field-msg', id: 'err-my-reports-code', role: 'alert', hidden: true }),
    );
    add.addEventListener('submit', (e) => {
      e.preventDefault();
      addCode(add);
    });
    el.append(
      head('report.mine.title', h('button', { type: 'button', class: 'link', id: 'my-reports-refresh', onclick: () => loadMine() }, t('report.mine.refresh'))),
      h('p', { class: 'hint' }, t('report.mine.hint')),
      state.mine.length ? list : h('p', { class: 'notice', id: 'my-reports-empty' }, t('report.mine.empty')),
      add,
    );
    el.querySelector('.report-head h3').id = 'my-reports-title';
  }

  // --- a station's open reports ------------------------------------------------------------------
  async function stationAnswer(id) {
    const hit = notices.get(id);
    if (hit && Date.now() - hit.at < NOTICE_TTL_MS) return hit.answer;
    const answer = await stationReports(id);
    notices.set(id, { at: Date.now(), answer });
    return answer;
  }

  /** The line of station `id`'s open reports: an element filled once the server answered (hidden when none is open). */
  function notice(id) {
    const p = h('p', { class: 'report-notice', id: 'report-notice', hidden: true, 'data-state': 'loading', 'data-station': String(id), role: 'status' });
    stationAnswer(id)
      .then((answer) => {
        const text = noticeText(answer, new Date());
        p.dataset.open = String(answer?.open ?? 0);
        p.dataset.state = 'ready';
        if (text) {
          p.textContent = text;
          p.hidden = false;
        }
      })
      .catch((e) => {
        p.dataset.state = 'error';
        console.warn('station reports:', e.message);
      });
    return p;
  }

  // --- the map --------------------------------------------------------------------------------
  /** A long press or right-click at `p`: a popup offering 在此处反馈 (or, with a place form open, the place moves). */
  function longPress(p) {
    if (state.view === 'form' && state.form?.isPlace) {
      state.form.setPoint(p);
      return;
    }
    state.popup?.remove();
    const button = h('button', { type: 'button', class: 'button small', id: 'report-here-popup' }, t('report.here'));
    const content = h('div', { class: 'report-popup-body' }, button);
    const popup = map.popup(p, content, { className: 'report-popup' });
    state.popup = popup;
    button.addEventListener('click', () => {
      popup?.remove();
      openForm({ point: p });
    });
  }

  /**
   * A tap on the map: it closes the popup of a long press, or moves the place of an open place form
   * (answers true: the tap is used), or is the rider view's (false).
   */
  function mapTap(p) {
    if (state.popup?.isOpen()) {
      // A tap elsewhere dismisses the popup of a long press.
      state.popup.remove();
      state.popup = null;
      return true;
    }
    if (state.view === 'none') return false;
    if (state.view === 'form' && state.form?.isPlace) state.form.setPoint(p);
    return true;
  }

  return {
    el,
    state,
    /** 反馈问题 on a station's sheet: `station` is the API's station (id, name, amenities). */
    openStation(station) {
      openForm({ station: { id: station.id, name: station.name, amenities: station.amenities ?? [] } });
    },
    /** 在此处反馈 for `point` (`{lon, lat}`, or null: the rider's position or a tap chooses it). */
    openPlace(point) {
      openForm({ point: point ?? null });
    },
    openMine,
    close: leave,
    /** The rider view is shown again: the mark of a place being reported comes back. */
    shown() {
      if (state.view === 'form' && state.form?.isPlace) map.setMark(state.form.state.point);
    },
    isOpen: () => state.view !== 'none',
    notice,
    longPress,
    mapTap,
    /** How many reports this device remembers. */
    count: () => storedReports(storage()).length,
    relang() {
      if (state.view === 'form') {
        state.form?.relang();
        el.querySelector('#report-back').textContent = t('report.back');
      } else if (state.view === 'done') renderDone();
      else if (state.view === 'mine') renderMine();
    },
  };
}
