/**
 * Shell Jump (F13) on the appliance: creating, editing and removing Shell
 * Jump items, and jumping: the appliance opens the SSH connection
 * (relay/ssh-bridge.ts), starts a session of kind `ssh` owned by the rep,
 * and opens its first shell through the command-shell relay.
 *
 * Authorization, checked here on every request (the console mirrors it):
 * - creating an item takes the `shellJump` permission (administrators
 *   always have it); its group is the rep's personal list or a team they
 *   are in;
 * - seeing, jumping, editing and removing follow the jump-item rules of
 *   JumpService (visibility; manage = pinning rep, team lead/manager, admin);
 * - jumping also takes the `shell` permission (the terminal is a shell) and
 *   is refused outside the item's jump policy like any jump.
 *
 * Host keys: the item's pinned fingerprint must match. An item without one
 * is trusted on first use: the first attempt fails with the fingerprint,
 * the rep confirms it, the second attempt carries it as `trust` and, when
 * the host presents that same key, it is stored on the item.
 *
 * Credentials typed by the rep are used for one connection attempt and
 * forgotten; vault credentials are resolved by the vault (F18/F19) and
 * never leave the appliance.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import type { JumpGroup, JumpItem } from '../../../common/jump.ts';
import { checkTarget, MAX_ITEM_NAME, targetLabel, type SshPrompt } from '../../../common/shell-jump.ts';
import { newId } from '../store/ids.ts';
import type { JumpPolicyStore, JumpRecord, JumpStore } from '../store/jump-items.ts';
import type { PermissionStore } from '../store/permissions.ts';
import type { TeamStore } from '../store/teams.ts';
import type { UserStore } from '../store/users.ts';
import { connectSsh, SshLink, type SshCredentials } from '../relay/ssh-bridge.ts';
import type { ShellRelay } from '../relay/shell.ts';
import type { ConsoleHub, ConsoleWs, ExtraHandlers } from '../ws/console-socket.ts';
import type { JumpService } from './jump-service.ts';
import type { SessionService } from './session-service.ts';

/** A keyboard-interactive prompt waits this long for the rep's answer. */
export const PROMPT_WAIT_MS = 110_000;

/** What the vault gives a jump: credentials for this connection, and what to call when the session ends. */
export interface InjectedCredential {
  credentials: SshCredentials;
  /** The credential's username, when it has one (it replaces the item's). */
  username?: string;
  /** Called with the session id once the jump succeeded (check-out bookkeeping, events). */
  used(sessionId: string): void;
  /** Called when the attempt failed (releases a check-out). */
  failed(): void;
}

export interface CredentialSource {
  /** Resolves a vault credential for this rep and item; throws VAULT_* errors. */
  forJump(userId: string, item: JumpRecord, credentialId: string): Promise<InjectedCredential>;
  /** The session ended: check in what it had checked out. */
  sessionEnded(sessionId: string): void;
}

export interface ShellJumpDeps {
  readonly log: Logger;
  readonly jumps: JumpService;
  readonly store: JumpStore;
  readonly policies: JumpPolicyStore;
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly permissions: PermissionStore;
  readonly sessions: SessionService;
  readonly hub: ConsoleHub;
  readonly relay: () => ShellRelay;
  readonly vault?: () => CredentialSource | undefined;
}

interface PendingPrompt {
  readonly userId: string;
  resolve(answers: string[]): void;
  reject(err: Error): void;
  readonly timer: NodeJS.Timeout;
}

export interface ShellJumpInput {
  itemId?: string;
  name: string;
  host: unknown;
  port: unknown;
  username: unknown;
  group: string;
  policyId: string;
  fingerprint?: string;
}

export interface JumpRequest {
  itemId: string;
  cols: number;
  rows: number;
  password?: string;
  privateKey?: string;
  passphrase?: string;
  credentialId?: string;
  trust?: string;
  override?: boolean;
}

export class ShellJumpService {
  private readonly links = new Map<string, SshLink>();
  /** `user@host:port` of each live Shell Jump session, for its events. */
  private readonly labels = new Map<string, string>();
  private readonly prompts = new Map<string, PendingPrompt>();

  constructor(private readonly d: ShellJumpDeps, private readonly now: () => number = Date.now) {}

  private isAdmin(userId: string): boolean {
    return Boolean(this.d.users.get(userId)?.admin);
  }

  mayCreate(userId: string): boolean {
    return this.isAdmin(userId) || this.d.permissions.effective(userId).shellJump;
  }

  private groupFor(userId: string, group: string): JumpGroup {
    if (group === 'personal') return { kind: 'personal', userId };
    if (!this.d.teams.ofUser(userId).some(({ team }) => team.id === group)) throw new AppError('QUEUE_UNKNOWN');
    return { kind: 'team', teamId: group };
  }

  /** Creates (no `itemId`) or edits a Shell Jump item; every field is checked before anything is stored. */
  save(userId: string, input: ShellJumpInput): JumpItem {
    const name = input.name.trim();
    if (!name || name.length > MAX_ITEM_NAME) throw new AppError('BAD_FIELD', 'name');
    const target = checkTarget(input);
    if (input.policyId && !this.d.policies.get(input.policyId)) throw new AppError('UNKNOWN_ID', 'no such jump policy');
    let item: JumpRecord;
    if (input.itemId) {
      const old = this.d.jumps.visible(userId, input.itemId);
      if (old.method !== 'shell_jump') throw new AppError('JUMP_UNKNOWN');
      if (!this.d.jumps.canRemove(userId, old)) throw new AppError('FORBIDDEN', 'only the creator, a team lead or manager, or an administrator');
      const group = input.group === (old.group.kind === 'team' ? old.group.teamId : 'personal') ? old.group : this.groupFor(userId, input.group);
      const moved = old.ssh && (old.ssh.host !== target.host || old.ssh.port !== target.port);
      // A new host or port is a new host key: an edit that gives none forgets the old one.
      const fingerprint = target.fingerprint ?? (moved ? null : (old.ssh?.fingerprint ?? null));
      item = { ...old, name, group, ssh: { ...target, fingerprint }, hostname: target.host, user: target.username, policyId: input.policyId || null };
    } else {
      if (!this.mayCreate(userId)) throw new AppError('SHELL_JUMP_NOT_ALLOWED');
      item = {
        id: newId(),
        name,
        group: this.groupFor(userId, input.group),
        method: 'shell_jump',
        ssh: target,
        hostname: target.host,
        os: 'SSH',
        user: target.username,
        createdAt: this.now(),
        createdBy: userId,
        lastAccessed: null,
        secretHash: '',
        policyId: input.policyId || null,
      };
    }
    this.d.store.putSync(item);
    this.d.log.info({ jump: item.id, edit: Boolean(input.itemId) }, 'shell jump item saved');
    this.d.jumps.announce(item);
    return this.d.jumps.toPublic(item, userId);
  }

  /**
   * Jumps: connects, then starts the session and its first shell. Resolves
   * with the session id. `ws` is the console that asked (it gets the prompts).
   */
  async start(userId: string, ws: ConsoleWs | undefined, req: JumpRequest): Promise<string> {
    const item = this.d.jumps.visible(userId, req.itemId);
    if (item.method !== 'shell_jump' || !item.ssh) throw new AppError('BAD_FIELD', 'not a Shell Jump item');
    // The session is its shells: without the shell permission (administrators included) there is nothing to show.
    if (!this.d.permissions.effective(userId).shell) throw new AppError('SHELL_NOT_ALLOWED');
    this.d.jumps.checkPolicy(userId, item, req.override === true);
    const typed = Boolean(req.password || req.privateKey);
    if (!typed && !req.credentialId) throw new AppError('SSH_NO_CREDENTIAL');
    if (typed && req.credentialId) throw new AppError('BAD_FIELD', 'either typed credentials or a vault credential');
    let injected: InjectedCredential | undefined;
    if (req.credentialId) {
      const vault = this.d.vault?.();
      if (!vault) throw new AppError('VAULT_UNKNOWN');
      injected = await vault.forJump(userId, item, req.credentialId);
    }
    const credentials: SshCredentials = injected?.credentials ?? { password: req.password, privateKey: req.privateKey, passphrase: req.passphrase };
    const username = injected?.username || item.ssh.username;
    const pinned = item.ssh.fingerprint;
    const expected = pinned ?? (req.trust || null);
    let connected;
    try {
      connected = await connectSsh({
        target: { host: item.ssh.host, port: item.ssh.port, username },
        expected,
        credentials,
        passwordAnswersPrompt: Boolean(injected),
        prompt: (name, instructions, prompts) => this.ask(userId, ws, item.id, name, instructions, prompts),
      });
    } catch (err) {
      injected?.failed();
      if (err instanceof AppError) this.d.log.info({ jump: item.id, code: err.code }, 'shell jump refused');
      throw err;
    }
    const { client, fingerprint } = connected;
    // The item may have been removed or edited while connecting: the fresh record wins.
    const fresh = this.d.store.get(item.id);
    const trustedNow = !pinned && fresh?.ssh && fresh.ssh.fingerprint === null;
    if (fresh && trustedNow && fresh.ssh) fresh.ssh = { ...fresh.ssh, fingerprint };
    if (fresh) {
      fresh.lastAccessed = this.now();
      this.d.store.putSync(fresh);
      this.d.jumps.announce(fresh);
    }
    let record;
    try {
      record = this.d.sessions.startShellJump(userId, {
        name: item.name,
        host: item.ssh.host,
        port: item.ssh.port,
        username,
        originTeam: item.group.kind === 'team' ? item.group.teamId : null,
      });
    } catch (err) {
      client.end();
      injected?.failed();
      throw err;
    }
    const sessionId = record.id;
    const rep = this.d.sessions.repName(userId);
    if (trustedNow) this.d.sessions.recordEvent(sessionId, 'shell_jump_hostkey_trusted', rep, { fingerprint });
    injected?.used(sessionId);
    const label = targetLabel({ host: item.ssh.host, port: item.ssh.port, username });
    this.labels.set(sessionId, label);
    const link = new SshLink(sessionId, client, this.d.relay, (byUs) => {
      this.links.delete(sessionId);
      this.labels.delete(sessionId);
      if (!byUs) {
        this.d.sessions.recordEvent(sessionId, 'shell_jump_ended', null, { target: label });
        this.d.sessions.customerPresence(sessionId, false);
      }
    });
    this.links.set(sessionId, link);
    this.d.log.info({ jump: item.id, session: sessionId, vault: Boolean(injected) }, 'shell jump connected');
    // The rep sees a terminal at once: the first shell is opened here and the console attaches to it.
    this.d.relay().open(userId, sessionId, req.cols, req.rows);
    return sessionId;
  }

  private ask(userId: string, ws: ConsoleWs | undefined, itemId: string, name: string, instructions: string, prompts: SshPrompt[]): Promise<string[]> {
    const sockets = ws ? [ws] : this.d.hub.socketsOf(userId);
    if (sockets.length === 0) return Promise.reject(new Error('nobody to ask'));
    const promptId = randomBytes(16).toString('base64url');
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.prompts.delete(promptId);
        reject(new Error('no answer'));
      }, PROMPT_WAIT_MS);
      timer.unref();
      this.prompts.set(promptId, { userId, resolve, reject, timer });
      for (const s of sockets) this.d.hub.send(s, { t: 'shell_jump_prompt', promptId, itemId, name, instructions, prompts });
    });
  }

  /** The rep's answers to a keyboard-interactive prompt (`cancel` gives none: the login fails). */
  answer(userId: string, promptId: string, answers: string[] | null): void {
    const p = this.prompts.get(promptId);
    if (!p || p.userId !== userId) throw new AppError('SSH_PROMPT_UNKNOWN');
    this.prompts.delete(promptId);
    clearTimeout(p.timer);
    if (answers === null) p.reject(new Error('cancelled'));
    else p.resolve(answers);
  }

  /** Whether the session is a Shell Jump with a live connection. */
  has(sessionId: string): boolean {
    return this.links.get(sessionId)?.open === true;
  }

  /** The relay's `callCustomer` for a Shell Jump session: a new SSH channel on its connection. */
  openShell(sessionId: string, channelId: string, params: Record<string, unknown>): void {
    const link = this.links.get(sessionId);
    if (!link?.open) throw new AppError('CUSTOMER_OFFLINE');
    link.openShell(channelId, Number(params.cols) || 80, Number(params.rows) || 24);
  }

  /** The session ended: close its SSH connection and check in its vault credentials. */
  sessionEnded(sessionId: string): void {
    const link = this.links.get(sessionId);
    const label = this.labels.get(sessionId) ?? '';
    if (link) {
      link.close();
      this.d.sessions.recordEvent(sessionId, 'shell_jump_ended', null, { target: label });
    }
    this.d.vault?.()?.sessionEnded(sessionId);
  }

  consoleHandlers(): ExtraHandlers {
    const hub = this.d.hub;
    return {
      shell_jump_save: (ws, body) => {
        const item = this.save(ws.getUserData().userId, body as unknown as ShellJumpInput);
        hub.send(ws, { t: 'jump_item', rid: body.rid as number, item });
      },
      shell_jump_start: async (ws, body) => {
        const sessionId = await this.start(ws.getUserData().userId, ws, body as unknown as JumpRequest);
        hub.send(ws, { t: 'shell_jump_started', rid: body.rid as number, sessionId });
      },
      shell_jump_answer: (ws, body) => {
        this.answer(ws.getUserData().userId, body.promptId as string, body.cancel === true ? null : ((body.answers as string[] | undefined) ?? []));
        hub.send(ws, { t: 'ack', rid: body.rid as number });
      },
    };
  }
}
