/**
 * The rep's vault credentials (F18) in the Jump Items tab: the credentials
 * this rep may use (names and usernames only; secrets never reach a
 * browser), who has each checked out, and Check in for the ones this rep
 * holds. Loaded when the tab is shown and after a check-in; hidden when the
 * rep may use none.
 */
import type { ApplianceToConsole } from '../../../common/protocol.ts';
import { h, replace } from '../ui/dom.ts';
import type { ConsoleContext } from './console-context.ts';

type Credential = Extract<ApplianceToConsole, { t: 'vault_credentials' }>['credentials'][number];

export function vaultSection(ctx: ConsoleContext): { el: HTMLElement; load(): void } {
  const body = h('tbody', {});
  const row = (c: Credential): HTMLElement => {
    const checkIn = h('button', { class: 'button secondary small', text: 'vault.checkIn', attrs: { type: 'button', 'data-action': 'vault-checkin', hidden: !c.checkedOutByMe } });
    checkIn.addEventListener('click', () =>
      ctx.link.request({ t: 'vault_checkin', credentialId: c.id }).then(
        () => load(),
        (err: unknown) => ctx.notice.error(err),
      ),
    );
    return h(
      'tr',
      { attrs: { 'data-testid': `vault-${c.id}` } },
      h('td', { raw: c.name }),
      h('td', { raw: c.username }),
      h('td', { text: `vault.kind.${c.kind}` }),
      h('td', { attrs: { 'data-testid': 'checkout' } }, c.checkedOutBy ? h('span', { raw: c.checkedOutBy }) : h('span', { text: 'vault.notCheckedOut' })),
      h('td', { class: 'actions' }, checkIn),
    );
  };
  const el = h(
    'section',
    { class: 'card vault-section', attrs: { 'aria-labelledby': 'vault-section-title', hidden: true } },
    h('h2', { text: 'vault.title', attrs: { id: 'vault-section-title' } }),
    h(
      'table',
      { class: 'data-table', attrs: { id: 'vault-mine', 'aria-labelledby': 'vault-section-title' } },
      h('thead', {}, h('tr', {}, ...(['vault.field.name', 'vault.field.username', 'vault.field.kind', 'vault.col.checkedOut', 'console.jump.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
      body,
    ),
  );
  const load = (): void => {
    ctx.link.request({ t: 'vault_list' }).then(
      (a) => {
        const list = a.t === 'vault_credentials' ? a.credentials : [];
        el.hidden = list.length === 0;
        replace(body, ...list.map(row));
      },
      () => undefined,
    );
  };
  return { el, load };
}
