/**
 * The Vault page (`/admin/vault`, F18): credentials the appliance injects
 * for reps without showing them. Each has a name, username, kind (password
 * or private key with an optional passphrase), description, the users and
 * teams who may use it and an optional host pattern binding it to Shell Jump
 * items. The secret is write-only here: the page shows "••••" and a new
 * value replaces it. The table says who has what checked out (with Check
 * in); the vault log below lists every change, check-out, check-in and use.
 */
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import { bindText } from '../ui/i18n.ts';
import { formatDateTime } from '../console/format.ts';
import type { AdminContext } from './admin-context.ts';

interface Credential {
  id: string;
  name: string;
  username: string;
  kind: 'password' | 'private_key';
  description: string;
  userIds: string[];
  teamIds: string[];
  hostPattern: string;
  hasPassphrase: boolean;
  checkout: { userId: string; userName: string; sessionId: string | null; at: number } | null;
}
interface LogEntry {
  at: number;
  name: string;
  action: string;
  actor: string | null;
  sessionId: string | null;
}
interface Page {
  credentials: Credential[];
  log: LogEntry[];
  users: Array<{ id: string; name: string }>;
  teams: Array<{ id: string; name: string }>;
}

export function vaultView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const body = h('tbody', {});
  const logBody = h('tbody', {});
  let data: Page = { credentials: [], log: [], users: [], teams: [] };
  let editing: Credential | undefined;

  const name = h('input', { attrs: { id: 'vault-name', maxlength: '100', autocomplete: 'off' } });
  const username = h('input', { attrs: { id: 'vault-username', maxlength: '64', autocomplete: 'off' } });
  const kind = h('select', { attrs: { id: 'vault-kind' } }, h('option', { text: 'vault.kind.password', attrs: { value: 'password' } }), h('option', { text: 'vault.kind.private_key', attrs: { value: 'private_key' } }));
  const secret = h('textarea', { attrs: { id: 'vault-secret', rows: '3', spellcheck: 'false', autocomplete: 'off' } });
  const secretHint = h('p', { class: 'hint', text: 'vault.field.secretKeep', attrs: { hidden: true } });
  const passphrase = h('input', { attrs: { id: 'vault-passphrase', type: 'password', autocomplete: 'new-password', maxlength: '1024' } });
  const description = h('input', { attrs: { id: 'vault-description', maxlength: '500', autocomplete: 'off' } });
  const hostPattern = h('input', { attrs: { id: 'vault-host', maxlength: '253', autocomplete: 'off', placeholder: '*.example.com' } });
  const users = h('div', { class: 'choice-group', attrs: { 'data-testid': 'vault-users' } });
  const teams = h('div', { class: 'choice-group', attrs: { 'data-testid': 'vault-teams' } });
  const submit = h('button', { class: 'button primary', text: 'vault.add', attrs: { type: 'submit', id: 'vault-submit' } });
  const passField = field('vault-passphrase', 'vault.field.passphrase', passphrase);
  const showKind = (): void => {
    passField.hidden = kind.value !== 'private_key';
  };
  kind.addEventListener('change', showKind);

  const checks = (box: HTMLElement, prefix: string, list: Array<{ id: string; name: string }>, on: string[]): void =>
    replace(
      box,
      ...list.map((x) => {
        const input = h('input', { attrs: { type: 'checkbox', id: `${prefix}-${x.id}`, value: x.id, checked: on.includes(x.id) } });
        return h('div', { class: 'field check' }, input, h('label', { raw: x.name, attrs: { for: `${prefix}-${x.id}` } }));
      }),
    );
  const checked = (box: HTMLElement): string[] => [...box.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);

  const fill = (c?: Credential): void => {
    editing = c;
    name.value = c?.name ?? '';
    username.value = c?.username ?? '';
    kind.value = c?.kind ?? 'password';
    secret.value = '';
    secret.placeholder = c ? '••••' : '';
    secretHint.hidden = !c;
    passphrase.value = '';
    description.value = c?.description ?? '';
    hostPattern.value = c?.hostPattern ?? '';
    checks(users, 'vault-user', data.users, c?.userIds ?? []);
    checks(teams, 'vault-team', data.teams, c?.teamIds ?? []);
    bindText(submit, c ? 'common.save' : 'vault.add');
    showKind();
  };

  const row = (c: Credential): HTMLElement => {
    const edit = h('button', { class: 'button secondary small', text: 'vault.edit', attrs: { type: 'button', 'data-action': 'edit' } });
    edit.addEventListener('click', () => {
      fill(c);
      name.focus();
    });
    const del = h('button', { class: 'button danger small', text: 'vault.remove', attrs: { type: 'button', 'data-action': 'delete' } });
    del.addEventListener('click', () => api('DELETE', `/api/admin/vault/${c.id}`).then(load, (err: unknown) => notice.error(err)));
    const checkIn = h('button', { class: 'button secondary small', text: 'vault.checkIn', attrs: { type: 'button', 'data-action': 'checkin', hidden: !c.checkout } });
    checkIn.addEventListener('click', () => api('POST', `/api/admin/vault/${c.id}/checkin`).then(load, (err: unknown) => notice.error(err)));
    const who = [...c.userIds.map((u) => data.users.find((x) => x.id === u)?.name ?? '?'), ...c.teamIds.map((t) => data.teams.find((x) => x.id === t)?.name ?? '?')].join(', ');
    return h(
      'tr',
      { attrs: { 'data-testid': `vault-${c.id}`, 'data-name': c.name } },
      h('td', { raw: c.name }),
      h('td', { raw: c.username }),
      h('td', { text: `vault.kind.${c.kind}` }),
      h('td', { text: 'vault.secretHidden' }),
      h('td', { raw: who || '—' }),
      h('td', { raw: c.hostPattern || '—' }),
      h('td', { attrs: { 'data-testid': 'checkout' } }, c.checkout ? h('span', { text: 'vault.checkedOutBy', args: { name: c.checkout.userName, when: formatDateTime(c.checkout.at) } }) : h('span', { text: 'vault.notCheckedOut' })),
      h('td', { class: 'actions' }, edit, checkIn, del),
    );
  };

  const render = (): void => {
    replace(body, ...(data.credentials.length ? data.credentials.map(row) : [h('tr', { class: 'empty-row' }, h('td', { text: 'vault.empty', attrs: { colspan: '8' } }))]));
    replace(
      logBody,
      ...(data.log.length
        ? data.log.map((e) => h('tr', {}, h('td', { raw: formatDateTime(e.at) }), h('td', { raw: e.name }), h('td', { text: `vault.action.${e.action}` as 'vault.action.created' }), h('td', { raw: e.actor ?? '—' })))
        : [h('tr', { class: 'empty-row' }, h('td', { text: 'vault.log.empty', attrs: { colspan: '4' } }))]),
    );
  };

  const load = (): Promise<void> =>
    api<Page>('GET', '/api/admin/vault').then(
      (p) => {
        data = p;
        render();
        if (!editing) fill();
      },
      (err: unknown) => notice.error(err),
    );

  const form = h(
    'form',
    { class: 'card', attrs: { id: 'vault-form', novalidate: true } },
    field('vault-name', 'vault.field.name', name),
    field('vault-username', 'vault.field.username', username),
    field('vault-kind', 'vault.field.kind', kind),
    h('div', { class: 'field' }, h('label', { text: 'vault.field.secret', attrs: { for: 'vault-secret' } }), secret, secretHint),
    passField,
    field('vault-description', 'vault.field.description', description),
    h('fieldset', {}, h('legend', { text: 'vault.field.users' }), users),
    h('fieldset', {}, h('legend', { text: 'vault.field.teams' }), teams),
    field('vault-host', 'vault.field.hostPattern', hostPattern),
    submit,
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const payload = {
      name: name.value.trim(),
      username: username.value.trim(),
      kind: kind.value,
      secret: kind.value === 'private_key' ? secret.value.trim() + (secret.value.trim() ? '\n' : '') : secret.value,
      passphrase: passphrase.value,
      description: description.value.trim(),
      userIds: checked(users),
      teamIds: checked(teams),
      hostPattern: hostPattern.value.trim(),
    };
    const was = editing;
    api<{ credential: Credential }>(was ? 'PUT' : 'POST', was ? `/api/admin/vault/${was.id}` : '/api/admin/vault', payload).then(
      ({ credential }) => {
        notice.success('vault.saved', { name: credential.name });
        editing = undefined;
        void load();
      },
      (err: unknown) => notice.error(err),
    );
  });
  void load();
  showKind();

  return h(
    'div',
    { class: 'view vault-view' },
    h('h1', { text: 'vault.title', attrs: { id: 'vault-title' } }),
    h('p', { class: 'lead', text: 'vault.lead' }),
    h(
      'table',
      { class: 'data-table', attrs: { id: 'vault-table', 'aria-labelledby': 'vault-title' } },
      h('thead', {}, h('tr', {}, ...(['vault.field.name', 'vault.field.username', 'vault.field.kind', 'vault.field.secret', 'vault.field.users', 'vault.field.hostPattern', 'vault.col.checkedOut', 'api.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
      body,
    ),
    form,
    h('h2', { text: 'vault.log', attrs: { id: 'vault-log-title' } }),
    h('table', { class: 'data-table', attrs: { id: 'vault-log', 'aria-labelledby': 'vault-log-title' } }, logBody),
  );
}
