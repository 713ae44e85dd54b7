/**
 * Closing a session (F30). The owner confirms End (the customer client exits
 * and removes itself) or picks Pause instead (back to the owner's personal
 * queue, the customer stays connected); a non-owner confirms Leave.
 */
import { h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { ConsoleContext } from './console-context.ts';

export function openEndDialog(ctx: ConsoleContext, sessionId: string): void {
  const pause = h('button', { class: 'button secondary', text: 'console.session.pauseInstead', attrs: { type: 'button', id: 'pause-instead' } });
  const dialog = openDialog({
    title: 'console.session.end.title',
    content: [h('p', { text: 'console.session.end.body' }), h('p', { class: 'hint', text: 'console.session.end.pauseHint' }), h('div', { class: 'form-actions' }, pause)],
    confirm: 'console.session.end',
    danger: true,
    testId: 'end-dialog',
    async onConfirm() {
      await ctx.link.request({ t: 'end', sessionId });
    },
  });
  pause.addEventListener('click', () => {
    pause.disabled = true;
    ctx.link.request({ t: 'pause', sessionId }).then(
      () => dialog.close(),
      (err: unknown) => {
        pause.disabled = false;
        ctx.notice.error(err);
      },
    );
  });
}

export function openLeaveDialog(ctx: ConsoleContext, sessionId: string): void {
  openDialog({
    title: 'console.session.leave.title',
    content: [h('p', { text: 'console.session.leave.body' })],
    confirm: 'console.session.leave',
    testId: 'leave-dialog',
    async onConfirm() {
      await ctx.link.request({ t: 'leave', sessionId });
    },
  });
}
