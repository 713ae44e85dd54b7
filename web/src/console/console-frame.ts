/**
 * The signed-in console: the top bar (Home, Jump Items, Search, the Sessions drop-down,
 * Start New Session, connection state, language, the rep's name, Logout) and
 * the view below it. The frame owns the store (fed by the link's messages)
 * and keeps one element per view: Home, Search and one per open session.
 * Switching only hides and shows them, so each keeps its state.
 *
 * Notices the frame raises itself: the session popups (bottom left), the
 * bubble on Home while a new session waits and the rep is elsewhere, and a
 * line when a session the rep was in ends or the rep was removed from it.
 */
import type { ApplianceToConsole } from '../../../common/protocol.ts';
import type { Me } from '../net/api.ts';
import type { ConsoleLink, LinkState } from '../net/console-link.ts';
import { h, replace } from '../ui/dom.ts';
import { bindAttrs, bindText } from '../ui/i18n.ts';
import { langSelect } from '../ui/lang-select.ts';
import { createNotice } from '../ui/notice.ts';
import type { ConsoleContext } from './console-context.ts';
import { ConsoleStore } from './console-store.ts';
import { homeView } from './home-view.ts';
import { jumpView } from './jump-view.ts';
import { invitationBanner } from './invitations.ts';
import { searchView } from './search-view.ts';
import { sessionPopups } from './session-popup.ts';
import { sessionView, type SessionView } from './session-view.ts';
import { sessionsMenu } from './sessions-menu.ts';
import { openStartSessionDialog } from './start-session-dialog.ts';

type Current = { kind: 'home' } | { kind: 'search' } | { kind: 'jump' } | { kind: 'session'; id: string };

export interface ConsoleFrame {
  readonly el: HTMLElement;
  setLinkState(state: LinkState, retryInMs?: number): void;
  receive(msg: ApplianceToConsole): void;
}

export function consoleFrame(me: Me, link: ConsoleLink, onLogout: () => void): ConsoleFrame {
  const store = new ConsoleStore();
  store.me = { id: me.user.id, name: me.user.displayName };
  store.admin = me.user.admin;
  const main = h('main', { class: 'console-main', attrs: { id: 'main', tabindex: '-1' } });
  const notice = createNotice('console-notice');
  const popups = sessionPopups();
  const sessions = new Map<string, SessionView>();
  let current: Current = { kind: 'home' };

  const ctx: ConsoleContext = {
    store,
    link,
    notice,
    openSession: (id) => show({ kind: 'session', id }),
    showHome: (select) => {
      show({ kind: 'home' });
      if (select) home.select(select.queue, select.sessionId);
    },
    readingChat: (id) => current.kind === 'session' && current.id === id && (sessions.get(id)?.chatVisible() ?? false) && document.visibilityState === 'visible',
  };

  const home = homeView(ctx);
  const search = searchView(ctx);
  const jump = jumpView(ctx);
  const viewBox = h('div', { class: 'views' }, home.el, search, jump.el);

  const homeTab = h('button', { class: 'console-tab', attrs: { type: 'button', id: 'nav-home' } }, h('span', { text: 'console.nav.home' }));
  const homeBubble = h('span', { class: 'bubble', attrs: { id: 'home-bubble', hidden: true, 'data-testid': 'home-bubble' } });
  bindAttrs(homeBubble, { title: 'console.home.waiting' });
  homeTab.append(homeBubble);
  const searchTab = h('button', { class: 'console-tab', text: 'console.nav.search', attrs: { type: 'button', id: 'nav-search' } });
  const jumpTab = h('button', { class: 'console-tab', text: 'console.nav.jump', attrs: { type: 'button', id: 'nav-jump' } });
  const menu = sessionsMenu(store, (id) => show({ kind: 'session', id }));
  const startSession = h('button', { class: 'console-tab', text: 'console.startSession', attrs: { type: 'button', id: 'start-session' } });
  startSession.addEventListener('click', () => openStartSessionDialog());

  function show(next: Current): void {
    if (next.kind === 'session' && !store.sessions.has(next.id)) next = { kind: 'home' };
    current = next;
    homeTab.toggleAttribute('aria-current', next.kind === 'home');
    if (next.kind === 'home') homeTab.setAttribute('aria-current', 'page');
    searchTab.toggleAttribute('aria-current', next.kind === 'search');
    if (next.kind === 'search') searchTab.setAttribute('aria-current', 'page');
    jumpTab.toggleAttribute('aria-current', next.kind === 'jump');
    if (next.kind === 'jump') jumpTab.setAttribute('aria-current', 'page');
    home.el.hidden = next.kind !== 'home';
    search.hidden = next.kind !== 'search';
    jump.el.hidden = next.kind !== 'jump';
    if (next.kind === 'jump') jump.shown();
    for (const [id, v] of sessions) v.el.hidden = !(next.kind === 'session' && next.id === id);
    if (next.kind === 'home') {
      homeBubble.hidden = true;
      home.shown();
    }
    if (next.kind === 'session') {
      let v = sessions.get(next.id);
      if (!v) {
        v = sessionView(ctx, next.id);
        sessions.set(next.id, v);
        viewBox.append(v.el);
      }
      v.el.hidden = false;
      v.shown();
    }
    menu.render(next.kind === 'session' ? next.id : undefined);
  }

  homeTab.addEventListener('click', () => {
    notice.clear();
    show({ kind: 'home' });
  });
  jumpTab.addEventListener('click', () => {
    notice.clear();
    show({ kind: 'jump' });
  });
  searchTab.addEventListener('click', () => {
    notice.clear();
    show({ kind: 'search' });
  });

  store.subscribe((topic) => {
    if (topic.kind === 'sessions') menu.render(current.kind === 'session' ? current.id : undefined);
    else if (topic.kind === 'entered') {
      const s = topic.session;
      popups.show(s, () => ctx.showHome({ queue: s.queue, sessionId: s.id }));
      if (current.kind !== 'home') homeBubble.hidden = false;
    } else if (topic.kind === 'lost') {
      sessions.get(topic.sessionId)?.dispose();
      sessions.delete(topic.sessionId);
      if (current.kind === 'session' && current.id === topic.sessionId) {
        show({ kind: 'home' });
        notice.info(topic.ended ? 'console.session.endedNotice' : 'console.session.removedNotice');
      }
    }
  });

  const linkState = h('span', { class: 'link-state', attrs: { id: 'link-state', role: 'status' } });
  const logout = h('button', { class: 'button secondary small', text: 'console.logout', attrs: { type: 'button', id: 'logout' }, on: { click: onLogout } });

  const bar = h(
    'header',
    { class: 'console-bar' },
    h('span', { class: 'brand', text: 'app.name' }),
    h('nav', { class: 'console-tabs', i18nAttrs: { 'aria-label': 'console.nav.label' } }, homeTab, jumpTab, searchTab, menu.el, startSession),
    h('span', { class: 'console-bar-spacer' }),
    linkState,
    langSelect('lang-select'),
    h('span', { class: 'rep-name', raw: me.user.displayName, attrs: { id: 'rep-name' } }),
    logout,
  );
  replace(main, notice.el, invitationBanner(ctx), viewBox);

  const el = h('div', { class: 'console-frame', attrs: { id: 'console-frame' } }, h('a', { class: 'skip-link', text: 'common.skip', attrs: { href: '#main' } }), bar, main, popups.el);
  show({ kind: 'home' });

  return {
    el,
    setLinkState(state, retryInMs) {
      linkState.dataset.state = state;
      if (state === 'online') bindText(linkState, 'console.link.online');
      else if (state === 'retry') bindText(linkState, 'console.link.retry', { s: Math.round((retryInMs ?? 0) / 1000) });
      else bindText(linkState, 'console.link.connecting');
    },
    receive(msg) {
      store.apply(msg, ctx.readingChat);
    },
  };
}
