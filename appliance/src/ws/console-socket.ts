/**
 * `/ws/console`: the rep console's live channel. The upgrade is accepted only
 * with a valid console sign-in cookie and a same-host Origin; the socket then
 * carries typed user data. Messages are decoded by the protocol table and
 * dispatched to one handler per type; acting requests carry `rid` and get
 * `ack` or a coded `error`. A socket that sends more than MAX_BAD_FRAMES bad
 * frames is closed; others are unaffected.
 *
 * Backpressure: direct replies go through the socket's Outbox; pub/sub
 * messages are bounded by uWS `maxBackpressure` with closeOnBackpressureLimit,
 * so a console that stops reading is closed and, on reconnect, gets a full
 * snapshot in `welcome` rather than silently missing updates.
 */
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import {
  CONSOLE_TO_APPLIANCE,
  MAX_CONSOLE_MESSAGE,
  PROTOCOL_VERSION,
  decodeConsoleMessage,
  encodeConsoleMessage,
  type ApplianceToConsole,
  type ConsoleRequestType,
  type SignOutReason,
} from '../../../common/protocol.ts';
import type { AuthService } from '../auth/service.ts';
import { COOKIE_NAMES } from '../auth/cookies.ts';
import { parseCookies } from '../http/kit.ts';
import type { SessionService } from '../services/session-service.ts';
import type { PermissionStore } from '../store/permissions.ts';
import { hashToken } from '../store/auth-sessions.ts';
import type { TemplatedApp, WebSocket } from '../uws.ts';
import { Outbox } from './outbox.ts';

/** Bad frames tolerated before the socket is closed (a buggy client gets a few chances to show errors). */
export const MAX_BAD_FRAMES = 5;
/** Close codes in the private range 4000–4999. */
export const CLOSE = { signedOut: 4001, protocol: 4002, tooSlow: 4003, ended: 4004 } as const;
/** Pub/sub bytes a console may fall behind before it is closed (it resyncs on reconnect). */
export const CONSOLE_MAX_BACKPRESSURE = 4 * 1024 * 1024;

export interface ConsoleSocketData {
  readonly userId: string;
  readonly username: string;
  readonly displayName: string;
  /** Hashed session key, to find the socket when that session is revoked. */
  readonly sessionKey: string;
  readonly outbox: Outbox;
  greeted: boolean;
  badFrames: number;
  closed: boolean;
}

export type ConsoleWs = WebSocket<ConsoleSocketData>;
/** Handles one decoded message; throws a coded AppError to refuse. Async handlers report failures the same way. */
export type MessageHandler = (ws: ConsoleWs, body: Record<string, unknown>) => void | Promise<void>;
/** Handlers that features (shell, files, screen…) add for their own message types. */
export type ExtraHandlers = Partial<Record<ConsoleRequestType, MessageHandler>>;

export class ConsoleHub {
  private readonly bySession = new Map<string, Set<ConsoleWs>>();
  private readonly byUser = new Map<string, Set<ConsoleWs>>();

  constructor(private readonly log: Logger) {}

  /** Returns true when this is the user's first live console socket. */
  add(ws: ConsoleWs): boolean {
    const d = ws.getUserData();
    let set = this.bySession.get(d.sessionKey);
    if (!set) this.bySession.set(d.sessionKey, (set = new Set()));
    set.add(ws);
    let mine = this.byUser.get(d.userId);
    if (!mine) this.byUser.set(d.userId, (mine = new Set()));
    mine.add(ws);
    return mine.size === 1;
  }

  /** Returns true when the user has no live console socket left. */
  remove(ws: ConsoleWs): boolean {
    const d = ws.getUserData();
    const set = this.bySession.get(d.sessionKey);
    set?.delete(ws);
    if (set && set.size === 0) this.bySession.delete(d.sessionKey);
    const mine = this.byUser.get(d.userId);
    mine?.delete(ws);
    if (mine && mine.size === 0) {
      this.byUser.delete(d.userId);
      return true;
    }
    return false;
  }

  isOnline(userId: string): boolean {
    return this.byUser.has(userId);
  }

  onlineUsers(): string[] {
    return [...this.byUser.keys()];
  }

  socketsOf(userId: string): ConsoleWs[] {
    return [...(this.byUser.get(userId) ?? [])].filter((ws) => ws.getUserData().greeted && !ws.getUserData().closed);
  }

  send(ws: ConsoleWs, msg: ApplianceToConsole): void {
    const data = ws.getUserData();
    if (data.closed) return;
    if (!data.outbox.send(ws, encodeConsoleMessage(msg))) {
      this.log.warn({ user: data.username }, 'console too slow; closing its socket');
      data.closed = true;
      ws.end(CLOSE.tooSlow, 'too slow');
    }
  }

  /** Tells every socket of the revoked sessions why, then closes it. */
  signOut(sessionKeys: readonly string[], reason: SignOutReason): void {
    for (const key of sessionKeys) {
      for (const ws of [...(this.bySession.get(key) ?? [])]) {
        this.send(ws, { t: 'signed_out', reason });
        const data = ws.getUserData();
        if (!data.closed) {
          data.closed = true;
          ws.end(CLOSE.signedOut, reason);
        }
      }
    }
  }

  get count(): number {
    let n = 0;
    for (const s of this.bySession.values()) n += s.size;
    return n;
  }
}

/**
 * Sends a console its full state and subscribes it to exactly the topics
 * that state needs, dropping any others. Used for `hello`, and again when
 * what the rep may see changed under a live console (an administrator
 * changed their teams): the console replaces its state with the new
 * `welcome` without reconnecting.
 */
export function greet(ws: ConsoleWs, hub: ConsoleHub, sessions: SessionService, permissions: PermissionStore): void {
  const data = ws.getUserData();
  const { welcome, topics } = sessions.snapshot(data.userId);
  const keep = new Set(topics);
  for (const t of ws.getTopics()) if (!keep.has(t)) ws.unsubscribe(t);
  for (const t of topics) ws.subscribe(t);
  data.greeted = true;
  hub.send(ws, {
    t: 'welcome',
    v: PROTOCOL_VERSION,
    user: { id: data.userId, username: data.username, displayName: data.displayName },
    ...welcome,
    permissions: permissions.effective(data.userId),
  });
}

/** The request id of a message that failed validation, so the console can match the error to its request. */
function ridOf(text: string): number | undefined {
  try {
    const rid = (JSON.parse(text) as { rid?: unknown }).rid;
    return typeof rid === 'number' && Number.isInteger(rid) && rid >= 0 && rid <= 2 ** 31 ? rid : undefined;
  } catch {
    return undefined;
  }
}

function originHost(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return '';
  }
}

export function mountConsoleSocket(app: TemplatedApp, auth: AuthService, hub: ConsoleHub, sessions: SessionService, log: Logger, permissions: PermissionStore, extra: ExtraHandlers = {}): void {
  const ack = (ws: ConsoleWs, body: Record<string, unknown>) => hub.send(ws, { t: 'ack', rid: body.rid as number });
  const user = (ws: ConsoleWs) => ws.getUserData().userId;

  const core: Partial<Record<ConsoleRequestType, MessageHandler>> = {
    hello(ws, body) {
      const data = ws.getUserData();
      if (body.v !== PROTOCOL_VERSION) throw new AppError('WS_VERSION', `appliance speaks ${PROTOCOL_VERSION}`);
      if (data.greeted) return;
      greet(ws, hub, sessions, permissions);
    },
    ping(ws, body) {
      hub.send(ws, { t: 'pong', n: body.n as number });
    },
    accept(ws, body) {
      sessions.accept(user(ws), body.sessionId as string);
      ack(ws, body);
    },
    transfer(ws, body) {
      sessions.transfer(user(ws), body.sessionId as string, body.to as string);
      ack(ws, body);
    },
    open_session(ws, body) {
      const d = sessions.detail(user(ws), body.sessionId as string);
      hub.send(ws, { t: 'session_detail', rid: body.rid as number, ...d });
    },
    async chat(ws, body) {
      await sessions.repChat(user(ws), body.sessionId as string, body.body as string);
      ack(ws, body);
    },
    pause(ws, body) {
      sessions.pause(user(ws), body.sessionId as string);
      ack(ws, body);
    },
    end(ws, body) {
      sessions.end(user(ws), body.sessionId as string);
      ack(ws, body);
    },
    invite(ws, body) {
      sessions.invite(user(ws), body.sessionId as string, body.to as string);
      ack(ws, body);
    },
    invite_withdraw(ws, body) {
      sessions.withdrawInvitation(user(ws), body.sessionId as string, body.invitationId as string);
      ack(ws, body);
    },
    invite_answer(ws, body) {
      sessions.answerInvitation(user(ws), body.sessionId as string, body.invitationId as string, body.join as boolean);
      ack(ws, body);
    },
    elevate(ws, body) {
      sessions.offerElevation(user(ws), body.sessionId as string);
      ack(ws, body);
    },
    remove_member(ws, body) {
      sessions.removeMember(user(ws), body.sessionId as string, body.userId as string);
      ack(ws, body);
    },
    dismiss_customer(ws, body) {
      sessions.dismissCustomer(user(ws), body.sessionId as string);
      ack(ws, body);
    },
    leave(ws, body) {
      sessions.leave(user(ws), body.sessionId as string);
      ack(ws, body);
    },
    team_chat(ws, body) {
      sessions.postTeamChat(user(ws), body.teamId as string, body.body as string);
      ack(ws, body);
    },
    favourite(ws, body) {
      const queues = sessions.setFavourite(user(ws), body.teamId as string, body.on as boolean);
      for (const s of hub.socketsOf(user(ws))) hub.send(s, { t: 'queues', queues });
      ack(ws, body);
    },
  };
  const handlers = { ...core, ...extra } as Record<ConsoleRequestType, MessageHandler>;
  // Every message type of the protocol table has exactly one handler; a missing one is a wiring bug, found at start.
  const missing = Object.keys(CONSOLE_TO_APPLIANCE).filter((t) => typeof handlers[t as ConsoleRequestType] !== 'function');
  if (missing.length > 0) throw new Error(`console messages without a handler: ${missing.join(', ')}`);

  app.ws<ConsoleSocketData>('/ws/console', {
    maxPayloadLength: MAX_CONSOLE_MESSAGE,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    maxBackpressure: CONSOLE_MAX_BACKPRESSURE,
    closeOnBackpressureLimit: 1,
    upgrade(res, req, context) {
      const cookies = parseCookies(req.getHeader('cookie'));
      const key = req.getHeader('sec-websocket-key');
      const protocol = req.getHeader('sec-websocket-protocol');
      const extensions = req.getHeader('sec-websocket-extensions');
      const origin = req.getHeader('origin');
      const host = req.getHeader('host');
      // Cross-site WebSocket hijacking: a page elsewhere must not ride the cookie.
      if (origin && originHost(origin) !== host) {
        res.writeStatus('403 Forbidden').end(JSON.stringify(new AppError('CSRF', 'foreign Origin').toBody()));
        return;
      }
      const token = cookies.get(COOKIE_NAMES.console) ?? '';
      const who = token ? auth.authenticateToken(token, 'console') : undefined;
      if (!who) {
        res.writeStatus('401 Unauthorized').end(JSON.stringify(new AppError('AUTH_REQUIRED').toBody()));
        return;
      }
      const data: ConsoleSocketData = {
        userId: who.user.id,
        username: who.user.username,
        displayName: who.user.displayName,
        sessionKey: hashToken(token),
        outbox: new Outbox(),
        greeted: false,
        badFrames: 0,
        closed: false,
      };
      res.upgrade(data, key, protocol, extensions, context);
    },
    open(ws) {
      if (hub.add(ws)) sessions.repOnline(ws.getUserData().userId);
    },
    message(ws, message) {
      const data = ws.getUserData();
      // The ArrayBuffer is neutered when this callback returns: decode now.
      const text = Buffer.from(message).toString('utf8');
      let rid: number | undefined;
      const fail = (err: unknown): void => {
        const e = err instanceof AppError ? err : new AppError('INTERNAL');
        if (!(err instanceof AppError)) log.error({ err }, 'console message failed');
        rid ??= ridOf(text);
        hub.send(ws, { t: 'error', ...(rid !== undefined ? { rid } : {}), ...(e.detail ? { detail: e.detail } : {}), code: e.code, message: e.message });
        // Refusals of well-formed requests (not the owner, session gone…) are normal; only garbage counts.
        const garbage = ['WS_BAD_FRAME', 'WS_UNKNOWN_TYPE', 'BAD_FIELD', 'UNKNOWN_FIELD', 'WS_HELLO_FIRST'].includes(e.code);
        if (!data.closed && (e.code === 'WS_VERSION' || (garbage && ++data.badFrames > MAX_BAD_FRAMES))) {
          if (e.code !== 'WS_VERSION') hub.send(ws, { t: 'error', code: 'WS_TOO_MANY_ERRORS', message: new AppError('WS_TOO_MANY_ERRORS').message });
          data.closed = true;
          ws.end(CLOSE.protocol, e.code);
        }
      };
      try {
        const { t, body } = decodeConsoleMessage(text);
        rid = body.rid as number | undefined;
        if (!data.greeted && t !== 'hello') throw new AppError('WS_HELLO_FIRST');
        const result = handlers[t](ws, body);
        // Async handlers (chat waits for its commit) report failures the same way.
        if (result instanceof Promise) result.catch(fail);
      } catch (err) {
        fail(err);
      }
    },
    drain(ws) {
      ws.getUserData().outbox.drain(ws);
    },
    close(ws) {
      ws.getUserData().closed = true;
      if (hub.remove(ws)) sessions.repOffline(ws.getUserData().userId);
    },
  });
}
