/**
 * My Account (`/account`): who the user is, their teams and roles, the
 * language choice, and, only while the Security setting allows it (F2), the
 * button that opens the web console in a new tab (F1).
 *
 * The tab is opened synchronously inside the click so pop-up blockers allow
 * it; the one-time console link is fetched afterwards and the tab is sent
 * there, or closed again if the ticket is refused.
 */
import { api } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import { langSelect } from '../ui/lang-select.ts';
import type { AdminContext } from './admin-context.ts';

export function accountView(ctx: AdminContext): HTMLElement {
  const { me, notice } = ctx;
  const teams =
    me.teams.length === 0
      ? h('p', { class: 'muted', text: 'account.noTeams' })
      : h(
          'table',
          { class: 'data-table', attrs: { id: 'account-teams' } },
          h('thead', {}, h('tr', {}, h('th', { text: 'account.team', attrs: { scope: 'col' } }), h('th', { text: 'account.role', attrs: { scope: 'col' } }))),
          h('tbody', {}, ...me.teams.map((team) => h('tr', {}, h('td', { raw: team.name }), h('td', { text: `role.${team.role}` })))),
        );

  return h(
    'section',
    { class: 'view', attrs: { 'aria-labelledby': 'view-title' } },
    h('h1', { text: 'account.title', attrs: { id: 'view-title' } }),
    notice.el,
    h(
      'div',
      { class: 'card' },
      h(
        'dl',
        { class: 'facts' },
        h('dt', { text: 'account.displayName' }),
        h('dd', { raw: me.user.displayName, attrs: { id: 'account-display-name' } }),
        h('dt', { text: 'account.username' }),
        h('dd', { raw: me.user.username, attrs: { id: 'account-username' } }),
        h('dt', { text: 'account.kind' }),
        h('dd', { text: me.user.admin ? 'account.kind.admin' : 'account.kind.rep' }),
      ),
    ),
    h('div', { class: 'card' }, h('h2', { text: 'account.teams' }), teams),
    consoleCard(ctx),
    h('div', { class: 'card' }, h('h2', { text: 'account.language.title' }), langSelect('account-lang'), h('p', { class: 'hint', text: 'account.language.help' })),
  );
}

function consoleCard({ me, notice }: AdminContext): HTMLElement {
  if (!me.allowWebConsole) return h('div', { class: 'card' }, h('h2', { text: 'account.console.title' }), h('p', { class: 'muted', text: 'account.console.off' }));
  const button = h('button', { text: 'account.console.start', class: 'button primary', attrs: { id: 'start-web-console', type: 'button' } });
  button.addEventListener('click', () => {
    const tab = window.open('about:blank', '_blank');
    if (!tab) return notice.info('account.console.blocked');
    // Cut the back-link so the console tab cannot script this page; we keep our handle to steer it.
    tab.opener = null;
    button.disabled = true;
    api<{ ticket: string; url: string }>('POST', '/api/account/console-ticket', {}).then(
      ({ url }) => {
        tab.location.href = url;
        notice.success('account.console.opened');
        button.disabled = false;
      },
      (err: unknown) => {
        tab.close();
        notice.error(err);
        button.disabled = false;
      },
    );
  });
  return h('div', { class: 'card' }, h('h2', { text: 'account.console.title' }), h('p', { text: 'account.console.help' }), button);
}
