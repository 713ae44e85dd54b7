/**
 * The "Sessions" drop-down of the console bar: a button with the number of
 * the rep's active sessions and a panel listing them (empty for now). Enter
 * or click toggles it; Escape or a click elsewhere closes it and focus goes
 * back to the button.
 */
import { h } from '../ui/dom.ts';
import { bindAttrs } from '../ui/i18n.ts';

export function sessionsMenu(count = 0): HTMLElement {
  const panel = h('div', { class: 'sessions-panel', attrs: { id: 'sessions-panel', hidden: true } }, h('p', { text: 'console.sessions.empty' }));
  const badge = h('span', { class: 'count', raw: String(count), attrs: { id: 'session-count', 'aria-hidden': 'true' } });
  const button = h('button', { class: 'console-tab', attrs: { type: 'button', id: 'sessions-button', 'aria-expanded': 'false', 'aria-controls': 'sessions-panel' } });
  button.append(h('span', { text: 'console.sessions' }), badge);
  // The badge is visual; screen readers get the whole phrase.
  bindAttrs(button, { title: 'console.sessions' });
  button.setAttribute('aria-describedby', 'session-count-text');
  const countText = h('span', { class: 'visually-hidden', text: 'console.sessions.count', args: { n: count }, attrs: { id: 'session-count-text' } });

  const wrap = h('div', { class: 'sessions-menu' }, button, countText, panel);
  const setOpen = (open: boolean): void => {
    panel.hidden = !open;
    button.setAttribute('aria-expanded', String(open));
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
  return wrap;
}
