/**
 * Appliance status (`/admin/status`, F31): what is connected now, open
 * sessions, memory and uptime, the store's size, and the certificate that
 * customer clients pin (names, expiry, fingerprints — what an operator
 * compares when a customer reports a certificate warning). Refresh reloads.
 */
import { api } from '../net/api.ts';
import { h, replace } from '../ui/dom.ts';
import { lang, type MessageKey } from '../ui/i18n.ts';
import type { AdminContext } from './admin-context.ts';

interface Status {
  version: string;
  startedAt: number;
  uptimeSeconds: number;
  node: string;
  memory: { rssBytes: number; heapUsedBytes: number };
  connections: { consoles: number; repsOnline: number; customers: number; channels: number };
  sessions: { waiting: number; active: number };
  storeBytes: number;
  certificate: { names: string[]; notAfter: number; serverSpkiSha256: string; caSpkiSha256: string };
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toLocaleString(lang(), { maximumFractionDigits: 1 })} MiB`;
}

function duration(seconds: number): string {
  const d = Math.floor(seconds / 86_400);
  const hms = new Date((seconds % 86_400) * 1000).toISOString().slice(11, 19);
  return d > 0 ? `${d} d ${hms}` : hms;
}

export function statusView(ctx: AdminContext): HTMLElement {
  const list = h('dl', { class: 'facts', attrs: { id: 'status-facts', 'aria-busy': 'true' } });
  const refresh = h('button', { class: 'button secondary', text: 'status.refresh', attrs: { type: 'button', id: 'status-refresh' } });
  const fact = (key: MessageKey, value: string, id: string): HTMLElement[] => [h('dt', { text: key }), h('dd', { raw: value, attrs: { 'data-testid': `status-${id}` } })];
  const load = (): void => {
    list.setAttribute('aria-busy', 'true');
    api<Status>('GET', '/api/admin/status').then(
      (s) => {
        const days = Math.floor((s.certificate.notAfter - Date.now()) / 86_400_000);
        replace(
          list,
          ...fact('status.version', `${s.version} (Node ${s.node})`, 'version'),
          ...fact('status.uptime', duration(s.uptimeSeconds), 'uptime'),
          ...fact('status.reps', String(s.connections.repsOnline), 'reps'),
          ...fact('status.consoles', String(s.connections.consoles), 'consoles'),
          ...fact('status.customers', String(s.connections.customers), 'customers'),
          ...fact('status.channels', String(s.connections.channels), 'channels'),
          ...fact('status.waiting', String(s.sessions.waiting), 'waiting'),
          ...fact('status.active', String(s.sessions.active), 'active'),
          ...fact('status.memory', `${mib(s.memory.rssBytes)} (heap ${mib(s.memory.heapUsedBytes)})`, 'memory'),
          ...fact('status.store', mib(s.storeBytes), 'store'),
          ...fact('status.cert.names', s.certificate.names.join(', '), 'cert-names'),
          ...fact('status.cert.expiry', `${new Date(s.certificate.notAfter).toLocaleDateString(lang(), { dateStyle: 'medium' })} (${days} d)`, 'cert-expiry'),
          ...fact('status.cert.server', s.certificate.serverSpkiSha256, 'cert-server'),
          ...fact('status.cert.ca', s.certificate.caSpkiSha256, 'cert-ca'),
        );
        list.setAttribute('aria-busy', 'false');
      },
      (err: unknown) => {
        list.setAttribute('aria-busy', 'false');
        ctx.notice.error(err);
      },
    );
  };
  refresh.addEventListener('click', load);
  load();
  return h('div', { class: 'view status-view' }, h('h1', { text: 'status.title' }), h('section', { class: 'card' }, list, h('p', {}, refresh)));
}
