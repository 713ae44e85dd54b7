/**
 * The session event log (F21): one line per event with its time, worded by
 * the catalogue entry `event.<kind>` with the actor and the event's
 * parameters (e.g. transferred → "to Tier 2"), so it reads in the rep's
 * language and switches with it.
 */
import type { SessionEvent } from '../../../common/sessions.ts';
import { h } from '../ui/dom.ts';
import type { MessageKey } from '../ui/i18n.ts';
import { formatTime } from './format.ts';

export function eventLine(e: SessionEvent): HTMLElement {
  return h(
    'li',
    { class: 'event-line', attrs: { 'data-kind': e.kind } },
    h('time', { raw: formatTime(e.at), attrs: { datetime: new Date(e.at).toISOString() } }),
    h('span', { text: `event.${e.kind}` as MessageKey, args: { actor: e.actor ?? '—', ...e.params } }),
  );
}

export interface EventLog {
  readonly el: HTMLElement;
  add(e: SessionEvent): void;
  reset(events: readonly SessionEvent[]): void;
}

export function eventLog(id: string): EventLog {
  const list = h('ol', { class: 'event-log', attrs: { id, role: 'log' } });
  return {
    el: list,
    add(e) {
      list.append(eventLine(e));
      list.scrollTop = list.scrollHeight;
    },
    reset(events) {
      list.replaceChildren(...events.map(eventLine));
      list.scrollTop = list.scrollHeight;
    },
  };
}
