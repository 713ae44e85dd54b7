/**
 * The full-page message shown when this console's sign-in ended: after
 * Logout, or when the appliance signed it out (elsewhere, changed
 * credentials, console turned off). Offers "Sign in again".
 */
import type { SignOutReason } from '../../../common/protocol.ts';
import { h } from '../ui/dom.ts';

export function signedOutScreen(reason: SignOutReason, signInAgain: () => void): HTMLElement {
  const again = h('button', { text: 'console.signInAgain', class: 'button primary', attrs: { type: 'button', id: 'sign-in-again' }, on: { click: signInAgain } });
  queueMicrotask(() => again.focus());
  return h(
    'section',
    { class: 'card signed-out', attrs: { 'aria-labelledby': 'signed-out-title', 'data-reason': reason } },
    h('h1', { text: 'console.signedOut.title', attrs: { id: 'signed-out-title' } }),
    h('p', { text: `console.signedOut.${reason}`, attrs: { id: 'signed-out-message', role: 'status' } }),
    h('div', { class: 'form-actions' }, again),
  );
}
