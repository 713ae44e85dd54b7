/**
 * The table of one queue on Home (F8): type ([Browser] for click-to-chat),
 * customer name, queue type, status, assignee and a live total time. Rows
 * are keyboard-selectable (Tab to a row, Enter or Space selects it); the
 * selected row shows its details below the table.
 */
import type { SessionSummary } from '../../../common/sessions.ts';
import { h } from '../ui/dom.ts';
import type { MessageKey } from '../ui/i18n.ts';
import { customerName, formatElapsed, kindKey, queueTypeKey, statusKey } from './format.ts';

export const QUEUE_COLUMNS: readonly MessageKey[] = [
  'console.queue.col.type',
  'console.queue.col.name',
  'console.queue.col.queueType',
  'console.queue.col.status',
  'console.queue.col.assignee',
  'console.queue.col.totalTime',
];

export function queueTable(titleId: string, sessions: readonly SessionSummary[], selected: string | undefined, onSelect: (id: string) => void): HTMLElement {
  const rows = sessions.map((s) => {
    const row = h(
      'tr',
      { class: 'session-row', attrs: { tabindex: '0', 'data-session': s.id, 'aria-selected': String(s.id === selected) } },
      h('td', { text: kindKey(s) }),
      h('td', { raw: customerName(s) }),
      h('td', { text: queueTypeKey(s) }),
      h('td', {}, h('span', { class: `state state-${s.state}`, text: statusKey(s) })),
      h('td', s.owner ? { raw: s.owner.name } : { class: 'muted', raw: '—' }),
      h('td', { class: 'elapsed', raw: formatElapsed(Date.now() - s.createdAt), attrs: { 'data-since': String(s.createdAt) } }),
    );
    row.addEventListener('click', () => onSelect(s.id));
    row.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        onSelect(s.id);
      }
    });
    return row;
  });
  if (rows.length === 0) rows.push(h('tr', { class: 'empty-row' }, h('td', { text: 'console.queue.empty', attrs: { colspan: String(QUEUE_COLUMNS.length) } })));
  return h(
    'table',
    { class: 'data-table queue-table', attrs: { 'aria-labelledby': titleId, id: 'queue-table' } },
    h('thead', {}, h('tr', {}, ...QUEUE_COLUMNS.map((c) => h('th', { text: c, attrs: { scope: 'col' } })))),
    h('tbody', {}, ...rows),
  );
}
