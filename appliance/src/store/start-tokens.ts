/**
 * Keyspace `starts`: what lets a customer start a session.
 *   `t:<sha256(token)>`  → StartTicket   the access token of a key URL or a customer build
 *   `k:<short key>`      → sha256(token) the digits a customer types on the portal (F10)
 * Both point at one ticket, so a key and its URL are used up together.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import type { QueueId, SessionSource } from '../../../common/sessions.ts';
import type { Store } from './db.ts';

export interface StartTicket {
  readonly queue: QueueId;
  readonly source: SessionSource;
  /** Rep who generated it (session keys). */
  readonly repId: string | null;
  readonly shortKey: string | null;
  readonly customerName: string;
  readonly details: string;
  readonly issue: string | null;
  readonly originTeam: string | null;
  readonly createdAt: number;
  /** The key may start a session until then; the session itself is not bounded by it. */
  readonly expiresAt: number;
  usedAt: number | null;
  /** The session this ticket started, once used. */
  sessionId?: string | null;
  /** Click-to-chat and portal starts may be resumed by the same browser/client; keys are one-time. */
  readonly oneTime: boolean;
  /** Elevation (F26): the client joins this existing click-to-chat session instead of starting one. */
  readonly elevateSession?: string;
}

/** 7 digits: 10 million keys; with a few hundred live keys a guess hits about 1 in 30,000, and guesses are throttled. */
export const SHORT_KEY_DIGITS = 7;

export function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class StartTokenStore {
  constructor(private readonly store: Store) {}

  /** Creates a ticket; with `withShortKey`, also a unique numeric key. Returns the token (never stored). */
  createSync(ticket: Omit<StartTicket, 'shortKey' | 'usedAt'>, withShortKey: boolean): { token: string; shortKey: string | null; ticket: StartTicket; hash: string } {
    const token = randomBytes(24).toString('base64url');
    const hash = tokenHash(token);
    return this.store.txSync(() => {
      let shortKey: string | null = null;
      if (withShortKey) {
        // Retry on the rare collision with a live key; bounded.
        for (let i = 0; i < 20 && shortKey === null; i++) {
          const candidate = String(randomInt(10 ** (SHORT_KEY_DIGITS - 1), 10 ** SHORT_KEY_DIGITS));
          const taken = this.store.spaces.starts.get(`k:${candidate}`) as string | undefined;
          const takenTicket = taken ? this.byHash(taken) : undefined;
          if (!takenTicket || takenTicket.expiresAt < Date.now() || takenTicket.usedAt !== null) shortKey = candidate;
        }
        if (shortKey === null) throw new Error('no free session key');
        this.store.spaces.starts.putSync(`k:${shortKey}`, hash);
      }
      const full: StartTicket = { ...ticket, shortKey, usedAt: null };
      this.store.spaces.starts.putSync(`t:${hash}`, full);
      return { token, shortKey, ticket: full, hash };
    });
  }

  byHash(hash: string): StartTicket | undefined {
    return this.store.spaces.starts.get(`t:${hash}`) as StartTicket | undefined;
  }

  byToken(token: string): { hash: string; ticket: StartTicket } | undefined {
    const hash = tokenHash(token);
    const ticket = this.byHash(hash);
    return ticket ? { hash, ticket } : undefined;
  }

  byShortKey(key: string): { hash: string; ticket: StartTicket } | undefined {
    const hash = this.store.spaces.starts.get(`k:${key}`) as string | undefined;
    const ticket = hash ? this.byHash(hash) : undefined;
    return hash && ticket ? { hash, ticket } : undefined;
  }

  /** Makes a (reusable) token unusable at once, e.g. a removed support button's. */
  revokeSync(hash: string): void {
    this.store.txSync(() => this.store.spaces.starts.removeSync(`t:${hash}`));
  }

  markUsedSync(hash: string, at: number, sessionId: string): void {
    this.store.txSync(() => {
      const t = this.byHash(hash);
      if (t) this.store.spaces.starts.putSync(`t:${hash}`, { ...t, usedAt: at, sessionId });
    });
  }
}
