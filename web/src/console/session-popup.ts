/**
 * The popup at the bottom left when a session enters one of the rep's
 * queues (F8): who, which queue, and "Show", which selects it on Home.
 * Popups stack (newest last, at most MAX_POPUPS) in an aria-live region and
 * close by themselves after POPUP_MS.
 */
import type { SessionSummary } from '../../../common/sessions.ts';
import { h } from '../ui/dom.ts';
import { bindAttrs } from '../ui/i18n.ts';
import { customerName } from './format.ts';

/** 20 s: long enough to notice from across the desk, short enough not to pile up. */
const POPUP_MS = 20_000;
/** Older popups give way beyond three; the queue counts still show everything. */
const MAX_POPUPS = 3;

export interface Popups {
  readonly el: HTMLElement;
  show(s: SessionSummary, onShow: () => void): void;
}

export function sessionPopups(): Popups {
  const el = h('div', { class: 'popups', attrs: { id: 'session-popups', 'aria-live': 'polite' } });
  return {
    el,
    show(s, onShow) {
      el.querySelector(`[data-session="${CSS.escape(s.id)}"]`)?.remove();
      const close = (): void => item.remove();
      const showButton = h('button', { class: 'button primary small', text: 'console.popup.show', attrs: { type: 'button', 'data-action': 'show' } });
      const dismiss = h('button', { class: 'button secondary small', raw: '×', attrs: { type: 'button', 'data-action': 'dismiss' } });
      bindAttrs(dismiss, { 'aria-label': 'common.close', title: 'common.close' });
      const queue = s.queueKind === 'personal' ? h('span', { text: 'console.queue.personal' }) : h('span', { raw: s.queueName });
      const item = h(
        'div',
        { class: 'popup card', attrs: { 'data-session': s.id, role: 'status' } },
        h('p', { class: 'popup-title', text: s.kind === 'browser' ? 'console.popup.titleBrowser' : 'console.popup.title', args: { name: customerName(s) } }),
        h('p', { class: 'muted' }, queue),
        h('div', { class: 'popup-actions' }, showButton, dismiss),
      );
      showButton.addEventListener('click', () => {
        close();
        onShow();
      });
      dismiss.addEventListener('click', close);
      el.append(item);
      while (el.children.length > MAX_POPUPS) el.firstElementChild?.remove();
      setTimeout(close, POPUP_MS);
    },
  };
}
