/**
 * Security (`/admin/security`): the "allow web console connections" switch
 * (F2, off by default). Saving it off signs out every console at once, so the
 * help text says so.
 */
import { api } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import type { AdminContext } from './admin-context.ts';

interface Security {
  allowWebConsole: boolean;
}

export function securityView(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const allow = h('input', { attrs: { type: 'checkbox', id: 'allow-web-console', name: 'allowWebConsole', 'aria-describedby': 'allow-web-console-help', disabled: true } });
  const save = h('button', { text: 'security.save', class: 'button primary', attrs: { type: 'submit', id: 'save-security', disabled: true } });
  const form = h(
    'form',
    { class: 'card', attrs: { id: 'security-form' } },
    h('div', { class: 'field check' }, allow, h('label', { text: 'security.allowConsole', attrs: { for: 'allow-web-console' } })),
    h('p', { class: 'hint', text: 'security.allowConsole.help', attrs: { id: 'allow-web-console-help' } }),
    h('div', { class: 'form-actions' }, save),
  );

  api<Security>('GET', '/api/admin/settings/security').then(
    (s) => {
      allow.checked = s.allowWebConsole;
      allow.disabled = save.disabled = false;
    },
    (err: unknown) => notice.error(err),
  );

  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save.disabled = true;
    api<Security>('PUT', '/api/admin/settings/security', { allowWebConsole: allow.checked }).then(
      (s) => {
        allow.checked = s.allowWebConsole;
        ctx.me.allowWebConsole = s.allowWebConsole;
        save.disabled = false;
        notice.success('security.saved');
      },
      (err: unknown) => {
        save.disabled = false;
        notice.error(err);
      },
    );
  });

  return h('section', { class: 'view', attrs: { 'aria-labelledby': 'view-title' } }, h('h1', { text: 'security.title', attrs: { id: 'view-title' } }), notice.el, form);
}
