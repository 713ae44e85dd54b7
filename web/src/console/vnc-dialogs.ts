/**
 * The console's Remote VNC dialogs (F13, F19): creating or editing an item
 * (name, host, port, group, jump policy; VNC has no host key, and the
 * dialog says so), and jumping: a password typed for this jump only, none
 * (a server without authentication), or a vault password the appliance
 * injects without showing it.
 *
 * A typed password lives only in this page's memory for the one request.
 * The appliance checks everything again.
 */
import type { JumpItem } from '../../../common/jump.ts';
import { vncLabel, VNC_DEFAULT_PORT } from '../../../common/remote-vnc.ts';
import { h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { MessageKey } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';
import type { VaultChoice } from './shell-jump-dialogs.ts';

/** Connecting to a VNC server and its first full update: 30 s. */
const JUMP_REQUEST_MS = 30_000;

function field(id: string, label: MessageKey, input: HTMLElement, hint?: MessageKey): HTMLElement {
  return h('div', { class: 'field' }, h('label', { text: label, attrs: { for: id } }), input, hint ? h('p', { class: 'hint', text: hint, attrs: { id: `${id}-hint` } }) : null);
}

/** New (no `item`) or edit a Remote VNC item. */
export function openVncItemDialog(ctx: ConsoleContext, policies: Array<{ id: string; name: string }>, item?: JumpItem): void {
  const vnc = item?.vnc;
  const name = h('input', { attrs: { id: 'vnc-name', maxlength: '100', autocomplete: 'off', value: item?.name ?? '' } });
  const host = h('input', { attrs: { id: 'vnc-host', maxlength: '253', autocomplete: 'off', spellcheck: 'false', value: vnc?.host ?? '' } });
  const port = h('input', { attrs: { id: 'vnc-port', type: 'number', min: '1', max: '65535', value: String(vnc?.port ?? VNC_DEFAULT_PORT) } });
  const group = h('select', { attrs: { id: 'vnc-group' } }, h('option', { text: 'console.jump.personal', attrs: { value: 'personal' } }));
  for (const q of ctx.store.queues) if (q.kind === 'team') group.append(h('option', { raw: q.name, attrs: { value: q.id.slice('team:'.length) } }));
  if (item?.group.kind === 'team') group.value = item.group.teamId;
  const policy = h('select', { attrs: { id: 'vnc-policy' } }, h('option', { text: 'console.jump.anyTime', attrs: { value: '' } }));
  for (const p of policies) policy.append(h('option', { raw: p.name, attrs: { value: p.id } }));
  policy.value = item?.policyId ?? '';
  openDialog({
    title: 'console.vnc.itemTitle',
    content: [
      h('p', { class: 'hint', text: 'console.vnc.itemText' }),
      field('vnc-name', 'console.jump.col.name', name),
      field('vnc-host', 'console.jump.host', host),
      field('vnc-port', 'console.jump.port', port),
      field('vnc-group', 'console.jump.col.group', group),
      field('vnc-policy', 'console.jump.policy', policy),
      h('p', { class: 'hint', text: 'console.vnc.noHostKey', attrs: { 'data-testid': 'vnc-no-hostkey' } }),
    ],
    confirm: 'common.save',
    testId: 'vnc-item-dialog',
    async onConfirm() {
      await ctx.link.request({ t: 'vnc_jump_save', ...(item ? { itemId: item.id } : {}), name: name.value.trim() || host.value.trim(), host: host.value.trim(), port: Number(port.value), group: group.value, policyId: policy.value });
      ctx.notice.success('console.jump.saved', { name: name.value.trim() || host.value.trim() });
    },
  });
}

/** Jump to a Remote VNC item: a typed password, none, or a vault password; then the session opens on its screen. */
export function openVncJumpDialog(ctx: ConsoleContext, item: JumpItem, vault: VaultChoice[], override = false): void {
  const kind = h('select', { attrs: { id: 'vnc-auth' } }, h('option', { text: 'console.jump.auth.password', attrs: { value: 'password' } }), h('option', { text: 'console.vnc.noPassword', attrs: { value: 'none' } }));
  if (vault.length > 0) kind.append(h('option', { text: 'console.jump.auth.vault', attrs: { value: 'vault' } }));
  const password = h('input', { attrs: { id: 'vnc-password', type: 'password', autocomplete: 'off', maxlength: '1024', 'aria-describedby': 'vnc-password-hint' } });
  const credential = h('select', { attrs: { id: 'vnc-credential' } }, ...vault.map((c) => h('option', { raw: c.username ? `${c.name} (${c.username})` : c.name, attrs: { value: c.id } })));
  const passwordField = field('vnc-password', 'console.jump.auth.password', password, 'console.vnc.passwordHint');
  const vaultField = field('vnc-credential', 'console.jump.auth.vault', credential);
  const overrideBox = h('input', { attrs: { type: 'checkbox', id: 'vnc-override', checked: override } });
  const overrideField = ctx.store.admin && item.policyId ? h('div', { class: 'field check' }, overrideBox, h('label', { text: 'console.jump.override', attrs: { for: 'vnc-override' } })) : null;
  const show = (): void => {
    passwordField.hidden = kind.value !== 'password';
    vaultField.hidden = kind.value !== 'vault';
  };
  kind.addEventListener('change', show);
  show();
  openDialog({
    title: 'console.jump.authTitle',
    titleArgs: { name: item.name },
    content: [h('p', { class: 'hint', text: 'console.vnc.jumpText', args: { target: vncLabel(item.vnc!) } }), field('vnc-auth', 'console.jump.auth.method', kind), passwordField, vaultField, overrideField],
    confirm: 'console.jump.connect',
    testId: 'vnc-jump-dialog',
    async onConfirm() {
      const creds = kind.value === 'password' ? { password: password.value } : kind.value === 'vault' ? { credentialId: credential.value } : {};
      const answer = await ctx.link.request({ t: 'vnc_jump_start', itemId: item.id, ...creds, ...(overrideBox.checked ? { override: true } : {}) }, JUMP_REQUEST_MS);
      if (answer.t === 'vnc_jump_started') ctx.openSession(answer.sessionId);
    },
  });
}
