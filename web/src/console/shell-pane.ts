/**
 * The session view's command-shell pane (F23): one tab per shell of the
 * session, a "New shell" button, a close button per tab, and the stored
 * recordings with replay. Shells belong to the session, not to this page:
 * every member sees every shell (the appliance pushes `shells`), and a
 * reload attaches to the running ones again with their recent output.
 *
 * The pane is greyed out with the reason when the rep may not use shells
 * (permissions), when the customer runs no client (click-to-chat in a
 * browser) or is not connected; the appliance refuses those cases anyway.
 */
import type { ShellInfo, ShellRecordingInfo } from '../../../common/shell-protocol.ts';
import { api } from '../net/api.ts';
import { openChannel } from '../net/channel-socket.ts';
import { h, replace } from '../ui/dom.ts';
import { bindText, type MessageKey } from '../ui/i18n.ts';
import type { ConsoleContext } from './console-context.ts';
import { formatTime } from './format.ts';
import { openShellReplay } from './shell-replay.ts';
import { ShellTerminal } from './shell-terminal.ts';

interface Tab {
  info: ShellInfo;
  term: ShellTerminal;
  button: HTMLButtonElement;
  close: HTMLButtonElement;
  item: HTMLElement;
}

export interface ShellPane {
  readonly el: HTMLElement;
  /** The pane became visible: fit the active terminal, load the shells once. */
  shown(): void;
  dispose(): void;
}

/** Why shells cannot be used here now, or undefined when they can. */
export function shellBlocked(ctx: ConsoleContext, sessionId: string): MessageKey | undefined {
  const s = ctx.store.sessions.get(sessionId);
  if (!s) return 'console.shell.unavailableHere';
  if (s.kind === 'browser') return 'console.shell.browserCustomer';
  if (!ctx.store.permissions.shell) return 'console.shell.noPermission';
  if (!s.customerConnected) return s.kind === 'ssh' ? 'console.shell.sshEnded' : 'console.shell.customerOffline';
  return undefined;
}

/** `onRunning` is called when the session has running shells (on load, or another member opened one). */
export function shellPane(ctx: ConsoleContext, sessionId: string, onRunning: () => void): ShellPane {
  const tabs = new Map<string, Tab>();
  let active: string | undefined;
  let loaded = false;
  /** Opens in flight: `shells` pushes wait for them, so a new shell is not attached twice. */
  let opening: Promise<unknown> = Promise.resolve();

  const tabList = h('div', { class: 'shell-tabs', attrs: { role: 'tablist', 'data-testid': 'shell-tabs' } });
  const newShell = h('button', { class: 'button secondary small', text: 'console.shell.new', attrs: { type: 'button', 'data-action': 'shell-new' } });
  const blocked = h('p', { class: 'shell-blocked muted', attrs: { 'data-testid': 'shell-blocked', hidden: true } });
  const screen = h('div', { class: 'shell-screen', attrs: { 'data-testid': 'shell-screen' } });
  const empty = h('p', { class: 'shell-empty muted', text: 'console.shell.empty' });
  const recordings = h('ul', { class: 'shell-recordings', attrs: { 'data-testid': 'shell-recordings' } });
  const recordingsBox = h('details', { class: 'shell-recordings-box' }, h('summary', { text: 'console.shell.recordings' }), recordings);

  const el = h(
    'section',
    { class: 'card shell-pane', attrs: { 'aria-labelledby': `s-${sessionId}-shell-title`, 'data-testid': 'shell-pane' } },
    h('div', { class: 'pane-head' }, h('h2', { text: 'console.shell.title', attrs: { id: `s-${sessionId}-shell-title` } }), tabList, newShell),
    blocked,
    screen,
    empty,
    recordingsBox,
  );

  const renderBlocked = (): void => {
    const why = shellBlocked(ctx, sessionId);
    blocked.hidden = !why;
    if (why) bindText(blocked, why);
    el.classList.toggle('is-blocked', Boolean(why));
    if (why) newShell.setAttribute('aria-disabled', 'true');
    else newShell.removeAttribute('aria-disabled');
    empty.hidden = tabs.size > 0;
  };

  const select = (id: string | undefined): void => {
    active = id;
    for (const [tid, tab] of tabs) {
      const on = tid === id;
      tab.button.setAttribute('aria-selected', String(on));
      tab.button.tabIndex = on ? 0 : -1;
      tab.term.el.hidden = !on;
      if (on) {
        tab.term.refit();
        tab.term.focus();
      }
    }
    empty.hidden = tabs.size > 0;
  };

  const removeTab = (id: string): void => {
    const tab = tabs.get(id);
    if (!tab) return;
    tab.term.dispose();
    tab.item.remove();
    tabs.delete(id);
    if (active === id) select([...tabs.keys()].at(-1));
    renderBlocked();
    void loadRecordings();
  };

  const addTab = (info: ShellInfo, term: ShellTerminal): Tab => {
    const button = h('button', { class: 'shell-tab', raw: info.title, attrs: { type: 'button', role: 'tab', 'data-shell': info.id, 'aria-selected': 'false' } });
    const close = h('button', { class: 'shell-tab-close', raw: '×', i18nAttrs: { 'aria-label': 'console.shell.close', title: 'console.shell.close' }, attrs: { type: 'button', 'data-action': 'shell-close' } });
    const item = h('span', { class: 'shell-tab-item' }, button, close);
    const tab: Tab = { info, term, button, close, item };
    button.addEventListener('click', () => select(info.id));
    close.addEventListener('click', () => {
      if (term.state === 'running' || term.state === 'connecting') {
        ctx.link.request({ t: 'shell_close', sessionId, shellId: info.id }).then(
          () => removeTab(info.id),
          (err: unknown) => ctx.notice.error(err),
        );
      } else removeTab(info.id);
    });
    tabs.set(info.id, tab);
    tabList.append(item);
    screen.append(term.el);
    return tab;
  };

  const newTerminal = (id: () => string | undefined): ShellTerminal =>
    new ShellTerminal({
      state: (state) => {
        const tab = tabs.get(id() ?? '');
        if (tab) tab.button.dataset.state = state;
      },
    });

  const attach = async (info: ShellInfo): Promise<void> => {
    if (tabs.has(info.id)) return;
    const term = newTerminal(() => info.id);
    addTab(info, term);
    if (!active) select(info.id);
    else term.el.hidden = true;
    try {
      const answer = await ctx.link.request({ t: 'shell_attach', sessionId, shellId: info.id });
      if (answer.t === 'channel_ticket') term.attach(openChannel(answer.ticket));
    } catch (err) {
      ctx.notice.error(err);
      removeTab(info.id);
    }
  };

  const reconcile = (list: readonly ShellInfo[]): void => {
    void opening.then(() => {
      for (const info of list) void attach(info);
    });
  };

  newShell.addEventListener('click', () => {
    const why = shellBlocked(ctx, sessionId);
    if (why) return ctx.notice.info(why);
    // The size this pane offers: measured by a terminal of the active tab, or xterm's 80×24.
    const size = (active ? tabs.get(active)?.term.proposed() : undefined) ?? { cols: 80, rows: 24 };
    const term = newTerminal(() => shellId);
    let shellId: string | undefined;
    const run = ctx.link.request({ t: 'shell_open', sessionId, cols: size.cols, rows: size.rows }).then(
      (answer) => {
        if (answer.t !== 'channel_ticket') return;
        shellId = answer.channelId;
        const known = ctx.store.shells.get(sessionId)?.find((s) => s.id === shellId);
        addTab(known ?? { id: shellId, title: '…', openedBy: ctx.store.me.name, openedAt: Date.now(), recording: false }, term);
        term.attach(openChannel(answer.ticket));
        select(shellId);
        renderBlocked();
      },
      (err: unknown) => {
        term.dispose();
        ctx.notice.error(err);
      },
    );
    opening = opening.then(() => run);
  });

  const loadRecordings = async (): Promise<void> => {
    let list: ShellRecordingInfo[];
    try {
      list = await api<ShellRecordingInfo[]>('GET', `/api/console/sessions/${sessionId}/shell-recordings`);
    } catch {
      return;
    }
    recordingsBox.hidden = list.length === 0;
    const base = `/api/console/sessions/${sessionId}/shell-recordings`;
    replace(
      recordings,
      ...list.map((r) =>
        h(
          'li',
          { attrs: { 'data-shell': r.shellId } },
          h('span', { raw: `${r.title} · ${r.openedBy} · ${formatTime(r.startedAt)}` }),
          h('button', { class: 'button secondary small', text: 'console.shell.replay', attrs: { type: 'button', 'data-action': 'shell-replay' }, on: { click: () => openShellReplay(`${base}/${r.shellId}.cast`, r.title) } }),
          h('a', { text: 'console.shell.downloadCast', attrs: { href: `${base}/${r.shellId}.cast`, download: `${r.title}.cast` } }),
          h('a', { text: 'console.shell.downloadText', attrs: { href: `${base}/${r.shellId}.txt`, download: `${r.title}.txt` } }),
        ),
      ),
    );
  };

  const unsubscribe = ctx.store.subscribe((topic) => {
    if (topic.kind === 'sessions' || topic.kind === 'permissions') renderBlocked();
    else if (topic.kind === 'shells' && topic.sessionId === sessionId) {
      const list = ctx.store.shells.get(sessionId) ?? [];
      for (const info of list) {
        const tab = tabs.get(info.id);
        if (tab) {
          tab.info = info;
          tab.button.textContent = info.title;
        }
      }
      if (list.length > 0) onRunning();
      if (loaded) reconcile(list);
    }
  });

  renderBlocked();
  recordingsBox.hidden = true;

  // Shells that run already (this page was reloaded, or another member opened them) open the pane.
  const probe = (): void => {
    ctx.link.request({ t: 'shell_list', sessionId }).then(
      (answer) => {
        if (answer.t !== 'shells') return;
        ctx.store.shells.set(sessionId, answer.shells);
        if (answer.shells.length > 0) onRunning();
        if (loaded) reconcile(answer.shells);
      },
      () => undefined,
    );
  };
  probe();

  return {
    el,
    shown() {
      renderBlocked();
      if (active) tabs.get(active)?.term.refit();
      if (loaded) return;
      loaded = true;
      reconcile(ctx.store.shells.get(sessionId) ?? []);
      void loadRecordings();
    },
    dispose() {
      unsubscribe();
      for (const tab of tabs.values()) tab.term.dispose();
      tabs.clear();
      el.remove();
    },
  };
}
