/**
 * One session's view (F9, F20, F21, F27, F30): a header with the customer
 * and the connection indicator, the owner's actions (Transfer, Pause, End;
 * greyed out for other members, who get Leave), the member list, the event
 * log and the chat pane. Reps with the special-actions permission get a
 * Special actions menu beside the session actions. The chat pane can be hidden (a Chat toggle then
 * counts unread messages) and pinned (docked beside the log instead of
 * floating over it). One view per session is kept while the rep is a
 * member, so switching sessions keeps scroll positions, drafts and panes.
 */
import type { ChatMessage, SessionSummary } from '../../../common/sessions.ts';
import { h, replace } from '../ui/dom.ts';
import { bindText } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';
import { chatLog, type ChatLine } from './chat-log.ts';
import { openDismissDialog, openEndDialog, openLeaveDialog, openRemoveMemberDialog } from './close-dialog.ts';
import { eventLog } from './event-log.ts';
import { customerName, tickElapsed } from './format.ts';
import { filesView } from './files-view.ts';
import { sessionFacts } from './session-facts.ts';
import { shellPane } from './shell-pane.ts';
import { openTransferDialog } from './transfer-dialog.ts';
import { openPinDialog } from './jump-view.ts';
import { openInviteDialog, renderInvitations } from './invitations.ts';
import { openButtonDialog } from './support-buttons.ts';
import { menuButton } from '../ui/menu-button.ts';
import { specialActionsMenu } from './special-actions-menu.ts';
import { screenPanel } from './screen-view.ts';

export interface SessionView {
  readonly el: HTMLElement;
  /** Whether the chat pane is on screen (for unread counting). */
  chatVisible(): boolean;
  /** Called when the view becomes visible. */
  shown(): void;
  dispose(): void;
}

export function sessionView(ctx: ConsoleContext, sessionId: string): SessionView {
  const { store } = ctx;
  const id = (part: string): string => `s-${sessionId}-${part}`;
  let chatHidden = false;
  let pinned = true;

  const title = h('h1', { attrs: { id: id('title') } });
  const presence = h('span', { class: 'presence', attrs: { 'data-testid': 'customer-presence', role: 'status' } });
  const elapsed = h('span', { class: 'elapsed muted' });
  const facts = h('details', { class: 'session-info' });
  const members = h('ul', { class: 'member-list', attrs: { 'data-testid': 'members' } });

  const transfer = h('button', { class: 'button secondary', text: 'console.transfer', attrs: { type: 'button', 'data-action': 'transfer' } });
  const pause = h('button', { class: 'button secondary', text: 'console.session.pause', attrs: { type: 'button', 'data-action': 'pause' } });
  const end = h('button', { class: 'button danger', text: 'console.session.end', attrs: { type: 'button', 'data-action': 'end' } });
  const leave = h('button', { class: 'button secondary', text: 'console.session.leave', attrs: { type: 'button', 'data-action': 'leave' } });
  const chatToggle = h('button', { class: 'button secondary chat-toggle', attrs: { type: 'button', 'data-action': 'chat-toggle', 'aria-expanded': 'true', 'aria-controls': id('chat') } });
  const shellToggle = h('button', { class: 'button secondary', text: 'console.shell.toggle', attrs: { type: 'button', 'data-action': 'shell-toggle', 'aria-expanded': 'false', 'aria-controls': id('shell') } });
  const pin = h('button', { class: 'button secondary small', text: 'console.chat.pin', attrs: { type: 'button', 'data-action': 'chat-pin', 'aria-pressed': 'true' } });

  // File transfer (F24): a pane under the header, opened with its button like the other tools.
  const filesToggle = h('button', { class: 'button secondary', text: 'files.tab', attrs: { type: 'button', 'data-action': 'files-toggle', 'aria-expanded': 'false', 'aria-controls': id('files') } });
  const files = filesView(ctx, sessionId);
  files.el.id = id('files');
  files.el.hidden = true;
  let filesShown = false;
  filesToggle.addEventListener('click', () => {
    filesShown = !filesShown;
    files.el.hidden = !filesShown;
    filesToggle.setAttribute('aria-expanded', String(filesShown));
    if (filesShown) files.shown();
  });
  const updateFiles = (): void => files.update(store.sessions.get(sessionId), store.permissions);

  const events = eventLog(id('events'));
  const actionsMenu = specialActionsMenu(ctx, sessionId);
  // Screen sharing is for sessions with a customer client (click-to-chat has no screen to share).
  // A Shell Jump has no screen either: only its SSH shells.
  const firstKind = store.sessions.get(sessionId)?.kind;
  let screen = firstKind === 'browser' || firstKind === 'ssh' ? undefined : screenPanel(ctx, sessionId);
  // A click-to-chat customer who took the full client (F26) can share the screen from then on.
  const screenSlot = h('div', { class: 'screen-slot' }, screen?.el);
  const chat = chatLog(id('chat'), 'console.chat.title', async (body) => {
    try {
      await ctx.link.request({ t: 'chat', sessionId, body });
    } catch (err) {
      ctx.notice.error(err);
      throw err;
    }
  });
  // A Shell Jump or Remote VNC session has no customer: the chat is among the reps, and the pane says so.
  const noCustomer = h('p', { class: 'hint', text: firstKind === 'vnc' ? 'console.vnc.noCustomer' : 'console.chat.noCustomer', attrs: { 'data-testid': 'chat-no-customer', hidden: firstKind !== 'ssh' && firstKind !== 'vnc' } });
  // A Remote VNC session is its screen: no shell, files or special actions, and the header says why.
  const screenOnly = h('p', { class: 'hint', text: 'console.vnc.noShell', attrs: { 'data-testid': 'vnc-screen-only', hidden: firstKind !== 'vnc' } });
  const chatPane = h('section', { class: 'chat-pane pinned', attrs: { 'aria-labelledby': id('chat-title') } }, h('div', { class: 'pane-head' }, h('h2', { text: 'console.chat.title', attrs: { id: id('chat-title') } }), pin), noCustomer, chat.el);

  let shellShown = false;
  const setShellShown = (on: boolean): void => {
    shellShown = on;
    shell.el.hidden = !on;
    shellToggle.setAttribute('aria-expanded', String(on));
    if (on && !el.hidden) shell.shown();
  };
  const shell = shellPane(ctx, sessionId, () => {
    if (!shellShown) setShellShown(true);
  });
  shell.el.id = id('shell');
  shell.el.hidden = true;
  shellToggle.addEventListener('click', () => setShellShown(!shellShown));

  const invite = h('button', { class: 'button secondary', text: 'console.invite', attrs: { type: 'button', 'data-action': 'invite' } });
  const invitations = h('ul', { class: 'member-list invitations-list', attrs: { 'data-testid': 'invitations', hidden: true } });
  const elevate = h('button', { class: 'button primary', text: 'console.elevate', attrs: { type: 'button', 'data-action': 'elevate', hidden: true } });
  const dismiss = h('button', { class: 'button secondary', text: 'console.session.dismiss', attrs: { type: 'button', 'data-action': 'dismiss' } });
  const leaveButton = h('button', { class: 'button secondary', text: 'console.button.open', attrs: { type: 'button', 'data-action': 'support-button' } });
  const pinJump = h('button', { class: 'button secondary', text: 'console.jump.pinButton', attrs: { type: 'button', 'data-action': 'pin-jump' } });
  const ownerOnly = [transfer, pause, end, pinJump, dismiss, invite, leaveButton, elevate];
  // Less frequent owner actions live under "More" so the header stays one row.
  const more = menuButton('console.session.more', [dismiss, pinJump, leaveButton], 'more');
  const act = (fn: () => void) => (ev: MouseEvent): void => {
    if ((ev.currentTarget as HTMLElement).getAttribute('aria-disabled') === 'true') return ctx.notice.info('console.session.ownerOnly');
    fn();
  };
  transfer.addEventListener('click', act(() => openTransferDialog(ctx, sessionId)));
  pause.addEventListener('click', act(() => ctx.link.request({ t: 'pause', sessionId }).then(() => ctx.notice.success('console.session.paused'), (err: unknown) => ctx.notice.error(err))));
  end.addEventListener('click', act(() => openEndDialog(ctx, sessionId)));
  leave.addEventListener('click', () => openLeaveDialog(ctx, sessionId));
  dismiss.addEventListener('click', act(() => openDismissDialog(ctx, sessionId)));
  elevate.addEventListener('click', act(() => ctx.link.request({ t: 'elevate', sessionId }).then(() => ctx.notice.success('console.elevate.done'), (err: unknown) => ctx.notice.error(err))));
  invite.addEventListener('click', act(() => openInviteDialog(ctx, sessionId)));
  leaveButton.addEventListener('click', act(() => openButtonDialog(ctx, sessionId, () => undefined)));
  pinJump.addEventListener('click', act(() => {
    const s = store.sessions.get(sessionId);
    if (s) openPinDialog(ctx, sessionId, s.customer.hostname || s.customer.name);
  }));

  const line = (m: ChatMessage): ChatLine => ({
    at: m.at,
    from: m.from.kind === 'system' ? undefined : m.from.name,
    mine: m.from.kind === 'rep' && m.from.id === store.me.id,
    body: m.body,
  });

  const renderToggle = (): void => {
    const n = store.unread.get(sessionId) ?? 0;
    if (n > 0 && chatHidden) bindText(chatToggle, 'console.chat.toggleUnread', { n });
    else bindText(chatToggle, chatHidden ? 'console.chat.show' : 'console.chat.hide');
    chatToggle.setAttribute('aria-expanded', String(!chatHidden));
  };
  chatToggle.addEventListener('click', () => {
    chatHidden = !chatHidden;
    chatPane.hidden = chatHidden;
    if (!chatHidden) {
      store.markRead(sessionId);
      chat.input.focus();
    }
    renderToggle();
  });
  pin.addEventListener('click', () => {
    pinned = !pinned;
    chatPane.classList.toggle('pinned', pinned);
    chatPane.classList.toggle('floating', !pinned);
    pin.setAttribute('aria-pressed', String(pinned));
    bindText(pin, pinned ? 'console.chat.pin' : 'console.chat.unpin');
  });

  const renderSummary = (s: SessionSummary): void => {
    bindText(title, 'console.session.title', { name: customerName(s) });
    presence.dataset.connected = String(s.customerConnected);
    bindText(presence, s.customerConnected ? 'console.session.customerOnline' : 'console.session.customerOffline');
    elapsed.dataset.since = String(s.createdAt);
    replace(facts, h('summary', { text: 'console.session.info' }), sessionFacts(s));
    replace(
      members,
      ...s.members.map((m) => {
        // The owner may take others out (F29); nobody else sees the control.
        const remove =
          store.isOwner(s) && m.id !== store.me.id
            ? h('button', { class: 'button secondary small', text: 'console.session.removeMember', attrs: { type: 'button', 'data-action': 'remove-member', 'data-member': m.id } })
            : null;
        remove?.addEventListener('click', () => openRemoveMemberDialog(ctx, sessionId, m));
        return h('li', {}, h('span', { raw: m.name }), s.owner?.id === m.id ? h('span', { class: 'badge badge-on', text: 'console.session.owner' }) : null, remove);
      }),
    );
    const owner = store.isOwner(s);
    for (const b of ownerOnly) {
      // aria-disabled (not disabled): the control stays focusable and says why it does nothing.
      if (owner) b.removeAttribute('aria-disabled');
      else b.setAttribute('aria-disabled', 'true');
    }
    leave.hidden = owner;
    // A browser (click-to-chat) customer has no client to leave behind; a jump session already is one.
    pinJump.hidden = s.kind === 'browser' || s.source === 'jump';
    leaveButton.hidden = s.kind === 'browser' || s.kind === 'ssh' || s.kind === 'vnc' || !s.customerConnected;
    // A Shell Jump offers only its shells: no file transfer to open.
    filesToggle.hidden = s.kind === 'ssh' || s.kind === 'vnc';
    shellToggle.hidden = s.kind === 'vnc';
    more.refresh();
    dismiss.hidden = !s.customerConnected;
    elevate.hidden = s.kind !== 'browser' || !s.customerConnected;
    if (!screen && s.kind === 'client') {
      screen = screenPanel(ctx, sessionId);
      screenSlot.append(screen.el);
    }
    renderInvitations(ctx, invitations, s);
  };

  const el = h(
    'section',
    { class: 'view session-view', attrs: { 'data-session': sessionId, 'aria-labelledby': id('title') } },
    h('header', { class: 'session-head card' }, h('div', { class: 'session-title' }, title, presence, elapsed), h('div', { class: 'session-actions' }, h('div', { class: 'action-group tools' }, elevate, shellToggle, filesToggle, actionsMenu.el, screenOnly), h('div', { class: 'action-group manage' }, transfer, invite, pause, end, leave, more.el, chatToggle)), facts),
    screenSlot,
    files.el,
    shell.el,
    h(
      'div',
      { class: 'session-body' },
      h(
        'div',
        { class: 'session-side' },
        h('section', { class: 'card', attrs: { 'aria-labelledby': id('members-title') } }, h('h2', { text: 'console.session.members', attrs: { id: id('members-title') } }), members, invitations),
        h('section', { class: 'card', attrs: { 'aria-labelledby': id('events-title') } }, h('h2', { text: 'console.session.events', attrs: { id: id('events-title') } }), events.el),
      ),
      chatPane,
    ),
  );

  const unsubscribe = store.subscribe((topic) => {
    if (topic.kind === 'sessions') {
      const s = store.sessions.get(sessionId);
      if (s) renderSummary(s);
      updateFiles();
      renderToggle();
    } else if (topic.kind === 'detail' && topic.sessionId === sessionId) {
      const hist = store.history.get(sessionId);
      if (hist) {
        chat.reset(hist.chat.map(line));
        events.reset(hist.events);
      }
    } else if (topic.kind === 'chat' && topic.sessionId === sessionId) chat.add(line(topic.msg));
    else if (topic.kind === 'event' && topic.sessionId === sessionId) events.add(topic.event);
    else if (topic.kind === 'permissions') updateFiles();
  });

  const load = (): void => {
    ctx.link.request({ t: 'open_session', sessionId }).then(
      (answer) => {
        if (answer.t === 'session_detail') store.setHistory(answer.session, { chat: answer.chat, events: answer.events });
      },
      (err: unknown) => ctx.notice.error(err),
    );
  };

  const first = store.sessions.get(sessionId);
  if (first) renderSummary(first);
  renderToggle();
  updateFiles();
  const stopTick = tickElapsed(el);
  load();

  return {
    el,
    chatVisible: () => !chatHidden && !el.hidden,
    shown() {
      if (shellShown) shell.shown();
      if (!chatHidden) store.markRead(sessionId);
      renderToggle();
    },
    dispose() {
      unsubscribe();
      actionsMenu.dispose();
      more.dispose();
      files.dispose();
      screen?.dispose();
      shell.dispose();
      stopTick();
      el.remove();
    },
  };
}
