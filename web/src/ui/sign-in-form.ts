/**
 * The username/password form used at /login and /console. It posts to the
 * given endpoint and hands the reply to `onSignedIn`; failures are shown in
 * `#login-error` (role=alert) with the catalogue text, and the password field
 * is cleared and focused so the user can retry at once.
 */
import { api, useCsrf, type Me } from '../net/api.ts';
import { h } from './dom.ts';
import { bindError } from './error-text.ts';
import type { MessageKey } from './i18n.ts';

export interface SignInOptions {
  endpoint: '/api/auth/login' | '/api/console/login';
  title: MessageKey;
  intro: MessageKey;
  onSignedIn(me: Me): void;
  /** An error to show when the form appears (e.g. an expired console link). */
  initialError?: unknown;
}

export function signInForm(opts: SignInOptions): HTMLElement {
  const username = h('input', { attrs: { id: 'login-username', name: 'username', autocomplete: 'username', required: true, maxlength: '64', autocapitalize: 'none', spellcheck: 'false' } });
  const password = h('input', { attrs: { id: 'login-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: '256' } });
  const submit = h('button', { text: 'signin.submit', class: 'button primary', attrs: { id: 'login-submit', type: 'submit' } });
  const error = h('p', { class: 'form-error', attrs: { id: 'login-error', role: 'alert' } });
  if (opts.initialError) bindError(error, opts.initialError);

  const form = h(
    'form',
    { class: 'card sign-in', attrs: { 'aria-labelledby': 'sign-in-title', novalidate: true } },
    h('h1', { text: opts.title, attrs: { id: 'sign-in-title' } }),
    h('p', { class: 'muted', text: opts.intro }),
    h('div', { class: 'field' }, h('label', { text: 'signin.username', attrs: { for: 'login-username' } }), username),
    h('div', { class: 'field' }, h('label', { text: 'signin.password', attrs: { for: 'login-password' } }), password),
    error,
    h('div', { class: 'form-actions' }, submit),
  );

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    if (!username.value) return username.focus();
    if (!password.value) return password.focus();
    submit.disabled = true;
    form.setAttribute('aria-busy', 'true');
    api<Me>('POST', opts.endpoint, { username: username.value.trim(), password: password.value }).then(
      (me) => {
        useCsrf(me.csrf);
        opts.onSignedIn(me);
      },
      (err: unknown) => {
        bindError(error, err);
        submit.disabled = false;
        form.removeAttribute('aria-busy');
        password.value = '';
        password.focus();
      },
    );
  });
  queueMicrotask(() => (username.value ? password : username).focus());
  return form;
}
