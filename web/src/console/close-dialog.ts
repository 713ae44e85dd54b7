/**
 * Closing a session (F30). The owner confirms End (the customer client exits
 * and removes itself) or picks Pause instead (back to the owner's personal
 * queue, the customer stays connected); a non-owner confirms Leave. The
 * owner can also disconnect the customer and stay, or take another rep out
 * of the session (F29).
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

export function openDismissDialog(ctx: ConsoleContext, sessionId: string): void {
  openDialog({
    title: 'console.session.dismiss.title',
    content: [h('p', { text: 'console.session.dismiss.body' })],
    confirm: 'console.session.dismiss',
    danger: true,
    testId: 'dismiss-dialog',
    async onConfirm() {
      await ctx.link.request({ t: 'dismiss_customer', sessionId });
    },
  });
}

export function openRemoveMemberDialog(ctx: ConsoleContext, sessionId: string, member: { id: string; name: string }): void {
  openDialog({
    title: 'console.session.removeMember.title',
    titleArgs: { name: member.name },
    content: [h('p', { text: 'console.session.removeMember.body', args: { name: member.name } })],
    confirm: 'console.session.removeMember',
    danger: true,
    testId: 'remove-member-dialog',
    async onConfirm() {
      await ctx.link.request({ t: 'remove_member', sessionId, userId: member.id });
    },
  });
}
