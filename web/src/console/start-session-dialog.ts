/**
 * "Start New Session" (F10): the rep picks how long the key may be used to
 * start (it bounds the start, not the session), the appliance answers with a
 * 7-digit key and a URL with an access token. Clicking either copies it; the
 * invitation goes out by the rep's own mail program (a mailto link built by
 * the appliance) or by the appliance's mail server. A native modal
 * `<dialog>`: Escape closes, focus returns to the opener.
 */
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import { bindError } from '../ui/error-text.ts';
import { bindText, lang, type MessageKey } from '../ui/i18n.ts';
import { formatDateTime } from './format.ts';

/** Validity choices in minutes; 30 min is preselected (a typical phone call). */
const TTL_CHOICES: ReadonlyArray<[number, MessageKey]> = [
  [10, 'console.key.ttl.10m'],
  [30, 'console.key.ttl.30m'],
  [60, 'console.key.ttl.1h'],
  [240, 'console.key.ttl.4h'],
  [1440, 'console.key.ttl.1d'],
];
const DEFAULT_TTL = 30;

interface SessionKey {
  shortKey: string;
  token: string;
  url: string;
  expiresAt: number;
  mailto: string;
}

function copyButton(id: string, value: string, status: HTMLElement): HTMLButtonElement {
  const b = h('button', { class: 'copy-value', raw: value, attrs: { type: 'button', id } });
  b.setAttribute('aria-describedby', 'key-copy-status');
  b.addEventListener('click', () => {
    navigator.clipboard.writeText(value).then(
      () => bindText(status, 'console.key.copied'),
      () => bindText(status, 'console.key.copyFailed'),
    );
  });
  return b;
}

export function openStartSessionDialog(): void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  const ttl = h('select', { attrs: { name: 'ttl' } }, ...TTL_CHOICES.map(([m, key]) => h('option', { text: key, attrs: { value: String(m), selected: m === DEFAULT_TTL } })));
  const generate = h('button', { class: 'button primary', text: 'console.key.generate', attrs: { type: 'submit', id: 'key-generate' } });
  const error = h('p', { class: 'dialog-error', attrs: { role: 'alert' } });
  const result = h('div', { class: 'key-result', attrs: { id: 'key-result' } });
  const close = h('button', { class: 'button secondary', text: 'common.close', attrs: { type: 'button' } });
  const form = h('form', { class: 'inline-form', attrs: { novalidate: true } }, field('key-ttl', 'console.key.ttl', ttl, 'console.key.ttl.help'), generate);
  const dialog = h(
    'dialog',
    { class: 'dialog wide', attrs: { 'aria-labelledby': 'key-title', 'data-testid': 'start-session-dialog' } },
    h('div', { class: 'dialog-form' }, h('h2', { text: 'console.key.title', attrs: { id: 'key-title' } }), h('p', { class: 'muted', text: 'console.key.intro' }), form, error, result, h('div', { class: 'dialog-buttons' }, close)),
  );
  close.addEventListener('click', () => dialog.close());
  dialog.addEventListener('close', () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });

  const showKey = (k: SessionKey): void => {
    const status = h('p', { class: 'copy-status', attrs: { id: 'key-copy-status', 'aria-live': 'polite' } });
    const to = h('input', { attrs: { type: 'email', name: 'to', autocomplete: 'off', maxlength: '254' } });
    const send = h('button', { class: 'button secondary', text: 'console.key.sendServer', attrs: { type: 'submit', id: 'key-send-email' } });
    const mailStatus = h('p', { class: 'mail-status', attrs: { id: 'key-mail-status', 'aria-live': 'polite' } });
    const mailForm = h('form', { class: 'inline-form', attrs: { novalidate: true } }, field('key-email-to', 'console.key.emailTo', to), send);
    mailForm.addEventListener('submit', (ev) => {
      ev.preventDefault();
      if (!to.value.trim()) return to.focus();
      send.disabled = true;
      mailStatus.className = 'mail-status';
      bindText(mailStatus, 'console.key.sending');
      api('POST', '/api/console/session-keys/email', { token: k.token, to: to.value.trim(), lang: lang() }).then(
        () => {
          send.disabled = false;
          mailStatus.className = 'mail-status ok';
          bindText(mailStatus, 'console.key.sent', { to: to.value.trim() });
        },
        (err: unknown) => {
          send.disabled = false;
          mailStatus.className = 'mail-status error';
          bindError(mailStatus, err);
        },
      );
    });
    replace(
      result,
      h(
        'dl',
        { class: 'facts key-facts' },
        h('dt', { text: 'console.key.key' }),
        h('dd', {}, copyButton('key-short', k.shortKey, status)),
        h('dt', { text: 'console.key.url' }),
        h('dd', {}, copyButton('key-url', k.url, status)),
        h('dt', { text: 'console.key.expires' }),
        h('dd', { raw: formatDateTime(k.expiresAt), attrs: { id: 'key-expires' } }),
      ),
      h('p', { class: 'hint', text: 'console.key.copyHint' }),
      status,
      h('p', {}, h('a', { class: 'button secondary', text: 'console.key.sendLocal', attrs: { href: k.mailto, id: 'key-mailto' } })),
      mailForm,
      mailStatus,
    );
    (result.querySelector<HTMLElement>('#key-short'))?.focus();
  };

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    generate.disabled = true;
    error.textContent = '';
    api<SessionKey>('POST', '/api/console/session-keys', { ttlMinutes: Number(ttl.value), lang: lang() }).then(
      (k) => {
        generate.disabled = false;
        bindText(generate, 'console.key.again');
        showKey(k);
      },
      (err: unknown) => {
        generate.disabled = false;
        bindError(error, err);
      },
    );
  });

  document.body.append(dialog);
  dialog.showModal();
  ttl.focus();
}
