/**
 * Session reports (`/reports`, F32): a searchable table of sessions — every
 * session for administrators, one's own for other reps — and, on choosing
 * one, its report: customer, times, reps, the full event log, the chat
 * transcript and what features kept (shell recordings, moved files), with a
 * plain-text download. The server decides what may be read.
 */
import type { SessionReport, SessionReportRow } from '../../../common/reports.ts';
import { eventLine } from '../console/event-log.ts';
import { formatDateTime, formatElapsed } from '../console/format.ts';
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import { lang } from '../ui/i18n.ts';
import type { AdminContext } from './admin-context.ts';

const COLUMNS = ['reports.col.started', 'reports.col.customer', 'reports.col.reps', 'reports.col.duration', 'reports.col.state'] as const;

export function reportsView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const body = h('tbody', {});
  const more = h('p', { class: 'hint', text: 'reports.more', attrs: { hidden: true } });
  const table = h(
    'table',
    { class: 'data-table', attrs: { id: 'report-table', 'aria-labelledby': 'reports-title' } },
    h('thead', {}, h('tr', {}, ...COLUMNS.map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
    body,
  );
  const detail = h('section', { class: 'card report-detail', attrs: { id: 'report-detail', hidden: true, 'aria-labelledby': 'report-title', tabindex: '-1' } });

  const search = h('input', { attrs: { type: 'search', name: 'q', maxlength: '200', autocomplete: 'off' } });
  const from = h('input', { attrs: { type: 'date', name: 'from' } });
  const to = h('input', { attrs: { type: 'date', name: 'to' } });
  const filters = h(
    'form',
    { class: 'card inline-form', attrs: { id: 'report-filter', role: 'search' } },
    field('report-q', 'reports.filter.text', search),
    field('report-from', 'reports.filter.from', from),
    field('report-to', 'reports.filter.to', to),
    h('button', { text: 'reports.filter.submit', class: 'button primary', attrs: { type: 'submit', id: 'report-search' } }),
  );

  const row = (r: SessionReportRow): HTMLElement => {
    const open = h('a', { raw: formatDateTime(r.createdAt), attrs: { href: `#${r.id}`, 'data-action': 'open' } });
    open.addEventListener('click', (ev) => {
      ev.preventDefault();
      show(r.id);
    });
    return h(
      'tr',
      { attrs: { 'data-testid': `report-${r.id}` } },
      h('td', {}, open),
      h('td', { raw: r.customer.hostname ? `${r.customer.name} (${r.customer.hostname})` : r.customer.name }),
      h('td', { raw: r.reps.map((p) => p.name).join(', ') || '—' }),
      h('td', { raw: formatElapsed(r.durationMs) }),
      h('td', { text: r.state === 'ended' ? 'console.status.ended' : r.state === 'active' ? 'console.status.active' : 'console.status.waiting' }),
    );
  };

  const load = (): void => {
    const q = new URLSearchParams();
    if (search.value.trim()) q.set('q', search.value.trim());
    // Dates are the viewer's local days: from the start of `from` to the end of `to`.
    if (from.value) q.set('from', String(new Date(`${from.value}T00:00:00`).getTime()));
    if (to.value) q.set('to', String(new Date(`${to.value}T00:00:00`).getTime() + 86_400_000));
    table.setAttribute('aria-busy', 'true');
    api<{ rows: SessionReportRow[]; more: boolean }>('GET', `/api/reports/sessions?${q}`).then(
      ({ rows, more: hasMore }) => {
        table.setAttribute('aria-busy', 'false');
        if (rows.length === 0) replace(body, h('tr', { class: 'empty-row' }, h('td', { text: 'reports.empty', attrs: { colspan: String(COLUMNS.length) } })));
        else replace(body, ...rows.map(row));
        more.hidden = !hasMore;
      },
      (err: unknown) => {
        table.setAttribute('aria-busy', 'false');
        notice.error(err);
      },
    );
  };
  filters.addEventListener('submit', (ev) => {
    ev.preventDefault();
    load();
  });

  const show = (id: string): void => {
    api<{ report: SessionReport }>('GET', `/api/reports/sessions/${encodeURIComponent(id)}`).then(
      ({ report: r }) => {
        const facts = h(
          'dl',
          { class: 'facts' },
          h('dt', { text: 'reports.col.customer' }),
          h('dd', { raw: [r.customer.name, r.customer.hostname, r.customer.os].filter(Boolean).join(' · ') }),
          h('dt', { text: 'reports.col.started' }),
          h('dd', { raw: formatDateTime(r.createdAt) }),
          h('dt', { text: 'reports.col.ended' }),
          h('dd', { raw: r.endedAt ? formatDateTime(r.endedAt) : '—' }),
          h('dt', { text: 'reports.col.duration' }),
          h('dd', { raw: formatElapsed(r.durationMs) }),
          h('dt', { text: 'reports.col.reps' }),
          h('dd', { raw: r.reps.map((p) => p.name).join(', ') || '—' }),
          h('dt', { text: 'reports.col.queue' }),
          h('dd', { raw: r.queueName }),
        );
        const chat = h(
          'ol',
          { class: 'chat-log report-chat', attrs: { id: 'report-chat' } },
          ...r.chat.map((c) =>
            h(
              'li',
              { class: `chat-line from-${c.from.kind}` },
              h('time', { raw: formatDateTime(c.at), attrs: { datetime: new Date(c.at).toISOString() } }),
              h('strong', { raw: c.from.kind === 'system' ? '*' : c.from.name }),
              h('span', { class: 'chat-body', raw: c.body }),
            ),
          ),
        );
        const attachments = h(
          'ul',
          { class: 'report-attachments', attrs: { id: 'report-attachments' } },
          ...r.attachments.map((a) =>
            h('li', {}, h('time', { raw: formatDateTime(a.at) }), ' ', h('span', { raw: a.title }), ' ', ...a.links.map((l) => h('a', { raw: l.label, attrs: { href: l.href, download: true } }))),
          ),
        );
        const close = h('button', { class: 'button', text: 'reports.back', attrs: { type: 'button', id: 'report-back' } });
        close.addEventListener('click', () => {
          detail.hidden = true;
          (table.querySelector(`[data-testid="report-${CSS.escape(r.id)}"] a`) as HTMLElement | null)?.focus();
        });
        replace(
          detail,
          h('h2', { text: 'reports.detail.title', args: { name: r.customer.name }, attrs: { id: 'report-title' } }),
          facts,
          h('p', {}, h('a', { class: 'button', text: 'reports.download', attrs: { id: 'report-download', href: `/api/reports/sessions/${encodeURIComponent(r.id)}/text?lang=${lang()}`, download: `session-${r.id}.txt` } }), ' ', close),
          h('h3', { text: 'reports.section.events' }),
          h('ol', { class: 'event-log', attrs: { id: 'report-events' } }, ...r.events.map(eventLine)),
          h('h3', { text: 'reports.section.chat' }),
          r.chat.length ? chat : h('p', { class: 'hint', text: 'reports.chat.none' }),
          r.attachments.length ? h('h3', { text: 'reports.section.attachments' }) : null,
          r.attachments.length ? attachments : null,
        );
        detail.hidden = false;
        detail.focus();
      },
      (err: unknown) => notice.error(err),
    );
  };

  load();
  return h(
    'div',
    { class: 'view reports-view' },
    h('h1', { text: 'reports.title', attrs: { id: 'reports-title' } }),
    h('p', { class: 'lead', text: ctx.me.user.admin ? 'reports.lead.admin' : 'reports.lead.rep' }),
    filters,
    table,
    more,
    detail,
  );
}
