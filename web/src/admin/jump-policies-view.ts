/**
 * Jump policies (`/admin/jump-policies`, F15): when jump items may be used.
 * Each policy has a name, a time zone and per weekday one window (from–to);
 * reps pick a policy for their items in the console's Jump Items tab. A jump
 * outside the windows is refused with the next allowed time; administrators
 * may override it.
 */
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import type { MessageKey } from '../ui/i18n.ts';
import type { AdminContext } from './admin-context.ts';

interface Policy {
  id: string;
  name: string;
  timeZone: string;
  windows: Array<{ day: number; from: string; to: string }>;
}

const DAY_KEYS: MessageKey[] = ['policies.day.0', 'policies.day.1', 'policies.day.2', 'policies.day.3', 'policies.day.4', 'policies.day.5', 'policies.day.6'];
const WEEK_ORDER = [1, 2, 3, 4, 5, 6, 0];

export function jumpPoliciesView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const body = h('tbody', {});
  const describe = (p: Policy): HTMLElement =>
    h('td', {}, ...p.windows.map((w) => h('div', {}, h('span', { text: DAY_KEYS[w.day]! }), ` ${w.from}–${w.to}`)));
  const row = (p: Policy): HTMLElement => {
    const del = h('button', { class: 'button danger small', text: 'api.delete', attrs: { type: 'button', 'data-action': 'delete' } });
    del.addEventListener('click', () => api('DELETE', `/api/admin/jump-policies/${p.id}`).then(() => tr.remove(), (err: unknown) => notice.error(err)));
    const tr = h('tr', { attrs: { 'data-testid': `policy-${p.id}` } }, h('td', { raw: p.name }), h('td', { raw: p.timeZone }), describe(p), h('td', { class: 'actions' }, del));
    return tr;
  };
  api<{ policies: Policy[] }>('GET', '/api/admin/jump-policies').then(({ policies }) => replace(body, ...policies.map(row)), (err: unknown) => notice.error(err));

  const name = h('input', { attrs: { name: 'name', required: true, maxlength: '100', autocomplete: 'off' } });
  const zones = h('datalist', { attrs: { id: 'time-zones' } }, ...(Intl.supportedValuesOf?.('timeZone') ?? ['UTC']).map((z) => h('option', { attrs: { value: z } })));
  const tz = h('input', { attrs: { name: 'timeZone', list: 'time-zones', value: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', maxlength: '64' } });
  const days = WEEK_ORDER.map((day) => {
    const on = h('input', { attrs: { type: 'checkbox', id: `policy-day-${day}`, checked: day >= 1 && day <= 5 } });
    const from = h('input', { attrs: { type: 'time', id: `policy-from-${day}`, value: '08:00' } });
    const to = h('input', { attrs: { type: 'time', id: `policy-to-${day}`, value: '18:00' } });
    return { day, on, from, to, el: h('div', { class: 'field check policy-day' }, on, h('label', { text: DAY_KEYS[day]!, attrs: { for: `policy-day-${day}` } }), from, h('span', { raw: '–' }), to) };
  });
  const form = h(
    'form',
    { class: 'card', attrs: { id: 'create-policy-form', novalidate: true } },
    h('h2', { text: 'policies.create.title' }),
    field('policy-name', 'policies.col.name', name),
    field('policy-tz', 'policies.col.timeZone', tz),
    zones,
    h('fieldset', { class: 'choice-group' }, h('legend', { text: 'policies.col.windows' }), ...days.map((d) => d.el)),
    h('button', { class: 'button primary', text: 'policies.create.submit', attrs: { type: 'submit', id: 'create-policy' } }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    // "24:00" cannot be typed into a time field: an end of 00:00 means midnight at the end of the day.
    const windows = days.filter((d) => d.on.checked).map((d) => ({ day: d.day, from: d.from.value, to: d.to.value === '00:00' ? '24:00' : d.to.value }));
    api<{ policy: Policy }>('POST', '/api/admin/jump-policies', { name: name.value.trim(), timeZone: tz.value.trim(), windows }).then(
      ({ policy }) => {
        body.append(row(policy));
        name.value = '';
      },
      (err: unknown) => notice.error(err),
    );
  });
  return h(
    'div',
    { class: 'view policies-view' },
    h('h1', { text: 'policies.title', attrs: { id: 'policies-title' } }),
    h('p', { class: 'lead', text: 'policies.lead' }),
    h(
      'table',
      { class: 'data-table', attrs: { id: 'policy-table', 'aria-labelledby': 'policies-title' } },
      h('thead', {}, h('tr', {}, ...(['policies.col.name', 'policies.col.timeZone', 'policies.col.windows', 'api.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
      body,
    ),
    form,
  );
}
