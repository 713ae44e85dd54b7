/**
 * Security (`/admin/security`): the "allow web console connections" switch
 * (F2, off by default). Saving it off signs out every console at once, so the
 * help text says so. Below it, the session rule: how long a rep's console may
 * stay away before their sessions go back to a queue. Last, whether command
 * shells are recorded (recording-form.ts).
 */
import { api } from '../net/api.ts';
import { field, h } from '../ui/dom.ts';
import type { AdminContext } from './admin-context.ts';
import { recordingForm } from './recording-form.ts';

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

  return h('section', { class: 'view', attrs: { 'aria-labelledby': 'view-title' } }, h('h1', { text: 'security.title', attrs: { id: 'view-title' } }), notice.el, form, graceForm(ctx), recordingForm(ctx));
}

/** Longest grace the appliance accepts: 3600 s (one hour), as in its settings schema. */
const MAX_GRACE_SECONDS = 3600;

function graceForm(ctx: AdminContext): HTMLElement {
  const { notice } = ctx;
  const grace = h('input', { attrs: { type: 'number', min: '0', max: String(MAX_GRACE_SECONDS), required: true, disabled: true } });
  const save = h('button', { text: 'common.save', class: 'button primary', attrs: { type: 'submit', id: 'save-grace', disabled: true } });
  const form = h(
    'form',
    { class: 'card inline-form', attrs: { id: 'grace-form', 'aria-labelledby': 'grace-title', novalidate: true } },
    h('h2', { text: 'security.grace.title', attrs: { id: 'grace-title' } }),
    field('rep-grace', 'security.grace', grace, 'security.grace.help'),
    save,
  );
  api<{ repGraceSeconds: number }>('GET', '/api/admin/settings/sessions').then(
    (s) => {
      grace.value = String(s.repGraceSeconds);
      grace.disabled = save.disabled = false;
    },
    (err: unknown) => notice.error(err),
  );
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    save.disabled = true;
    api<{ repGraceSeconds: number }>('PUT', '/api/admin/settings/sessions', { repGraceSeconds: Number(grace.value) }).then(
      (s) => {
        grace.value = String(s.repGraceSeconds);
        save.disabled = false;
        notice.success('security.grace.saved');
      },
      (err: unknown) => {
        save.disabled = false;
        notice.error(err);
      },
    );
  });
  return form;
}
