/**
 * The Files tab of a session view (F24): the remote side's volumes,
 * breadcrumbs, up, refresh, new folder, rename, delete (confirmed, says it
 * cannot be undone), multi-select, upload (file picker and drag and drop,
 * several files) and download (several files; a folder as a tar archive),
 * with the transfers pane below (files-transfers-pane.ts).
 *
 * Greyed out, with the reason, when the rep's permissions allow no file
 * transfer or the customer joined from a browser; the download button is
 * greyed out for an upload-only rep. The appliance and the customer client
 * check all of this again; the greying only saves the rep a refusal.
 */
import type { FileEntry, Volume } from '../../../common/files-protocol.ts';
import type { FileTransferPermission, RepPermissions } from '../../../common/permissions.ts';
import type { SessionSummary } from '../../../common/sessions.ts';
import { openDialog } from '../ui/dialog.ts';
import { field, h, replace } from '../ui/dom.ts';
import { bindText, t, type MessageKey } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';
import { FilesBrowser } from './files-browser.ts';
import { chooseSaveTarget } from './files-save.ts';
import { startDownload, startUpload, type Transfer } from './files-transfer.ts';
import { transfersPane } from './files-transfers-pane.ts';
import { formatBytes, formatDateTime } from './format.ts';

export interface FilesView {
  readonly el: HTMLElement;
  /** The tab became visible: start browsing on first use. */
  shown(): void;
  /** Session or permissions changed: update the greying (and the volumes, when the allowed paths changed). */
  update(session: SessionSummary | undefined, perms: Pick<RepPermissions, 'fileTransfer' | 'allowedPaths'>): void;
  dispose(): void;
}

/** Joins a folder and a name into a remote path. */
export function joinRemote(dir: string, name: string): string {
  return dir === '/' ? `/${name}` : `${dir}/${name}`;
}

/** The parent of a remote path (`/` stays `/`). */
export function parentOf(p: string): string {
  const i = p.lastIndexOf('/');
  return i <= 0 ? '/' : p.slice(0, i);
}

function isDirLike(e: FileEntry): boolean {
  return e.type === 'dir' || (e.type === 'symlink' && e.targetType === 'dir');
}

export function filesView(ctx: ConsoleContext, sessionId: string): FilesView {
  const browser = new FilesBrowser(ctx, sessionId);
  const idp = `f-${sessionId}`;
  let cwd: string | null = null;
  let entries: FileEntry[] = [];
  const selected = new Set<string>();
  let mode: FileTransferPermission = 'none';
  let unavailable: MessageKey | null = 'files.unavailable.permission';
  let started = false;

  const reason = h('p', { class: 'files-unavailable notice notice-info', attrs: { 'data-testid': 'files-unavailable', role: 'status' } });
  const btn = (text: MessageKey, action: string, cls = 'button secondary small'): HTMLButtonElement =>
    h('button', { class: cls, text, attrs: { type: 'button', 'data-action': action } });
  const up = btn('files.up', 'files-up');
  const refresh = btn('files.refresh', 'files-refresh');
  const newFolder = btn('files.newFolder', 'files-mkdir');
  const upload = btn('files.upload', 'files-upload');
  const download = btn('files.download', 'files-download');
  const del = btn('files.delete', 'files-delete', 'button danger small');
  const picker = h('input', { attrs: { type: 'file', multiple: true, hidden: true, 'data-testid': 'files-input' } });
  const toolbar = h('div', { class: 'files-toolbar', attrs: { role: 'toolbar' } }, up, refresh, newFolder, upload, download, del, picker);
  const volumes = h('ul', { class: 'files-volumes', attrs: { 'data-testid': 'files-volumes' } });
  const crumbs = h('ol', { class: 'files-crumbs', attrs: { 'data-testid': 'files-crumbs' } });
  const all = h('input', { attrs: { type: 'checkbox', 'aria-label': 'select all' } });
  const body = h('tbody');
  const status = h('p', { class: 'files-status muted', attrs: { role: 'status' } });
  const table = h(
    'table',
    { class: 'files-table', attrs: { 'data-testid': 'files-table' } },
    h('thead', {}, h('tr', {}, h('th', {}, all), h('th', { text: 'files.col.name' }), h('th', { text: 'files.col.size' }), h('th', { text: 'files.col.modified' }), h('th', { text: 'files.col.actions' }))),
    body,
  );
  const drop = h('div', { class: 'files-drop', attrs: { 'data-testid': 'files-drop' } }, crumbs, table, status, h('p', { class: 'hint', text: 'files.dropHint' }));
  const transfers = transfersPane();
  const main = h('div', { class: 'files-main' }, h('nav', { class: 'files-side card', i18nAttrs: { 'aria-label': 'files.volumes' } }, h('h3', { text: 'files.volumes' }), volumes), h('div', { class: 'files-pane card' }, toolbar, drop));
  const el = h('section', { class: 'files-view', attrs: { 'data-testid': 'files-view', id: idp } }, reason, main, transfers.el);

  const fail = (err: unknown): void => ctx.notice.error(err);

  const renderButtons = (): void => {
    const off = unavailable !== null || cwd === null;
    for (const b of [up, refresh, newFolder, upload]) b.disabled = off;
    del.disabled = off || selected.size === 0;
    download.disabled = off || selected.size === 0 || mode !== 'both';
    // Says why, on hover and to screen readers.
    download.title = mode === 'upload' ? t('files.uploadOnly') : '';
    up.disabled = off || cwd === '/';
    all.checked = entries.length > 0 && selected.size === entries.length;
  };

  const renderCrumbs = (): void => {
    if (cwd === null) return replace(crumbs);
    const parts = cwd.split('/').filter(Boolean);
    const items: HTMLElement[] = [h('li', {}, h('button', { class: 'link-button', raw: '/', attrs: { type: 'button', 'data-path': '/' }, on: { click: () => void open('/') } }))];
    let acc = '';
    for (const p of parts) {
      acc += `/${p}`;
      const target = acc;
      items.push(h('li', {}, h('button', { class: 'link-button', raw: p, attrs: { type: 'button', 'data-path': target }, on: { click: () => void open(target) } })));
    }
    replace(crumbs, ...items);
  };

  const row = (e: FileEntry): HTMLElement => {
    const path = joinRemote(cwd!, e.name);
    const box = h('input', { attrs: { type: 'checkbox', 'aria-label': e.name } });
    box.checked = selected.has(e.name);
    box.addEventListener('change', () => {
      if (box.checked) selected.add(e.name);
      else selected.delete(e.name);
      renderButtons();
    });
    const kind: MessageKey = e.type === 'symlink' ? 'files.type.symlink' : isDirLike(e) ? 'files.type.dir' : e.type === 'file' ? 'files.type.file' : 'files.type.other';
    const name = isDirLike(e)
      ? h('button', { class: 'link-button', raw: e.name, attrs: { type: 'button' }, on: { click: () => void open(path) } })
      : h('span', { raw: e.name });
    const label = h('td', { class: 'files-name' }, h('span', { class: `files-icon files-icon-${e.type}`, text: kind }), name, e.type === 'symlink' && e.target ? h('span', { class: 'muted files-target', raw: `→ ${e.target}` }) : null);
    const rename = h('button', { class: 'button secondary small', text: 'files.rename', attrs: { type: 'button', 'data-action': 'files-rename' }, on: { click: () => renameDialog(e) } });
    const rm = h('button', { class: 'button secondary small', text: 'files.delete', attrs: { type: 'button', 'data-action': 'files-delete-one' }, on: { click: () => deleteDialog([e.name]) } });
    const dl = h('button', { class: 'button secondary small', text: 'files.download', attrs: { type: 'button', 'data-action': 'files-download-one' }, on: { click: () => void downloadNames([e.name]) } });
    dl.disabled = mode !== 'both';
    return h(
      'tr',
      { attrs: { 'data-name': e.name, 'data-type': e.type } },
      h('td', {}, box),
      label,
      h('td', { class: 'num', raw: e.type === 'file' || e.targetType === 'file' ? formatBytes(e.size) : '' }),
      h('td', { raw: formatDateTime(e.mtime) }),
      h('td', { class: 'files-actions' }, dl, rename, rm),
    );
  };

  const renderList = (): void => {
    replace(body, ...entries.map(row));
    renderButtons();
  };

  async function open(path: string): Promise<void> {
    try {
      const r = await browser.list(path);
      cwd = r.path;
      entries = r.entries;
      selected.clear();
      renderCrumbs();
      renderList();
      if (r.more > 0) bindText(status, 'files.more', { n: r.more });
      else bindText(status, 'files.count', { n: entries.length });
    } catch (err) {
      fail(err);
    }
  }

  async function loadVolumes(): Promise<void> {
    try {
      const r = await browser.volumes();
      replace(
        volumes,
        ...r.volumes.map((v: Volume) =>
          h('li', {}, h('button', { class: 'link-button', raw: v.path, attrs: { type: 'button', 'data-path': v.path, title: v.kind }, on: { click: () => void open(v.path) } })),
        ),
      );
      const start = r.volumes.find((v) => v.kind === 'home') ?? r.volumes[0];
      if (start) await open(start.path);
      else bindText(status, 'files.noVolumes');
    } catch (err) {
      started = false;
      fail(err);
    }
  }

  const renameDialog = (e: FileEntry): void => {
    const input = h('input', { attrs: { type: 'text', maxlength: '255', autocomplete: 'off' } });
    input.value = e.name;
    const dir = cwd!;
    openDialog({
      title: 'files.rename.title',
      titleArgs: { name: e.name },
      content: [field(`${idp}-rename`, 'files.rename.name', input)],
      confirm: 'files.rename',
      testId: 'files-rename-dialog',
      onConfirm: async () => {
        await browser.rename(joinRemote(dir, e.name), joinRemote(dir, input.value));
      },
      afterConfirm: () => void open(dir),
    });
  };

  const mkdirDialog = (): void => {
    const input = h('input', { attrs: { type: 'text', maxlength: '255', autocomplete: 'off' } });
    const dir = cwd!;
    openDialog({
      title: 'files.newFolder.title',
      content: [field(`${idp}-mkdir`, 'files.newFolder.name', input)],
      confirm: 'files.newFolder',
      testId: 'files-mkdir-dialog',
      onConfirm: async () => {
        await browser.mkdir(joinRemote(dir, input.value));
      },
      afterConfirm: () => void open(dir),
    });
  };

  const deleteDialog = (names: string[]): void => {
    const dir = cwd!;
    openDialog({
      title: 'files.delete.title',
      titleArgs: { n: names.length },
      content: [h('p', { text: 'files.delete.body' }), h('ul', { class: 'files-delete-list' }, ...names.map((n) => h('li', { raw: n })))],
      confirm: 'files.delete',
      danger: true,
      testId: 'files-delete-dialog',
      onConfirm: async () => {
        for (const n of names) await browser.delete(joinRemote(dir, n));
      },
      afterConfirm: () => void open(dir),
    });
  };

  async function downloadNames(names: string[]): Promise<void> {
    if (mode !== 'both' || cwd === null) return;
    const dir = cwd;
    const chosen = names.map((n) => entries.find((e) => e.name === n)).filter((e): e is FileEntry => Boolean(e));
    // The picker must be asked for within the click; names of folders get .tar.
    const sinks = await chooseSaveTarget(chosen.map((e) => (isDirLike(e) ? `${e.name}.tar` : e.name))).catch((err: unknown) => (fail(err), undefined));
    if (!sinks) return;
    for (const e of chosen) transfers.add(startDownload(ctx, sessionId, joinRemote(dir, e.name), e.name, sinks, transfers.changed));
  }

  /**
   * Uploads into the folder on screen. Files whose names are taken there are
   * never replaced silently: the rep confirms replacing them, or uploads only
   * the new ones.
   */
  const uploadFiles = (files: readonly File[]): void => {
    if (unavailable || cwd === null || files.length === 0) return;
    const taken = new Set(entries.map((e) => e.name));
    const clashes = files.filter((f) => taken.has(f.name));
    if (clashes.length === 0) return uploadNow(files, false);
    const fresh = files.filter((f) => !taken.has(f.name));
    const onlyNew = h('button', { class: 'button secondary', text: 'files.replace.onlyNew', attrs: { type: 'button', 'data-action': 'files-only-new', hidden: fresh.length === 0 } });
    const dialog = openDialog({
      title: 'files.replace.title',
      titleArgs: { n: clashes.length },
      content: [h('p', { text: 'files.replace.body' }), h('ul', {}, ...clashes.map((f) => h('li', {}, h('code', { raw: f.name })))), h('div', { class: 'form-actions' }, onlyNew)],
      confirm: 'files.replace.confirm',
      danger: true,
      testId: 'files-replace-dialog',
      async onConfirm() {
        uploadNow(files, true);
      },
    });
    onlyNew.addEventListener('click', () => {
      dialog.close();
      uploadNow(fresh, false);
    });
  };

  const uploadNow = (files: readonly File[], overwrite: boolean): void => {
    if (cwd === null || files.length === 0) return;
    const dir = cwd;
    const batch: Transfer[] = [];
    let refreshed = false;
    const changed = (): void => {
      transfers.changed();
      // Show the new files once every upload of this batch has ended.
      if (!refreshed && batch.length === files.length && batch.every((x) => x.state !== 'running')) {
        refreshed = true;
        if (cwd === dir) void open(dir);
      }
    };
    for (const f of files) batch.push(transfers.add(startUpload(ctx, sessionId, f, joinRemote(dir, f.name), changed, overwrite)));
  };

  up.addEventListener('click', () => cwd && void open(parentOf(cwd)));
  refresh.addEventListener('click', () => cwd && void open(cwd));
  newFolder.addEventListener('click', () => mkdirDialog());
  upload.addEventListener('click', () => picker.click());
  picker.addEventListener('change', () => {
    uploadFiles([...(picker.files ?? [])]);
    picker.value = '';
  });
  download.addEventListener('click', () => void downloadNames([...selected]));
  del.addEventListener('click', () => selected.size > 0 && deleteDialog([...selected]));
  all.addEventListener('change', () => {
    selected.clear();
    if (all.checked) for (const e of entries) selected.add(e.name);
    renderList();
  });
  drop.addEventListener('dragover', (ev) => {
    if (unavailable || cwd === null) return;
    ev.preventDefault();
    drop.classList.add('dragging');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('dragging'));
  drop.addEventListener('drop', (ev) => {
    drop.classList.remove('dragging');
    if (unavailable || cwd === null) return;
    ev.preventDefault();
    uploadFiles([...(ev.dataTransfer?.files ?? [])]);
  });

  const applyAvailability = (): void => {
    reason.hidden = unavailable === null;
    if (unavailable) bindText(reason, unavailable);
    main.classList.toggle('disabled', unavailable !== null);
    main.setAttribute('aria-disabled', String(unavailable !== null));
    renderButtons();
    if (cwd !== null) renderList();
  };

  let visible = false;
  let allowedKey = '';
  const start = (): void => {
    if (started || unavailable || !visible) return;
    started = true;
    void loadVolumes();
  };

  return {
    el,
    shown() {
      visible = true;
      start();
    },
    update(session, perms) {
      const m = perms.fileTransfer;
      const paths = perms.allowedPaths.join('\n');
      // Other allowed paths mean other volumes: browse again from the new ones.
      if (started && paths !== allowedKey) {
        // The client learns a rep's paths when the channel opens: a new grant needs a new channel.
        browser.close();
        started = false;
        cwd = null;
        entries = [];
        replace(body);
        replace(crumbs);
      }
      allowedKey = paths;
      mode = m;
      if (session?.kind === 'browser') unavailable = 'files.unavailable.browser';
      else if (session?.kind === 'ssh') unavailable = 'files.unavailable.ssh';
      else if (m === 'none') unavailable = 'files.unavailable.permission';
      else if (session && !session.customerConnected) unavailable = 'files.unavailable.offline';
      else unavailable = null;
      applyAvailability();
      start();
    },
    dispose() {
      browser.close();
      transfers.dispose();
    },
  };
}
