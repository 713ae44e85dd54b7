/**
 * The built-in vault (F18): credentials the appliance injects for reps
 * (F19) without showing them. Keyspace `vault` holds one record per
 * credential (key: id) with its secret and key passphrase sealed by
 * vault/seal.ts under the key of vault/key.ts, kept outside the store;
 * keyspace `vaultlog` is the administrators' log of every change, check-out,
 * check-in and use (key: time-ordered).
 *
 * Who may use a credential: administrators, the users it lists, and members
 * of the teams it lists. A host pattern (`*.example.com`) binds it to jump
 * items whose host matches; empty binds it to any.
 *
 * Check-out is exclusive: a jump that uses a credential checks it out to
 * that rep and session; nobody else can use it until it is checked in, which
 * happens when that session ends, when the holder or an administrator checks
 * it in, or when the appliance restarts (no SSH connection survives one). A
 * failed login checks it straight back in.
 *
 * Secrets leave this module only through `secretFor` (to the SSH bridge);
 * admin views show whether one is set, never its value.
 */
import { AppError } from '../../../common/errors.ts';
import { hostMatches } from '../../../common/shell-jump.ts';
import { newId } from '../store/ids.ts';
import type { Store } from '../store/db.ts';
import type { VaultKey } from './key.ts';
import type { CredentialProvider, ProviderContext, ProviderCredential, ProviderSecret } from './provider.ts';
import { seal, unseal, type Sealed } from './seal.ts';

export type VaultKind = 'password' | 'private_key';
export type VaultAction = 'created' | 'updated' | 'removed' | 'checked_out' | 'checked_in' | 'injected';

interface VaultRecord {
  readonly id: string;
  name: string;
  username: string;
  kind: VaultKind;
  description: string;
  userIds: string[];
  teamIds: string[];
  hostPattern: string;
  secret: Sealed;
  passphrase: Sealed | null;
  readonly createdAt: number;
  updatedAt: number;
  checkout: { userId: string; sessionId: string | null; at: number } | null;
}

/** A credential as an administrator sees it: everything but the secret. */
export interface VaultCredentialView {
  id: string;
  name: string;
  username: string;
  kind: VaultKind;
  description: string;
  userIds: string[];
  teamIds: string[];
  hostPattern: string;
  hasPassphrase: boolean;
  createdAt: number;
  updatedAt: number;
  checkout: { userId: string; userName: string; sessionId: string | null; at: number } | null;
}

export interface VaultLogEntry {
  at: number;
  credentialId: string;
  name: string;
  action: VaultAction;
  /** Display name of who did it; null for the appliance itself (restart, session end). */
  actor: string | null;
  sessionId: string | null;
}

/** What an administrator sends to create or change a credential; an empty `secret` on change keeps the stored one. */
export interface VaultInput {
  name: string;
  username: string;
  kind: VaultKind;
  secret: string;
  passphrase: string;
  description: string;
  userIds: string[];
  teamIds: string[];
  hostPattern: string;
}

export const MAX_VAULT_SECRET = 16 * 1024;
const HOST_PATTERN = /^[A-Za-z0-9*._:-]{0,253}$/;

export interface VaultDeps {
  readonly store: Store;
  readonly key: VaultKey;
  readonly userName: (userId: string) => string;
  readonly userExists: (userId: string) => boolean;
  readonly teamExists: (teamId: string) => boolean;
  readonly now?: () => number;
}

export class Vault implements CredentialProvider {
  readonly id = 'vault';
  private readonly now: () => number;
  private logSeq = 0;

  constructor(private readonly d: VaultDeps) {
    this.now = d.now ?? Date.now;
  }

  private get space() {
    return this.d.store.spaces.vault;
  }

  private records(): VaultRecord[] {
    const out: VaultRecord[] = [];
    for (const { value } of this.space.getRange()) out.push(value as VaultRecord);
    return out.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  private record(id: string): VaultRecord | undefined {
    return this.space.get(id) as VaultRecord | undefined;
  }

  private put(r: VaultRecord): void {
    this.d.store.txSync(() => this.space.putSync(r.id, r));
  }

  /** Appends to the vault log (also used for uses of an external provider's credentials). */
  log(r: Pick<VaultRecord, 'id' | 'name'>, action: VaultAction, actor: string | null, sessionId: string | null = null): void {
    const at = this.now();
    const key = `${String(at).padStart(15, '0')}-${String(this.logSeq++ % 1e6).padStart(6, '0')}`;
    const entry: VaultLogEntry = { at, credentialId: r.id, name: r.name, action, actor, sessionId };
    this.d.store.txSync(() => this.d.store.spaces.vaultlog.putSync(key, entry));
  }

  private view(r: VaultRecord): VaultCredentialView {
    const { secret: _s, passphrase, checkout, ...rest } = r;
    return { ...rest, hasPassphrase: passphrase !== null, checkout: checkout ? { ...checkout, userName: this.d.userName(checkout.userId) } : null };
  }

  // ---- administrators ---------------------------------------------------------

  /** Provider side: what `ctx`'s rep may use (for `ctx.host` when given). */
  async list(ctx: ProviderContext): Promise<ProviderCredential[]> {
    return this.records()
      .filter((r) => this.mayUse(ctx, r) && (ctx.host === undefined || hostMatches(r.hostPattern, ctx.host)))
      .map((r) => ({ id: r.id, name: r.name, username: r.username, kind: r.kind, description: r.description }));
  }

  /** Every credential, for the admin page; with who holds what checked out. */
  all(): VaultCredentialView[] {
    return this.records().map((r) => this.view(r));
  }

  /** The newest log entries first, at most `limit`. */
  history(limit = 200): VaultLogEntry[] {
    const out: VaultLogEntry[] = [];
    for (const { value } of this.d.store.spaces.vaultlog.getRange({ reverse: true, limit })) out.push(value as VaultLogEntry);
    return out;
  }

  private check(input: VaultInput, creating: boolean): void {
    const name = input.name.trim();
    if (!name || name.length > 100) throw new AppError('BAD_FIELD', 'name');
    if (!/^[A-Za-z0-9._@\\-]{1,64}$/.test(input.username)) throw new AppError('BAD_FIELD', 'username');
    if (input.kind !== 'password' && input.kind !== 'private_key') throw new AppError('BAD_FIELD', 'kind');
    if (creating && !input.secret) throw new AppError('BAD_FIELD', 'secret');
    if (input.secret.length > MAX_VAULT_SECRET || input.passphrase.length > 1024) throw new AppError('BAD_FIELD', 'secret too long');
    if (input.description.length > 500) throw new AppError('BAD_FIELD', 'description');
    if (!HOST_PATTERN.test(input.hostPattern)) throw new AppError('BAD_FIELD', 'hostPattern');
    if (input.userIds.length > 500 || input.userIds.some((u) => !this.d.userExists(u))) throw new AppError('UNKNOWN_ID', 'userIds');
    if (input.teamIds.length > 500 || input.teamIds.some((t) => !this.d.teamExists(t))) throw new AppError('UNKNOWN_ID', 'teamIds');
  }

  create(input: VaultInput, actor: string): VaultCredentialView {
    this.check(input, true);
    const key = this.d.key.get(true);
    const id = newId();
    const now = this.now();
    const r: VaultRecord = {
      id,
      name: input.name.trim(),
      username: input.username,
      kind: input.kind,
      description: input.description.trim(),
      userIds: [...new Set(input.userIds)],
      teamIds: [...new Set(input.teamIds)],
      hostPattern: input.hostPattern,
      secret: seal(key, input.secret, id),
      passphrase: input.kind === 'private_key' && input.passphrase ? seal(key, input.passphrase, `${id}/passphrase`) : null,
      createdAt: now,
      updatedAt: now,
      checkout: null,
    };
    this.put(r);
    this.log(r, 'created', actor);
    return this.view(r);
  }

  update(id: string, input: VaultInput, actor: string): VaultCredentialView {
    const old = this.record(id);
    if (!old) throw new AppError('UNKNOWN_ID');
    this.check(input, false);
    const key = input.secret || input.passphrase ? this.d.key.get(true) : undefined;
    const r: VaultRecord = {
      ...old,
      name: input.name.trim(),
      username: input.username,
      kind: input.kind,
      description: input.description.trim(),
      userIds: [...new Set(input.userIds)],
      teamIds: [...new Set(input.teamIds)],
      hostPattern: input.hostPattern,
      secret: input.secret ? seal(key!, input.secret, id) : old.secret,
      passphrase: input.kind !== 'private_key' ? null : input.passphrase ? seal(key!, input.passphrase, `${id}/passphrase`) : old.passphrase,
      updatedAt: this.now(),
    };
    this.put(r);
    this.log(r, 'updated', actor);
    return this.view(r);
  }

  remove(id: string, actor: string): void {
    const r = this.record(id);
    if (!r) throw new AppError('UNKNOWN_ID');
    this.d.store.txSync(() => this.space.removeSync(id));
    this.log(r, 'removed', actor);
  }

  // ---- reps -------------------------------------------------------------------

  mayUse(ctx: ProviderContext, r: Pick<VaultRecord, 'userIds' | 'teamIds'>): boolean {
    return ctx.admin || r.userIds.includes(ctx.userId) || r.teamIds.some((t) => ctx.teamIds.includes(t));
  }

  /** Provider side: the secret, after the same checks as `list`. Check-out is `checkOut`'s. */
  async get(id: string, ctx: ProviderContext): Promise<ProviderSecret> {
    const r = this.record(id);
    if (!r || !this.mayUse(ctx, r)) throw new AppError('VAULT_UNKNOWN');
    if (ctx.host !== undefined && !hostMatches(r.hostPattern, ctx.host)) throw new AppError('VAULT_NOT_FOR_ITEM');
    return this.secretOf(r);
  }

  private secretOf(r: VaultRecord): ProviderSecret {
    const key = this.d.key.get(false);
    const secret = unseal(key, r.secret, r.id);
    const passphrase = r.passphrase ? unseal(key, r.passphrase, `${r.id}/passphrase`) : undefined;
    return r.kind === 'password' ? { username: r.username, password: secret } : { username: r.username, privateKey: secret, ...(passphrase ? { passphrase } : {}) };
  }

  /**
   * Checks a credential out to a rep for a jump (exclusive) and returns its
   * secret. `sessionId` follows with `bind` once the session exists.
   */
  checkOut(id: string, ctx: ProviderContext): ProviderSecret & { name: string } {
    const r = this.record(id);
    if (!r || !this.mayUse(ctx, r)) throw new AppError('VAULT_UNKNOWN');
    if (ctx.host !== undefined && !hostMatches(r.hostPattern, ctx.host)) throw new AppError('VAULT_NOT_FOR_ITEM');
    if (r.checkout) throw new AppError('VAULT_CHECKED_OUT', this.d.userName(r.checkout.userId));
    const secret = this.secretOf(r);
    r.checkout = { userId: ctx.userId, sessionId: null, at: this.now() };
    this.put(r);
    return { ...secret, name: r.name };
  }

  /** The jump succeeded: the check-out belongs to this session; logs the check-out and the use. */
  bind(id: string, userId: string, sessionId: string): void {
    const r = this.record(id);
    if (!r || r.checkout?.userId !== userId) return;
    r.checkout = { ...r.checkout, sessionId };
    this.put(r);
    const who = this.d.userName(userId);
    this.log(r, 'checked_out', who, sessionId);
    this.log(r, 'injected', who, sessionId);
  }

  /** A failed jump gives the credential straight back (nothing was used). */
  release(id: string, userId: string): void {
    const r = this.record(id);
    if (!r || r.checkout?.userId !== userId || r.checkout.sessionId !== null) return;
    r.checkout = null;
    this.put(r);
  }

  /** Checks in what a session had; returns the names checked in (for its log). */
  sessionEnded(sessionId: string): string[] {
    const names: string[] = [];
    for (const r of this.records()) {
      if (r.checkout?.sessionId !== sessionId) continue;
      r.checkout = null;
      this.put(r);
      this.log(r, 'checked_in', null, sessionId);
      names.push(r.name);
    }
    return names;
  }

  /** The holder, or an administrator, checks a credential in. Returns the session it was bound to. */
  checkIn(id: string, userId: string, admin: boolean): { name: string; sessionId: string | null } {
    const r = this.record(id);
    if (!r || !r.checkout || (!admin && r.checkout.userId !== userId)) throw new AppError('VAULT_UNKNOWN');
    const sessionId = r.checkout.sessionId;
    r.checkout = null;
    this.put(r);
    this.log(r, 'checked_in', this.d.userName(userId), sessionId);
    return { name: r.name, sessionId };
  }

  /** After a restart no SSH connection is left: everything checked out is checked in. */
  checkInAllAfterRestart(): void {
    for (const r of this.records()) {
      if (!r.checkout) continue;
      const sessionId = r.checkout.sessionId;
      r.checkout = null;
      this.put(r);
      this.log(r, 'checked_in', null, sessionId);
    }
  }
}
