/**
 * Data channels: every stream of bulk or binary data in a session (one
 * shell, one file view or transfer, one screen) has its own WebSocket at
 * `/ws/channel?t=<ticket>` on both hops, so a busy stream never delays chat
 * or control messages, and each stream's backpressure is its own.
 *
 *   console ──/ws/console── appliance ──/ws/customer── client      (control, JSON)
 *   console ──/ws/channel── appliance ──/ws/channel──── client      (one pair per stream)
 *
 * Opening one: the rep asks over the console socket (a per-feature message
 * such as `shell_open`); the feature's handler checks membership and
 * permissions, picks a channel id, calls `callCustomer` (the client gets a
 * `channel` message with its own ticket) and answers the console with a
 * `channel_ticket`. Both sides then connect with their one-time ticket
 * (30 s). A console-side socket must also carry the console cookie of the
 * ticket's user and a same-host Origin.
 *
 * What flows on a channel is up to its kind (`ChannelKind`): a pipe, a
 * fan-out with scrollback, a latest-frame relay. uWS.js 20.30 WebSockets
 * have no pause/resume: a kind cannot stop reading a socket, so bulk
 * streams use credit-based flow control end to end (common/flow.ts), and a
 * kind watches `getBufferedAmount()` (with `drain`) to drop or coalesce
 * what a slow reader cannot take. The service owns tickets,
 * the socket endpoint and the bookkeeping per session: when a session ends
 * all its channels close, and when a rep stops being a member their console
 * channels close.
 */
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import type { SessionEventKind } from '../../../common/sessions.ts';
import type { AuthService } from '../auth/service.ts';
import { COOKIE_NAMES } from '../auth/cookies.ts';
import type { SessionRecord } from '../domain/sessions.ts';
import { parseCookies } from '../http/kit.ts';
import type { SessionService } from '../services/session-service.ts';
import { newId } from '../store/ids.ts';
import type { TemplatedApp, WebSocket } from '../uws.ts';
import { CLOSE } from '../ws/console-socket.ts';
import type { CustomerHub } from '../ws/customer-socket.ts';

/** A ticket must be used within 30 s. */
export const TICKET_TTL_MS = 30_000;
/** Largest message on a channel: 1 MiB (a screen update is sent in pieces below that). */
export const MAX_CHANNEL_MESSAGE = 1024 * 1024;
/**
 * uWS closes a channel socket whose send buffer passes 16 MiB: kinds keep
 * far below it with `getBufferedAmount` and pause/resume, so reaching it
 * means a kind lost control of its flow and the socket is better closed.
 */
export const CHANNEL_MAX_BACKPRESSURE = 16 * 1024 * 1024;

export type ChannelSide = 'customer' | 'console';

export interface ChannelTicket {
  readonly kind: string;
  readonly sessionId: string;
  readonly side: ChannelSide;
  /** The rep, for console-side tickets. */
  readonly userId: string | null;
  readonly channelId: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface ChannelSocketData {
  readonly ticket: ChannelTicket;
  readonly remote: string;
  closed: boolean;
  /** The kind's own per-socket state. */
  state: unknown;
}

export type ChannelWs = WebSocket<ChannelSocketData>;

/** What a feature implements to relay its channels. Calls come from the uWS loop; `data` is a copy the kind may keep. */
export interface ChannelKind {
  readonly kind: string;
  open(ws: ChannelWs): void;
  message(ws: ChannelWs, data: Buffer, isBinary: boolean): void;
  drain?(ws: ChannelWs): void;
  close(ws: ChannelWs, code: number): void;
}

export interface ChannelDeps {
  readonly log: Logger;
  readonly sessions: SessionService;
  readonly customers: CustomerHub;
}

export class ChannelService {
  private readonly kinds = new Map<string, ChannelKind>();
  private readonly tickets = new Map<string, { ticket: ChannelTicket; expires: number }>();
  private readonly bySession = new Map<string, Set<ChannelWs>>();

  constructor(private readonly d: ChannelDeps, private readonly now: () => number = Date.now) {}

  register(kind: ChannelKind): void {
    if (this.kinds.has(kind.kind)) throw new Error(`channel kind ${kind.kind} registered twice`);
    this.kinds.set(kind.kind, kind);
  }

  kind(name: string): ChannelKind | undefined {
    return this.kinds.get(name);
  }

  newChannelId(): string {
    return newId();
  }

  /** The session when the rep is a member of it and it is live; throws SESSION_UNKNOWN, SESSION_ENDED or NOT_MEMBER. */
  requireMember(userId: string, sessionId: string): SessionRecord {
    return this.d.sessions.memberSession(userId, sessionId);
  }

  private issue(ticket: ChannelTicket): string {
    if (!this.kinds.has(ticket.kind)) throw new Error(`no channel kind ${ticket.kind}`);
    const now = this.now();
    for (const [k, v] of this.tickets) if (v.expires <= now) this.tickets.delete(k);
    const secret = randomBytes(24).toString('base64url');
    this.tickets.set(secret, { ticket, expires: now + TICKET_TTL_MS });
    return secret;
  }

  /** A one-time ticket for the rep's browser to connect its side of the channel. */
  issueConsoleTicket(t: { kind: string; sessionId: string; userId: string; channelId: string; params?: Record<string, unknown> }): string {
    return this.issue({ kind: t.kind, sessionId: t.sessionId, side: 'console', userId: t.userId, channelId: t.channelId, params: t.params ?? {} });
  }

  /** Removes and returns the ticket, or undefined when unknown or expired. */
  consume(secret: string): ChannelTicket | undefined {
    const entry = this.tickets.get(secret);
    if (!entry) return undefined;
    this.tickets.delete(secret);
    return entry.expires > this.now() ? entry.ticket : undefined;
  }

  /**
   * Asks the session's customer client to connect its side of a channel.
   * Throws CLIENT_UNSUPPORTED for a click-to-chat (browser) customer and
   * CUSTOMER_OFFLINE when no customer socket is connected.
   */
  callCustomer(sessionId: string, c: { kind: string; channelId: string; params?: Record<string, unknown> }): void {
    const session = this.d.sessions.liveSession(sessionId);
    // Click-to-chat has no client; a Shell Jump's only channels are its shells (opened by the SSH bridge);
    // a Remote VNC session's screen is served by the appliance itself (relay/vnc-screen.ts).
    if (session.kind === 'browser' || session.kind === 'ssh' || session.kind === 'vnc') throw new AppError('CLIENT_UNSUPPORTED');
    const sockets = this.d.customers.socketsOf(sessionId);
    if (sockets.length === 0) throw new AppError('CUSTOMER_OFFLINE');
    const params = c.params ?? {};
    const ticket = this.issue({ kind: c.kind, sessionId, side: 'customer', userId: null, channelId: c.channelId, params });
    // The newest socket is the live one; an older one is a connection on its way out.
    this.d.customers.send(sockets[sockets.length - 1]!, { t: 'channel', kind: c.kind, channelId: c.channelId, ticket, params });
  }

  /** Appends to the session's event log (shown live in the console, kept for the report). */
  recordEvent(sessionId: string, kind: SessionEventKind, actorUserId: string | null, params: Record<string, string> = {}): void {
    this.d.sessions.recordEvent(sessionId, kind, actorUserId ? this.d.sessions.repName(actorUserId) : null, params);
  }

  socketsOf(sessionId: string): ChannelWs[] {
    return [...(this.bySession.get(sessionId) ?? [])];
  }

  /** Closes every channel of a session (it ended). */
  closeSession(sessionId: string): void {
    for (const ws of this.socketsOf(sessionId)) end(ws, CLOSE.ended, 'session ended');
  }

  /** Closes the console-side channels of one rep in one session (they left or were removed). */
  closeRep(sessionId: string, userId: string): void {
    for (const ws of this.socketsOf(sessionId)) if (ws.getUserData().ticket.userId === userId) end(ws, CLOSE.ended, 'no longer a member');
  }

  get count(): number {
    let n = 0;
    for (const s of this.bySession.values()) n += s.size;
    return n;
  }

  /** Mounts `/ws/channel`. */
  mount(app: TemplatedApp, auth: AuthService): void {
    const { log } = this.d;
    app.ws<ChannelSocketData>('/ws/channel', {
      maxPayloadLength: MAX_CHANNEL_MESSAGE,
      idleTimeout: 120,
      sendPingsAutomatically: true,
      maxBackpressure: CHANNEL_MAX_BACKPRESSURE,
      closeOnBackpressureLimit: 1,
      upgrade: (res, req, context) => {
        const query = new URLSearchParams(req.getQuery() ?? '');
        const key = req.getHeader('sec-websocket-key');
        const protocol = req.getHeader('sec-websocket-protocol');
        const extensions = req.getHeader('sec-websocket-extensions');
        const cookie = req.getHeader('cookie');
        const origin = req.getHeader('origin');
        const host = req.getHeader('host');
        const refuse = (status: string, err: AppError): void => {
          res.cork(() => res.writeStatus(status).writeHeader('Content-Type', 'application/json; charset=utf-8').end(JSON.stringify(err.toBody())));
        };
        const ticket = this.consume(query.get('t') ?? '');
        if (!ticket) return refuse('401 Unauthorized', new AppError('CHANNEL_TICKET'));
        if (ticket.side === 'console') {
          // The ticket alone is not enough: it must travel with its rep's console sign-in, from this host.
          if (origin && originHost(origin) !== host) return refuse('403 Forbidden', new AppError('CSRF', 'foreign Origin'));
          const token = parseCookies(cookie).get(COOKIE_NAMES.console) ?? '';
          const who = token ? auth.authenticateToken(token, 'console') : undefined;
          if (!who || who.user.id !== ticket.userId) return refuse('401 Unauthorized', new AppError('AUTH_REQUIRED'));
        }
        const data: ChannelSocketData = { ticket, remote: Buffer.from(res.getRemoteAddressAsText()).toString(), closed: false, state: undefined };
        res.upgrade(data, key, protocol, extensions, context);
      },
      open: (ws) => {
        const { ticket } = ws.getUserData();
        let set = this.bySession.get(ticket.sessionId);
        if (!set) this.bySession.set(ticket.sessionId, (set = new Set()));
        set.add(ws);
        this.guard(ws, () => this.kinds.get(ticket.kind)!.open(ws));
      },
      message: (ws, message, isBinary) => {
        const d = ws.getUserData();
        if (d.closed) return;
        // uWS neuters the ArrayBuffer when this callback returns: the kind gets its own copy.
        const data = Buffer.from(message.slice(0));
        this.guard(ws, () => this.kinds.get(d.ticket.kind)!.message(ws, data, isBinary));
      },
      drain: (ws) => {
        const kind = this.kinds.get(ws.getUserData().ticket.kind)!;
        if (kind.drain) this.guard(ws, () => kind.drain!(ws));
      },
      close: (ws, code) => {
        const d = ws.getUserData();
        d.closed = true;
        const set = this.bySession.get(d.ticket.sessionId);
        set?.delete(ws);
        if (set && set.size === 0) this.bySession.delete(d.ticket.sessionId);
        try {
          this.kinds.get(d.ticket.kind)!.close(ws, code);
        } catch (err) {
          log.error({ err, kind: d.ticket.kind }, 'channel close failed');
        }
      },
    });
  }

  /** A kind that throws closes its own socket with a protocol error; the appliance and other channels go on. */
  private guard(ws: ChannelWs, fn: () => void): void {
    try {
      fn();
    } catch (err) {
      const d = ws.getUserData();
      if (!(err instanceof AppError)) this.d.log.error({ err, kind: d.ticket.kind }, 'channel handler failed');
      end(ws, CLOSE.protocol, err instanceof AppError ? err.code : 'INTERNAL');
    }
  }
}

/** Ends a channel socket once; safe to call on one that is already closing. */
export function end(ws: ChannelWs, code: number, reason: string): void {
  const d = ws.getUserData();
  if (d.closed) return;
  d.closed = true;
  ws.end(code, reason.slice(0, 120));
}

function originHost(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return '';
  }
}
