/**
 * The "Sessions" drop-down of the console bar (F9): a button with the number
 * of sessions the rep is in (and a chat mark while any has unread chat), and
 * a panel listing them, each with its own unread mark; choosing one returns
 * to that session. Enter or click toggles it; Escape or a click elsewhere
 * closes it and focus goes back to the button.
 */
import { h, replace } from '../ui/dom.ts';
import { bindAttrs, bindText } from '../ui/i18n.ts';
import type { ConsoleStore } from './console-store.ts';
import { customerName } from './format.ts';

export interface SessionsMenu {
  readonly el: HTMLElement;
  render(current: string | undefined): void;
}

export function sessionsMenu(store: ConsoleStore, choose: (sessionId: string) => void): SessionsMenu {
  const panel = h('div', { class: 'sessions-panel', attrs: { id: 'sessions-panel', hidden: true } });
  const badge = h('span', { class: 'count', raw: '0', attrs: { id: 'session-count', 'aria-hidden': 'true' } });
  const mark = h('span', { class: 'unread-mark', raw: '💬', attrs: { id: 'sessions-unread', 'aria-hidden': 'true', hidden: true } });
  const button = h('button', { class: 'console-tab', attrs: { type: 'button', id: 'sessions-button', 'aria-expanded': 'false', 'aria-controls': 'sessions-panel' } });
  button.append(h('span', { text: 'console.sessions' }), badge, mark);
  // The badge is visual; screen readers get the whole phrase.
  bindAttrs(button, { title: 'console.sessions' });
  button.setAttribute('aria-describedby', 'session-count-text');
  const countText = h('span', { class: 'visually-hidden', attrs: { id: 'session-count-text' } });

  const wrap = h('div', { class: 'sessions-menu' }, button, countText, panel);
  const setOpen = (open: boolean): void => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
    if (open) panel.querySelector<HTMLElement>('button')?.focus();
  };
  button.addEventListener('click', () => setOpen(button.getAttribute('aria-expanded') !== 'true'));
  wrap.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !panel.hidden) {
      setOpen(false);
      button.focus();
    }
  });
  const outside = (ev: MouseEvent): void => {
    if (!wrap.isConnected) return document.removeEventListener('click', outside);
    if (!panel.hidden && !wrap.contains(ev.target as Node)) setOpen(false);
  };
  document.addEventListener('click', outside);

  return {
    el: wrap,
    render(current) {
      const mine = store.mySessions();
      const unread = store.totalUnread();
      badge.textContent = String(mine.length);
      mark.hidden = unread === 0;
      bindText(countText, unread > 0 ? 'console.sessions.countUnread' : 'console.sessions.count', { n: mine.length, u: unread });
      if (mine.length === 0) {
        replace(panel, h('p', { text: 'console.sessions.empty' }));
        return;
      }
      const items = mine.map((s) => {
        const n = store.unread.get(s.id) ?? 0;
        const b = h(
          'button',
          { class: 'sessions-item', attrs: { type: 'button', 'data-session': s.id, 'aria-current': s.id === current ? 'page' : undefined } },
          h('span', { raw: customerName(s) }),
          n > 0 ? h('span', { class: 'unread-mark', raw: `💬 ${n}`, attrs: { 'data-testid': 'unread' } }) : null,
        );
        if (n > 0) bindAttrs(b, { title: 'console.sessions.unread' });
        b.addEventListener('click', () => {
          setOpen(false);
          choose(s.id);
        });
        return h('li', {}, b);
      });
      replace(panel, h('ul', { class: 'sessions-list' }, ...items));
    },
  };
}
