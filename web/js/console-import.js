// The import screen (导入): a file (.csv, .geojson/.json, .xlsx, .xls) dropped or picked, its
// options (coordinate system, encoding, default kind, source, sheet), then 预览 — the server's
// dry run (POST /api/v1/import?dry_run=true, the file's bytes as they are), which stores nothing —
// shown as counts, the rows with their action and converted hours ("全天 → 24/7"), every bad row,
// the ignored columns and the rows with an address but no position, which the keeper places on
// the map (or by pasting coordinates). 导入 is enabled once nothing stands in the way, and sends
// the preview itself as GeoJSON (console-import-model.js), so what is stored is what was shown.

import { KINDS } from './catalog.js';
import * as capi from './console-api.js';
import { fmtLonLat, parseLonLat } from './console-coords.js';
import { ACCEPT, FORMATS, blockers, canCommit, commitCollection, fileFormat, hoursShown, isWorkbook, previewModel, previewPoints, refusedRows } from './console-import-model.js';
import { ACTION_COLORS, InsetMap } from './console-map.js';
import { createBanner, crsLabel, errorText, select } from './console-ui.js';
import { clear, h, put } from './dom.js';
import { fmtNumber, kindLabel, t } from './i18n.js';

/** At most this many previewed rows are listed (all of them are imported; every bad row is listed). */
export const ROWS_SHOWN = 500;

/** Builds the import screen. */
export function createImport({ districts }) {
  const state = {
    file: null,
    format: null,
    options: { crs: 'wgs84', encoding: 'auto', kind: '', source: '', sheet: '' },
    status: 'idle', // idle | previewing | preview | committing | done | error
    model: null,
    refused: null,
    placements: new Map(),
    placing: null,
    result: null,
    seq: 0,
  };
  const banner = createBanner('import-banner');
  let map = null;

  const fileInput = h('input', { type: 'file', id: 'import-file', accept: ACCEPT, class: 'file-input' });
  const fileName = h('p', { class: 'file-name', id: 'import-file-name' });
  const drop = h(
    'div',
    { class: 'dropzone', id: 'import-drop', tabindex: '0' },
    h('p', { class: 'drop-text', 'data-i18n': 'console.import.drop' }),
    h('label', { class: 'button secondary small', for: 'import-file', 'data-i18n': 'console.import.pick' }),
    fileInput,
    fileName,
    h('p', { class: 'hint', 'data-i18n': 'console.import.formats' }),
  );
  const options = h('div', { class: 'form-grid import-options', id: 'import-options' });
  const previewButton = h('button', { type: 'button', class: 'button', id: 'import-preview', onclick: () => preview() });
  const commitButton = h('button', { type: 'button', class: 'button', id: 'import-commit', disabled: true, onclick: () => commit() });
  const commitHint = h('p', { class: 'hint', id: 'import-commit-hint' });
  const out = h('div', { class: 'import-out', id: 'import-out' });
  const mapBox = h('div', { class: 'inset-map import-map', id: 'import-map' });
  const mapHint = h('p', { class: 'hint', id: 'import-map-hint' });
  const legend = h('ul', { class: 'legend', id: 'import-legend' });
  const el = h(
    'section',
    { class: 'console-screen import', id: 'console-import', hidden: true, 'data-state': 'idle', 'data-seq': '0' },
    h('h2', { class: 'panel-title', 'data-i18n': 'console.import.heading' }),
    h(
      'div',
      { class: 'import-grid' },
      h(
        'div',
        { class: 'import-main' },
        drop,
        options,
        h('div', { class: 'actions' }, previewButton),
        banner.el,
        out,
        h('div', { class: 'actions commit-row' }, commitButton, commitHint),
      ),
      h('div', { class: 'import-side' }, mapBox, mapHint, legend),
    ),
  );

  // --- the file -----------------------------------------------------------------------------
  function chooseFile(file) {
    if (!file) return;
    state.file = file;
    state.format = fileFormat(file.name);
    // Like `yizhan import`, a file's source defaults to its name (re-importing it updates the
    // stations it made); a source the keeper typed stays.
    if (!state.options.source.trim() || state.sourceFromFile) {
      state.options.source = file.name;
      state.sourceFromFile = true;
    }
    reset();
    renderOptions();
    fileName.textContent = state.format
      ? t('console.import.file', { name: file.name, size: fmtNumber(Math.ceil(file.size / 1024)) })
      : t('console.import.unknown_format', { name: file.name });
    renderCommit();
  }
  fileInput.addEventListener('change', () => chooseFile(fileInput.files?.[0]));
  drop.addEventListener('dragover', (e) => {
    e.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => {
    e.preventDefault();
    drop.classList.remove('over');
    chooseFile(e.dataTransfer?.files?.[0]);
  });

  function reset() {
    state.model = null;
    state.refused = null;
    state.placements = new Map();
    state.placing = null;
    state.result = null;
    state.status = 'idle';
    document.body.classList.remove('placing-row');
    banner.hide();
    map?.setPoints(previewPoints({ rows: [], unplaced: [] }, state.placements));
    renderOut();
  }

  function query(dryRun) {
    return { ...state.options, format: state.format, dryRun };
  }

  // --- preview and commit -------------------------------------------------------------------
  async function preview() {
    if (!state.file || !state.format) {
      banner.show('error', t('console.import.no_file'));
      return;
    }
    reset();
    state.status = 'previewing';
    el.dataset.state = 'previewing';
    renderCommit();
    try {
      const bytes = await state.file.arrayBuffer();
      const answer = await capi.importFile(bytes, FORMATS[state.format].contentType, query(true));
      state.model = previewModel(answer);
      state.status = 'preview';
      ensureMap();
      drawPoints({ fit: true });
    } catch (e) {
      state.status = 'error';
      if (e.status === 401) return;
      banner.show('error', t('console.import.preview_failed', { message: errorText(e) }));
      if (e.details?.length) state.refused = refusedRows(e.details);
    } finally {
      state.seq += 1;
      el.dataset.seq = String(state.seq);
      el.dataset.state = state.status;
      renderOut();
    }
  }

  async function commit() {
    const m = state.model;
    if (!m || !canCommit(m, state.placements)) return;
    const fc = commitCollection(m, state.placements);
    state.status = 'committing';
    el.dataset.state = 'committing';
    renderCommit();
    banner.hide();
    try {
      const bytes = new TextEncoder().encode(JSON.stringify(fc));
      const answer = await capi.importFile(bytes, FORMATS.geojson.contentType, { format: 'geojson', crs: 'wgs84' });
      state.result = answer;
      state.status = 'done';
      state.model = null;
      state.placements = new Map();
      map?.setPoints(previewPoints({ rows: [], unplaced: [] }, state.placements));
    } catch (e) {
      state.status = 'preview';
      if (e.status !== 401) {
        banner.show('error', t('console.import.commit_failed', { message: errorText(e) }));
        state.refused = refusedRows(e.details);
      }
    } finally {
      state.seq += 1;
      el.dataset.seq = String(state.seq);
      el.dataset.state = state.status;
      renderOut();
    }
  }

  // --- placing rows -------------------------------------------------------------------------
  function ensureMap() {
    if (map) return map;
    map = new InsetMap(mapBox, districts, { nearby: false });
    map.onClick((p) => {
      if (!state.placing) return;
      place(state.placing, p);
    });
    return map;
  }

  function place(key, p) {
    state.placements.set(key, p);
    state.placing = null;
    document.body.classList.remove('placing-row');
    drawPoints();
    renderOut();
  }

  function startPlacing(key) {
    state.placing = state.placing === key ? null : key;
    document.body.classList.toggle('placing-row', Boolean(state.placing));
    ensureMap();
    renderOut();
  }

  async function pasteFor(key, text, system, msg) {
    const parsed = parseLonLat(text);
    if (parsed.error) {
      msg.textContent = t(parsed.error === 'empty' ? 'console.coords.empty' : parsed.error === 'count' ? 'console.coords.count' : 'console.coords.range');
      msg.hidden = false;
      return;
    }
    let wgs = { lon: parsed.lon, lat: parsed.lat };
    if (system !== 'wgs84') {
      try {
        wgs = (await capi.convert(parsed, system)).wgs84;
      } catch (e) {
        msg.textContent = t('console.coords.failed', { message: errorText(e) });
        msg.hidden = false;
        return;
      }
    }
    place(key, wgs);
  }

  function drawPoints({ fit = false } = {}) {
    if (!map || !state.model) return;
    const fc = previewPoints(state.model, state.placements);
    map.setPoints(fc);
    if (fit && fc.features.length) {
      const xs = fc.features.map((f) => f.geometry.coordinates[0]);
      const ys = fc.features.map((f) => f.geometry.coordinates[1]);
      map.fitBBox([Math.min(...xs), Math.min(...ys), Math.max(...xs), Math.max(...ys)]);
    }
  }

  // --- rendering ----------------------------------------------------------------------------
  function renderOptions() {
    const o = state.options;
    const set = (key) => (v) => {
      o[key] = v;
    };
    const text = (id, key) => {
      const input = h('input', { id, class: 'input', type: 'text', value: o[key], autocomplete: 'off' });
      input.addEventListener('input', () => {
        o[key] = input.value;
        if (key === 'source') state.sourceFromFile = false;
      });
      return input;
    };
    const labelled = (key, control, hidden = false, hint = null) =>
      h('label', { class: 'field', hidden }, h('span', { class: 'field-label' }, t(key)), control, hint ? h('span', { class: 'hint' }, t(hint)) : null);
    clear(options);
    options.append(
      labelled('console.import.crs', select('import-crs', ['wgs84', 'gcj02', 'bd09'].map((c) => [c, crsLabel(c)]), o.crs, set('crs'))),
      labelled(
        'console.import.encoding',
        select(
          'import-encoding',
          [
            ['auto', t('console.import.encoding.auto')],
            ['utf-8', 'UTF-8'],
            ['gbk', 'GBK'],
          ],
          o.encoding,
          set('encoding'),
        ),
      ),
      labelled('console.import.kind', select('import-kind', [['', t('console.import.kind.none')], ...KINDS.map((k) => [k.code, kindLabel(k.code)])], o.kind, set('kind'))),
      labelled('console.import.source', text('import-source', 'source'), false, 'console.import.source.hint'),
      labelled('console.import.sheet', text('import-sheet', 'sheet'), !isWorkbook(state.format)),
    );
  }

  function errorsTable(rows, id) {
    return h(
      'table',
      { class: 'data ctable error-rows', id },
      h('thead', {}, h('tr', {}, h('th', {}, t('console.import.col.line')), h('th', {}, t('console.import.col.column')), h('th', {}, t('console.import.col.reason')))),
      h(
        'tbody',
        {},
        ...rows.map((r) =>
          h(
            'tr',
            { 'data-line': r.line ?? '', 'data-feature': r.featureIndex ?? '' },
            h('td', { 'data-col': 'line' }, r.line !== null ? String(r.line) : r.featureIndex !== null ? t('console.import.feature', { n: r.featureIndex }) : '—'),
            h('td', { 'data-col': 'column' }, r.column ? (r.columnNumber ? t('console.import.column', { name: r.column, n: r.columnNumber }) : r.column) : (r.field ?? '')),
            h('td', { 'data-col': 'reason' }, r.message),
          ),
        ),
      ),
    );
  }

  function unplacedList(m) {
    return h(
      'ol',
      { class: 'unplaced-list', id: 'import-unplaced-list' },
      ...m.unplaced.map((u) => {
        const at = state.placements.get(u.key);
        const msg = h('p', { class: 'field-msg', hidden: true });
        const paste = h('input', { class: 'input', type: 'text', id: `paste-${u.key}`, placeholder: t('console.coords.placeholder'), 'aria-label': t('console.coords.label') });
        const system = select(`paste-crs-${u.key}`, ['gcj02', 'bd09', 'wgs84'].map((c) => [c, crsLabel(c)]), 'gcj02', null, { 'aria-label': t('console.coords.crs') });
        const go = h('button', { type: 'button', class: 'button secondary small', id: `paste-apply-${u.key}` }, t('console.coords.apply'));
        go.addEventListener('click', () => pasteFor(u.key, paste.value, system.value, msg));
        return h(
          'li',
          { 'data-key': u.key, 'data-line': u.line ?? '', class: at ? 'placed' : state.placing === u.key ? 'placing' : '' },
          h('div', { class: 'unplaced-head' }, h('b', {}, t('console.import.line', { n: u.line ?? '—' })), ' ', u.name, u.address ? ` · ${u.address}` : ''),
          h(
            'div',
            { class: 'actions' },
            h(
              'button',
              { type: 'button', class: `button small${state.placing === u.key ? '' : ' secondary'}`, id: `place-${u.key}`, 'aria-pressed': String(state.placing === u.key), onclick: () => startPlacing(u.key) },
              t(state.placing === u.key ? 'console.import.placing' : at ? 'console.import.replace' : 'console.import.place'),
            ),
            at ? h('span', { class: 'coord', 'data-placed': 'true' }, fmtLonLat(at)) : null,
          ),
          h('div', { class: 'paste-row' }, paste, system, go),
          msg,
        );
      }),
    );
  }

  function rowsTable(m) {
    const shown = m.rows.slice(0, ROWS_SHOWN);
    return h(
      'table',
      { class: 'data ctable', id: 'import-rows' },
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['line', 'action', 'name', 'kind', 'hours', 'station'].map((k) => h('th', { scope: 'col' }, t(`console.import.col.${k}`))),
        ),
      ),
      h(
        'tbody',
        {},
        ...shown.map((r) =>
          h(
            'tr',
            { 'data-line': r.line ?? '', 'data-action': r.action },
            h('td', { 'data-col': 'line' }, r.line ?? (r.featureIndex !== null ? t('console.import.feature', { n: r.featureIndex }) : '')),
            h('td', { 'data-col': 'action' }, h('span', { class: `action-tag action-${r.action}` }, t(r.action === 'update' ? 'console.import.action.update' : 'console.import.action.create'))),
            h('td', { 'data-col': 'name' }, r.name),
            h('td', { 'data-col': 'kind' }, r.kind ? kindLabel(r.kind) : ''),
            h('td', { 'data-col': 'hours' }, hoursShown(r.hoursWritten, r.hours)),
            h('td', { 'data-col': 'station' }, r.stationId ? `#${r.stationId}` : ''),
          ),
        ),
      ),
    );
  }

  function renderOut() {
    clear(out);
    const m = state.model;
    if (state.result) {
      const r = state.result;
      put(out, 
        h(
          'div',
          { class: 'import-result', id: 'import-result' },
          h('p', { class: 'ok' }, t('console.import.done', { created: fmtNumber(r.created ?? 0), updated: fmtNumber(r.updated ?? 0), total: fmtNumber(r.total ?? 0) })),
          r.ignored_columns?.length ? h('p', { class: 'hint' }, t('console.import.ignored', { columns: ignoredText(r.ignored_columns.map((c) => ({ name: c.name, columnNumber: c.column_number }))) })) : null,
        ),
      );
    }
    if (state.refused?.length) {
      put(out, 
        h('h3', { class: 'sub-title error' }, t('console.import.refused', { n: fmtNumber(state.refused.length) })),
        errorsTable(state.refused, 'import-refused'),
      );
    }
    if (m) {
      put(out, 
        h(
          'p',
          { class: 'meta', id: 'import-summary' },
          t('console.import.summary', { created: fmtNumber(m.created), updated: fmtNumber(m.updated) }),
          m.format ? ` · ${m.format.toUpperCase()}` : '',
          m.sheet ? ` · ${t('console.import.sheet_used', { name: m.sheet })}` : '',
        ),
      );
      if (m.errors.length || m.omittedErrors) {
        put(out, 
          h('h3', { class: 'sub-title error', id: 'import-errors-heading' }, t('console.import.errors', { n: fmtNumber(m.errors.length + m.omittedErrors) })),
          errorsTable(m.errors, 'import-errors'),
          m.omittedErrors ? h('p', { class: 'hint', id: 'import-omitted' }, t('console.import.omitted', { n: fmtNumber(m.omittedErrors) })) : null,
        );
      }
      if (m.ignored.length) {
        put(out, h('p', { class: 'notice', id: 'import-ignored' }, t('console.import.ignored', { columns: ignoredText(m.ignored) })));
      }
      if (m.unplaced.length) {
        put(out, 
          h('h3', { class: 'sub-title', id: 'import-unplaced-heading' }, t('console.import.unplaced', { n: fmtNumber(m.unplaced.length) })),
          h('p', { class: 'hint' }, t('console.import.unplaced.hint')),
          unplacedList(m),
        );
      }
      if (m.rows.length) {
        put(out, 
          h('h3', { class: 'sub-title' }, t('console.import.rows', { n: fmtNumber(m.rows.length) })),
          h('div', { class: 'table-wrap' }, rowsTable(m)),
          m.rows.length > ROWS_SHOWN ? h('p', { class: 'hint' }, t('console.import.rows_more', { n: fmtNumber(ROWS_SHOWN) })) : null,
        );
      }
    }
    renderCommit();
  }

  function renderCommit() {
    const m = state.model;
    previewButton.textContent = t(state.status === 'previewing' ? 'console.import.previewing' : 'console.import.preview');
    previewButton.disabled = !state.file || !state.format || state.status === 'previewing' || state.status === 'committing';
    commitButton.textContent = t(state.status === 'committing' ? 'console.import.committing' : 'console.import.commit');
    const ok = m && state.status === 'preview' && canCommit(m, state.placements);
    commitButton.disabled = !ok;
    if (!m) {
      commitHint.textContent = t('console.import.commit.needs_preview');
    } else {
      const b = blockers(m, state.placements);
      commitHint.textContent = b.errors
        ? t('console.import.commit.has_errors', { n: fmtNumber(b.errors) })
        : b.unplaced
          ? t('console.import.commit.has_unplaced', { n: fmtNumber(b.unplaced) })
          : t('console.import.commit.ready', { n: fmtNumber(m.rows.length + m.unplaced.length) });
    }
    mapHint.textContent = state.placing ? t('console.import.map.placing') : t('console.import.map.hint');
    clear(legend);
    legend.append(
      ...Object.entries(ACTION_COLORS).map(([action, color]) =>
        h('li', {}, h('span', { class: 'swatch', style: `--c:${color}` }), t(`console.import.legend.${action}`)),
      ),
    );
  }

  function render() {
    renderOptions();
    renderOut();
  }

  render();
  return {
    el,
    state,
    show() {
      el.hidden = false;
      ensureMap();
      requestAnimationFrame(() => map?.resize());
    },
    hide() {
      el.hidden = true;
      state.placing = null;
      document.body.classList.remove('placing-row');
    },
    relang: render,
    /** The inset map (for tests: where a click lands). */
    get map() {
      return map;
    },
    destroy() {
      document.body.classList.remove('placing-row');
      if (map?.available) map.view.map.remove();
      map = null;
    },
  };
}

/** "备注（第 11 列）、联系人（第 12 列）" */
function ignoredText(columns) {
  return columns.map((c) => (c.columnNumber ? t('console.import.column', { name: c.name, n: c.columnNumber }) : c.name)).join('、');
}
