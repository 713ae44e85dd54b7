/**
 * Entry of the public portal at `/`: the product name, the language choice,
 * and the ways in for staff (the representative console and the
 * administration at /login). The customer session-key form joins this page
 * when the session service exists.
 */
import { h, replace } from './ui/dom.ts';
import { localize } from './ui/i18n.ts';
import { pageHeader } from './ui/page-header.ts';

function staffLink(href: string, title: 'portal.console' | 'portal.admin', help: 'portal.console.help' | 'portal.admin.help', id: string): HTMLElement {
  return h('li', {}, h('a', { class: 'tile', attrs: { href, id } }, h('span', { class: 'tile-title', text: title }), h('span', { class: 'tile-help', text: help })));
}

const app = document.getElementById('app') ?? document.body;
replace(
  app,
  pageHeader(),
  h(
    'main',
    { class: 'portal', attrs: { id: 'main' } },
    h('section', { class: 'hero' }, h('h1', { text: 'portal.welcome' }), h('p', { class: 'lead', text: 'portal.intro' })),
    h(
      'section',
      { class: 'staff', attrs: { 'aria-labelledby': 'staff-title' } },
      h('h2', { text: 'portal.staff', attrs: { id: 'staff-title' } }),
      h('ul', { class: 'tiles' }, staffLink('/console', 'portal.console', 'portal.console.help', 'portal-console'), staffLink('/login', 'portal.admin', 'portal.admin.help', 'portal-admin')),
    ),
  ),
);
localize();
