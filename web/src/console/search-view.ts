/**
 * The console's Search view (F17): one box that finds remote systems and
 * sessions by customer, computer, user, group or rep name — the jump items
 * the rep may see (with Jump), the sessions open in the console (with
 * Open), and past sessions the rep took part in (from the session reports,
 * with the report as text). The appliance decides what each list may hold.
 */
import type { JumpItem } from '../../../common/jump.ts';
import type { SessionReportRow } from '../../../common/reports.ts';
import type { SessionSummary } from '../../../common/sessions.ts';
import { api } from '../net/api.ts';
import { h, replace } from '../ui/dom.ts';
import { lang } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';
import { customerName, formatDateTime } from './format.ts';

const matches = (text: string, values: readonly string[]): boolean => values.some((v) => v.toLowerCase().includes(text));

export function searchView(ctx: ConsoleContext): HTMLElement {
  const { store } = ctx;
  const input = h('input', { attrs: { type: 'search', id: 'console-search-input', name: 'q', autocomplete: 'off', maxlength: '200' } });
  const results = h('div', { attrs: { id: 'console-search-results', 'aria-live': 'polite' } });
  const form = h(
    'form',
    { class: 'card inline-form', attrs: { role: 'search', id: 'console-search' } },
    h('div', { class: 'field grow' }, h('label', { text: 'console.search.label', attrs: { for: 'console-search-input' } }), input),
    h('button', { text: 'console.search.submit', class: 'button primary', attrs: { type: 'submit' } }),
  );

  const jumpRow = (i: JumpItem): HTMLElement => {
    const jump = h('button', { class: 'button primary small', text: 'console.jump.jump', attrs: { type: 'button', 'data-action': 'jump' } });
    if (!i.online) jump.setAttribute('aria-disabled', 'true');
    jump.addEventListener('click', () => {
      if (!i.online) return ctx.notice.info('console.jump.offline', { name: i.name });
      ctx.link.request({ t: 'jump_start', itemId: i.id }).then(
        () => ctx.notice.success('console.search.jumping', { name: i.name }),
        (err: unknown) => ctx.notice.error(err),
      );
    });
    return h(
      'li',
      { class: 'search-hit', attrs: { 'data-testid': `hit-jump-${i.id}` } },
      h('span', { class: i.online ? 'presence on' : 'presence', text: i.online ? 'console.jump.online' : 'console.jump.offlineShort' }),
      h('strong', { raw: i.name }),
      h('span', { class: 'muted', raw: [i.hostname, i.groupName].filter(Boolean).join(' · ') }),
      jump,
    );
  };
  const sessionRow = (s: SessionSummary): HTMLElement => {
    const open = h('button', { class: 'button secondary small', text: 'console.search.open', attrs: { type: 'button', 'data-action': 'open' } });
    open.addEventListener('click', () => (store.isMember(s) ? ctx.openSession(s.id) : ctx.showHome({ queue: s.queue, sessionId: s.id })));
    return h('li', { class: 'search-hit', attrs: { 'data-testid': `hit-session-${s.id}` } }, h('strong', { raw: customerName(s) }), h('span', { class: 'muted', raw: [s.customer.hostname, s.queueName].filter(Boolean).join(' · ') }), open);
  };
  const pastRow = (r: SessionReportRow): HTMLElement =>
    h(
      'li',
      { class: 'search-hit', attrs: { 'data-testid': `hit-past-${r.id}` } },
      h('strong', { raw: r.customer.name }),
      h('span', { class: 'muted', raw: [formatDateTime(r.createdAt), r.customer.hostname, r.reps.map((p) => p.name).join(', ')].filter(Boolean).join(' · ') }),
      h('a', { class: 'button secondary small', text: 'console.search.report', attrs: { href: `/api/reports/sessions/${encodeURIComponent(r.id)}/text?lang=${lang()}`, download: `session-${r.id}.txt` } }),
    );
  const section = (title: 'console.search.jump' | 'console.search.sessions' | 'console.search.past', id: string, items: HTMLElement[]): HTMLElement | null =>
    items.length ? h('section', { class: 'card', attrs: { id } }, h('h2', { text: title }), h('ul', { class: 'search-hits' }, ...items)) : null;

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const text = input.value.trim().toLowerCase();
    if (!text) return;
    results.setAttribute('aria-busy', 'true');
    const jumpList = ctx.link.request({ t: 'jump_list' }).then((a) => (a.t === 'jump_items' ? a.items : []));
    const past = api<{ rows: SessionReportRow[] }>('GET', `/api/reports/sessions?q=${encodeURIComponent(text)}&limit=50`).then((r) => r.rows);
    Promise.all([jumpList, past]).then(
      ([items, rows]) => {
        const jumps = items.filter((i) => matches(text, [i.name, i.hostname, i.user, i.os, i.groupName]));
        const open = [...store.sessions.values()].filter((s) => matches(text, [s.customer.name, s.customer.hostname, s.customer.user, s.customer.details, ...s.members.map((m) => m.name)]));
        const openIds = new Set(open.map((s) => s.id));
        const ended = rows.filter((r) => !openIds.has(r.id));
        const found = [section('console.search.jump', 'search-jump', jumps.map(jumpRow)), section('console.search.sessions', 'search-sessions', open.map(sessionRow)), section('console.search.past', 'search-past', ended.map(pastRow))].filter(Boolean);
        if (found.length) replace(results, ...found);
        else replace(results, h('p', { class: 'card muted', text: 'console.search.none', args: { q: input.value.trim() } }));
        results.setAttribute('aria-busy', 'false');
      },
      (err: unknown) => {
        results.setAttribute('aria-busy', 'false');
        ctx.notice.error(err);
      },
    );
  });
  return h(
    'section',
    { class: 'view', attrs: { id: 'console-search-view', 'aria-labelledby': 'search-title', hidden: true } },
    h('h1', { text: 'console.search.title', attrs: { id: 'search-title' } }),
    form,
    results,
  );
}
