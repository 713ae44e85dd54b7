/**
 * The console's Home view (F7, F8): the queue list on the left; on the right
 * the selected queue's table, the selected session's details with Accept and
 * Transfer, and for a team queue its team chat. Rendered from the store on
 * every change; the selection survives re-renders and trips to session
 * views (the view element is kept, only hidden).
 */
import type { QueueId } from '../../../common/sessions.ts';
import { h, replace } from '../ui/dom.ts';
import type { ConsoleContext } from './console-context.ts';
import { chatLog, type ChatLog } from './chat-log.ts';
import { customerName, tickElapsed } from './format.ts';
import { queueList, sortedQueues } from './queue-list.ts';
import { queueTable } from './queue-table.ts';
import { sessionFacts } from './session-facts.ts';
import { openTransferDialog } from './transfer-dialog.ts';

export interface HomeView {
  readonly el: HTMLElement;
  select(queue: string, sessionId?: string): void;
  /** Called when Home becomes visible: its lit counts are now seen. */
  shown(): void;
}

export function homeView(ctx: ConsoleContext): HomeView {
  const { store } = ctx;
  let queue: QueueId | undefined;
  let selected: string | undefined;
  const chats = new Map<string, ChatLog>();

  const listBox = h('nav', { class: 'queue-nav', i18nAttrs: { 'aria-label': 'console.home.title' } });
  const tableBox = h('section', { class: 'card queue', attrs: { 'aria-labelledby': 'queue-title' } });
  const detailBox = h('section', { class: 'card session-details', attrs: { id: 'session-details', 'aria-labelledby': 'details-title', hidden: true } });
  const chatBox = h('section', { class: 'card team-chat', attrs: { id: 'team-chat', 'aria-labelledby': 'team-chat-title', hidden: true } });

  const teamChat = (teamId: string): ChatLog => {
    let log = chats.get(teamId);
    if (!log) {
      log = chatLog(`team-chat-${teamId}`, 'console.teamChat.title', async (body) => {
        try {
          await ctx.link.request({ t: 'team_chat', teamId, body });
        } catch (err) {
          ctx.notice.error(err);
          throw err;
        }
      });
      log.reset((store.teamChat.get(teamId) ?? []).map((m) => ({ at: m.at, from: m.from.name, mine: m.from.id === store.me.id, body: m.body })));
      chats.set(teamId, log);
    }
    return log;
  };

  const renderList = (): void => {
    replace(listBox, h('h2', { class: 'visually-hidden', text: 'console.home.title' }), queueList(ctx, queue, { select: (q) => select(q), openTeamChat: (q) => openTeamChat(q) }));
  };

  const renderDetails = (): void => {
    const s = selected ? store.sessions.get(selected) : undefined;
    if (!s || s.queue !== queue) {
      selected = undefined;
      detailBox.hidden = true;
      replace(detailBox);
      return;
    }
    const accept = h('button', { class: 'button primary', text: 'console.accept', attrs: { type: 'button', id: 'accept-session' } });
    const open = h('button', { class: 'button primary', text: 'console.openSession', attrs: { type: 'button', id: 'open-session' } });
    const transfer = h('button', { class: 'button secondary', text: 'console.transfer', attrs: { type: 'button', id: 'transfer-session' } });
    accept.addEventListener('click', () => {
      accept.disabled = true;
      ctx.link.request({ t: 'accept', sessionId: s.id }).then(
        () => ctx.openSession(s.id),
        (err: unknown) => {
          accept.disabled = false;
          ctx.notice.error(err);
        },
      );
    });
    open.addEventListener('click', () => ctx.openSession(s.id));
    transfer.addEventListener('click', () => openTransferDialog(ctx, s.id));
    // Waiting: anyone in the queue may take or pass it on. Active: only members reach it here.
    const actions = s.state === 'waiting' ? [accept, transfer] : store.isMember(s) ? [open] : [];
    detailBox.hidden = false;
    replace(
      detailBox,
      h('h2', { text: 'console.details.title', args: { name: customerName(s) }, attrs: { id: 'details-title' } }),
      sessionFacts(s, 'session-facts'),
      h('div', { class: 'form-actions' }, ...actions),
    );
  };

  const renderTable = (): void => {
    const info = store.queues.find((q) => q.id === queue);
    if (!info) {
      replace(tableBox, h('p', { class: 'muted', text: 'console.home.intro' }));
      return;
    }
    const title = info.kind === 'personal' ? h('h2', { text: 'console.queue.personal', attrs: { id: 'queue-title' } }) : h('h2', { text: 'console.queue.team', args: { name: info.name }, attrs: { id: 'queue-title' } });
    replace(tableBox, title, queueTable('queue-title', store.inQueue(info.id), selected, (id) => selectSession(id)));
    if (info.kind === 'team') {
      const teamId = info.id.slice('team:'.length);
      chatBox.hidden = false;
      replace(chatBox, h('h2', { text: 'console.teamChat.titleFor', args: { name: info.name }, attrs: { id: 'team-chat-title' } }), teamChat(teamId).el);
      if (!el.hidden) store.markTeamChatRead(teamId);
    } else {
      chatBox.hidden = true;
      replace(chatBox);
    }
  };

  const render = (): void => {
    if (!queue || !store.queues.some((q) => q.id === queue)) queue = sortedQueues(store.queues)[0]?.id;
    renderList();
    renderTable();
    renderDetails();
  };

  const selectSession = (id: string): void => {
    selected = id;
    render();
    tableBox.querySelector<HTMLElement>(`[data-session="${CSS.escape(id)}"]`)?.focus();
  };

  const select = (q: string, sessionId?: string): void => {
    queue = q as QueueId;
    selected = sessionId;
    store.unlight(queue);
    render();
    if (sessionId) tableBox.querySelector<HTMLElement>(`[data-session="${CSS.escape(sessionId)}"]`)?.focus();
  };

  const openTeamChat = (q: QueueId): void => {
    select(q);
    chats.get(q.slice('team:'.length))?.input.focus();
  };

  const el = h(
    'section',
    { class: 'view home', attrs: { id: 'console-home', 'aria-labelledby': 'view-title' } },
    h('h1', { class: 'visually-hidden', text: 'console.home.title', attrs: { id: 'view-title' } }),
    h('div', { class: 'home-grid' }, listBox, h('div', { class: 'home-main' }, tableBox, detailBox, chatBox)),
  );

  store.subscribe((topic) => {
    if (topic.kind === 'team_chat') {
      const log = chats.get(topic.teamId);
      const m = store.teamChat.get(topic.teamId)?.at(-1);
      if (log && m) log.add({ at: m.at, from: m.from.name, mine: m.from.id === store.me.id, body: m.body });
      if (!el.hidden && queue === `team:${topic.teamId}`) store.markTeamChatRead(topic.teamId);
      return;
    }
    if (topic.kind === 'queues' || topic.kind === 'sessions') render();
  });
  tickElapsed(el);
  render();

  return {
    el,
    select,
    shown() {
      if (queue) store.unlight(queue);
      render();
    },
  };
}
