/**
 * Users (`/admin/users`): the list with per-row actions (disable/enable,
 * make/remove administrator, reset password, permissions) and the form that adds a user.
 * A changed row is redrawn in place and focus returns to the same action, so
 * keyboard users keep their place. Rows carry `data-testid="user-<username>"`.
 */
import { api, type PublicUser } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import type { MessageKey } from '../ui/i18n.ts';
import type { AdminContext } from './admin-context.ts';
import { openResetPasswordDialog } from './reset-password-dialog.ts';
import { openUserPermissionsDialog } from './user-permissions-dialog.ts';

const COLUMNS = ['users.col.username', 'users.col.displayName', 'users.col.admin', 'users.col.status', 'users.col.actions'] as const;

export function usersView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const tbody = h('tbody');
  const table = h(
    'table',
    { class: 'data-table', attrs: { id: 'users-table', 'aria-labelledby': 'view-title' } },
    h('thead', {}, h('tr', {}, ...COLUMNS.map((c) => h('th', { text: c, attrs: { scope: 'col' } })))),
    tbody,
  );

  const row = (user: PublicUser): HTMLTableRowElement => {
    const action = (name: string, text: MessageKey, run: () => void): HTMLButtonElement =>
      h('button', { text, class: 'button secondary small', attrs: { type: 'button', 'data-action': name }, on: { click: run } });
    const self = user.id === ctx.me.user.id;
    const tr = h(
      'tr',
      { attrs: { 'data-testid': `user-${user.username}` } },
      h('td', {}, h('span', { raw: user.username }), self ? h('span', { class: 'muted', text: 'users.you' }) : null),
      h('td', { raw: user.displayName }),
      h('td', { text: user.admin ? 'common.yes' : 'common.no' }),
      h('td', {}, h('span', { class: user.disabled ? 'badge badge-off' : 'badge badge-on', text: user.disabled ? 'users.status.disabled' : 'users.status.active' })),
      h(
        'td',
        { class: 'actions' },
        action(user.disabled ? 'enable' : 'disable', user.disabled ? 'users.enable' : 'users.disable', () => change(user, { disabled: !user.disabled }, user.disabled ? 'users.enabled' : 'users.disabled')),
        action(user.admin ? 'unmake-admin' : 'make-admin', user.admin ? 'users.unmakeAdmin' : 'users.makeAdmin', () => change(user, { admin: !user.admin }, user.admin ? 'users.unmadeAdmin' : 'users.madeAdmin')),
        action('reset-password', 'users.resetPassword', () => openResetPasswordDialog(user, (updated) => redraw(updated, 'reset-password', notice.success.bind(null, 'users.reset.done', { name: updated.username })))),
        action('permissions', 'users.permissions', () => openUserPermissionsDialog(user, notice)),
      ),
    );
    return tr;
  };

  /** Swaps the row of `user`, focuses the given action in the new row, then reports. */
  const redraw = (user: PublicUser, focusAction: string, report: () => void): void => {
    const old = tbody.querySelector(`tr[data-testid="user-${CSS.escape(user.username)}"]`);
    const fresh = row(user);
    if (old) old.replaceWith(fresh);
    else tbody.append(fresh);
    const again = fresh.querySelector<HTMLButtonElement>(`button[data-action="${focusAction}"]`) ?? fresh.querySelector<HTMLButtonElement>('button');
    again?.focus();
    report();
  };

  const change = (user: PublicUser, patch: { disabled?: boolean; admin?: boolean }, done: MessageKey): void => {
    api<{ user: PublicUser }>('PATCH', `/api/admin/users/${encodeURIComponent(user.id)}`, patch).then(
      ({ user: updated }) => {
        // The toggled action now has the opposite name; focus it so Enter toggles back.
        const focus = patch.disabled !== undefined ? (updated.disabled ? 'enable' : 'disable') : updated.admin ? 'unmake-admin' : 'make-admin';
        redraw(updated, focus, () => notice.success(done, { name: updated.username }));
      },
      (err: unknown) => notice.error(err),
    );
  };

  const load = (): void => {
    api<{ users: PublicUser[] }>('GET', '/api/admin/users').then(
      ({ users }) => {
        if (users.length === 0) replace(tbody, h('tr', {}, h('td', { text: 'users.empty', attrs: { colspan: String(COLUMNS.length) } })));
        else replace(tbody, ...users.map(row));
      },
      (err: unknown) => notice.error(err),
    );
  };
  load();

  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'view-title' } },
    h('h1', { text: 'users.title', attrs: { id: 'view-title' } }),
    notice.el,
    h('div', { class: 'card table-card' }, table),
    createForm(ctx, (user) => redraw(user, 'disable', () => notice.success('users.created', { name: user.username }))),
  );
}

function createForm({ notice }: AdminContext, onCreated: (user: PublicUser) => void): HTMLElement {
  const username = h('input', { attrs: { name: 'username', autocomplete: 'off', required: true, maxlength: '64', autocapitalize: 'none', spellcheck: 'false' } });
  const displayName = h('input', { attrs: { name: 'displayName', autocomplete: 'off', required: true, maxlength: '100' } });
  const password = h('input', { attrs: { name: 'password', type: 'password', autocomplete: 'new-password', required: true, minlength: '10', maxlength: '256' } });
  const admin = h('input', { attrs: { type: 'checkbox', id: 'new-admin', name: 'admin' } });
  const submit = h('button', { text: 'users.create.submit', class: 'button primary', attrs: { type: 'submit', id: 'create-user' } });
  const form = h(
    'form',
    { class: 'card form-grid', attrs: { 'aria-labelledby': 'create-user-title', id: 'create-user-form', novalidate: true } },
    h('h2', { text: 'users.create.title', attrs: { id: 'create-user-title' } }),
    field('new-username', 'users.col.username', username),
    field('new-display-name', 'users.col.displayName', displayName),
    field('new-password', 'users.field.password', password, 'users.field.passwordHint'),
    h('div', { class: 'field check' }, admin, h('label', { text: 'users.field.admin', attrs: { for: 'new-admin' } })),
    h('div', { class: 'form-actions' }, submit),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // Browser validation bubbles speak the browser's language; the appliance's coded errors speak ours.
    const empty = [username, displayName, password].find((i) => !i.value.trim());
    if (empty) return empty.focus();
    submit.disabled = true;
    const body = { username: username.value.trim(), displayName: displayName.value.trim(), password: password.value, admin: admin.checked };
    api<{ user: PublicUser }>('POST', '/api/admin/users', body).then(
      ({ user }) => {
        form.reset();
        submit.disabled = false;
        onCreated(user);
        username.focus();
      },
      (err: unknown) => {
        notice.error(err);
        submit.disabled = false;
      },
    );
  });
  return form;
}
