/**
 * Outbound events (`/admin/webhooks`, F33): HTTPS endpoints the appliance
 * POSTs session events to, signed with each endpoint's secret (shown here
 * for the receiver to check `X-RelayDesk-Signature`). Per endpoint: which
 * events, how many wait, the last error, enable/disable, Send test, Delete.
 */
import { api } from '../net/api.ts';
import { field, h, replace } from '../ui/dom.ts';
import { formatDateTime } from '../console/format.ts';
import type { AdminContext } from './admin-context.ts';

interface Hook {
  id: string;
  url: string;
  events: string[];
  secret: string;
  enabled: boolean;
  lastError: string | null;
  lastDeliveredAt: number | null;
  dropped: number;
  queued: number;
}

export function webhooksView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const body = h('tbody', {});
  const eventBox = h('fieldset', { class: 'choice-group', attrs: { id: 'webhook-events' } }, h('legend', { text: 'webhooks.field.events' }));
  const reload = (): void => {
    api<{ webhooks: Hook[]; events: string[] }>('GET', '/api/admin/webhooks').then(
      ({ webhooks, events }) => {
        replace(body, ...(webhooks.length ? webhooks.map(row) : [h('tr', { class: 'empty-row' }, h('td', { text: 'webhooks.empty', attrs: { colspan: '5' } }))]));
        if (eventBox.querySelectorAll('input').length === 0) {
          for (const e of events) {
            const id = `webhook-event-${e}`;
            eventBox.append(h('div', { class: 'field check' }, h('input', { attrs: { type: 'checkbox', name: 'events', value: e, id } }), h('label', { raw: e, attrs: { for: id } })));
          }
        }
      },
      (err: unknown) => notice.error(err),
    );
  };
  const row = (w: Hook): HTMLElement => {
    const toggle = h('button', { class: 'button secondary small', text: w.enabled ? 'api.disable' : 'api.enable', attrs: { type: 'button', 'data-action': 'toggle' } });
    toggle.addEventListener('click', () => api('PATCH', `/api/admin/webhooks/${w.id}`, { enabled: !w.enabled }).then(reload, (err: unknown) => notice.error(err)));
    const test = h('button', { class: 'button secondary small', text: 'webhooks.test', attrs: { type: 'button', 'data-action': 'test' } });
    test.addEventListener('click', () => api('POST', `/api/admin/webhooks/${w.id}/test`).then(() => notice.success('webhooks.testQueued'), (err: unknown) => notice.error(err)));
    const del = h('button', { class: 'button danger small', text: 'api.delete', attrs: { type: 'button', 'data-action': 'delete' } });
    del.addEventListener('click', () => api('DELETE', `/api/admin/webhooks/${w.id}`).then(reload, (err: unknown) => notice.error(err)));
    const state = w.lastError ? h('span', { class: 'error-text', text: 'webhooks.failing', args: { error: w.lastError, n: w.queued } }) : h('span', { text: 'webhooks.ok', args: { n: w.queued, at: w.lastDeliveredAt ? formatDateTime(w.lastDeliveredAt) : '—' } });
    return h(
      'tr',
      { attrs: { 'data-testid': `webhook-${w.id}` } },
      h('td', {}, h('code', { raw: w.url }), w.enabled ? null : h('span', { class: 'muted', text: 'api.disabled' })),
      h('td', { raw: w.events.length ? w.events.join(', ') : '*' }),
      h('td', {}, h('code', { raw: w.secret })),
      h('td', {}, state),
      h('td', { class: 'actions' }, toggle, test, del),
    );
  };
  const url = h('input', { attrs: { name: 'url', type: 'url', required: true, maxlength: '2000', placeholder: 'https://' } });
  const ca = h('textarea', { attrs: { name: 'caPem', rows: '4', id: 'webhook-ca' } });
  const form = h(
    'form',
    { class: 'card', attrs: { id: 'create-webhook-form', novalidate: true } },
    h('h2', { text: 'webhooks.create.title' }),
    field('webhook-url', 'webhooks.field.url', url),
    eventBox,
    h('p', { class: 'hint', text: 'webhooks.field.events.hint' }),
    h('div', { class: 'field' }, h('label', { text: 'webhooks.field.ca', attrs: { for: 'webhook-ca' } }), ca),
    h('button', { class: 'button primary', text: 'webhooks.create.submit', attrs: { type: 'submit', id: 'create-webhook' } }),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const events = [...eventBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
    api('POST', '/api/admin/webhooks', { url: url.value.trim(), events, caPem: ca.value }).then(
      () => {
        url.value = ca.value = '';
        reload();
      },
      (err: unknown) => notice.error(err),
    );
  });
  reload();
  return h(
    'div',
    { class: 'view webhooks-view' },
    h('h1', { text: 'webhooks.title', attrs: { id: 'webhooks-title' } }),
    h('p', { class: 'lead', text: 'webhooks.lead' }),
    h(
      'table',
      { class: 'data-table', attrs: { id: 'webhook-table', 'aria-labelledby': 'webhooks-title' } },
      h('thead', {}, h('tr', {}, ...(['webhooks.col.url', 'webhooks.col.events', 'webhooks.col.secret', 'webhooks.col.state', 'api.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
      body,
    ),
    form,
  );
}
