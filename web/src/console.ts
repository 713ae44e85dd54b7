/**
 * Entry of the representative console at `/console`. The page is in one of
 * these states, and only `show*` below move between them:
 *
 *   loading ─▶ signIn ─▶ frame ─▶ signedOut (logout, elsewhere, credentials, disabled)
 *      │                   │            │
 *      └─▶ frame           └─▶ signIn   └─▶ signIn ("Sign in again")
 *
 * On load a `#ticket=…` from My Account is traded for a console sign-in and
 * removed from the address bar; otherwise `/api/console/me` decides.
 */
import type { SignOutReason } from '../../common/protocol.ts';
import { consoleFrame, type ConsoleFrame } from './console/console-frame.ts';
import { signedOutScreen } from './console/signed-out-screen.ts';
import { api, ApiError, whoAmI, useCsrf, type Me } from './net/api.ts';
import { ConsoleLink } from './net/console-link.ts';
import { h, replace } from './ui/dom.ts';
import { localize } from './ui/i18n.ts';
import { pageHeader } from './ui/page-header.ts';
import { signInForm } from './ui/sign-in-form.ts';

const app = document.getElementById('app') ?? document.body;
let link: ConsoleLink | undefined;

function stopLink(): void {
  link?.stop();
  link = undefined;
}

function showSignIn(error?: unknown): void {
  stopLink();
  const form = signInForm({ endpoint: '/api/console/login', title: 'signin.title.console', intro: 'signin.intro.console', onSignedIn: showFrame, initialError: error });
  replace(app, pageHeader(), h('main', { attrs: { id: 'main' } }, h('div', { class: 'centered' }, form)));
}

function showSignedOut(reason: SignOutReason): void {
  stopLink();
  replace(app, pageHeader(), h('main', { attrs: { id: 'main' } }, signedOutScreen(reason, () => showSignIn())));
}

function showFrame(me: Me): void {
  stopLink();
  const logout = (): void => {
    // Stop first, so the socket closing is not taken for a network failure.
    stopLink();
    api('POST', '/api/console/logout', {}).then(
      () => showSignedOut('logout'),
      (err: unknown) => (err instanceof ApiError && err.code === 'AUTH_REQUIRED' ? showSignedOut('logout') : showSignIn(err)),
    );
  };
  let frame: ConsoleFrame | undefined;
  const current = new ConsoleLink({
    state: (state, retryInMs) => frame?.setLinkState(state, retryInMs),
    signedOut: (reason) => showSignedOut(reason),
    authLost: (err) => showSignIn(err),
    failed: (code) => showSignIn(new ApiError(code, 400)),
    message: (msg) => frame?.receive(msg),
  });
  frame = consoleFrame(me, current, logout);
  replace(app, frame.el);
  link = current;
  current.start();
}

function boot(): void {
  const ticket = /^#ticket=([A-Za-z0-9_-]+)$/.exec(location.hash)?.[1];
  if (ticket) {
    // Out of the address bar at once: the link is single-use and must not land in history or bookmarks.
    history.replaceState(null, '', location.pathname + location.search);
    api<Me>('POST', '/api/console/ticket', { ticket }).then(
      (me) => {
        useCsrf(me.csrf);
        showFrame(me);
      },
      (err: unknown) => showSignIn(err),
    );
    return;
  }
  whoAmI('/api/console/me').then(
    (me) => (me ? showFrame(me) : showSignIn()),
    (err: unknown) => showSignIn(err),
  );
}

localize();
replace(app, h('p', { class: 'centered muted', text: 'common.loading' }));
boot();
