/**
 * Support buttons in the console (F25): the owner's "Leave support button"
 * dialog (description, whose queue, expiry), and the list of buttons the
 * rep may see (in the Jump Items tab) with Remove, confirmed.
 */
import type { SupportButton } from '../../../common/support-buttons.ts';
import { h, replace } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { ConsoleContext } from './console-context.ts';
import { formatDateTime } from './format.ts';

export function openButtonDialog(ctx: ConsoleContext, sessionId: string, afterDeploy: () => void): void {
  const description = h('input', { attrs: { id: 'button-description', maxlength: '200', autocomplete: 'off', value: '' } });
  const group = h('select', { attrs: { id: 'button-group' } }, h('option', { text: 'console.jump.personal', attrs: { value: 'personal' } }));
  for (const q of ctx.store.queues) if (q.kind === 'team') group.append(h('option', { raw: q.name, attrs: { value: q.id.slice('team:'.length) } }));
  const days = h('input', { attrs: { id: 'button-days', type: 'number', min: '0', max: '3650', value: '30' } });
  openDialog({
    title: 'console.button.title',
    content: [
      h('p', { class: 'hint', text: 'console.button.hint' }),
      h('div', { class: 'field' }, h('label', { text: 'console.button.description', attrs: { for: 'button-description' } }), description),
      h('div', { class: 'field' }, h('label', { text: 'console.button.queue', attrs: { for: 'button-group' } }), group),
      h('div', { class: 'field' }, h('label', { text: 'console.button.days', attrs: { for: 'button-days' } }), days),
    ],
    confirm: 'console.button.deploy',
    testId: 'button-dialog',
    async onConfirm() {
      await ctx.link.request({ t: 'button_deploy', sessionId, description: description.value.trim() || 'Support', group: group.value, days: Number(days.value) || 0 });
      ctx.notice.success('console.button.deployed');
      afterDeploy();
    },
  });
}

/** The support buttons I may see, with Remove; reloads when shown and after changes. */
export function supportButtonsSection(ctx: ConsoleContext): { el: HTMLElement; load(): void } {
  const body = h('tbody', {});
  const load = (): void => {
    ctx.link.request({ t: 'button_list' }).then(
      (a) => {
        const buttons: SupportButton[] = a.t === 'buttons' ? a.buttons : [];
        if (buttons.length === 0) return replace(body, h('tr', { class: 'empty-row' }, h('td', { text: 'console.button.empty', attrs: { colspan: '5' } })));
        replace(
          body,
          ...buttons.map((b) => {
            const remove = h('button', { class: 'button danger small', text: 'console.jump.remove', attrs: { type: 'button', 'data-action': 'remove-button', hidden: !b.canRemove } });
            remove.addEventListener('click', () =>
              openDialog({
                title: 'console.button.removeTitle',
                titleArgs: { name: b.description },
                content: [h('p', { text: 'console.button.removeText' })],
                confirm: 'console.jump.remove',
                danger: true,
                testId: 'button-remove-dialog',
                async onConfirm() {
                  await ctx.link.request({ t: 'button_remove', buttonId: b.id });
                  load();
                },
              }),
            );
            return h(
              'tr',
              { attrs: { 'data-testid': `button-${b.id}` } },
              h('td', { raw: b.description }),
              h('td', { raw: [b.customerName, b.hostname].filter(Boolean).join(' · ') }),
              h('td', { raw: b.queueName }),
              h('td', { raw: b.expiresAt ? formatDateTime(b.expiresAt) : '—' }),
              h('td', { class: 'actions' }, remove),
            );
          }),
        );
      },
      (err: unknown) => ctx.notice.error(err),
    );
  };
  const el = h(
    'section',
    { class: 'card support-buttons', attrs: { 'aria-labelledby': 'buttons-title' } },
    h('h2', { text: 'console.button.listTitle', attrs: { id: 'buttons-title' } }),
    h(
      'table',
      { class: 'data-table', attrs: { id: 'button-table', 'aria-labelledby': 'buttons-title' } },
      h('thead', {}, h('tr', {}, ...(['console.button.description', 'console.jump.col.computer', 'console.button.queue', 'console.button.expires', 'console.jump.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
      body,
    ),
  );
  return { el, load };
}
