/**
 * The signed-in console: the top bar (Home, Search, the Sessions drop-down,
 * Start New Session, connection state, language, the rep's name, Logout) and
 * the view below it. Views are one module each (home-view.ts,
 * search-view.ts) and are registered in VIEWS.
 */
import type { Me } from '../net/api.ts';
import type { LinkState } from '../net/console-link.ts';
import { h, replace } from '../ui/dom.ts';
import { bindAttrs, bindText, type MessageKey } from '../ui/i18n.ts';
import { langSelect } from '../ui/lang-select.ts';
import { createNotice } from '../ui/notice.ts';
import { homeView } from './home-view.ts';
import { searchView } from './search-view.ts';
import { sessionsMenu } from './sessions-menu.ts';

type ViewName = 'home' | 'search';

const VIEWS: Readonly<Record<ViewName, { label: MessageKey; render(me: Me): HTMLElement }>> = {
  home: { label: 'console.nav.home', render: homeView },
  search: { label: 'console.nav.search', render: () => searchView() },
};

export interface ConsoleFrame {
  readonly el: HTMLElement;
  setLinkState(state: LinkState, retryInMs?: number): void;
}

export function consoleFrame(me: Me, onLogout: () => void): ConsoleFrame {
  const main = h('main', { class: 'console-main', attrs: { id: 'main', tabindex: '-1' } });
  const notice = createNotice('console-notice');
  const tabs = new Map<ViewName, HTMLButtonElement>();

  const show = (name: ViewName): void => {
    for (const [n, tab] of tabs) {
      if (n === name) tab.setAttribute('aria-current', 'page');
      else tab.removeAttribute('aria-current');
    }
    notice.clear();
    replace(main, notice.el, VIEWS[name].render(me));
  };

  for (const name of Object.keys(VIEWS) as ViewName[]) {
    tabs.set(name, h('button', { class: 'console-tab', text: VIEWS[name].label, attrs: { type: 'button', id: `nav-${name}` }, on: { click: () => show(name) } }));
  }

  // Honest placeholder: the control is where reps expect it, but says why it does nothing yet.
  const startSession = h('button', { class: 'console-tab', text: 'console.startSession', attrs: { type: 'button', id: 'start-session', 'aria-disabled': 'true' } });
  bindAttrs(startSession, { title: 'console.startSession.unavailable' });
  startSession.addEventListener('click', () => notice.info('console.startSession.unavailable'));

  const link = h('span', { class: 'link-state', attrs: { id: 'link-state', role: 'status' } });
  const logout = h('button', { class: 'button secondary small', text: 'console.logout', attrs: { type: 'button', id: 'logout' }, on: { click: onLogout } });

  const bar = h(
    'header',
    { class: 'console-bar' },
    h('span', { class: 'brand', text: 'app.name' }),
    h('nav', { class: 'console-tabs', i18nAttrs: { 'aria-label': 'console.nav.label' } }, ...tabs.values(), sessionsMenu(0), startSession),
    h('span', { class: 'console-bar-spacer' }),
    link,
    langSelect('lang-select'),
    h('span', { class: 'rep-name', raw: me.user.displayName, attrs: { id: 'rep-name' } }),
    logout,
  );

  const el = h('div', { class: 'console-frame', attrs: { id: 'console-frame' } }, h('a', { class: 'skip-link', text: 'common.skip', attrs: { href: '#main' } }), bar, main);
  show('home');

  return {
    el,
    setLinkState(state, retryInMs) {
      link.dataset.state = state;
      if (state === 'online') bindText(link, 'console.link.online');
      else if (state === 'retry') bindText(link, 'console.link.retry', { s: Math.round((retryInMs ?? 0) / 1000) });
      else bindText(link, 'console.link.connecting');
    },
  };
}
