/**
 * One team on the Teams page: rename, the member list with a role select and
 * Remove per member, a row that adds a user with a role, and Delete (after a
 * confirmation dialog). Member changes PATCH the whole member list, which is
 * what the API takes. The card also holds the team's permission grant
 * (what every member gets on top of their own), saved on its own. After a change the card is redrawn and focus is put
 * back on the matching control (`refocus` selector).
 */
import { api, type PublicUser, type TeamRole } from '../net/api.ts';
import { field, h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import { t, type MessageKey } from '../ui/i18n.ts';
import type { Notice } from '../ui/notice.ts';
import { NO_PERMISSIONS, type RepPermissions } from '../../../common/permissions.ts';
import { permissionFields } from './permissions-form.ts';

export const ROLES: readonly TeamRole[] = ['member', 'lead', 'manager'];

export interface Team {
  id: string;
  name: string;
  members: Array<{ userId: string; role: TeamRole }>;
  createdAt: number;
}

export interface TeamCardDeps {
  readonly users: ReadonlyMap<string, PublicUser>;
  readonly notice: Notice;
  /** The team changed on the appliance: redraw its card and focus `refocus` inside it. */
  onChanged(team: Team, refocus: string): void;
  onRemoved(team: Team): void;
}

function roleSelect(id: string, value: TeamRole): HTMLSelectElement {
  const select = h('select', { attrs: { id } }, ...ROLES.map((r) => h('option', { text: `role.${r}` as MessageKey, attrs: { value: r } })));
  select.value = value;
  return select;
}

export function teamCard(team: Team, deps: TeamCardDeps): HTMLElement {
  const { users, notice } = deps;
  const key = team.id;
  const nameOf = (userId: string): string => users.get(userId)?.displayName ?? t('teams.unknownUser');
  const patch = (body: { name?: string; members?: Team['members'] }, refocus: string, report: (updated: Team) => void): void => {
    api<{ team: Team }>('PATCH', `/api/admin/teams/${encodeURIComponent(team.id)}`, body).then(
      ({ team: updated }) => {
        deps.onChanged(updated, refocus);
        report(updated);
      },
      (err: unknown) => notice.error(err),
    );
  };

  // Rename.
  const nameInput = h('input', { attrs: { name: 'name', required: true, maxlength: '100', autocomplete: 'off' } });
  nameInput.value = team.name;
  const renameForm = h(
    'form',
    { class: 'inline-form' },
    field(`team-name-${key}`, 'teams.field.name', nameInput),
    h('button', { text: 'teams.rename', class: 'button secondary', attrs: { type: 'submit', 'data-role': 'rename' } }),
  );
  renameForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    patch({ name: nameInput.value.trim() }, `#team-name-${key}`, (u) => notice.success('teams.renamed', { name: u.name }));
  });

  // Members.
  const memberRows = team.members.map((m, i) => {
    const select = roleSelect(`role-${key}-${m.userId}`, m.role);
    select.setAttribute('aria-label', `${t('teams.col.role')}: ${nameOf(m.userId)}`);
    select.addEventListener('change', () => {
      const members = team.members.map((x) => (x.userId === m.userId ? { userId: x.userId, role: select.value as TeamRole } : x));
      patch({ members }, `#role-${key}-${m.userId}`, (u) => notice.success('teams.roleChanged', { user: nameOf(m.userId), role: t(`role.${select.value as TeamRole}`), team: u.name }));
    });
    const remove = h('button', { text: 'teams.removeMember', class: 'button secondary small', attrs: { type: 'button' } });
    remove.addEventListener('click', () => {
      const members = team.members.filter((x) => x.userId !== m.userId);
      patch({ members }, `#add-user-${key}`, (u) => notice.success('teams.memberRemoved', { user: nameOf(m.userId), team: u.name }));
    });
    return h('tr', { attrs: { 'data-index': String(i) } }, h('td', { raw: `${nameOf(m.userId)} (${users.get(m.userId)?.username ?? m.userId})` }), h('td', {}, select), h('td', {}, remove));
  });
  const members =
    memberRows.length === 0
      ? h('p', { class: 'muted', text: 'teams.noMembers' })
      : h(
          'table',
          { class: 'data-table compact' },
          h('thead', {}, h('tr', {}, h('th', { text: 'teams.col.user', attrs: { scope: 'col' } }), h('th', { text: 'teams.col.role', attrs: { scope: 'col' } }), h('th', { text: 'teams.col.actions', attrs: { scope: 'col' } }))),
          h('tbody', {}, ...memberRows),
        );

  return h(
    'article',
    { class: 'card team-card', attrs: { 'data-testid': `team-${team.name}`, 'data-team-id': team.id, 'aria-labelledby': `team-title-${key}` } },
    h('h2', { raw: team.name, attrs: { id: `team-title-${key}` } }),
    renameForm,
    h('h3', { text: 'teams.members' }),
    members,
    addMemberForm(team, deps, patch, nameOf),
    permissionsForm(team, deps),
    h('div', { class: 'form-actions' }, deleteButton(team, deps)),
  );
}

function addMemberForm(
  team: Team,
  { users, notice }: TeamCardDeps,
  patch: (body: { members: Team['members'] }, refocus: string, report: (u: Team) => void) => void,
  nameOf: (id: string) => string,
): HTMLElement {
  const key = team.id;
  const candidates = [...users.values()].filter((u) => !team.members.some((m) => m.userId === u.id));
  if (candidates.length === 0) return h('p', { class: 'muted', text: 'teams.add.none' });
  const user = h('select', {}, ...candidates.map((u) => h('option', { raw: `${u.displayName} (${u.username})`, attrs: { value: u.id } })));
  const role = roleSelect(`add-role-${key}`, 'member');
  const form = h(
    'form',
    { class: 'inline-form' },
    field(`add-user-${key}`, 'teams.add.user', user),
    h('div', { class: 'field' }, h('label', { text: 'teams.add.role', attrs: { for: `add-role-${key}` } }), role),
    h('button', { text: 'teams.add.submit', class: 'button secondary', attrs: { type: 'submit' } }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const added = { userId: user.value, role: role.value as TeamRole };
    patch({ members: [...team.members, added] }, `#role-${key}-${added.userId}`, (u) => notice.success('teams.memberAdded', { user: nameOf(added.userId), team: u.name }));
  });
  return form;
}

function deleteButton(team: Team, deps: TeamCardDeps): HTMLButtonElement {
  const button = h('button', { text: 'teams.delete', class: 'button danger', attrs: { type: 'button' } });
  button.addEventListener('click', () => {
    openDialog({
      title: 'teams.delete.title',
      titleArgs: { name: team.name },
      content: [h('p', { text: 'teams.delete.text' })],
      confirm: 'teams.delete.confirm',
      danger: true,
      testId: 'delete-team-dialog',
      async onConfirm() {
        await api<{ removed: string }>('DELETE', `/api/admin/teams/${encodeURIComponent(team.id)}`);
      },
      afterConfirm: () => deps.onRemoved(team),
    });
  });
  return button;
}

/** The team's grant: loaded when the card is drawn, saved with its own button. */
function permissionsForm(team: Team, { notice }: TeamCardDeps): HTMLElement {
  const url = `/api/admin/teams/${encodeURIComponent(team.id)}/permissions`;
  const fields = permissionFields(`team-${team.id}`, { ...NO_PERMISSIONS, allowedPaths: [] });
  const save = h('button', { text: 'perms.save', class: 'button secondary', attrs: { type: 'submit', 'data-role': 'save-permissions', disabled: true } });
  const form = h('form', { class: 'permissions-form', attrs: { novalidate: true } }, h('p', { class: 'muted', text: 'perms.team.help' }), fields.el, h('div', { class: 'form-actions' }, save));
  api<{ permissions: RepPermissions }>('GET', url).then(
    ({ permissions }) => {
      fields.set(permissions);
      save.disabled = false;
    },
    (err: unknown) => notice.error(err),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save.disabled = true;
    api<{ permissions: RepPermissions }>('PUT', url, fields.read()).then(
      ({ permissions }) => {
        fields.set(permissions);
        save.disabled = false;
        save.focus();
        notice.success('perms.saved', { name: team.name });
      },
      (err: unknown) => {
        save.disabled = false;
        notice.error(err);
      },
    );
  });
  return form;
}
