// The console's sign-in form (an API token, sent once to POST /api/v1/session and never kept by
// the page) and the line that says who is signed in, until when, with 退出登录 (sign out).

import { h, put } from './dom.js';
import { t } from './i18n.js';
import { createBanner, errorText, fmtDateTime, roleLabel } from './console-ui.js';
import * as session from './session.js';

/** The sign-in form; `onSignedIn()` after a successful sign-in. */
export function createSignIn({ onSignedIn }) {
  const banner = createBanner('signin-banner');
  const input = h('input', {
    id: 'signin-token',
    class: 'input',
    type: 'password',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
  });
  const msg = h('p', { class: 'field-msg', id: 'err-token', role: 'alert', hidden: true });
  const submit = h('button', { type: 'submit', class: 'button', id: 'signin-submit' });
  const form = h(
    'form',
    { class: 'signin-form', id: 'signin-form', novalidate: true },
    h('h2', { class: 'panel-title', 'data-i18n': 'console.signin.heading' }),
    h('p', { class: 'hint', 'data-i18n': 'console.signin.intro' }),
    banner.el,
    h('div', { class: 'cfield', 'data-field': 'token' }, h('label', { class: 'field-label', for: 'signin-token', 'data-i18n': 'console.signin.token' }), input, msg),
    h('p', { class: 'hint', 'data-i18n': 'console.signin.hint' }),
    h('div', { class: 'actions' }, submit),
  );
  const el = h('section', { class: 'console-screen signin', id: 'console-signin', hidden: true }, form);

  function render() {
    submit.textContent = t('console.signin.submit');
    const s = session.current();
    if (s.ended === 'expired' && banner.el.hidden) banner.show('error', t('console.signin.expired'));
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    const token = input.value.trim();
    msg.hidden = true;
    form.querySelector('.cfield').classList.remove('invalid');
    banner.hide();
    if (!token) {
      msg.textContent = t('console.signin.empty');
      msg.hidden = false;
      form.querySelector('.cfield').classList.add('invalid');
      input.focus();
      return;
    }
    submit.disabled = true;
    el.dataset.state = 'signing-in';
    try {
      await session.signIn(token);
      input.value = '';
      el.dataset.state = 'idle';
      onSignedIn();
    } catch (err) {
      el.dataset.state = 'error';
      if (err.status === 401 || err.field === 'token') {
        msg.textContent = t('console.signin.refused', { message: err.message });
        msg.hidden = false;
        form.querySelector('.cfield').classList.add('invalid');
        input.setAttribute('aria-invalid', 'true');
        input.select();
      } else {
        banner.show('error', t('console.signin.failed', { message: errorText(err) }));
      }
    } finally {
      submit.disabled = false;
    }
  });

  return {
    el,
    render,
    show() {
      el.hidden = false;
      render();
      input.focus();
    },
    hide() {
      el.hidden = true;
      banner.hide();
      msg.hidden = true;
    },
    /** Says why the form is shown again (the session expired or was revoked). */
    expired() {
      banner.show('error', t('console.signin.expired'));
    },
  };
}

/** "Signed in as NAME (ROLE) · until TIME" and 退出登录; `onSignedOut()` after signing out. */
export function createWho({ onSignedOut }) {
  const el = h('div', { class: 'who', id: 'console-who', hidden: true });

  function render() {
    const s = session.current();
    el.replaceChildren();
    el.hidden = !s.signedIn;
    if (!s.signedIn) return;
    put(
      el,
      h(
        'span',
        { class: 'who-name', id: 'who-name' },
        t('console.who', { name: s.principal?.name ?? '', role: roleLabel(s.principal?.role) }),
      ),
      s.expiresAt ? h('span', { class: 'who-expires', id: 'who-expires' }, t('console.who.expires', { time: fmtDateTime(s.expiresAt) })) : null,
      h(
        'button',
        {
          type: 'button',
          class: 'button secondary small',
          id: 'signout',
          onclick: async () => {
            try {
              await session.signOut();
            } catch (e) {
              console.warn('sign out:', e.message);
            }
            onSignedOut();
          },
        },
        t('console.signout'),
      ),
    );
  }

  return { el, render };
}
