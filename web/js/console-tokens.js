// The tokens screen (令牌, admins only): every API token (name, role, created, last used, revoked),
// a form that creates one (name, role) and shows its secret once in a copyable box — the server
// keeps only a hash, so it can never be shown again — and 撤销 (revoke) after a confirmation.

import * as capi from './console-api.js';
import { clearErrors, confirmDialog, createBanner, errorText, field, fmtDateTime, roleLabel, select, showErrors } from './console-ui.js';
import { clear, h } from './dom.js';
import { t } from './i18n.js';

/** The roles a token may have. */
export const TOKEN_ROLES = ['editor', 'planner', 'admin'];

/** Builds the tokens screen. */
export function createTokens() {
  const state = { tokens: [], status: 'idle', created: null, seq: 0 };
  const banner = createBanner('tokens-banner');
  const name = h('input', { id: 'token-name', class: 'input', type: 'text', autocomplete: 'off', maxlength: '100' });
  let role = 'editor';
  const roleBox = h('div', { class: 'role-box' });
  const create = h('button', { type: 'submit', class: 'button', id: 'token-create' });
  const form = h('form', { class: 'token-form', id: 'token-form', novalidate: true });
  const secretBox = h('div', { class: 'secret-box', id: 'token-secret-box', hidden: true });
  const table = h('table', { class: 'data ctable', id: 'token-table' });
  const el = h(
    'section',
    { class: 'console-screen tokens', id: 'console-tokens', hidden: true, 'data-state': 'idle', 'data-seq': '0' },
    h('h2', { class: 'panel-title', 'data-i18n': 'console.tokens.heading' }),
    banner.el,
    form,
    secretBox,
    h('h3', { class: 'sub-title', 'data-i18n': 'console.tokens.list' }),
    h('div', { class: 'table-wrap' }, table),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    submit();
  });

  async function load() {
    el.dataset.state = 'loading';
    try {
      state.tokens = (await capi.tokens()).tokens ?? [];
      state.status = 'ready';
    } catch (e) {
      state.status = 'error';
      if (e.status !== 401) banner.show('error', t('console.tokens.error', { message: errorText(e) }));
    }
    state.seq += 1;
    el.dataset.state = state.status;
    el.dataset.seq = String(state.seq);
    renderTable();
  }

  async function submit() {
    banner.hide();
    create.disabled = true;
    try {
      const answer = await capi.createToken(name.value.trim(), role);
      state.created = answer;
      name.value = '';
      clearErrors(form);
      renderSecret();
      await load();
    } catch (e) {
      if (e.status >= 400 && e.status < 500 && e.status !== 401) showErrors(form, e, banner);
      else if (e.status !== 401) banner.show('error', t('console.write_failed', { message: errorText(e) }));
    } finally {
      create.disabled = false;
    }
  }

  async function revoke(tok) {
    const ok = await confirmDialog({
      title: t('console.tokens.revoke.title'),
      message: t('console.tokens.revoke.confirm', { name: tok.name, id: tok.id }),
      ok: t('console.tokens.revoke'),
      danger: true,
    });
    if (!ok) return;
    try {
      await capi.revokeToken(tok.id);
      banner.show('ok', t('console.tokens.revoked', { name: tok.name }));
      if (state.created?.record?.id === tok.id) {
        state.created = null;
        renderSecret();
      }
      await load();
    } catch (e) {
      if (e.status !== 401) banner.show('error', t('console.write_failed', { message: errorText(e) }));
    }
  }

  async function copy(input, button) {
    input.select();
    let done = false;
    try {
      await navigator.clipboard.writeText(input.value);
      done = true;
    } catch {
      try {
        done = document.execCommand('copy');
      } catch {
        done = false;
      }
    }
    button.textContent = t(done ? 'console.tokens.copied' : 'console.tokens.copy_manual');
  }

  function renderForm() {
    clear(form);
    clear(roleBox);
    roleBox.append(select('token-role', TOKEN_ROLES.map((r) => [r, roleLabel(r)]), role, (v) => (role = v)));
    create.textContent = t('console.tokens.create');
    form.append(
      h('h3', { class: 'sub-title' }, t('console.tokens.new')),
      h('div', { class: 'form-grid' }, field('name', t('console.tokens.name'), name), field('role', t('console.tokens.role'), roleBox)),
      h('div', { class: 'actions' }, create),
    );
  }

  function renderSecret() {
    clear(secretBox);
    const c = state.created;
    secretBox.hidden = !c;
    if (!c) return;
    const input = h('input', { id: 'token-secret', class: 'input mono', type: 'text', readonly: true, value: c.token, 'aria-label': t('console.tokens.secret') });
    const button = h('button', { type: 'button', class: 'button secondary small', id: 'token-copy' }, t('console.tokens.copy'));
    button.addEventListener('click', () => copy(input, button));
    secretBox.append(
      h('p', { class: 'ok' }, t('console.tokens.created', { name: c.record?.name ?? '', role: roleLabel(c.record?.role) })),
      h('div', { class: 'paste-row' }, input, button),
      h('p', { class: 'warning', id: 'token-warning' }, t('console.tokens.once')),
      h('button', { type: 'button', class: 'link', id: 'token-secret-hide', onclick: () => ((state.created = null), renderSecret()) }, t('console.tokens.hide')),
    );
  }

  function renderTable() {
    clear(table);
    table.append(
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['name', 'role', 'id', 'created', 'last_used', 'state'].map((k) => h('th', { scope: 'col' }, t(`console.tokens.col.${k}`))),
          h('th', { scope: 'col' }, ''),
        ),
      ),
      h(
        'tbody',
        {},
        ...state.tokens.map((tok) => {
          const revoked = Boolean(tok.revoked_at);
          const button = revoked
            ? null
            : h('button', { type: 'button', class: 'button danger-outline small', id: `revoke-${tok.id}`, onclick: () => revoke(tok) }, t('console.tokens.revoke'));
          return h(
            'tr',
            { 'data-id': tok.id, class: revoked ? 'revoked' : '' },
            h('td', { 'data-col': 'name' }, tok.name),
            h('td', { 'data-col': 'role' }, roleLabel(tok.role)),
            h('td', { 'data-col': 'id', class: 'mono' }, tok.id),
            h('td', { 'data-col': 'created' }, fmtDateTime(tok.created_at)),
            h('td', { 'data-col': 'last_used' }, tok.last_used_at ? fmtDateTime(tok.last_used_at) : '—'),
            h('td', { 'data-col': 'state' }, revoked ? t('console.tokens.revoked_at', { time: fmtDateTime(tok.revoked_at) }) : t('console.tokens.active')),
            h('td', {}, button),
          );
        }),
      ),
    );
  }

  function render() {
    renderForm();
    renderSecret();
    renderTable();
  }

  render();
  return {
    el,
    state,
    show() {
      el.hidden = false;
      load();
    },
    hide() {
      el.hidden = true;
    },
    relang: render,
  };
}
