/**
 * The navigation of the /login area once signed in: My Account and Session reports for everyone,
 * Users / Teams / Security / Portal issues / Mail server / Status / Special actions for administrators, then the user's name and
 * Sign out. Links are real `<a href>`s (open-in-new-tab works); plain clicks
 * are routed in place.
 */
import type { Me } from '../net/api.ts';
import { h } from '../ui/dom.ts';
import type { MessageKey } from '../ui/i18n.ts';

interface NavItem {
  readonly path: string;
  readonly text: MessageKey;
  readonly adminOnly: boolean;
}

export const NAV_ITEMS: readonly NavItem[] = [
  { path: '/account', text: 'nav.account', adminOnly: false },
  { path: '/reports', text: 'nav.reports', adminOnly: false },
  { path: '/admin/users', text: 'nav.users', adminOnly: true },
  { path: '/admin/teams', text: 'nav.teams', adminOnly: true },
  { path: '/admin/security', text: 'nav.security', adminOnly: true },
  { path: '/admin/issues', text: 'nav.issues', adminOnly: true },
  { path: '/admin/mail', text: 'nav.mail', adminOnly: true },
  { path: '/admin/jump-policies', text: 'nav.policies', adminOnly: true },
  { path: '/admin/vault', text: 'nav.vault', adminOnly: true },
  { path: '/admin/api', text: 'nav.api', adminOnly: true },
  { path: '/admin/webhooks', text: 'nav.webhooks', adminOnly: true },
  { path: '/admin/status', text: 'nav.status', adminOnly: true },
  { path: '/admin/special-actions', text: 'nav.actions', adminOnly: true },
];

export function adminNav(me: Me, current: string, navigate: (path: string) => void, signOut: () => void): HTMLElement[] {
  const links = NAV_ITEMS.filter((i) => me.user.admin || !i.adminOnly).map((item) => {
    const a = h('a', { text: item.text, attrs: { href: item.path, 'data-testid': `nav-${item.path.split('/').pop()}` } });
    if (item.path === current) a.setAttribute('aria-current', 'page');
    a.addEventListener('click', (ev) => {
      if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
      ev.preventDefault();
      navigate(item.path);
    });
    return h('li', {}, a);
  });
  return [
    h('nav', { class: 'main-nav', i18nAttrs: { 'aria-label': 'nav.label' } }, h('ul', {}, ...links)),
    h(
      'div',
      { class: 'user-box' },
      h('span', { class: 'user-name', raw: me.user.displayName, attrs: { id: 'user-name' } }),
      h('button', { text: 'nav.signOut', class: 'button secondary small', attrs: { id: 'sign-out', type: 'button' }, on: { click: signOut } }),
    ),
  ];
}
