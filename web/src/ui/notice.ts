/**
 * A visible message line for the results of actions ("User x was added",
 * or the error), inside an `aria-live` region so screen readers announce it.
 * One per screen; a new message replaces the previous one.
 */
import { h, replace } from './dom.ts';
import { bindError } from './error-text.ts';
import { bindText, type Args, type MessageKey } from './i18n.ts';

export interface Notice {
  readonly el: HTMLElement;
  success(key: MessageKey, args?: Args): void;
  info(key: MessageKey, args?: Args): void;
  error(err: unknown): void;
  clear(): void;
}

export function createNotice(id = 'notice'): Notice {
  const el = h('div', { class: 'notice-region', attrs: { id, 'aria-live': 'polite', 'aria-atomic': 'true' } });
  const show = (kind: 'success' | 'info' | 'error', fill: (p: HTMLElement) => void): void => {
    const p = h('p', { class: `notice notice-${kind}` });
    fill(p);
    replace(el, p);
  };
  return {
    el,
    success: (key, args) => show('success', (p) => bindText(p, key, args)),
    info: (key, args) => show('info', (p) => bindText(p, key, args)),
    error: (err) => show('error', (p) => bindError(p, err)),
    clear: () => replace(el),
  };
}
