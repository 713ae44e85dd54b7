/**
 * A button that opens a small menu of other buttons (e.g. a session's
 * "More" actions). The items keep their own click handlers; the menu only
 * shows, hides and moves focus: Enter/Space or a click opens, arrow keys
 * move, Escape or a click elsewhere closes and returns focus to the button.
 * The whole control hides itself while every item is hidden.
 */
import { h } from './dom.ts';
import type { MessageKey } from './i18n.ts';

export interface MenuButton {
  readonly el: HTMLElement;
  /** Call after items were shown or hidden. */
  refresh(): void;
  dispose(): void;
}

let nextId = 0;

/**
 * The keyboard and pointer behaviour every menu here shares: arrow keys move
 * between `items()`, Escape closes and returns focus to the button, a click
 * outside closes. Returns the function that removes the outside-click
 * listener.
 */
export function menuBehaviour(wrap: HTMLElement, panel: HTMLElement, items: () => HTMLElement[], close: (focusButton: boolean) => void): () => void {
  wrap.addEventListener('keydown', (ev) => {
    if (panel.hidden) return;
    const list = items();
    const at = list.indexOf(document.activeElement as HTMLElement);
    if (ev.key === 'Escape') {
      ev.preventDefault();
      close(true);
    } else if ((ev.key === 'ArrowDown' || ev.key === 'ArrowUp') && list.length > 0) {
      ev.preventDefault();
      list[(at + (ev.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length]!.focus();
    }
  });
  const outside = (ev: MouseEvent): void => {
    if (!panel.hidden && !wrap.contains(ev.target as Node)) close(false);
  };
  document.addEventListener('click', outside);
  return () => document.removeEventListener('click', outside);
}

export function menuButton(label: MessageKey, items: readonly HTMLButtonElement[], testAction: string): MenuButton {
  const panelId = `menu-${++nextId}`;
  const button = h('button', { class: 'button secondary', text: label, attrs: { type: 'button', 'data-action': testAction, 'aria-haspopup': 'menu', 'aria-expanded': 'false', 'aria-controls': panelId } });
  const list = h('ul', { attrs: { role: 'menu' } }, ...items.map((item) => h('li', { attrs: { role: 'none' } }, item)));
  const panel = h('div', { class: 'actions-panel', attrs: { id: panelId, hidden: true } }, list);
  const wrap = h('div', { class: 'actions-menu' }, button, panel);
  for (const item of items) {
    item.setAttribute('role', 'menuitem');
    item.classList.add('actions-item');
    item.classList.remove('button', 'secondary', 'danger');
    // Close first; the item's own handler (registered earlier) has already run.
    item.addEventListener('click', () => close(false));
  }
  const visible = (): HTMLButtonElement[] => items.filter((i) => !i.hidden);
  const close = (focusButton: boolean): void => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    if (focusButton) button.focus();
  };
  const open = (): void => {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    visible()[0]?.focus();
  };
  button.addEventListener('click', () => (panel.hidden ? open() : close(true)));
  const stop = menuBehaviour(wrap, panel, visible, close);
  return {
    el: wrap,
    refresh() {
      wrap.hidden = visible().length === 0;
      if (wrap.hidden) close(false);
    },
    dispose: stop,
  };
}
