/**
 * The header bar of the portal and the /login pages: the product name, a slot
 * for navigation and the signed-in user, and the language choice.
 */
import { h, type Child } from './dom.ts';
import { langSelect } from './lang-select.ts';

export function pageHeader(...slot: Child[]): HTMLElement {
  return h(
    'header',
    { class: 'page-header' },
    h('a', { class: 'brand', text: 'app.name', attrs: { href: '/' } }),
    h('div', { class: 'page-header-slot' }, ...slot),
    langSelect('lang-select'),
  );
}
