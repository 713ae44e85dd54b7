/**
 * The customer facts of a session as a definition list (F8 details, and the
 * session view's header): name, details, issue, hostname, OS, user, private
 * and public IPs, and how the session started.
 */
import type { SessionSummary } from '../../../common/sessions.ts';
import { h } from '../ui/dom.ts';
import type { MessageKey } from '../ui/i18n.ts';

export function sessionFacts(s: SessionSummary, id?: string): HTMLElement {
  const c = s.customer;
  const rows: Array<[MessageKey, HTMLElement]> = [
    ['console.details.name', h('dd', { raw: c.name || '—' })],
    ['console.details.details', h('dd', { raw: c.details || '—' })],
    ['console.details.issue', h('dd', { raw: s.issue ?? '—' })],
    ['console.details.hostname', h('dd', { raw: c.hostname || '—' })],
    ['console.details.os', h('dd', { raw: c.os || '—' })],
    ['console.details.user', h('dd', { raw: c.user || '—' })],
    ['console.details.privateIps', h('dd', { raw: c.privateIps.join(', ') || '—' })],
    ['console.details.publicIp', h('dd', { raw: c.publicIp || '—' })],
    ['console.details.source', h('dd', { text: `console.source.${s.source}` })],
  ];
  return h('dl', { class: 'facts session-facts', attrs: { id } }, ...rows.flatMap(([k, dd]) => [h('dt', { text: k }), dd]));
}
