/**
 * Session sharing (F28) in the console: the owner's Invite dialog (teams
 * and reps, several at once), the owner's list of open invitations with
 * Withdraw, and the invited rep's banner — shown over every view until
 * answered — with Join and Decline. The appliance keeps the invitations and
 * drops them when withdrawn, answered, when ownership moves or the session
 * ends; the console only shows what it is told.
 */
import type { SessionSummary } from '../../../common/sessions.ts';
import { ApiError } from '../net/api.ts';
import { h, replace } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { ConsoleContext } from './console-context.ts';
import { customerName } from './format.ts';

export function openInviteDialog(ctx: ConsoleContext, sessionId: string): void {
  const s = ctx.store.sessions.get(sessionId);
  if (!s) return;
  const members = new Set(s.members.map((m) => `rep:${m.id}`));
  const invited = new Set(s.invitations.map((i) => i.to));
  const option = (value: string, label: string, online?: boolean): HTMLElement => {
    const id = `invite-${value.replace(/[^A-Za-z0-9_-]/g, '-')}`;
    const input = h('input', { attrs: { type: 'checkbox', name: 'to', value, id, disabled: invited.has(value as never) } });
    const mark = online === undefined ? null : h('span', { class: online ? 'presence on' : 'presence', text: online ? 'console.transfer.online' : 'console.transfer.offline' });
    return h('div', { class: 'field check' }, input, h('label', { raw: label, attrs: { for: id } }), mark, invited.has(value as never) ? h('span', { class: 'muted', text: 'console.invite.pending' }) : null);
  };
  const targets = ctx.store.targets;
  const teams = h('fieldset', { class: 'choice-group' }, h('legend', { text: 'console.transfer.queues' }), ...targets.teams.map((q) => option(q.id, q.name)));
  const reps = h('fieldset', { class: 'choice-group' }, h('legend', { text: 'console.transfer.reps' }), ...targets.reps.filter((r) => !members.has(r.id)).map((r) => option(r.id, r.name, r.online)));
  const dialog = openDialog({
    title: 'console.invite.title',
    content: [h('p', { class: 'hint', text: 'console.invite.hint' }), h('div', { class: 'transfer-choices' }, teams, reps)],
    confirm: 'console.invite.submit',
    testId: 'invite-dialog',
    async onConfirm() {
      const picked = [...dialog.querySelectorAll<HTMLInputElement>('input[name="to"]:checked')];
      if (picked.length === 0) throw new ApiError('NOTHING_CHOSEN', 400);
      for (const p of picked) await ctx.link.request({ t: 'invite', sessionId, to: p.value });
      ctx.notice.success('console.invite.sent', { n: picked.length });
    },
  });
}

/** The owner's open invitations for one session, with Withdraw. */
export function renderInvitations(ctx: ConsoleContext, list: HTMLElement, s: SessionSummary): void {
  const owner = ctx.store.isOwner(s);
  replace(
    list,
    ...s.invitations.map((i) => {
      const withdraw = owner ? h('button', { class: 'button secondary small', text: 'console.invite.withdraw', attrs: { type: 'button', 'data-action': 'withdraw' } }) : null;
      withdraw?.addEventListener('click', () => ctx.link.request({ t: 'invite_withdraw', sessionId: s.id, invitationId: i.id }).catch((err: unknown) => ctx.notice.error(err)));
      return h('li', { attrs: { 'data-invitation': i.id } }, h('span', { text: 'console.invite.open', args: { to: i.toName } }), withdraw);
    }),
  );
  list.hidden = s.invitations.length === 0;
}

/** The invited rep's banner over every view: who invites to what, Join and Decline. */
export function invitationBanner(ctx: ConsoleContext): HTMLElement {
  const { store } = ctx;
  const el = h('section', { class: 'invitations', attrs: { id: 'invitations', 'aria-live': 'polite', hidden: true } });
  const render = (): void => {
    const open = store.invitations();
    el.hidden = open.length === 0;
    replace(
      el,
      ...open.map(({ session: s, invitation: i }) => {
        const join = h('button', { class: 'button primary small', text: 'console.invite.join', attrs: { type: 'button', 'data-action': 'join' } });
        const decline = h('button', { class: 'button secondary small', text: 'console.invite.decline', attrs: { type: 'button', 'data-action': 'decline' } });
        join.addEventListener('click', () =>
          ctx.link.request({ t: 'invite_answer', sessionId: s.id, invitationId: i.id, join: true }).then(
            () => ctx.openSession(s.id),
            (err: unknown) => ctx.notice.error(err),
          ),
        );
        decline.addEventListener('click', () => ctx.link.request({ t: 'invite_answer', sessionId: s.id, invitationId: i.id, join: false }).catch((err: unknown) => ctx.notice.error(err)));
        return h(
          'div',
          { class: 'invitation card', attrs: { 'data-session': s.id } },
          h('p', { text: i.to.startsWith('team:') ? 'console.invite.bannerTeam' : 'console.invite.banner', args: { by: i.by.name, name: customerName(s), team: i.toName } }),
          h('div', { class: 'popup-actions' }, join, decline),
        );
      }),
    );
  };
  store.subscribe((topic) => {
    if (topic.kind === 'sessions' || topic.kind === 'invited' || topic.kind === 'queues') render();
  });
  render();
  return el;
}
