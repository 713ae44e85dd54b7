/**
 * Portal issues (`/admin/issues`, F11, F31): the problem types customers pick
 * on the portal's issue form, each sending the session to one team's queue.
 * A form creates one (code name [a-z0-9_-], description, team); the table
 * lists them with Delete.
 */
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import type { AdminContext } from './admin-context.ts';

interface Issue {
  codeName: string;
  description: string;
  teamId: string;
}

export function issuesView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const teams = new Map<string, string>();
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'data-table', attrs: { id: 'issue-table', 'aria-labelledby': 'issue-list-title' } },
    h('thead', {}, h('tr', {}, ...(['issues.col.code', 'issues.col.description', 'issues.col.team', 'issues.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
    body,
  );
  const teamSelect = h('select', { attrs: { name: 'teamId', required: true } });

  const row = (issue: Issue): HTMLElement => {
    const del = h('button', { class: 'button danger small', text: 'issues.delete', attrs: { type: 'button', 'data-action': 'delete' } });
    del.addEventListener('click', () => {
      del.disabled = true;
      api('DELETE', `/api/admin/issues/${encodeURIComponent(issue.codeName)}`).then(
        () => {
          tr.remove();
          if (!body.firstChild) showEmpty();
          notice.success('issues.deleted', { name: issue.description });
          document.getElementById('new-issue-code')?.focus();
        },
        (err: unknown) => {
          del.disabled = false;
          notice.error(err);
        },
      );
    });
    const tr = h('tr', { attrs: { 'data-testid': `issue-${issue.codeName}` } }, h('td', {}, h('code', { raw: issue.codeName })), h('td', { raw: issue.description }), h('td', { raw: teams.get(issue.teamId) ?? '—' }), h('td', { class: 'actions' }, del));
    return tr;
  };
  const showEmpty = (): void => replace(body, h('tr', { class: 'empty-row' }, h('td', { text: 'issues.empty', attrs: { colspan: '4' } })));

  Promise.all([api<{ issues: Issue[] }>('GET', '/api/admin/issues'), api<{ teams: Array<{ id: string; name: string }> }>('GET', '/api/admin/teams')]).then(
    ([i, tm]) => {
      for (const t of tm.teams) teams.set(t.id, t.name);
      replace(teamSelect, ...tm.teams.map((t) => h('option', { raw: t.name, attrs: { value: t.id } })));
      if (i.issues.length === 0) showEmpty();
      else replace(body, ...i.issues.map(row));
    },
    (err: unknown) => notice.error(err),
  );

  const code = h('input', { attrs: { name: 'codeName', required: true, maxlength: '64', pattern: '[a-z0-9_-]+', autocomplete: 'off', spellcheck: 'false' } });
  const description = h('input', { attrs: { name: 'description', required: true, maxlength: '200', autocomplete: 'off' } });
  const create = h(
    'form',
    { class: 'card inline-form', attrs: { id: 'create-issue-form', 'aria-labelledby': 'create-issue-title', novalidate: true } },
    h('h2', { text: 'issues.create.title', attrs: { id: 'create-issue-title' } }),
    field('new-issue-code', 'issues.field.code', code, 'issues.field.code.help'),
    field('new-issue-description', 'issues.field.description', description),
    field('new-issue-team', 'issues.field.team', teamSelect),
    h('button', { text: 'issues.create.submit', class: 'button primary', attrs: { type: 'submit', id: 'create-issue' } }),
  );
  create.addEventListener('submit', (ev) => {
    ev.preventDefault();
    api<{ issue: Issue }>('POST', '/api/admin/issues', { codeName: code.value.trim(), description: description.value.trim(), teamId: teamSelect.value }).then(
      ({ issue }) => {
        body.querySelector('.empty-row')?.remove();
        body.querySelector(`[data-testid="issue-${CSS.escape(issue.codeName)}"]`)?.remove();
        body.append(row(issue));
        code.value = description.value = '';
        code.focus();
        notice.success('issues.created', { name: issue.description });
      },
      (err: unknown) => notice.error(err),
    );
  });

  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'view-title' } },
    h('h1', { text: 'issues.title', attrs: { id: 'view-title' } }),
    h('p', { class: 'muted', text: 'issues.intro' }),
    notice.el,
    create,
    h('section', { class: 'card table-card', attrs: { 'aria-labelledby': 'issue-list-title' } }, h('h2', { class: 'visually-hidden', text: 'issues.title', attrs: { id: 'issue-list-title' } }), table),
  );
}
