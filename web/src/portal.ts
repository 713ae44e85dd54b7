/**
 * Entry of the public portal at `/` (F10, F11). A customer gets in by
 *   - a session key the rep gave (checked with /api/portal/key), or the key's
 *     URL `/?ak=<token>` (checked with /api/portal/token) — then the download;
 *   - picking an available rep, or the issue form (problem type → that
 *     team's queue) — then the download, or with "Chat in the browser" a
 *     click-to-chat panel on this page (see portal/customer-chat.ts).
 * A chat in progress in this tab (a resume secret in sessionStorage) comes
 * back after a reload. Staff links to the console and /login stay at the end.
 */
import { api } from './net/api.ts';
import { customerChat, storedResume } from './portal/customer-chat.ts';
import { downloadPanel } from './portal/download-panel.ts';
import type { PortalInfo } from './portal/portal-info.ts';
import { field, h, replace } from './ui/dom.ts';
import { bindError } from './ui/error-text.ts';
import { localize } from './ui/i18n.ts';
import { pageHeader } from './ui/page-header.ts';

const CLIENT_FILE = 'relaydesk-client.mjs';

function staffLink(href: string, title: 'portal.console' | 'portal.admin', help: 'portal.console.help' | 'portal.admin.help', id: string): HTMLElement {
  return h('li', {}, h('a', { class: 'tile', attrs: { href, id } }, h('span', { class: 'tile-title', text: title }), h('span', { class: 'tile-help', text: help })));
}

const app = document.getElementById('app') ?? document.body;
/** Where the outcome of any form goes (download steps or the chat), replacing the previous one. */
const outcome = h('div', { class: 'portal-outcome', attrs: { id: 'portal-outcome' } });
let info: PortalInfo = { reps: [], issues: [], client: null };

function showDownload(url: string, command?: string): void {
  replace(outcome, downloadPanel({ url, file: info.client?.file ?? CLIENT_FILE, command }));
}

function showChat(start: { token: string; name: string } | { resume: string }): void {
  replace(outcome, customerChat(start));
  outcome.querySelector<HTMLElement>('#customer-chat-input')?.focus();
}

/** Runs a form's request with its button busy and its error line filled on failure. */
function busy(button: HTMLButtonElement, error: HTMLElement, run: () => Promise<void>): void {
  button.disabled = true;
  error.textContent = '';
  run().then(
    () => (button.disabled = false),
    (err: unknown) => {
      button.disabled = false;
      bindError(error, err);
    },
  );
}

function keyForm(): HTMLElement {
  const key = h('input', { attrs: { name: 'key', inputmode: 'numeric', autocomplete: 'off', maxlength: '12', pattern: '[0-9]*', required: true } });
  const submit = h('button', { class: 'button primary', text: 'portal.key.submit', attrs: { type: 'submit', id: 'portal-key-submit' } });
  const error = h('p', { class: 'form-error', attrs: { role: 'alert', id: 'portal-key-error' } });
  const form = h(
    'form',
    { class: 'card portal-form', attrs: { id: 'portal-key-form', 'aria-labelledby': 'portal-key-title', novalidate: true } },
    h('h2', { text: 'portal.key.title', attrs: { id: 'portal-key-title' } }),
    h('div', { class: 'inline-form' }, field('portal-key', 'portal.key.label', key, 'portal.key.help'), submit),
    error,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const value = key.value.replace(/\s+/g, '');
    if (!value) return key.focus();
    busy(submit, error, async () => {
      const r = await api<{ key: string; download: string; command: string }>('POST', '/api/portal/key', { key: value });
      showDownload(r.download, r.command);
    });
  });
  return form;
}

/** Name and details fields plus the two ways on (client download or browser chat). */
function personFields(prefix: string): { fields: HTMLElement[]; name: HTMLInputElement; details: HTMLTextAreaElement } {
  const name = h('input', { attrs: { name: 'name', autocomplete: 'name', maxlength: '100', required: true } });
  const details = h('textarea', { attrs: { name: 'details', id: `${prefix}-details`, rows: '3', maxlength: '2000' } });
  return {
    name,
    details,
    fields: [field(`${prefix}-name`, 'portal.form.name', name), h('div', { class: 'field' }, h('label', { text: 'portal.form.details', attrs: { for: `${prefix}-details` } }), details)],
  };
}

function startForm(mode: 'rep' | 'issue'): HTMLElement {
  const prefix = `portal-${mode}`;
  const error = h('p', { class: 'form-error', attrs: { role: 'alert', id: `${prefix}-error` } });
  const person = personFields(prefix);
  const choice =
    mode === 'rep'
      ? h('select', { attrs: { name: 'repId', required: true } }, ...info.reps.map((r) => h('option', { raw: r.name, attrs: { value: r.id } })))
      : h('select', { attrs: { name: 'issue', required: true } }, ...info.issues.map((i) => h('option', { raw: i.description, attrs: { value: i.codeName } })));
  const client = h('button', { class: 'button primary', text: 'portal.form.client', attrs: { type: 'submit', value: 'client', id: `${prefix}-client` } });
  const chat = h('button', { class: 'button secondary', text: 'portal.form.chat', attrs: { type: 'submit', value: 'chat', id: `${prefix}-chat` } });
  const form = h(
    'form',
    { class: 'card portal-form form-grid', attrs: { id: `${prefix}-form`, 'aria-labelledby': `${prefix}-title`, novalidate: true } },
    h('h2', { text: mode === 'rep' ? 'portal.rep.title' : 'portal.issue.title', attrs: { id: `${prefix}-title` } }),
    field(`${prefix}-choice`, mode === 'rep' ? 'portal.rep.label' : 'portal.issue.label', choice),
    ...person.fields,
    error,
    h('div', { class: 'form-actions' }, client, chat),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const asChat = (ev.submitter as HTMLButtonElement | null)?.value === 'chat';
    const name = person.name.value.trim();
    if (!name) return person.name.focus();
    const body: Record<string, string> = { mode: asChat ? 'chat' : mode, name, details: person.details.value.trim() };
    if (mode === 'rep') body.repId = choice.value;
    else body.issue = choice.value;
    busy(asChat ? chat : client, error, async () => {
      const r = await api<{ token: string; download?: string }>('POST', '/api/portal/start', body);
      if (asChat) showChat({ token: r.token, name });
      else if (r.download) showDownload(r.download);
    });
  });
  return form;
}

function tokenPanel(token: string): HTMLElement {
  const error = h('p', { class: 'form-error', attrs: { role: 'alert', id: 'portal-token-error' } });
  const card = h('section', { class: 'card', attrs: { id: 'portal-token', 'aria-labelledby': 'portal-token-title' } }, h('h2', { text: 'portal.token.title', attrs: { id: 'portal-token-title' } }), h('p', { class: 'muted', text: 'common.loading' }), error);
  api<{ download: string }>('POST', '/api/portal/token', { token }).then(
    (r) => {
      card.remove();
      showDownload(r.download);
    },
    (err: unknown) => {
      card.querySelector('.muted')?.remove();
      bindError(error, err);
    },
  );
  return card;
}

function render(): void {
  const ak = new URLSearchParams(location.search).get('ak');
  const ways = h('div', { class: 'portal-ways' }, keyForm());
  if (info.reps.length > 0) ways.append(startForm('rep'));
  if (info.issues.length > 0) ways.append(startForm('issue'));
  replace(
    app,
    pageHeader(),
    h(
      'main',
      { class: 'portal', attrs: { id: 'main' } },
      h('section', { class: 'hero' }, h('h1', { text: 'portal.welcome' }), h('p', { class: 'lead', text: 'portal.intro' })),
      ak && /^[A-Za-z0-9_-]{20,64}$/.test(ak) ? tokenPanel(ak) : null,
      outcome,
      ways,
      h(
        'section',
        { class: 'staff', attrs: { 'aria-labelledby': 'staff-title' } },
        h('h2', { text: 'portal.staff', attrs: { id: 'staff-title' } }),
        h('ul', { class: 'tiles' }, staffLink('/console', 'portal.console', 'portal.console.help', 'portal-console'), staffLink('/login', 'portal.admin', 'portal.admin.help', 'portal-admin')),
      ),
    ),
  );
  const resume = storedResume();
  if (resume) showChat({ resume });
  localize();
}

localize();
replace(app, h('p', { class: 'centered muted', text: 'common.loading' }));
api<PortalInfo>('GET', '/api/portal/info').then(
  (i) => {
    info = i;
    render();
  },
  () => render(),
);
