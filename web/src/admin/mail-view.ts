/**
 * Mail server (`/admin/mail`, F10, F31): the SMTP server the appliance uses
 * for session-key invitations. The password is never sent back: the form
 * says whether one is stored, and a blank field keeps it.
 */
import { api } from '../net/api.ts';
import { field, h } from '../ui/dom.ts';
import { bindText } from '../ui/i18n.ts';
import type { AdminContext } from './admin-context.ts';

interface Smtp {
  host: string;
  port: number;
  security: 'none' | 'starttls' | 'tls';
  username: string;
  from: string;
  caPem: string;
  hasPassword: boolean;
}

/** 587: the submission port with STARTTLS, the usual choice. */
const DEFAULT_PORT = 587;

export function mailView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const host = h('input', { attrs: { name: 'host', required: true, maxlength: '255', autocomplete: 'off', spellcheck: 'false' } });
  const port = h('input', { attrs: { name: 'port', type: 'number', min: '1', max: '65535', required: true, value: String(DEFAULT_PORT) } });
  const security = h(
    'select',
    { attrs: { name: 'security' } },
    h('option', { text: 'mail.security.starttls', attrs: { value: 'starttls' } }),
    h('option', { text: 'mail.security.tls', attrs: { value: 'tls' } }),
    h('option', { text: 'mail.security.none', attrs: { value: 'none' } }),
  );
  const username = h('input', { attrs: { name: 'username', maxlength: '255', autocomplete: 'off' } });
  const password = h('input', { attrs: { name: 'password', type: 'password', maxlength: '1024', autocomplete: 'new-password' } });
  const passwordState = h('p', { class: 'hint', attrs: { id: 'mail-password-state' } });
  const from = h('input', { attrs: { name: 'from', type: 'email', required: true, maxlength: '254', autocomplete: 'off' } });
  const ca = h('textarea', { attrs: { name: 'caPem', id: 'mail-ca', rows: '5', maxlength: '20000', spellcheck: 'false' } });
  const save = h('button', { text: 'common.save', class: 'button primary', attrs: { type: 'submit', id: 'save-mail' } });
  const passwordField = field('mail-password', 'mail.password', password);
  passwordField.append(passwordState);
  const form = h(
    'form',
    { class: 'card form-grid', attrs: { id: 'mail-form', novalidate: true } },
    field('mail-host', 'mail.host', host),
    field('mail-port', 'mail.port', port),
    field('mail-security', 'mail.security', security),
    field('mail-from', 'mail.from', from),
    field('mail-username', 'mail.username', username),
    passwordField,
    h('div', { class: 'field wide' }, h('label', { text: 'mail.ca', attrs: { for: 'mail-ca' } }), ca, h('p', { class: 'hint', text: 'mail.ca.help' })),
    h('div', { class: 'form-actions' }, save),
  );
  const showPassword = (stored: boolean): void => {
    bindText(passwordState, stored ? 'mail.password.stored' : 'mail.password.none');
  };
  showPassword(false);

  api<{ smtp: Smtp | null }>('GET', '/api/admin/settings/smtp').then(
    ({ smtp }) => {
      if (!smtp) return;
      host.value = smtp.host;
      port.value = String(smtp.port);
      security.value = smtp.security;
      username.value = smtp.username;
      from.value = smtp.from;
      ca.value = smtp.caPem;
      showPassword(smtp.hasPassword);
    },
    (err: unknown) => notice.error(err),
  );

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const body: Record<string, unknown> = { host: host.value.trim(), port: Number(port.value), security: security.value, username: username.value.trim(), from: from.value.trim(), caPem: ca.value.trim() };
    // Blank keeps the stored password: the field is never filled from the appliance.
    if (password.value) body.password = password.value;
    save.disabled = true;
    api('PUT', '/api/admin/settings/smtp', body).then(
      () => {
        save.disabled = false;
        if (password.value) showPassword(true);
        password.value = '';
        notice.success('mail.saved');
      },
      (err: unknown) => {
        save.disabled = false;
        notice.error(err);
      },
    );
  });

  return h('section', { class: 'view', attrs: { 'aria-labelledby': 'view-title' } }, h('h1', { text: 'mail.title', attrs: { id: 'view-title' } }), h('p', { class: 'muted', text: 'mail.intro' }), notice.el, form);
}
