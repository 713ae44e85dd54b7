/**
 * Keyspace `auth`: sign-in sessions. The cookie carries a random 32-byte
 * token; only its SHA-256 is stored, so a copy of the data folder cannot be
 * replayed as a cookie. Key: base64url(sha256(token)).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Store } from './db.ts';

/** `web` signs in at /login (admin pages, My Account); `console` is the rep console. */
export type AuthKind = 'web' | 'console';

export interface AuthSession {
  readonly userId: string;
  readonly kind: AuthKind;
  /** Anti-forgery token the browser echoes in `X-CSRF-Token` on state-changing requests. */
  readonly csrf: string;
  readonly createdAt: number;
  readonly expiresAt: number;
  /** User.credentialEpoch at sign-in; a later password reset or disable voids the session. */
  readonly epoch: number;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class AuthSessionStore {
  constructor(private readonly store: Store) {}

  /** Creates a session and returns the cookie token (shown once, never stored). */
  createSync(input: Omit<AuthSession, 'csrf'>): { token: string; session: AuthSession } {
    const token = randomBytes(32).toString('base64url');
    const session: AuthSession = { ...input, csrf: randomBytes(24).toString('base64url') };
    this.store.txSync(() => this.store.spaces.auth.putSync(hashToken(token), session));
    return { token, session };
  }

  get(token: string): AuthSession | undefined {
    if (token.length === 0 || token.length > 128) return undefined;
    return this.store.spaces.auth.get(hashToken(token)) as AuthSession | undefined;
  }

  revokeSync(token: string): void {
    this.store.txSync(() => this.store.spaces.auth.removeSync(hashToken(token)));
  }

  /** Removes every session of `userId` (of one kind, or all) and returns their keys. */
  revokeAllSync(userId: string, kind?: AuthKind): string[] {
    return this.store.txSync(() => {
      const gone: string[] = [];
      // Sessions are few (one or two per user); a scan keeps one source of truth.
      for (const { key, value } of this.store.spaces.auth.getRange()) {
        const s = value as AuthSession;
        if (s.userId === userId && (kind === undefined || s.kind === kind)) {
          this.store.spaces.auth.removeSync(key);
          gone.push(key);
        }
      }
      return gone;
    });
  }

  /** Removes every session of one kind (all consoles when web console connections are turned off). */
  revokeKindSync(kind: AuthKind): string[] {
    return this.store.txSync(() => {
      const gone: string[] = [];
      for (const { key, value } of this.store.spaces.auth.getRange()) {
        if ((value as AuthSession).kind === kind) {
          this.store.spaces.auth.removeSync(key);
          gone.push(key);
        }
      }
      return gone;
    });
  }

  /** Drops expired sessions; called on a timer. */
  sweepSync(now: number): number {
    return this.store.txSync(() => {
      let n = 0;
      for (const { key, value } of this.store.spaces.auth.getRange()) {
        if ((value as AuthSession).expiresAt <= now) {
          this.store.spaces.auth.removeSync(key);
          n++;
        }
      }
      return n;
    });
  }
}
