/**
 * API accounts (F33): the OAuth2 clients integrations use. Keyspace
 * `apiaccounts`, key: account id. The client secret is shown once when it
 * is made and stored only as SHA-256; making a new one bumps `epoch`, which
 * revokes every token issued with the old one. Tokens are bearer strings
 * valid for an hour, kept in memory (an integration asks for a new one after
 * an appliance restart, as OAuth2 clients do on any 401).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../../common/errors.ts';
import type { Store } from '../store/db.ts';
import { newId } from '../store/ids.ts';

export interface ApiPermissions {
  /** The command API (`/api/command`) and session generation. */
  readonly command: boolean;
  /** The reporting API (`/api/reporting`). */
  readonly reporting: boolean;
}

export interface ApiAccount {
  readonly id: string;
  name: string;
  readonly clientId: string;
  secretHash: string;
  permissions: ApiPermissions;
  enabled: boolean;
  epoch: number;
  readonly createdAt: number;
  lastUsedAt: number | null;
}

export type PublicApiAccount = Omit<ApiAccount, 'secretHash' | 'epoch'>;

/** One hour, what integrations of the suite we match expect in `expires_in`. */
export const TOKEN_TTL_S = 3600;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('base64url');

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export function toPublicAccount(a: ApiAccount): PublicApiAccount {
  const { secretHash: _s, epoch: _e, ...rest } = a;
  return rest;
}

export class ApiAccounts {
  private readonly tokens = new Map<string, { accountId: string; epoch: number; expires: number }>();

  constructor(private readonly store: Store, private readonly now: () => number = Date.now) {}

  list(): ApiAccount[] {
    const out: ApiAccount[] = [];
    for (const { value } of this.store.spaces.apiaccounts.getRange()) out.push(value as ApiAccount);
    return out.sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): ApiAccount | undefined {
    return this.store.spaces.apiaccounts.get(id) as ApiAccount | undefined;
  }

  private byClientId(clientId: string): ApiAccount | undefined {
    return this.list().find((a) => a.clientId === clientId);
  }

  /** Creates an account; the secret is returned this once. */
  createSync(name: string, permissions: ApiPermissions): { account: ApiAccount; secret: string } {
    const secret = randomBytes(32).toString('base64url');
    const account: ApiAccount = {
      id: newId(),
      name,
      clientId: randomBytes(20).toString('hex'),
      secretHash: sha256(secret),
      permissions,
      enabled: true,
      epoch: 1,
      createdAt: this.now(),
      lastUsedAt: null,
    };
    this.store.txSync(() => this.store.spaces.apiaccounts.putSync(account.id, account));
    return { account, secret };
  }

  updateSync(id: string, change: (a: ApiAccount) => void): ApiAccount {
    return this.store.txSync(() => {
      const a = this.get(id);
      if (!a) throw new AppError('UNKNOWN_ID');
      change(a);
      this.store.spaces.apiaccounts.putSync(id, a);
      return a;
    });
  }

  /** A new secret; every token of the old one stops working. */
  regenerateSync(id: string): string {
    const secret = randomBytes(32).toString('base64url');
    this.updateSync(id, (a) => {
      a.secretHash = sha256(secret);
      a.epoch += 1;
    });
    return secret;
  }

  removeSync(id: string): void {
    this.store.txSync(() => {
      if (!this.get(id)) throw new AppError('UNKNOWN_ID');
      this.store.spaces.apiaccounts.removeSync(id);
    });
  }

  /** Client credentials → a bearer token, or undefined for a wrong or disabled client. */
  issueToken(clientId: string, secret: string): { token: string; expiresIn: number } | undefined {
    const a = this.byClientId(clientId);
    if (!a || !a.enabled || !sameHash(sha256(secret), a.secretHash)) return undefined;
    const now = this.now();
    for (const [k, v] of this.tokens) if (v.expires <= now) this.tokens.delete(k);
    const token = randomBytes(32).toString('base64url');
    this.tokens.set(sha256(token), { accountId: a.id, epoch: a.epoch, expires: now + TOKEN_TTL_S * 1000 });
    return { token, expiresIn: TOKEN_TTL_S };
  }

  /** The account a bearer token belongs to, while it is valid, the account enabled and its secret unchanged. */
  authenticate(token: string): ApiAccount | undefined {
    const entry = this.tokens.get(sha256(token));
    if (!entry || entry.expires <= this.now()) return undefined;
    const a = this.get(entry.accountId);
    if (!a || !a.enabled || a.epoch !== entry.epoch) return undefined;
    a.lastUsedAt = this.now();
    return a;
  }
}
