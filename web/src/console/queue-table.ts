/**
 * One queue on the console's Home view (F7): the rep's Personal queue or a
 * team's queue, as a table with the columns the queue logic will fill (type,
 * name, queue type, status, assignee, total time). Until sessions exist it
 * shows an empty-state row. `data-queue` carries `personal` or the team id.
 */
import { h } from '../ui/dom.ts';
import type { Args, MessageKey } from '../ui/i18n.ts';

export const QUEUE_COLUMNS: readonly MessageKey[] = [
  'console.queue.col.type',
  'console.queue.col.name',
  'console.queue.col.queueType',
  'console.queue.col.status',
  'console.queue.col.assignee',
  'console.queue.col.totalTime',
];

export function queueTable(queueId: string, title: MessageKey, titleArgs?: Args): HTMLElement {
  const titleId = `queue-title-${queueId}`;
  return h(
    'section',
    { class: 'card queue', attrs: { 'data-queue': queueId, 'aria-labelledby': titleId } },
    h('h2', { text: title, args: titleArgs, attrs: { id: titleId } }),
    h(
      'table',
      { class: 'data-table', attrs: { 'aria-labelledby': titleId } },
      h('thead', {}, h('tr', {}, ...QUEUE_COLUMNS.map((c) => h('th', { text: c, attrs: { scope: 'col' } })))),
      h('tbody', {}, h('tr', { class: 'empty-row' }, h('td', { text: 'console.queue.empty', attrs: { colspan: String(QUEUE_COLUMNS.length) } }))),
    ),
  );
}
