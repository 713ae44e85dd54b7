/**
 * The Transfer dialog (F8, F27): every team queue and every rep (with an
 * online mark) as one radio group each; confirming sends `transfer {to}`.
 * The session then waits in the chosen queue; an owner stays a participant.
 */
import type { TransferTargets } from '../../../common/protocol.ts';
import { h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { ConsoleContext } from './console-context.ts';

function option(name: string, value: string, label: string, online?: boolean): HTMLElement {
  const id = `transfer-${value.replace(/[^A-Za-z0-9_-]/g, '-')}`;
  const input = h('input', { attrs: { type: 'radio', name, value, id } });
  const mark = online === undefined ? null : h('span', { class: online ? 'presence on' : 'presence', text: online ? 'console.transfer.online' : 'console.transfer.offline' });
  return h('div', { class: 'field check' }, input, h('label', { raw: label, attrs: { for: id } }), mark);
}

export function openTransferDialog(ctx: ConsoleContext, sessionId: string, afterConfirm?: () => void): void {
  const targets: TransferTargets = ctx.store.targets;
  const teams = h('fieldset', { class: 'choice-group' }, h('legend', { text: 'console.transfer.queues' }), ...targets.teams.map((q) => option('to', q.id, q.name)));
  const reps = h(
    'fieldset',
    { class: 'choice-group' },
    h('legend', { text: 'console.transfer.reps' }),
    ...targets.reps.filter((r) => r.id !== `rep:${ctx.store.me.id}`).map((r) => option('to', r.id, r.name, r.online)),
  );
  // A choice is always made: the first entry starts selected, so Enter transfers at once.
  const first = teams.querySelector<HTMLInputElement>('input') ?? reps.querySelector<HTMLInputElement>('input');
  if (first) first.checked = true;
  const dialog = openDialog({
    title: 'console.transfer.title',
    content: [h('div', { class: 'transfer-choices' }, teams, reps)],
    confirm: 'console.transfer.submit',
    testId: 'transfer-dialog',
    async onConfirm() {
      const picked = dialog.querySelector<HTMLInputElement>('input[name="to"]:checked');
      if (!picked) throw new Error('none');
      await ctx.link.request({ t: 'transfer', sessionId, to: picked.value });
      ctx.notice.success('console.transfer.done', { name: picked.labels?.[0]?.textContent ?? '' });
    },
    afterConfirm,
  });
}
