/**
 * The permission controls shared by the user dialog and the team card:
 * screen sharing (none / view / view and control), privacy screen, special
 * actions, command shell, file transfer (none / upload / both) and allowed
 * paths (one absolute path per line; blank = anywhere). `read()` returns the
 * grant as the API takes it; the appliance checks it strictly and answers
 * bad paths with a coded error shown by the caller.
 */
import { FILE_TRANSFER_LEVELS, SCREEN_LEVELS, type FileTransferPermission, type RepPermissions, type ScreenPermission } from '../../../common/permissions.ts';
import { field, h } from '../ui/dom.ts';
import type { MessageKey } from '../ui/i18n.ts';

/**
 * A read-only line saying what a set of permissions allows, e.g. the
 * effective set of a user with their teams: "Screen sharing: View and control ·
 * Command shell · File transfer: Upload only (/srv)".
 */
export function permissionSummary(p: RepPermissions, testId: string): HTMLElement {
  const parts: HTMLElement[] = [h('span', { text: 'perms.screen' }), h('span', { raw: ': ' }), h('span', { text: `perms.screen.${p.screen}` })];
  const flag = (on: boolean, key: MessageKey): void => {
    if (on) parts.push(h('span', { raw: ' · ' }), h('span', { text: key }));
  };
  flag(p.privacyScreen, 'perms.privacyScreen.short');
  flag(p.specialActions, 'perms.specialActions');
  flag(p.shell, 'perms.shell');
  flag(p.shellJump, 'perms.shellJump.short');
  parts.push(h('span', { raw: ' · ' }), h('span', { text: 'perms.fileTransfer' }), h('span', { raw: ': ' }), h('span', { text: `perms.fileTransfer.${p.fileTransfer}` }));
  if (p.fileTransfer !== 'none') {
    parts.push(h('span', { raw: ' (' }), p.allowedPaths.length ? h('span', { raw: p.allowedPaths.join(', ') }) : h('span', { text: 'perms.anywhere' }), h('span', { raw: ')' }));
  }
  return h('p', { class: 'permission-summary', attrs: { 'data-testid': testId } }, h('strong', { text: 'perms.effective' }), h('span', { raw: ' ' }), ...parts);
}

export interface PermissionFields {
  readonly el: HTMLElement;
  read(): RepPermissions;
  set(grant: RepPermissions): void;
}

function select<T extends string>(levels: readonly T[], key: (v: T) => MessageKey, name: string): HTMLSelectElement {
  return h('select', { attrs: { name } }, ...levels.map((v) => h('option', { text: key(v), attrs: { value: v } })));
}

function check(id: string, name: string, label: MessageKey): { box: HTMLInputElement; el: HTMLElement } {
  const box = h('input', { attrs: { type: 'checkbox', id, name } });
  return { box, el: h('div', { class: 'field check' }, box, h('label', { text: label, attrs: { for: id } })) };
}

/** `prefix` keeps ids unique when several forms are on one page (e.g. one per team). */
export function permissionFields(prefix: string, grant: RepPermissions): PermissionFields {
  const screen = select(SCREEN_LEVELS, (v) => `perms.screen.${v}`, 'screen');
  const fileTransfer = select(FILE_TRANSFER_LEVELS, (v) => `perms.fileTransfer.${v}`, 'fileTransfer');
  const privacy = check(`${prefix}-privacy`, 'privacyScreen', 'perms.privacyScreen');
  const special = check(`${prefix}-special`, 'specialActions', 'perms.specialActions');
  const shell = check(`${prefix}-shell`, 'shell', 'perms.shell');
  const shellJump = check(`${prefix}-shell-jump`, 'shellJump', 'perms.shellJump');
  const pathsId = `${prefix}-paths`;
  const paths = h('textarea', { attrs: { id: pathsId, name: 'allowedPaths', rows: '3', spellcheck: 'false', autocapitalize: 'none', 'aria-describedby': `${pathsId}-hint` } });
  const el = h(
    'fieldset',
    { class: 'permissions', attrs: { 'data-testid': `${prefix}-permissions` } },
    h('legend', { text: 'perms.title' }),
    field(`${prefix}-screen`, 'perms.screen', screen),
    privacy.el,
    special.el,
    shell.el,
    shellJump.el,
    field(`${prefix}-file-transfer`, 'perms.fileTransfer', fileTransfer),
    h(
      'div',
      { class: 'field' },
      h('label', { text: 'perms.allowedPaths', attrs: { for: pathsId } }),
      paths,
      h('p', { class: 'hint', text: 'perms.allowedPaths.help', attrs: { id: `${pathsId}-hint` } }),
    ),
  );
  const set = (g: RepPermissions): void => {
    screen.value = g.screen;
    fileTransfer.value = g.fileTransfer;
    privacy.box.checked = g.privacyScreen;
    special.box.checked = g.specialActions;
    shell.box.checked = g.shell;
    shellJump.box.checked = g.shellJump;
    paths.value = g.allowedPaths.join('\n');
  };
  set(grant);
  return {
    el,
    set,
    read: () => ({
      screen: screen.value as ScreenPermission,
      privacyScreen: privacy.box.checked,
      specialActions: special.box.checked,
      shell: shell.box.checked,
      shellJump: shellJump.box.checked,
      fileTransfer: fileTransfer.value as FileTransferPermission,
      allowedPaths: paths.value
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== ''),
    }),
  };
}
