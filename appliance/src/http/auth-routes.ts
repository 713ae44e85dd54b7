/**
 * Sign-in endpoints for the two front doors:
 *   /api/auth/*     the web pages at /login (administration, My Account)
 *   /api/console/*  the rep console at /console (refused while F2 is off)
 * and the one-time ticket that carries a /login sign-in into a console tab.
 */
import { randomBytes } from 'node:crypto';
import { AppError } from '../../../common/errors.ts';
import { parseShape } from '../../../common/validate.ts';
import { MAX_PASSWORD_LENGTH, toPublicUser, type User } from '../domain/accounts.ts';
import { clearCookie, COOKIE_NAMES, setCookie } from '../auth/cookies.ts';
import type { Context } from '../context.ts';
import type { AuthKind } from '../store/auth-sessions.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route, type Reply, type Req } from './kit.ts';

const SIGN_IN = {
  username: { kind: 'string', min: 1, max: 64 },
  password: { kind: 'string', min: 1, max: MAX_PASSWORD_LENGTH },
} as const;

const TICKET = { ticket: { kind: 'string', min: 20, max: 64, pattern: /^[A-Za-z0-9_-]+$/ } } as const;

export function mountAuthRoutes(app: TemplatedApp, ctx: Context): void {
  const { auth } = ctx;
  const lifetimeS = ctx.options.sessionMinutes * 60;
  const knownHost = (host: string): boolean => ctx.options.names.some((n) => host === n || host.startsWith(`${n}:`) || host.startsWith(`[${n}]:`));

  const me = (user: User, csrf: string) => ({
    user: toPublicUser(user),
    csrf,
    teams: ctx.teams.ofUser(user.id).map(({ team, role }) => ({ id: team.id, name: team.name, role })),
    allowWebConsole: ctx.settings.security().allowWebConsole,
  });

  const signIn = async (req: Req, reply: Reply, kind: AuthKind): Promise<void> => {
    auth.checkSignInOrigin(req, knownHost);
    const body = parseShape(SIGN_IN, await readJson(reply, req));
    if (kind === 'console' && !ctx.settings.security().allowWebConsole) throw new AppError('CONSOLE_DISABLED');
    const user = await auth.checkCredentials(body.username, body.password, req.remote);
    // Rotate: any cookie the browser already had for this door is ended.
    const old = req.cookies.get(COOKIE_NAMES[kind]);
    if (old) auth.signOut(old);
    const { token, session } = auth.startSession(user, kind);
    ctx.log.info({ user: user.username, kind }, 'signed in');
    reply.json(200, me(user, session.csrf), [setCookie(kind, token, lifetimeS)]);
  };

  const signOut = (req: Req, reply: Reply, kind: AuthKind): void => {
    const who = auth.require(req, kind);
    auth.signOut(who.token);
    ctx.log.info({ user: who.user.username, kind }, 'signed out');
    reply.json(200, { signedOut: true }, [clearCookie(kind)]);
  };

  const whoAmI = (req: Req, reply: Reply, kind: AuthKind): void => {
    const who = auth.authenticate(req, kind);
    if (!who) throw new AppError('AUTH_REQUIRED');
    if (kind === 'console' && !ctx.settings.security().allowWebConsole) throw new AppError('CONSOLE_DISABLED');
    reply.json(200, me(who.user, who.session.csrf));
  };

  route(app, ctx, 'post', '/api/auth/login', (req, reply) => signIn(req, reply, 'web'));
  route(app, ctx, 'post', '/api/auth/logout', (req, reply) => signOut(req, reply, 'web'));
  route(app, ctx, 'get', '/api/auth/me', (req, reply) => whoAmI(req, reply, 'web'));

  route(app, ctx, 'post', '/api/console/login', (req, reply) => signIn(req, reply, 'console'));
  route(app, ctx, 'post', '/api/console/logout', (req, reply) => signOut(req, reply, 'console'));
  route(app, ctx, 'get', '/api/console/me', (req, reply) => whoAmI(req, reply, 'console'));

  /** My Account → "Start web console": a ticket for the new tab. */
  route(app, ctx, 'post', '/api/account/console-ticket', async (req, reply) => {
    const who = auth.require(req, 'web');
    parseShape({}, await readJson(reply, req));
    if (!ctx.settings.security().allowWebConsole) throw new AppError('CONSOLE_DISABLED');
    const ticket = randomBytes(24).toString('base64url');
    ctx.tickets.issue(ticket, who.user.id, Date.now());
    reply.json(200, { ticket, url: `/console#ticket=${ticket}` });
  });

  route(app, ctx, 'post', '/api/console/ticket', async (req, reply) => {
    auth.checkSignInOrigin(req, knownHost);
    const body = parseShape(TICKET, await readJson(reply, req));
    if (!ctx.settings.security().allowWebConsole) throw new AppError('CONSOLE_DISABLED');
    const userId = ctx.tickets.redeem(body.ticket, Date.now());
    const user = userId ? ctx.users.get(userId) : undefined;
    if (!user) throw new AppError('BAD_TICKET');
    if (user.disabled) throw new AppError('ACCOUNT_DISABLED');
    const { token, session } = auth.startSession(user, 'console');
    ctx.log.info({ user: user.username, kind: 'console', via: 'ticket' }, 'signed in');
    reply.json(200, me(user, session.csrf), [setCookie('console', token, lifetimeS)]);
  });
}
