/**
 * The Jump Items tab (F12): the jump items this rep may reach — their
 * own, their teams', every one for administrators — with name, method,
 * group, status, computer and last access, a filter, and per item Jump
 * (start a session, owned by the rep, and open it) and Remove (confirmed;
 * a jump client uninstalls itself). Reps allowed to (and administrators)
 * add Shell Jump items (SSH hosts, F13) and Remote VNC items (VNC servers
 * the appliance connects to) and edit the ones they manage.
 * Below the items: the vault credentials the rep may use, with Check in for
 * the ones they hold (web/src/console/vault-section.ts). The list is loaded when the tab is first shown
 * and kept current by the appliance's `jump_item` / `jump_gone` messages.
 */
import type { JumpItem } from '../../../common/jump.ts';
import { targetLabel } from '../../../common/shell-jump.ts';
import { api, ApiError } from '../net/api.ts';
import { h, replace } from '../ui/dom.ts';
import { openDialog } from '../ui/dialog.ts';
import type { ConsoleContext } from './console-context.ts';
import { formatDateTime } from './format.ts';
import { supportButtonsSection } from './support-buttons.ts';
import { openPromptDialog, openShellItemDialog, openShellJumpDialog, type VaultChoice } from './shell-jump-dialogs.ts';
import { vaultSection } from './vault-section.ts';
import { openVncItemDialog, openVncJumpDialog } from './vnc-dialogs.ts';
import { vncLabel } from '../../../common/remote-vnc.ts';

/** A jump's session shows up within this time or the rep is told it did not start. */
const JUMP_WAIT_MS = 20_000;

export interface JumpView {
  readonly el: HTMLElement;
  shown(): void;
}

export function jumpView(ctx: ConsoleContext): JumpView {
  const { store } = ctx;
  const filter = h('input', { attrs: { type: 'search', id: 'jump-filter', autocomplete: 'off', maxlength: '100' }, i18nAttrs: { placeholder: 'console.jump.filter', 'aria-label': 'console.jump.filter' } });
  const body = h('tbody', {});
  const table = h(
    'table',
    { class: 'data-table', attrs: { id: 'jump-table', 'aria-labelledby': 'jump-title' } },
    h('thead', {}, h('tr', {}, ...(['console.jump.col.name', 'console.jump.col.method', 'console.jump.col.group', 'console.jump.col.status', 'console.jump.col.computer', 'console.jump.col.last', 'console.jump.col.policy', 'console.jump.col.actions'] as const).map((k) => h('th', { text: k, attrs: { scope: 'col' } })))),
    body,
  );
  let loaded = false;
  const buttons = supportButtonsSection(ctx);
  const vault = vaultSection(ctx);
  let policies: Array<{ id: string; name: string }> = [];

  /** A jump refused by its policy: say when it opens; administrators may jump anyway. */
  const refusedByPolicy = (item: JumpItem, err: ApiError): void => {
    const when = err.detail && err.detail !== 'never' ? formatDateTime(Date.parse(err.detail)) : '';
    if (!store.admin) return ctx.notice.info(when ? 'console.jump.policyNext' : 'console.jump.policyNever', { name: item.name, when });
    openDialog({
      title: 'console.jump.overrideTitle',
      titleArgs: { name: item.name },
      content: [h('p', { text: when ? 'console.jump.policyNext' : 'console.jump.policyNever', args: { name: item.name, when } }), h('p', { class: 'hint', text: 'console.jump.overrideHint' })],
      confirm: 'console.jump.override',
      danger: true,
      testId: 'jump-override-dialog',
      async onConfirm() {
        await ctx.link.request({ t: 'jump_start', itemId: item.id, override: true });
        openWhenStarted(item);
      },
    });
  };

  const openWhenStarted = (item: JumpItem): void => {
    const since = Date.now();
    const find = (): string | undefined => {
      for (const s of store.sessions.values()) if (s.source === 'jump' && s.owner?.id === store.me.id && s.customer.name === item.name && s.createdAt >= since - 5000) return s.id;
      return undefined;
    };
    const timer = setTimeout(() => {
      stop();
      ctx.notice.info('console.jump.noSession', { name: item.name });
    }, JUMP_WAIT_MS);
    const stop = store.subscribe((topic) => {
      if (topic.kind !== 'sessions') return;
      const id = find();
      if (!id) return;
      clearTimeout(timer);
      stop();
      ctx.openSession(id);
    });
  };

  /** A Shell Jump: ask how to sign in (the vault's matching credentials offered), then connect. */
  const shellJump = async (item: JumpItem, override = false): Promise<void> => {
    let vault: VaultChoice[] = [];
    try {
      const answer = await ctx.link.request({ t: 'vault_list', itemId: item.id });
      if (answer.t === 'vault_credentials') vault = answer.credentials;
    } catch {
      // No vault credentials for this rep: typed credentials only.
    }
    openShellJumpDialog(ctx, item, vault, { cols: 80, rows: 24 }, override);
  };

  /** A Remote VNC jump: a typed password, none, or a vault password bound to its host. */
  const vncJump = async (item: JumpItem): Promise<void> => {
    let vault: VaultChoice[] = [];
    try {
      const answer = await ctx.link.request({ t: 'vault_list', itemId: item.id });
      if (answer.t === 'vault_credentials') vault = answer.credentials.filter((c) => c.kind === 'password');
    } catch {
      // No vault credentials for this rep: a typed password only.
    }
    openVncJumpDialog(ctx, item, vault);
  };

  const row = (item: JumpItem): HTMLElement => {
    const jump = h('button', { class: 'button primary small', text: 'console.jump.jump', attrs: { type: 'button', 'data-action': 'jump' } });
    if (!item.online) jump.setAttribute('aria-disabled', 'true');
    jump.addEventListener('click', () => {
      if (item.method === 'shell_jump') return void shellJump(item);
      // A Remote VNC item shown offline (its server dropped) may be back: the jump simply tries.
      if (item.method === 'remote_vnc') return void vncJump(item);
      if (jump.getAttribute('aria-disabled') === 'true') return ctx.notice.info('console.jump.offline', { name: item.name });
      jump.setAttribute('aria-busy', 'true');
      ctx.link.request({ t: 'jump_start', itemId: item.id }).then(
        () => {
          jump.removeAttribute('aria-busy');
          openWhenStarted(item);
        },
        (err: unknown) => {
          jump.removeAttribute('aria-busy');
          if (err instanceof ApiError && err.code === 'JUMP_POLICY') refusedByPolicy(item, err);
          else ctx.notice.error(err);
        },
      );
    });
    const remove = h('button', { class: 'button danger small', text: 'console.jump.remove', attrs: { type: 'button', 'data-action': 'remove', hidden: !item.canManage } });
    const edit = h('button', { class: 'button secondary small', text: 'console.jump.editShell', attrs: { type: 'button', 'data-action': 'edit', hidden: !item.canManage || item.method === 'jump_client' } });
    edit.addEventListener('click', () => (item.method === 'remote_vnc' ? openVncItemDialog(ctx, policies, item) : openShellItemDialog(ctx, policies, item)));
    let policyCell: HTMLElement;
    if (item.canManage && policies.length > 0) {
      const select = h('select', { attrs: { 'data-action': 'policy' }, i18nAttrs: { 'aria-label': 'console.jump.col.policy' } }, h('option', { text: 'console.jump.anyTime', attrs: { value: '' } }));
      for (const p of policies) select.append(h('option', { raw: p.name, attrs: { value: p.id, selected: p.id === item.policyId } }));
      select.addEventListener('change', () => ctx.link.request({ t: 'jump_set_policy', itemId: item.id, policyId: select.value }).catch((err: unknown) => ctx.notice.error(err)));
      policyCell = h('td', {}, select);
    } else policyCell = item.policyName ? h('td', { raw: item.policyName }) : h('td', { text: 'console.jump.anyTime' });
    remove.addEventListener('click', () =>
      openDialog({
        title: 'console.jump.removeTitle',
        titleArgs: { name: item.name },
        content: [h('p', { text: 'console.jump.removeText' })],
        confirm: 'console.jump.remove',
        danger: true,
        testId: 'jump-remove-dialog',
        async onConfirm() {
          await ctx.link.request({ t: 'jump_remove', itemId: item.id });
          ctx.notice.success('console.jump.removed', { name: item.name });
        },
      }),
    );
    return h(
      'tr',
      { attrs: { 'data-testid': `jump-${item.id}`, 'data-online': String(item.online) } },
      h('td', { raw: item.name }),
      h('td', { text: `console.jump.method.${item.method}` }),
      h('td', { raw: item.group.kind === 'personal' ? '' : item.groupName }, item.group.kind === 'personal' ? h('span', { text: 'console.jump.personal' }) : null),
      item.method === 'shell_jump'
        ? h('td', {}, h('span', { class: 'presence on', text: 'console.jump.ssh' }))
        : h('td', {}, h('span', { class: item.online ? 'presence on' : 'presence', text: item.online ? 'console.jump.online' : 'console.jump.offlineShort' })),
      h('td', { raw: item.ssh ? targetLabel(item.ssh) : item.vnc ? vncLabel(item.vnc) : [item.hostname, item.os].filter(Boolean).join(' · ') }),
      h('td', { raw: item.lastAccessed ? formatDateTime(item.lastAccessed) : '—' }),
      policyCell,
      h('td', { class: 'actions' }, jump, edit, remove),
    );
  };

  const render = (): void => {
    const text = filter.value.trim().toLowerCase();
    const items = [...store.jumpItems.values()]
      .filter((i) => !text || [i.name, i.groupName, i.hostname, i.os, i.user].some((v) => v.toLowerCase().includes(text)))
      .sort((a, b) => Number(b.online) - Number(a.online) || a.name.localeCompare(b.name));
    if (items.length === 0) replace(body, h('tr', { class: 'empty-row' }, h('td', { text: store.jumpItems.size ? 'console.jump.noMatch' : 'console.jump.empty', attrs: { colspan: '8' } })));
    else replace(body, ...items.map(row));
  };
  filter.addEventListener('input', render);
  store.subscribe((topic) => {
    if (topic.kind === 'jump') render();
    else if (topic.kind === 'ssh_prompt') openPromptDialog(ctx, topic.prompt);
    else if (topic.kind === 'permissions') renderNew();
  });
  const newItem = h('button', { class: 'button secondary', text: 'console.jump.newShell', attrs: { type: 'button', 'data-action': 'new-shell-jump' } });
  newItem.addEventListener('click', () => openShellItemDialog(ctx, policies));
  const newVnc = h('button', { class: 'button secondary', text: 'console.jump.newVnc', attrs: { type: 'button', 'data-action': 'new-vnc' } });
  newVnc.addEventListener('click', () => openVncItemDialog(ctx, policies));
  const renderNew = (): void => {
    // One permission covers both appliance-side jumps: "create Shell Jump and Remote VNC items".
    newItem.hidden = newVnc.hidden = !(store.admin || store.permissions.shellJump);
  };
  renderNew();

  const el = h(
    'section',
    { class: 'view jump-view', attrs: { 'aria-labelledby': 'jump-title', hidden: true } },
    h('div', { class: 'view-head' }, h('h1', { text: 'console.jump.title', attrs: { id: 'jump-title' } }), filter, newItem, newVnc),
    h('p', { class: 'hint', text: 'console.jump.lead' }),
    h('div', { class: 'card' }, table),
    vault.el,
    buttons.el,
  );
  render();
  return {
    el,
    shown() {
      buttons.load();
      vault.load();
      // Policies change rarely and are not pushed: fetched each time the tab is shown.
      api<{ policies: Array<{ id: string; name: string }> }>('GET', '/api/admin/jump-policies').then(
        (r) => {
          policies = r.policies;
          render();
        },
        () => undefined,
      );
      if (loaded) return;
      ctx.link.request({ t: 'jump_list' }).then(
        () => {
          loaded = true;
        },
        (err: unknown) => ctx.notice.error(err),
      );
    },
  };
}

/** The owner's "Pin as jump client" dialog (F16): a name and whose list it goes to. */
export function openPinDialog(ctx: ConsoleContext, sessionId: string, suggestedName: string): void {
  const name = h('input', { attrs: { id: 'pin-name', maxlength: '100', autocomplete: 'off', value: suggestedName } });
  const group = h('select', { attrs: { id: 'pin-group' } }, h('option', { text: 'console.jump.personal', attrs: { value: 'personal' } }));
  for (const q of ctx.store.queues) if (q.kind === 'team') group.append(h('option', { raw: q.name, attrs: { value: q.id.slice('team:'.length) } }));
  openDialog({
    title: 'console.jump.pinTitle',
    content: [
      h('p', { class: 'hint', text: 'console.jump.pinText' }),
      h('div', { class: 'field' }, h('label', { text: 'console.jump.col.name', attrs: { for: 'pin-name' } }), name),
      h('div', { class: 'field' }, h('label', { text: 'console.jump.col.group', attrs: { for: 'pin-group' } }), group),
    ],
    confirm: 'console.jump.pin',
    testId: 'pin-dialog',
    async onConfirm() {
      await ctx.link.request({ t: 'jump_pin', sessionId, group: group.value, ...(name.value.trim() ? { name: name.value.trim() } : {}) });
      ctx.notice.success('console.jump.pinned', { name: name.value.trim() || suggestedName });
    },
  });
}
