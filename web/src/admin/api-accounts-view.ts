/**
 * API accounts (`/admin/api`, F33): the OAuth2 clients integrations use.
 * Create one (name, command API, reporting API); its client secret is shown
 * once, right then, to copy. Per account: enable/disable, New secret (shown
 * once; every token of the old one stops working) and Delete (confirmed).
 */
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { AdminContext } from './admin-context.ts';

interface Account {
  id: string;
  name: string;
  clientId: string;
  permissions: { command: boolean; reporting: boolean };
  enabled: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}

export function apiAccountsView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const body = h('tbody', {});
  const secretBox = h('section', { class: 'card secret-once', attrs: { id: 'api-secret', hidden: true, role: 'status' } });
  const showSecret = (a: Account, secret: string): void => {
    replace(
      secretBox,
      h('h2', { text: 'api.secret.title', args: { name: a.name } }),
      h('p', { class: 'hint', text: 'api.secret.once' }),
      h('dl', { class: 'facts' }, h('dt', { text: 'api.col.clientId' }), h('dd', {}, h('code', { raw: a.clientId, attrs: { id: 'api-client-id' } })), h('dt', { text: 'api.secret.label' }), h('dd', {}, h('code', { raw: secret, attrs: { id: 'api-client-secret' } }))),
    );
    secretBox.hidden = false;
  };
  const row = (a: Account): HTMLElement => {
    const toggle = h('button', { class: 'button secondary small', text: a.enabled ? 'api.disable' : 'api.enable', attrs: { type: 'button', 'data-action': 'toggle' } });
    toggle.addEventListener('click', () =>
      api<{ account: Account }>('PATCH', `/api/admin/api-accounts/${a.id}`, { enabled: !a.enabled }).then(({ account }) => tr.replaceWith(row(account)), (err: unknown) => notice.error(err)),
    );
    const regen = h('button', { class: 'button secondary small', text: 'api.newSecret', attrs: { type: 'button', 'data-action': 'secret' } });
    regen.addEventListener('click', () =>
      openDialog({
        title: 'api.newSecret.title',
        titleArgs: { name: a.name },
        content: [h('p', { text: 'api.newSecret.body' })],
        confirm: 'api.newSecret',
        danger: true,
        async onConfirm() {
          const { clientSecret } = await api<{ clientSecret: string }>('POST', `/api/admin/api-accounts/${a.id}/secret`);
          showSecret(a, clientSecret);
        },
      }),
    );
    const del = h('button', { class: 'button danger small', text: 'api.delete', attrs: { type: 'button', 'data-action': 'delete' } });
    del.addEventListener('click', () =>
      openDialog({
        title: 'api.delete.title',
        titleArgs: { name: a.name },
        content: [h('p', { text: 'api.delete.body' })],
        confirm: 'api.delete',
        danger: true,
        async onConfirm() {
          await api('DELETE', `/api/admin/api-accounts/${a.id}`);
          tr.remove();
        },
      }),
    );
    const perms = [a.permissions.command ? 'Command' : '', a.permissions.reporting ? 'Reporting' : ''].filter(Boolean).join(', ') || '—';
    const tr = h(
      'tr',
      { attrs: { 'data-testid': `api-${a.id}` } },
      h('td', { raw: a.name }),
      h('td', {}, h('code', { raw: a.clientId })),
      h('td', { raw: perms }),
      h('td', { text: a.enabled ? 'api.enabled' : 'api.disabled' }),
      h('td', { class: 'actions' }, toggle, regen, del),
    );
    return tr;
  };
  api<{ accounts: Account[] }>('GET', '/api/admin/api-accounts').then(({ accounts }) => replace(body, ...accounts.map(row)), (err: unknown) => notice.error(err));

  const name = h('input', { attrs: { name: 'name', required: true, maxlength: '100', autocomplete: 'off' } });
  const command = h('input', { attrs: { type: 'checkbox', name: 'command', checked: true } });
  const reporting = h('input', { attrs: { type: 'checkbox', name: 'reporting', checked: true } });
  const form = h(
    'form',
    { class: 'card inline-form', attrs: { id: 'create-api-form', novalidate: true } },
    h('h2', { text: 'api.create.title' }),
    field('api-name', 'api.col.name', name),
    h('div', { class: 'field check' }, command, h('label', { text: 'api.perm.command', attrs: { for: 'api-command' } })),
    h('div', { class: 'field check' }, reporting, h('label', { text: 'api.perm.reporting', attrs: { for: 'api-reporting' } })),
    h('button', { class: 'button primary', text: 'api.create.submit', attrs: { type: 'submit', id: 'create-api' } }),
  );
  command.id = 'api-command';
  reporting.id = 'api-reporting';
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api<{ account: Account; clientSecret: string }>('POST', '/api/admin/api-accounts', { name: name.value.trim(), command: command.checked, reporting: reporting.checked }).then(
      ({ account, clientSecret }) => {
        body.append(row(account));
        showSecret(account, clientSecret);
        name.value = '';
      },
      (err: unknown) => notice.error(err),
    );
  });

  return h(
    'div',
    { class: 'view api-view' },
    h('h1', { text: 'api.title', attrs: { id: 'api-title' } }),
    h('p', { class: 'lead', text: 'api.lead' }),
    secretBox,
    h(
      'table',
      { class: 'data-table', attrs: { id: 'api-table', 'aria-labelledby': 'api-title' } },
      h('thead', {}, h('tr', {}, ...(['api.col.name', 'api.col.clientId', 'api.col.permissions', 'api.col.state', 'api.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
      body,
    ),
    form,
  );
}
