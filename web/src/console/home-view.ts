/**
 * The console's Home view: the rep's queues, Personal first, then one per
 * team the rep belongs to (from `/api/console/me`).
 */
import type { Me } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import { queueTable } from './queue-table.ts';

export function homeView(me: Me): HTMLElement {
  return h(
    'section',
    { class: 'view', attrs: { id: 'console-home', 'aria-labelledby': 'view-title' } },
    h('h1', { text: 'console.home.title', attrs: { id: 'view-title' } }),
    h('p', { class: 'muted', text: 'console.home.intro' }),
    queueTable('personal', 'console.queue.personal'),
    ...me.teams.map((team) => queueTable(team.id, 'console.queue.team', { name: team.name })),
  );
}
