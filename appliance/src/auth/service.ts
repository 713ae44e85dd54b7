/**
 * Sign-in, sign-out and request authentication. Ties together password
 * checks, throttling, sign-in sessions and the CSRF rule:
 *
 * - A state-changing request (anything but GET) with a session must carry
 *   `X-CSRF-Token` equal to the session's token (double-submit through the
 *   JSON the browser got from `/me`; SameSite=Strict is the second wall).
 * - A sign-in request has no session yet; it must carry
 *   `X-Requested-With: relaydesk` (a cross-site form cannot set it without a
 *   CORS preflight, which this server never grants) and, when the browser
 *   sends Origin, an Origin of this host.
 */
import { timingSafeEqual } from 'node:crypto';
import { AppError } from '../../../common/errors.ts';
import type { User } from '../domain/accounts.ts';
import { ACCOUNT_LIMITS, ADDRESS_LIMITS, Throttle } from '../domain/throttle.ts';
import { hashToken, type AuthKind, type AuthSession, type AuthSessionStore } from '../store/auth-sessions.ts';
import type { UserStore } from '../store/users.ts';
import type { Req } from '../http/kit.ts';
import { COOKIE_NAMES } from './cookies.ts';
import { DUMMY_HASH_PROMISE, verifyPassword } from './password.ts';

export interface Authenticated {
  readonly user: User;
  readonly session: AuthSession;
  readonly token: string;
}

export interface AuthEvents {
  /** Called after sessions were revoked, with the hashed keys, so live sockets can be closed. */
  onRevoked(keys: readonly string[], reason: 'logout' | 'elsewhere' | 'credentials'): void;
}

function safeEqual(a: string, b: string): boolean {
  const ba = Buffer.from(a);
  const bb = Buffer.from(b);
  return ba.length === bb.length && timingSafeEqual(ba, bb);
}

export class AuthService {
  private readonly byAccount = new Throttle(ACCOUNT_LIMITS);
  private readonly byAddress = new Throttle(ADDRESS_LIMITS);

  constructor(
    private readonly users: UserStore,
    private readonly sessions: AuthSessionStore,
    private readonly lifetimeMs: number,
    private readonly events: AuthEvents,
    private readonly now: () => number = Date.now,
  ) {}

  /** Verifies credentials (throttled) and returns the user; does not create a session. */
  async checkCredentials(username: string, password: string, remote: string): Promise<User> {
    const now = this.now();
    const accountKey = username.toLowerCase();
    const wait = Math.max(this.byAccount.retryAfter(accountKey, now), this.byAddress.retryAfter(remote, now));
    if (wait > 0) throw new AppError('THROTTLED', `${Math.ceil(wait / 1000)}`);
    const user = this.users.byUsername(username);
    const ok = await verifyPassword(password, user ? user.passwordHash : await DUMMY_HASH_PROMISE);
    if (!user || !ok) {
      this.byAccount.fail(accountKey, this.now());
      this.byAddress.fail(remote, this.now());
      throw new AppError('BAD_CREDENTIALS');
    }
    if (user.disabled) throw new AppError('ACCOUNT_DISABLED');
    this.byAccount.clear(accountKey);
    return user;
  }

  /**
   * Starts a session of `kind` for `user`. A console sign-in ends every other
   * console sign-in of the same user (one console at a time, F6).
   */
  startSession(user: User, kind: AuthKind): { token: string; session: AuthSession } {
    if (kind === 'console') {
      const gone = this.sessions.revokeAllSync(user.id, 'console');
      if (gone.length) this.events.onRevoked(gone, 'elsewhere');
    }
    const now = this.now();
    return this.sessions.createSync({ userId: user.id, kind, createdAt: now, expiresAt: now + this.lifetimeMs, epoch: user.credentialEpoch });
  }

  /** The signed-in user for `kind`, or undefined. Checks expiry, disable and credential epoch. */
  authenticate(req: Req, kind: AuthKind): Authenticated | undefined {
    const token = req.cookies.get(COOKIE_NAMES[kind]);
    if (!token) return undefined;
    return this.authenticateToken(token, kind);
  }

  authenticateToken(token: string, kind: AuthKind): Authenticated | undefined {
    const session = this.sessions.get(token);
    if (!session || session.kind !== kind || session.expiresAt <= this.now()) return undefined;
    const user = this.users.get(session.userId);
    if (!user || user.disabled || user.credentialEpoch !== session.epoch) return undefined;
    return { user, session, token };
  }

  /** Like authenticate, but throws AUTH_REQUIRED, and CSRF for unsafe methods without the token. */
  require(req: Req, kind: AuthKind): Authenticated {
    const auth = this.authenticate(req, kind);
    if (!auth) throw new AppError('AUTH_REQUIRED');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      const sent = req.headers['x-csrf-token'] ?? '';
      if (!safeEqual(sent, auth.session.csrf)) throw new AppError('CSRF');
    }
    return auth;
  }

  requireAdmin(req: Req): Authenticated {
    const auth = this.require(req, 'web');
    if (!auth.user.admin) throw new AppError('FORBIDDEN', 'administrators only');
    return auth;
  }

  /** Guard for sign-in endpoints, which have no session to carry a CSRF token. */
  checkSignInOrigin(req: Req, allowedHosts: (host: string) => boolean): void {
    if (req.headers['x-requested-with'] !== 'relaydesk') throw new AppError('CSRF', 'missing X-Requested-With');
    const origin = req.headers.origin;
    if (origin !== undefined) {
      let host = '';
      try {
        host = new URL(origin).host;
      } catch {
        throw new AppError('CSRF', 'bad Origin');
      }
      if (host !== req.headers.host && !allowedHosts(host)) throw new AppError('CSRF', 'foreign Origin');
    }
  }

  signOut(token: string): void {
    const s = this.sessions.get(token);
    this.sessions.revokeSync(token);
    if (s) this.events.onRevoked([hashToken(token)], 'logout');
  }

  /** Ends every session of a user (password reset, disable). */
  revokeUser(userId: string): void {
    const gone = this.sessions.revokeAllSync(userId);
    if (gone.length) this.events.onRevoked(gone, 'credentials');
  }
}
