/**
 * Teams (`/admin/teams`): the form that creates a team, then one card per
 * team (see team-card.ts). Loads users and teams together, since member
 * names come from the user list.
 */
import { api, type PublicUser } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import type { AdminContext } from './admin-context.ts';
import { teamCard, type Team, type TeamCardDeps } from './team-card.ts';

export function teamsView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const list = h('div', { class: 'team-list', attrs: { id: 'team-list' } });
  const users = new Map<string, PublicUser>();

  const deps: TeamCardDeps = {
    users,
    notice,
    onChanged(team, refocus) {
      const card = teamCard(team, deps);
      const old = list.querySelector(`[data-team-id="${CSS.escape(team.id)}"]`);
      if (old) old.replaceWith(card);
      else list.prepend(card);
      (card.querySelector<HTMLElement>(refocus) ?? card.querySelector<HTMLElement>('input'))?.focus();
    },
    onRemoved(team) {
      list.querySelector(`[data-team-id="${CSS.escape(team.id)}"]`)?.remove();
      if (!list.firstChild) replace(list, h('p', { class: 'muted card', text: 'teams.empty' }));
      notice.success('teams.deleted', { name: team.name });
      document.getElementById('new-team-name')?.focus();
    },
  };

  Promise.all([api<{ users: PublicUser[] }>('GET', '/api/admin/users'), api<{ teams: Team[] }>('GET', '/api/admin/teams')]).then(
    ([u, tm]) => {
      for (const user of u.users) users.set(user.id, user);
      if (tm.teams.length === 0) replace(list, h('p', { class: 'muted card', text: 'teams.empty' }));
      else replace(list, ...tm.teams.map((team) => teamCard(team, deps)));
    },
    (err: unknown) => notice.error(err),
  );

  const name = h('input', { attrs: { name: 'name', required: true, maxlength: '100', autocomplete: 'off' } });
  const create = h(
    'form',
    { class: 'card inline-form', attrs: { id: 'create-team-form', 'aria-labelledby': 'create-team-title' } },
    h('h2', { text: 'teams.create.title', attrs: { id: 'create-team-title' } }),
    field('new-team-name', 'teams.field.name', name),
    h('button', { text: 'teams.create.submit', class: 'button primary', attrs: { type: 'submit', id: 'create-team' } }),
  );
  create.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api<{ team: Team }>('POST', '/api/admin/teams', { name: name.value.trim(), members: [] }).then(
      ({ team }) => {
        name.value = '';
        list.querySelector(':scope > p')?.remove();
        deps.onChanged(team, `#team-name-${team.id}`);
        notice.success('teams.created', { name: team.name });
      },
      (err: unknown) => notice.error(err),
    );
  });

  return h('section', { class: 'view', attrs: { 'aria-labelledby': 'view-title' } }, h('h1', { text: 'teams.title', attrs: { id: 'view-title' } }), notice.el, create, list);
}
