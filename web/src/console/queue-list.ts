/**
 * The queue list on Home (F7, F8): Personal first, then team queues with
 * favourites first. Each entry selects its queue and shows how many sessions
 * wait there; the count lights up when a session entered since the rep last
 * looked. Team queues have a star that toggles the favourite; while team chat
 * is unread, a chat bubble takes the star's place and opens that chat.
 */
import type { QueueInfo } from '../../../common/protocol.ts';
import type { QueueId } from '../../../common/sessions.ts';
import { h } from '../ui/dom.ts';
import { bindAttrs } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';

export interface QueueListHandlers {
  select(queue: QueueId): void;
  openTeamChat(queue: QueueId): void;
}

export function sortedQueues(queues: readonly QueueInfo[]): QueueInfo[] {
  const personal = queues.filter((q) => q.kind === 'personal');
  const teams = queues.filter((q) => q.kind === 'team').sort((a, b) => Number(b.favourite) - Number(a.favourite) || a.name.localeCompare(b.name));
  return [...personal, ...teams];
}

export function queueList(ctx: ConsoleContext, selected: QueueId | undefined, on: QueueListHandlers): HTMLElement {
  const { store } = ctx;
  const items = sortedQueues(store.queues).map((q) => {
    const count = store.inQueue(q.id).filter((s) => s.state === 'waiting').length;
    const teamId = q.id.slice('team:'.length);
    const name = q.kind === 'personal' ? h('span', { text: 'console.queue.personal' }) : h('span', { raw: q.name });
    const countEl = h('span', { class: store.lit.has(q.id) ? 'count lit' : 'count', raw: String(count), attrs: { 'data-testid': 'queue-count' } });
    const pick = h('button', { class: 'queue-pick', attrs: { type: 'button', 'aria-pressed': String(q.id === selected) } }, name, countEl);
    pick.addEventListener('click', () => on.select(q.id));
    let lead: HTMLElement;
    if (q.kind === 'personal') lead = h('span', { class: 'queue-lead', attrs: { 'aria-hidden': 'true' } });
    else if (store.teamChatUnread.has(teamId)) {
      lead = h('button', { class: 'queue-lead chat-bubble', raw: '💬', attrs: { type: 'button', 'data-testid': 'team-chat-bubble' } });
      bindAttrs(lead, { 'aria-label': 'console.teamChat.unread', title: 'console.teamChat.unread' });
      lead.addEventListener('click', () => on.openTeamChat(q.id));
    } else {
      lead = h('button', { class: q.favourite ? 'queue-lead star on' : 'queue-lead star', raw: q.favourite ? '★' : '☆', attrs: { type: 'button', 'aria-pressed': String(q.favourite), 'data-testid': 'favourite' } });
      bindAttrs(lead, { 'aria-label': 'console.queue.favourite', title: 'console.queue.favourite' });
      lead.addEventListener('click', () => {
        ctx.link.request({ t: 'favourite', teamId, on: !q.favourite }).catch((err: unknown) => ctx.notice.error(err));
      });
    }
    return h('li', { class: 'queue-item', attrs: { 'data-queue': q.id, 'data-kind': q.kind } }, lead, pick);
  });
  return h('ul', { class: 'queue-list', attrs: { id: 'queue-list' } }, ...items);
}
