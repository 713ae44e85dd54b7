/**
 * Jump clients (F12, F13, F16) on the appliance: pinning from a session,
 * the jump items each rep may see, the `/ws/jump` presence of installed
 * jump clients, jumping (start a session owned by the rep) and removal.
 *
 * Who sees an item: a personal item its pinning rep; a team item every
 * member of that team; administrators every item. The same rule decides
 * who may jump to it. Removing takes the pinning rep, a lead or manager of
 * the item's team, or an administrator. Everything is checked here on
 * every request; the console only mirrors it.
 *
 * A jump client proves itself with the secret it got when it was pinned
 * (stored as SHA-256); wrong secrets count against the address like wrong
 * session keys. One live socket per item: a newer one replaces an older.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import { JUMP_CLIENT_TO_APPLIANCE, type ApplianceToJumpClient, type JumpGroup, type JumpItem } from '../../../common/jump.ts';
import { PROTOCOL_VERSION } from '../../../common/protocol.ts';
import { decodeMessage } from '../../../common/wire.ts';
import { Throttle } from '../domain/throttle.ts';
import { personalQueue } from '../domain/sessions.ts';
import type { SessionService } from './session-service.ts';
import type { JumpPolicyStore, JumpRecord, JumpStore } from '../store/jump-items.ts';
import { allowedAt, nextAllowed } from '../../../common/jump-policy.ts';
import { newId } from '../store/ids.ts';
import type { StartTokenStore } from '../store/start-tokens.ts';
import type { TeamStore } from '../store/teams.ts';
import type { UserStore } from '../store/users.ts';
import type { TemplatedApp, WebSocket } from '../uws.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import { CLOSE, MAX_BAD_FRAMES } from '../ws/console-socket.ts';
import type { CustomerHub } from '../ws/customer-socket.ts';
import { KEY_GUESS_LIMITS } from '../ws/customer-socket.ts';
import { Outbox } from '../ws/outbox.ts';

/** A jump token must be used within 2 minutes (the client connects at once; this covers a slow start). */
const JUMP_TOKEN_TTL_MS = 2 * 60_000;

export interface JumpDeps {
  readonly log: Logger;
  readonly jumps: JumpStore;
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly starts: StartTokenStore;
  readonly sessions: SessionService;
  readonly customers: CustomerHub;
  readonly hub: ConsoleHub;
  readonly policies: JumpPolicyStore;
}

interface JumpSocketData {
  readonly remote: string;
  readonly outbox: Outbox;
  jumpId: string | null;
  badFrames: number;
  closed: boolean;
}
type JumpWs = WebSocket<JumpSocketData>;

const sha256 = (s: string): string => createHash('sha256').update(s).digest('base64url');

export class JumpService {
  private readonly online = new Map<string, JumpWs>();
  /** Remote VNC items whose server dropped or refused the last connection (shown offline until a jump reaches it). */
  private readonly unreachable = new Set<string>();
  readonly guesses = new Throttle(KEY_GUESS_LIMITS);

  constructor(private readonly d: JumpDeps, private readonly now: () => number = Date.now) {}

  // ---- who may do what ----------------------------------------------------

  private isAdmin(userId: string): boolean {
    return Boolean(this.d.users.get(userId)?.admin);
  }

  canSee(userId: string, item: JumpRecord): boolean {
    if (this.isAdmin(userId)) return true;
    if (item.group.kind === 'personal') return item.group.userId === userId;
    const teamId = item.group.teamId;
    return this.d.teams.ofUser(userId).some(({ team }) => team.id === teamId);
  }

  canRemove(userId: string, item: JumpRecord): boolean {
    if (this.isAdmin(userId) || item.createdBy === userId) return true;
    if (item.group.kind === 'personal') return item.group.userId === userId;
    const teamId = item.group.teamId;
    return this.d.teams.ofUser(userId).some(({ team, role }) => team.id === teamId && role !== 'member');
  }

  visible(userId: string, id: string): JumpRecord {
    const item = this.d.jumps.get(id);
    if (!item || !this.canSee(userId, item)) throw new AppError('JUMP_UNKNOWN');
    return item;
  }

  groupName(g: JumpGroup): string {
    return g.kind === 'personal' ? (this.d.users.get(g.userId)?.displayName ?? '?') : (this.d.teams.get(g.teamId)?.name ?? '?');
  }

  /** The item as a console sees it; `viewer` adds whether that rep may manage it (remove, choose its policy). */
  toPublic(item: JumpRecord, viewer?: string): JumpItem {
    const { secretHash: _s, ...rest } = item;
    const policy = item.policyId ? this.d.policies.get(item.policyId) : undefined;
    // A Shell Jump item has no client to wait for: the appliance connects when a rep jumps.
    return { ...rest, groupName: this.groupName(item.group), online: item.method === 'shell_jump' || (item.method === 'remote_vnc' ? !this.unreachable.has(item.id) : this.online.has(item.id)), policyId: policy?.id ?? null, policyName: policy?.name ?? null, canManage: viewer ? this.canRemove(viewer, item) : false };
  }

  /** A Remote VNC item's server answered (true) or dropped / could not be reached (false); consoles hear of a change. */
  setReachable(itemId: string, ok: boolean, item?: JumpRecord): void {
    const changed = ok ? this.unreachable.delete(itemId) : !this.unreachable.has(itemId) && Boolean(this.unreachable.add(itemId));
    if (changed && item) this.announce(item);
  }

  /** Who may remove an item may also choose its jump policy (or none). */
  setPolicy(userId: string, itemId: string, policyId: string | null): void {
    const item = this.visible(userId, itemId);
    if (!this.canRemove(userId, item)) throw new AppError('FORBIDDEN', 'only the pinning rep, a team lead or manager, or an administrator');
    if (policyId !== null && !this.d.policies.get(policyId)) throw new AppError('UNKNOWN_ID', 'no such jump policy');
    item.policyId = policyId;
    this.d.jumps.putSync(item);
    this.announce(item);
  }

  /** Every console that may see an item hears of it again (a policy it uses changed). */
  announceAll(): void {
    for (const item of this.d.jumps.list()) this.announce(item);
  }

  /** Every jump item, for administrators' reports. */
  allItems(): JumpItem[] {
    return this.d.jumps.list().map((i) => this.toPublic(i));
  }

  list(userId: string): JumpItem[] {
    return this.d.jumps
      .list()
      .filter((i) => this.canSee(userId, i))
      .map((i) => this.toPublic(i, userId))
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }

  /** Tells every online console that may see `item` about its new state (or that it is gone). */
  announce(item: JumpRecord, gone = false): void {
    for (const userId of this.d.hub.onlineUsers()) {
      if (!this.canSee(userId, item)) continue;
      for (const ws of this.d.hub.socketsOf(userId)) this.d.hub.send(ws, gone ? { t: 'jump_gone', itemId: item.id } : { t: 'jump_item', item: this.toPublic(item, userId) });
    }
  }

  // ---- pin, jump, remove -------------------------------------------------

  /**
   * Pins the session's computer as a jump item. The rep must be the owner of
   * the active session, the customer must run the client (not a browser)
   * and be connected; a team group needs the rep in that team.
   */
  pin(userId: string, sessionId: string, group: 'personal' | string, name?: string): JumpItem {
    const s = this.d.sessions.memberSession(userId, sessionId);
    if (s.owner !== userId) throw new AppError('NOT_OWNER');
    if (s.kind === 'browser' || s.kind === 'ssh' || s.kind === 'vnc') throw new AppError('CLIENT_UNSUPPORTED');
    const sockets = this.d.customers.socketsOf(sessionId);
    if (sockets.length === 0) throw new AppError('CUSTOMER_OFFLINE');
    let g: JumpGroup;
    if (group === 'personal') g = { kind: 'personal', userId };
    else {
      if (!this.d.teams.ofUser(userId).some(({ team }) => team.id === group)) throw new AppError('QUEUE_UNKNOWN');
      g = { kind: 'team', teamId: group };
    }
    const secret = randomBytes(24).toString('base64url');
    const item: JumpRecord = {
      id: newId(),
      name: (name?.trim() || s.customer.hostname || s.customer.name).slice(0, 100),
      group: g,
      method: 'jump_client',
      hostname: s.customer.hostname,
      os: s.customer.os,
      user: s.customer.user,
      createdAt: this.now(),
      createdBy: userId,
      lastAccessed: null,
      secretHash: sha256(secret),
    };
    this.d.jumps.putSync(item);
    this.d.customers.send(sockets[sockets.length - 1]!, { t: 'jump_pin', jumpId: item.id, secret, name: item.name });
    this.d.sessions.recordEvent(sessionId, 'jump_pinned', this.d.sessions.repName(userId), { name: item.name, group: this.groupName(g) });
    this.d.log.info({ session: sessionId, jump: item.id }, 'jump client pinned');
    this.announce(item);
    return this.toPublic(item);
  }

  /**
   * Starts a session on an online jump client, owned by the rep from the
   * start. Outside the item's jump policy it is refused with the next
   * allowed time (ISO 8601 in the error's detail); an administrator may
   * override, which the log records.
   */
  jump(userId: string, itemId: string, override = false): void {
    const item = this.visible(userId, itemId);
    if (item.method !== 'jump_client') throw new AppError('BAD_FIELD', 'a Shell Jump or Remote VNC item is started with shell_jump_start or vnc_jump_start');
    const ws = this.online.get(item.id);
    if (!ws) throw new AppError('JUMP_OFFLINE');
    this.checkPolicy(userId, item, override);
    const rep = this.d.users.get(userId);
    const now = this.now();
    const { token } = this.d.starts.createSync(
      {
        queue: personalQueue(userId),
        source: 'jump',
        repId: userId,
        customerName: item.name,
        details: '',
        issue: null,
        originTeam: item.group.kind === 'team' ? item.group.teamId : null,
        createdAt: now,
        expiresAt: now + JUMP_TOKEN_TTL_MS,
        oneTime: true,
      },
      false,
    );
    item.lastAccessed = now;
    this.d.jumps.putSync(item);
    this.send(ws, { t: 'start', token, rep: rep?.displayName ?? '' });
    this.d.log.info({ jump: item.id, rep: rep?.username }, 'jump started');
    this.announce(item);
  }

  /**
   * Refuses a jump outside the item's policy with the next allowed time (ISO
   * 8601 in the error's detail); an administrator may override, which the
   * log records.
   */
  checkPolicy(userId: string, item: JumpRecord, override: boolean): void {
    const policy = item.policyId ? this.d.policies.get(item.policyId) : undefined;
    if (policy && !allowedAt(policy, this.now())) {
      if (!override || !this.isAdmin(userId)) {
        const next = nextAllowed(policy, this.now());
        throw new AppError('JUMP_POLICY', next === undefined ? 'never' : new Date(next).toISOString());
      }
      this.d.log.warn({ jump: item.id, user: userId, policy: policy.name }, 'jump policy overridden by an administrator');
    }
  }

  remove(userId: string, itemId: string): void {
    const item = this.visible(userId, itemId);
    if (!this.canRemove(userId, item)) throw new AppError('FORBIDDEN', 'only the pinning rep, a team lead or manager, or an administrator');
    this.d.jumps.removeSync(item.id);
    const ws = this.online.get(item.id);
    if (ws) {
      this.send(ws, { t: 'removed' });
      this.online.delete(item.id);
      const data = ws.getUserData();
      if (!data.closed) {
        data.closed = true;
        ws.end(CLOSE.ended, 'removed');
      }
    }
    this.d.log.info({ jump: item.id }, 'jump item removed');
    this.announce(item, true);
  }

  // ---- sockets -------------------------------------------------------------

  private send(ws: JumpWs, msg: ApplianceToJumpClient): void {
    const d = ws.getUserData();
    if (d.closed) return;
    if (!d.outbox.send(ws, JSON.stringify(msg))) {
      d.closed = true;
      ws.end(CLOSE.tooSlow, 'too slow');
    }
  }

  get onlineCount(): number {
    return this.online.size;
  }

  consoleHandlers(): ExtraHandlers {
    const hub = this.d.hub;
    const user = (ws: Parameters<NonNullable<ExtraHandlers['accept']>>[0]) => ws.getUserData().userId;
    return {
      jump_list: (ws, body) => hub.send(ws, { t: 'jump_items', rid: body.rid as number, items: this.list(user(ws)) }),
      jump_pin: (ws, body) => {
        this.pin(user(ws), body.sessionId as string, body.group as string, body.name as string | undefined);
        hub.send(ws, { t: 'ack', rid: body.rid as number });
      },
      jump_start: (ws, body) => {
        this.jump(user(ws), body.itemId as string, body.override === true);
        hub.send(ws, { t: 'ack', rid: body.rid as number });
      },
      jump_set_policy: (ws, body) => {
        this.setPolicy(user(ws), body.itemId as string, (body.policyId as string) || null);
        hub.send(ws, { t: 'ack', rid: body.rid as number });
      },
      jump_remove: (ws, body) => {
        this.remove(user(ws), body.itemId as string);
        hub.send(ws, { t: 'ack', rid: body.rid as number });
      },
    };
  }

  mount(app: TemplatedApp): void {
    const log = this.d.log;
    app.ws<JumpSocketData>('/ws/jump', {
      maxPayloadLength: 16 * 1024,
      idleTimeout: 60,
      sendPingsAutomatically: true,
      maxBackpressure: 256 * 1024,
      closeOnBackpressureLimit: 1,
      upgrade: (res, req, context) => {
        const data: JumpSocketData = { remote: Buffer.from(res.getRemoteAddressAsText()).toString(), outbox: new Outbox(), jumpId: null, badFrames: 0, closed: false };
        res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
      },
      message: (ws, message) => {
        const d = ws.getUserData();
        const text = Buffer.from(message).toString('utf8');
        try {
          const { t, body } = decodeMessage(JUMP_CLIENT_TO_APPLIANCE, text);
          if (t === 'ping') return this.send(ws, { t: 'pong', n: body.n as number });
          this.hello(ws, body);
        } catch (err) {
          const e = err instanceof AppError ? err : new AppError('INTERNAL');
          if (!(err instanceof AppError)) log.error({ err }, 'jump message failed');
          this.send(ws, { t: 'error', code: e.code, message: e.message });
          if (!d.closed && (!d.jumpId || ++d.badFrames > MAX_BAD_FRAMES)) {
            d.closed = true;
            ws.end(CLOSE.protocol, e.code);
          }
        }
      },
      drain: (ws) => ws.getUserData().outbox.drain(ws),
      close: (ws) => {
        const d = ws.getUserData();
        d.closed = true;
        if (d.jumpId && this.online.get(d.jumpId) === ws) {
          this.online.delete(d.jumpId);
          const item = this.d.jumps.get(d.jumpId);
          if (item) this.announce(item);
        }
      },
    });
  }

  private hello(ws: JumpWs, body: Record<string, unknown>): void {
    const d = ws.getUserData();
    if (body.v !== PROTOCOL_VERSION) throw new AppError('WS_VERSION', `appliance speaks ${PROTOCOL_VERSION}`);
    if (d.jumpId) throw new AppError('WS_BAD_FRAME', 'already greeted');
    const now = this.now();
    const wait = this.guesses.retryAfter(d.remote, now);
    if (wait > 0) throw new AppError('THROTTLED', `${Math.ceil(wait / 1000)}`);
    const found = this.d.jumps.get(body.jumpId as string);
    // A Shell Jump item has no client and no secret: nothing may greet as one.
    const item = found?.method === 'jump_client' ? found : undefined;
    const given = Buffer.from(sha256(body.secret as string));
    const stored = Buffer.from(item?.secretHash ?? '');
    if (!item || stored.length !== given.length || !timingSafeEqual(given, stored)) {
      this.guesses.fail(d.remote, now);
      throw new AppError('JUMP_UNKNOWN');
    }
    // The computer may have been renamed or upgraded since it was pinned.
    item.hostname = (body.hostname as string | undefined) ?? item.hostname;
    item.os = (body.os as string | undefined) ?? item.os;
    item.user = (body.user as string | undefined) ?? item.user;
    this.d.jumps.putSync(item);
    const previous = this.online.get(item.id);
    d.jumpId = item.id;
    this.online.set(item.id, ws);
    if (previous && previous !== ws) {
      const pd = previous.getUserData();
      if (!pd.closed) {
        pd.closed = true;
        previous.end(CLOSE.protocol, 'replaced by a newer connection');
      }
    }
    this.send(ws, { t: 'ready', name: item.name });
    this.announce(item);
  }
}
