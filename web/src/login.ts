/**
 * Entry of the /login area (served for /login, /account, /admin, /admin/*):
 * a small single-page app routed by `location.pathname`. Signed out, every
 * path shows the sign-in form and keeps its address, so a bookmarked
 * /admin/teams opens there after signing in. Signed in, a header with the
 * navigation frames the view for the path.
 */
import { api, ApiError, whoAmI, type Me } from './net/api.ts';
import { adminNav } from './admin/admin-nav.ts';
import { resolve, ROUTES } from './admin/routes.ts';
import { h, replace } from './ui/dom.ts';
import { bindText, localize } from './ui/i18n.ts';
import { createNotice } from './ui/notice.ts';
import { pageHeader } from './ui/page-header.ts';
import { signInForm } from './ui/sign-in-form.ts';

const app = document.getElementById('app') ?? document.body;

function frame(headerSlot: HTMLElement[], content: HTMLElement): void {
  const main = h('main', { attrs: { id: 'main', tabindex: '-1' } }, content);
  replace(app, h('a', { class: 'skip-link', text: 'common.skip', attrs: { href: '#main' } }), pageHeader(...headerSlot), main);
}

function showSignIn(initial?: { signedOut?: boolean; error?: unknown }): void {
  const form = signInForm({
    endpoint: '/api/auth/login',
    title: 'signin.title.web',
    intro: 'signin.intro.web',
    initialError: initial?.error,
    onSignedIn: (me) => go(location.pathname, me, 'push'),
  });
  const notice = createNotice();
  if (initial?.signedOut) notice.success('nav.signedOut');
  frame([], h('div', { class: 'centered' }, notice.el, form));
  setTitle('signin.title.web');
}

function setTitle(key: Parameters<typeof bindText>[1]): void {
  const title = document.querySelector('title');
  if (title) bindText(title, key);
}

/** Shows the view for `path` to `me`; `history` says how the address bar follows. */
function go(path: string, me: Me, history: 'push' | 'replace' | 'none'): void {
  const target = resolve(path, me.user.admin);
  if (history === 'push' && target !== location.pathname) window.history.pushState(null, '', target);
  else if (target !== location.pathname) window.history.replaceState(null, '', target);
  const notice = createNotice();
  const navigate = (next: string): void => {
    // Fresh /me on every navigation: settings or roles may have changed meanwhile.
    whoAmI('/api/auth/me').then(
      (fresh) => (fresh ? go(next, fresh, 'push') : showSignIn({ error: new ApiError('AUTH_REQUIRED', 401) })),
      (err: unknown) => notice.error(err),
    );
  };
  const signOut = (): void => {
    api('POST', '/api/auth/logout', {}).then(
      () => {
        window.history.pushState(null, '', '/login');
        showSignIn({ signedOut: true });
      },
      (err: unknown) => notice.error(err),
    );
  };
  const route = ROUTES[target];
  let content: HTMLElement;
  if (!route) content = h('section', { class: 'view' }, h('h1', { text: 'common.pageNotFound', attrs: { id: 'view-title' } }));
  else if (route.adminOnly && !me.user.admin) {
    content = h('section', { class: 'view' }, notice.el);
    notice.error(new ApiError('FORBIDDEN', 403));
  } else content = route.view({ me, notice, navigate });
  frame(adminNav(me, target, navigate, signOut), content);
  const heading = content.querySelector<HTMLElement>('h1');
  if (heading?.dataset.i18n) setTitle(heading.dataset.i18n as Parameters<typeof bindText>[1]);
  if (history === 'push') document.getElementById('main')?.focus();
}

function boot(history: 'replace' | 'none'): void {
  whoAmI('/api/auth/me').then(
    (me) => (me ? go(location.pathname, me, history) : showSignIn()),
    (err: unknown) => showSignIn({ error: err }),
  );
}

window.addEventListener('popstate', () => boot('none'));
localize();
boot('replace');
