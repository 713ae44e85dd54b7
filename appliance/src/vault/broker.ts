/**
 * Credential injection (F19) for Shell Jump: the one place that turns "rep
 * X wants credential C for item I" into secrets for the SSH bridge. It asks
 * the built-in vault (ids without a prefix) or the configured external
 * provider (`<provider id>:<id>`), applies check-out for vault credentials,
 * and writes the session events and the vault log. It also answers the
 * console's `vault_list` (names and usernames only) and `vault_checkin`.
 *
 * Nothing here returns a secret to a caller other than the Shell Jump
 * service, which hands it to ssh2 for one login.
 */
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import type { JumpRecord } from '../store/jump-items.ts';
import type { TeamStore } from '../store/teams.ts';
import type { UserStore } from '../store/users.ts';
import type { CredentialSource, InjectedCredential } from '../services/shell-jump-service.ts';
import type { SessionService } from '../services/session-service.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import { PROVIDER_CREDENTIAL_PATTERN, withTimeout, type CredentialProvider, type ProviderContext } from './provider.ts';
import type { Vault } from './vault.ts';

export interface BrokerDeps {
  readonly log: Logger;
  readonly vault: Vault;
  readonly external?: CredentialProvider;
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly sessions: SessionService;
  readonly hub: ConsoleHub;
  readonly jumpItem: (userId: string, itemId: string) => JumpRecord;
}

export interface CredentialChoice {
  id: string;
  name: string;
  username: string;
  kind: 'password' | 'private_key';
  description: string;
  checkedOutBy: string | null;
  checkedOutByMe: boolean;
}

export class CredentialBroker implements CredentialSource {
  constructor(private readonly d: BrokerDeps) {}

  private ctx(userId: string, host?: string): ProviderContext {
    const user = this.d.users.get(userId);
    if (!user || user.disabled) throw new AppError('AUTH_REQUIRED');
    return { userId, username: user.username, admin: user.admin, teamIds: this.d.teams.ofUser(userId).map(({ team }) => team.id), ...(host !== undefined ? { host } : {}) };
  }

  /** What the rep may pick (for the item's host when given); never a secret. */
  async listFor(userId: string, itemId?: string): Promise<CredentialChoice[]> {
    const item = itemId ? this.d.jumpItem(userId, itemId) : undefined;
    const host = item ? (item.ssh?.host ?? item.vnc?.host) : undefined;
    const ctx = this.ctx(userId, host);
    const held = new Map(this.d.vault.all().map((c) => [c.id, c.checkout]));
    const own = (await this.d.vault.list(ctx)).map((c) => ({ ...c, checkedOutBy: held.get(c.id)?.userName ?? null, checkedOutByMe: held.get(c.id)?.userId === userId }));
    const ext = this.d.external;
    if (!ext) return own;
    try {
      const theirs = await withTimeout(ext.list(ctx));
      return [
        ...own,
        ...theirs
          .filter((c) => PROVIDER_CREDENTIAL_PATTERN.test(c.id))
          .map((c) => ({ id: `${ext.id}:${c.id}`, name: String(c.name).slice(0, 100), username: String(c.username).slice(0, 64), kind: c.kind === 'private_key' ? ('private_key' as const) : ('password' as const), description: String(c.description ?? '').slice(0, 500), checkedOutBy: null, checkedOutByMe: false })),
      ];
    } catch (err) {
      this.d.log.warn({ provider: ext.id, err: (err as Error).message }, 'credential provider could not list');
      return own;
    }
  }

  async forJump(userId: string, item: JumpRecord, credentialId: string): Promise<InjectedCredential> {
    const host = item.ssh?.host ?? item.vnc?.host;
    const ctx = this.ctx(userId, host);
    const rep = this.d.users.get(userId)?.displayName ?? ctx.username;
    const colon = credentialId.indexOf(':');
    if (colon >= 0) {
      const ext = this.d.external;
      const id = credentialId.slice(colon + 1);
      if (!ext || credentialId.slice(0, colon) !== ext.id || !PROVIDER_CREDENTIAL_PATTERN.test(id)) throw new AppError('VAULT_UNKNOWN');
      let secret;
      try {
        secret = await withTimeout(ext.get(id, ctx));
      } catch (err) {
        this.d.log.warn({ provider: ext.id, err: (err as Error).message }, 'credential provider refused or failed');
        // A provider refuses with code VAULT_UNKNOWN or VAULT_NOT_FOR_ITEM; anything else is its failure.
        const code = (err as { code?: unknown } | null)?.code;
        throw new AppError(code === 'VAULT_UNKNOWN' || code === 'VAULT_NOT_FOR_ITEM' ? code : 'VAULT_PROVIDER');
      }
      const name = `${ext.id}:${id}`;
      return {
        credentials: { password: secret.password, privateKey: secret.privateKey, passphrase: secret.passphrase },
        username: secret.username,
        used: (sessionId) => {
          this.d.vault.log({ id: credentialId, name }, 'injected', rep, sessionId);
          this.d.sessions.recordEvent(sessionId, 'vault_injected', rep, { name });
        },
        failed: () => undefined,
      };
    }
    const out = this.d.vault.checkOut(credentialId, ctx);
    return {
      credentials: { password: out.password, privateKey: out.privateKey, passphrase: out.passphrase },
      username: out.username,
      used: (sessionId) => {
        this.d.vault.bind(credentialId, userId, sessionId);
        this.d.sessions.recordEvent(sessionId, 'vault_checked_out', rep, { name: out.name });
        this.d.sessions.recordEvent(sessionId, 'vault_injected', rep, { name: out.name });
      },
      failed: () => this.d.vault.release(credentialId, userId),
    };
  }

  sessionEnded(sessionId: string): void {
    for (const name of this.d.vault.sessionEnded(sessionId)) this.d.sessions.recordEvent(sessionId, 'vault_checked_in', null, { name });
  }

  /** The holder (or an administrator) checks a credential in; the session it served logs it. */
  checkIn(userId: string, credentialId: string): void {
    const admin = Boolean(this.d.users.get(userId)?.admin);
    const { name, sessionId } = this.d.vault.checkIn(credentialId, userId, admin);
    if (sessionId) this.d.sessions.recordEvent(sessionId, 'vault_checked_in', this.d.sessions.repName(userId), { name });
  }

  consoleHandlers(): ExtraHandlers {
    const hub = this.d.hub;
    return {
      vault_list: async (ws, body) => {
        const credentials = await this.listFor(ws.getUserData().userId, body.itemId as string | undefined);
        hub.send(ws, { t: 'vault_credentials', rid: body.rid as number, credentials });
      },
      vault_checkin: (ws, body) => {
        this.checkIn(ws.getUserData().userId, body.credentialId as string);
        hub.send(ws, { t: 'ack', rid: body.rid as number });
      },
    };
  }
}
