/**
 * Remote VNC (F13) on the appliance: creating, editing and removing Remote
 * VNC items, and jumping: the appliance connects to the VNC server with its
 * own RFB client (relay/rfb-client.ts), starts a session of kind `vnc`
 * owned by the rep, and serves the remote screen through the screen relay
 * (relay/vnc-screen.ts plays the customer side).
 *
 * Authorization, checked here on every request (the console mirrors it):
 * - creating an item takes the `shellJump` permission ("create Shell Jump
 *   and Remote VNC items"; administrators always have it); its group is the
 *   rep's personal list or a team they are in;
 * - seeing, jumping, editing and removing follow the jump-item rules of
 *   JumpService (visibility; manage = creator, team lead/manager, admin);
 * - jumping also takes screen permission (view or control: the session is
 *   its screen) and is refused outside the item's jump policy like any jump.
 *
 * The password typed by the rep is used for one connection attempt and
 * forgotten; a vault credential (kind `password`) is resolved by the vault
 * and never leaves the appliance. A server that drops the connection ends
 * the session and marks the item offline until a jump reaches it again.
 */
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import type { JumpGroup, JumpItem } from '../../../common/jump.ts';
import { checkVncTarget, vncLabel } from '../../../common/remote-vnc.ts';
import { MAX_ITEM_NAME } from '../../../common/shell-jump.ts';
import type { MediaCore } from '../../../wasm/src/index.ts';
import { RfbClient } from '../relay/rfb-client.ts';
import { VncScreen } from '../relay/vnc-screen.ts';
import { newId } from '../store/ids.ts';
import type { JumpPolicyStore, JumpRecord, JumpStore } from '../store/jump-items.ts';
import type { PermissionStore } from '../store/permissions.ts';
import type { TeamStore } from '../store/teams.ts';
import type { UserStore } from '../store/users.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import type { JumpService } from './jump-service.ts';
import type { SessionService } from './session-service.ts';
import type { CredentialSource } from './shell-jump-service.ts';

export interface VncJumpDeps {
  readonly log: Logger;
  readonly jumps: JumpService;
  readonly store: JumpStore;
  readonly policies: JumpPolicyStore;
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly permissions: PermissionStore;
  readonly sessions: SessionService;
  readonly hub: ConsoleHub;
  readonly core: () => Promise<MediaCore>;
  readonly vault?: () => CredentialSource | undefined;
}

export interface VncItemInput {
  itemId?: string;
  name: string;
  host: unknown;
  port?: unknown;
  group: string;
  policyId: string;
}

export interface VncJumpRequest {
  itemId: string;
  password?: string;
  credentialId?: string;
  override?: boolean;
}

interface Live {
  rfb: RfbClient;
  screen: VncScreen;
  label: string;
  itemId: string;
}

export class VncJumpService {
  private readonly live = new Map<string, Live>();

  constructor(private readonly d: VncJumpDeps, private readonly now: () => number = Date.now) {}

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

  /** Creates (no `itemId`) or edits a Remote VNC item; every field is checked before anything is stored. */
  save(userId: string, input: VncItemInput): JumpItem {
    const name = input.name.trim();
    if (!name || name.length > MAX_ITEM_NAME) throw new AppError('BAD_FIELD', 'name');
    const target = checkVncTarget(input);
    if (input.policyId && !this.d.policies.get(input.policyId)) throw new AppError('UNKNOWN_ID', 'no such jump policy');
    let item: JumpRecord;
    if (input.itemId) {
      const old = this.d.jumps.visible(userId, input.itemId);
      if (old.method !== 'remote_vnc') throw new AppError('JUMP_UNKNOWN');
      if (!this.d.jumps.canRemove(userId, old)) throw new AppError('FORBIDDEN', 'only the creator, a team lead or manager, or an administrator');
      const group = input.group === (old.group.kind === 'team' ? old.group.teamId : 'personal') ? old.group : this.groupFor(userId, input.group);
      item = { ...old, name, group, vnc: target, hostname: target.host, policyId: input.policyId || null };
    } else {
      if (!this.mayCreate(userId)) throw new AppError('SHELL_JUMP_NOT_ALLOWED');
      item = {
        id: newId(),
        name,
        group: this.groupFor(userId, input.group),
        method: 'remote_vnc',
        vnc: target,
        hostname: target.host,
        os: 'VNC',
        user: '',
        createdAt: this.now(),
        createdBy: userId,
        lastAccessed: null,
        secretHash: '',
        policyId: input.policyId || null,
      };
    }
    this.d.store.putSync(item);
    this.d.jumps.setReachable(item.id, true);
    this.d.log.info({ jump: item.id, edit: Boolean(input.itemId) }, 'remote vnc item saved');
    this.d.jumps.announce(item);
    return this.d.jumps.toPublic(item, userId);
  }

  /** Jumps: connects and authenticates, then starts the session. Resolves with the session id. */
  async start(userId: string, req: VncJumpRequest): Promise<string> {
    const item = this.d.jumps.visible(userId, req.itemId);
    if (item.method !== 'remote_vnc' || !item.vnc) throw new AppError('BAD_FIELD', 'not a Remote VNC item');
    // The session is its screen: without screen permission (administrators included) there is nothing to show.
    if (this.d.permissions.effective(userId).screen === 'none') throw new AppError('SCREEN_NO_PERMISSION');
    this.d.jumps.checkPolicy(userId, item, req.override === true);
    if (req.password && req.credentialId) throw new AppError('BAD_FIELD', 'either a typed password or a vault credential');
    let injected;
    if (req.credentialId) {
      const vault = this.d.vault?.();
      if (!vault) throw new AppError('VAULT_UNKNOWN');
      injected = await vault.forJump(userId, item, req.credentialId);
      if (!injected.credentials.password) {
        injected.failed();
        throw new AppError('VAULT_NOT_FOR_ITEM', 'a VNC server takes a password credential');
      }
    }
    const password = injected?.credentials.password ?? req.password;
    const target = item.vnc;
    let rfb: RfbClient;
    let core: MediaCore;
    try {
      core = await this.d.core();
      rfb = await RfbClient.connect({ host: target.host, port: target.port, password: password || undefined });
    } catch (err) {
      injected?.failed();
      if (err instanceof AppError && err.code === 'VNC_CONNECT_FAILED') this.d.jumps.setReachable(item.id, false, this.d.store.get(item.id));
      if (err instanceof AppError) this.d.log.info({ jump: item.id, code: err.code }, 'remote vnc refused');
      throw err;
    }
    const fresh = this.d.store.get(item.id);
    if (fresh) {
      fresh.lastAccessed = this.now();
      this.d.store.putSync(fresh);
      this.d.jumps.setReachable(fresh.id, true);
      this.d.jumps.announce(fresh);
    }
    const label = vncLabel(target);
    let record;
    try {
      record = this.d.sessions.startVncJump(userId, { name: item.name, host: target.host, label, desktop: rfb.name, originTeam: item.group.kind === 'team' ? item.group.teamId : null });
    } catch (err) {
      rfb.close();
      injected?.failed();
      throw err;
    }
    const sessionId = record.id;
    injected?.used(sessionId);
    const screen = new VncScreen(rfb, core);
    this.live.set(sessionId, { rfb, screen, label, itemId: item.id });
    rfb.onClose = (err) => {
      const live = this.live.get(sessionId);
      if (!live) return;
      this.live.delete(sessionId);
      screen.ended();
      this.d.log.info({ session: sessionId, code: err?.code }, 'remote vnc connection ended');
      this.d.sessions.recordEvent(sessionId, 'vnc_jump_ended', null, { target: label });
      this.d.jumps.setReachable(item.id, false, this.d.store.get(item.id));
      this.d.sessions.customerPresence(sessionId, false);
    };
    this.d.log.info({ jump: item.id, session: sessionId, vault: Boolean(injected) }, 'remote vnc connected');
    return sessionId;
  }

  /** The screen of a live Remote VNC session, for the screen relay (undefined: not a VNC session). */
  screenOf(sessionId: string): VncScreen | undefined {
    return this.live.get(sessionId)?.screen;
  }

  /** The benchmark's view: bytes the VNC server sent and what the stream sent on. */
  statsOf(sessionId: string): { rfbBytes: number; frames: number; bytes: number } | undefined {
    const l = this.live.get(sessionId);
    return l && { rfbBytes: l.rfb.bytesReceived, ...l.screen.stats };
  }

  /** The session ended: close its RFB connection and check in its vault credentials. */
  sessionEnded(sessionId: string): void {
    const live = this.live.get(sessionId);
    if (live) {
      this.live.delete(sessionId);
      live.rfb.close();
      live.screen.ended();
      this.d.sessions.recordEvent(sessionId, 'vnc_jump_ended', null, { target: live.label });
    }
  }

  consoleHandlers(): ExtraHandlers {
    const hub = this.d.hub;
    return {
      vnc_jump_save: (ws, body) => {
        const item = this.save(ws.getUserData().userId, body as unknown as VncItemInput);
        hub.send(ws, { t: 'jump_item', rid: body.rid as number, item });
      },
      vnc_jump_start: async (ws, body) => {
        const sessionId = await this.start(ws.getUserData().userId, body as unknown as VncJumpRequest);
        hub.send(ws, { t: 'vnc_jump_started', rid: body.rid as number, sessionId });
      },
    };
  }
}
