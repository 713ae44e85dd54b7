/**
 * The console's Shell Jump dialogs (F13, F19): creating or editing an item
 * (name, host, port, username, group, jump policy, expected host key), and
 * jumping: how to sign in (a password or private key typed for this jump
 * only, or a vault credential the appliance injects without showing it),
 * trusting an unknown host key after comparing its fingerprint, and
 * answering the SSH server's keyboard-interactive questions.
 *
 * Typed secrets live only in this page's memory for the one request; they
 * are never stored or shown again. The appliance checks everything again.
 */
import type { JumpItem } from '../../../common/jump.ts';
import { FINGERPRINT_PATTERN, targetLabel } from '../../../common/shell-jump.ts';
import type { ApplianceToConsole } from '../../../common/protocol.ts';
import { ApiError } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { MessageKey } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';

/** Connecting may wait for the rep to answer the server's questions: 150 s. */
const JUMP_REQUEST_MS = 150_000;

export interface VaultChoice {
  id: string;
  name: string;
  username: string;
}

function field(id: string, label: MessageKey, input: HTMLElement, hint?: MessageKey): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { text: label, attrs: { for: id } }),
    input,
    hint ? h('p', { class: 'hint', text: hint, attrs: { id: `${id}-hint` } }) : null,
  );
}

/** New (no `item`) or edit a Shell Jump item. */
export function openShellItemDialog(ctx: ConsoleContext, policies: Array<{ id: string; name: string }>, item?: JumpItem): void {
  const ssh = item?.ssh;
  const name = h('input', { attrs: { id: 'sj-name', maxlength: '100', autocomplete: 'off', value: item?.name ?? '' } });
  const host = h('input', { attrs: { id: 'sj-host', maxlength: '253', autocomplete: 'off', spellcheck: 'false', value: ssh?.host ?? '' } });
  const port = h('input', { attrs: { id: 'sj-port', type: 'number', min: '1', max: '65535', value: String(ssh?.port ?? 22) } });
  const username = h('input', { attrs: { id: 'sj-user', maxlength: '64', autocomplete: 'off', spellcheck: 'false', value: ssh?.username ?? '' } });
  const group = h('select', { attrs: { id: 'sj-group' } }, h('option', { text: 'console.jump.personal', attrs: { value: 'personal' } }));
  for (const q of ctx.store.queues) if (q.kind === 'team') group.append(h('option', { raw: q.name, attrs: { value: q.id.slice('team:'.length) } }));
  if (item?.group.kind === 'team') group.value = item.group.teamId;
  const policy = h('select', { attrs: { id: 'sj-policy' } }, h('option', { text: 'console.jump.anyTime', attrs: { value: '' } }));
  for (const p of policies) policy.append(h('option', { raw: p.name, attrs: { value: p.id } }));
  policy.value = item?.policyId ?? '';
  const fingerprint = h('input', { attrs: { id: 'sj-fingerprint', maxlength: '60', autocomplete: 'off', spellcheck: 'false', placeholder: 'SHA256:…', value: ssh?.fingerprint ?? '', 'aria-describedby': 'sj-fingerprint-hint' } });
  openDialog({
    title: 'console.jump.shellTitle',
    content: [
      h('p', { class: 'hint', text: 'console.jump.shellText' }),
      field('sj-name', 'console.jump.col.name', name),
      field('sj-host', 'console.jump.host', host),
      field('sj-port', 'console.jump.port', port),
      field('sj-user', 'console.jump.username', username),
      field('sj-group', 'console.jump.col.group', group),
      field('sj-policy', 'console.jump.policy', policy),
      field('sj-fingerprint', 'console.jump.fingerprint', fingerprint, 'console.jump.fingerprintHint'),
    ],
    confirm: 'common.save',
    testId: 'shell-item-dialog',
    async onConfirm() {
      const fp = fingerprint.value.trim();
      await ctx.link.request({
        t: 'shell_jump_save',
        ...(item ? { itemId: item.id } : {}),
        name: name.value.trim() || host.value.trim(),
        host: host.value.trim(),
        port: Number(port.value),
        username: username.value.trim(),
        group: group.value,
        policyId: policy.value,
        ...(fp ? { fingerprint: fp } : {}),
      });
      ctx.notice.success('console.jump.saved', { name: name.value.trim() || host.value.trim() });
    },
  });
}

type Credentials = { password?: string; privateKey?: string; passphrase?: string; credentialId?: string };

/**
 * Jump to a Shell Jump item: asks how to sign in, connects, trusts the host
 * key on first use, and opens the session. `vault` lists the credentials the
 * rep may use for this item (empty when there are none or no vault).
 */
export function openShellJumpDialog(ctx: ConsoleContext, item: JumpItem, vault: VaultChoice[], size: { cols: number; rows: number }, override = false): void {
  const ssh = item.ssh!;
  const kind = h('select', { attrs: { id: 'sj-auth' } }, h('option', { text: 'console.jump.auth.password', attrs: { value: 'password' } }), h('option', { text: 'console.jump.auth.key', attrs: { value: 'key' } }));
  if (vault.length > 0) kind.append(h('option', { text: 'console.jump.auth.vault', attrs: { value: 'vault' } }));
  const password = h('input', { attrs: { id: 'sj-password', type: 'password', autocomplete: 'off', maxlength: '1024' } });
  const key = h('textarea', { attrs: { id: 'sj-key', rows: '5', spellcheck: 'false', autocomplete: 'off', 'aria-describedby': 'sj-key-hint' } });
  const passphrase = h('input', { attrs: { id: 'sj-passphrase', type: 'password', autocomplete: 'off', maxlength: '1024' } });
  const credential = h('select', { attrs: { id: 'sj-credential' } }, ...vault.map((c) => h('option', { raw: `${c.name} (${c.username})`, attrs: { value: c.id } })));
  const passwordField = field('sj-password', 'console.jump.auth.password', password);
  const keyFields = h('div', {}, field('sj-key', 'console.jump.auth.key', key, 'console.jump.auth.keyHint'), field('sj-passphrase', 'console.jump.auth.passphrase', passphrase));
  const vaultField = field('sj-credential', 'console.jump.auth.vault', credential);
  const noVault = vault.length === 0 ? h('p', { class: 'hint', text: 'console.jump.auth.noVault', attrs: { 'data-testid': 'no-vault' } }) : null;
  // Administrators may jump outside the item's policy (F15); the appliance logs it.
  const overrideBox = h('input', { attrs: { type: 'checkbox', id: 'sj-override', checked: override } });
  const overrideField = ctx.store.admin && item.policyId ? h('div', { class: 'field check' }, overrideBox, h('label', { text: 'console.jump.override', attrs: { for: 'sj-override' } })) : null;
  const show = (): void => {
    passwordField.hidden = kind.value !== 'password';
    keyFields.hidden = kind.value !== 'key';
    vaultField.hidden = kind.value !== 'vault';
  };
  kind.addEventListener('change', show);
  show();
  openDialog({
    title: 'console.jump.authTitle',
    titleArgs: { name: item.name },
    content: [h('p', { class: 'hint', text: 'console.jump.authText', args: { target: targetLabel(ssh) } }), field('sj-auth', 'console.jump.auth.method', kind), passwordField, keyFields, vaultField, noVault, overrideField],
    confirm: 'console.jump.connect',
    testId: 'shell-jump-dialog',
    async onConfirm() {
      const creds: Credentials =
        kind.value === 'password' ? { password: password.value } : kind.value === 'key' ? { privateKey: key.value, ...(passphrase.value ? { passphrase: passphrase.value } : {}) } : { credentialId: credential.value };
      try {
        await connect(ctx, item, creds, size, overrideBox.checked, undefined);
      } catch (err) {
        if (!(err instanceof ApiError) || err.code !== 'SSH_HOSTKEY_UNKNOWN' || !err.detail || !FINGERPRINT_PATTERN.test(err.detail)) throw err;
        // First contact: the rep compares the fingerprint, and only then are credentials sent.
        openTrustDialog(ctx, item, err.detail, () => connect(ctx, item, creds, size, overrideBox.checked, err.detail));
      }
    },
  });
}

async function connect(ctx: ConsoleContext, item: JumpItem, creds: Credentials, size: { cols: number; rows: number }, override: boolean, trust: string | undefined): Promise<void> {
  const answer = await ctx.link.request({ t: 'shell_jump_start', itemId: item.id, cols: size.cols, rows: size.rows, ...creds, ...(trust ? { trust } : {}), ...(override ? { override } : {}) }, JUMP_REQUEST_MS);
  if (answer.t === 'shell_jump_started') ctx.openSession(answer.sessionId);
}

function openTrustDialog(ctx: ConsoleContext, item: JumpItem, fingerprint: string, go: () => Promise<void>): void {
  openDialog({
    title: 'console.jump.trustTitle',
    content: [
      h('p', { text: 'console.jump.trustText', args: { target: targetLabel(item.ssh!) } }),
      h('p', {}, h('code', { raw: fingerprint, attrs: { 'data-testid': 'hostkey-fingerprint' } })),
      h('p', { class: 'hint', text: 'console.jump.trustHint' }),
    ],
    confirm: 'console.jump.trust',
    testId: 'hostkey-dialog',
    onConfirm: go,
  });
  void ctx;
}

/** The SSH server's keyboard-interactive questions, answered in a dialog (hidden input unless the server says echo). */
export function openPromptDialog(ctx: ConsoleContext, p: Extract<ApplianceToConsole, { t: 'shell_jump_prompt' }>): void {
  const inputs = p.prompts.map((q, i) => h('input', { attrs: { id: `sj-prompt-${i}`, type: q.echo ? 'text' : 'password', autocomplete: 'off', maxlength: '1024' } }));
  let answered = false;
  const dialog = openDialog({
    title: 'console.jump.promptTitle',
    content: [
      p.name ? h('p', { raw: p.name }) : null,
      p.instructions ? h('p', { class: 'hint', raw: p.instructions }) : null,
      ...p.prompts.map((q, i) => h('div', { class: 'field' }, h('label', { raw: q.prompt, attrs: { for: `sj-prompt-${i}` } }), inputs[i]!)),
    ],
    confirm: 'console.jump.promptSend',
    testId: 'ssh-prompt-dialog',
    async onConfirm() {
      answered = true;
      await ctx.link.request({ t: 'shell_jump_answer', promptId: p.promptId, answers: inputs.map((i) => i.value) });
    },
  });
  // Cancel (or Escape) says so, and the login fails at once instead of waiting.
  dialog.addEventListener('close', () => {
    if (!answered) ctx.link.request({ t: 'shell_jump_answer', promptId: p.promptId, cancel: true }).catch(() => undefined);
  });
}
