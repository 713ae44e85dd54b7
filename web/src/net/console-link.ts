/**
 * The console's live channel to the appliance (`/ws/console`), as a small
 * state machine:
 *
 *   idle ──start()──▶ connecting ──welcome──▶ online
 *                         │                     │ unexpected close
 *                         ▼                     ▼
 *                       retry ◀─────────────────┘   (1 s, doubling to 30 s; asks
 *                         │ ▲ appliance unreachable    /api/console/me first:
 *                         │ └─┘                        401 → authLost, no reconnect)
 *                         └──▶ connecting
 *   any ──▶ stopped   (stop(), signed_out + close 4001, or a fatal protocol error)
 *
 * Incoming messages go through one handler per type (the protocol table in
 * common/protocol.ts). `request` sends a message with a fresh request id and
 * settles when the appliance answers that id (`ack`, `session_detail`,
 * `channel_ticket`…, or a coded `error`, which rejects with an ApiError). A ping every 25 s keeps idle proxies and the
 * appliance's idle timeout from closing the socket.
 */
import type { ErrorCode } from '../../../common/errors.ts';
import { PROTOCOL_VERSION, type ApplianceToConsole, type ConsoleRequest, type ConsoleRequestType, type SignOutReason } from '../../../common/protocol.ts';
import { ApiError, whoAmI } from './api.ts';

export type LinkState = 'idle' | 'connecting' | 'online' | 'retry' | 'stopped';

const TRANSITIONS: Readonly<Record<LinkState, readonly LinkState[]>> = {
  idle: ['connecting', 'stopped'],
  connecting: ['online', 'retry', 'stopped'],
  online: ['retry', 'stopped'],
  retry: ['connecting', 'retry', 'stopped'],
  stopped: [],
};

/** 25 s: well under the appliance's 60 s idleTimeout (ws/console-socket.ts) and common proxy timeouts. */
export const KEEPALIVE_MS = 25_000;
/** First reconnect wait; doubles per failed attempt up to RETRY_MAX_MS. */
export const RETRY_FIRST_MS = 1_000;
export const RETRY_MAX_MS = 30_000;
/** Close code the appliance uses after `signed_out` (CLOSE.signedOut in ws/console-socket.ts). */
const CLOSE_SIGNED_OUT = 4001;
/** Close code for a protocol failure (CLOSE.protocol). */
const CLOSE_PROTOCOL = 4002;

const SIGN_OUT_REASONS: readonly SignOutReason[] = ['logout', 'elsewhere', 'credentials', 'disabled'];

export interface LinkEvents {
  state(state: LinkState, retryInMs?: number): void;
  /** The appliance ended this console's sign-in; the link has stopped. */
  signedOut(reason: SignOutReason): void;
  /** While reconnecting, /api/console/me said the sign-in is gone (401) or the console was turned off. */
  authLost(err: ApiError): void;
  /** A protocol failure no reconnect can fix (e.g. version mismatch). */
  failed(code: ErrorCode): void;
  /** Every message from the appliance, after the link's own handling; views subscribe here. */
  message?(msg: ApplianceToConsole): void;
}

/** The message types the link itself acts on; the rest only go to `events.message`. */
type LinkType = 'welcome' | 'pong' | 'signed_out' | 'error';
type Handlers = { [T in LinkType]: (msg: Extract<ApplianceToConsole, { t: T }>) => void };

/** A request as the console writes it: the type, its fields, no request id (the link adds one). */
export type OutgoingRequest = { [T in ConsoleRequestType]: { t: T } & Omit<ConsoleRequest<T>, 'rid'> }[ConsoleRequestType];
/** What a request resolves with: any answer carrying its rid (`ack`, `session_detail`, `channel_ticket`…); `error` rejects. */
export type RequestAnswer = Exclude<Extract<ApplianceToConsole, { rid: number }>, { t: 'error' }>;

/** 15 s: a request not answered by then is taken as lost (the socket went away meanwhile). */
export const REQUEST_TIMEOUT_MS = 15_000;

export class ConsoleLink {
  private state: LinkState = 'idle';
  private ws: WebSocket | undefined;
  private delay: number;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pings = 0;
  private signedOutReason: SignOutReason | undefined;
  private fatal: ErrorCode | undefined;
  private nextRid = 1;
  private readonly pending = new Map<number, { resolve(a: RequestAnswer): void; reject(e: ApiError): void; timer: ReturnType<typeof setTimeout> }>();

  private readonly handlers: Handlers = {
    welcome: () => {
      this.delay = this.retryFirstMs;
      this.move('online');
    },
    pong: () => undefined,
    signed_out: (msg) => {
      this.signedOutReason = msg.reason;
    },
    error: (msg) => {
      if (msg.code === 'WS_VERSION' || msg.code === 'WS_TOO_MANY_ERRORS') this.fatal = msg.code;
    },
  };

  private readonly url: string;
  private readonly retryFirstMs: number;
  private readonly retryMaxMs: number;

  constructor(
    private readonly events: LinkEvents,
    options: { url?: string; retryFirstMs?: number; retryMaxMs?: number } = {},
  ) {
    this.url = options.url ?? `wss://${location.host}/ws/console`;
    this.retryFirstMs = options.retryFirstMs ?? RETRY_FIRST_MS;
    this.retryMaxMs = options.retryMaxMs ?? RETRY_MAX_MS;
    this.delay = this.retryFirstMs;
  }

  start(): void {
    this.connect();
  }

  /** Ends the link for good (logout, or the page leaving the console frame). */
  stop(): void {
    this.move('stopped');
  }

  /** Sends a request; rejects with ApiError('network') when the link is not online or the answer never comes (within `timeoutMs`). */
  request(msg: OutgoingRequest, timeoutMs = REQUEST_TIMEOUT_MS): Promise<RequestAnswer> {
    const ws = this.ws;
    if (this.state !== 'online' || !ws || ws.readyState !== WebSocket.OPEN) return Promise.reject(new ApiError('network', 0));
    const rid = this.nextRid++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(rid);
        reject(new ApiError('network', 0));
      }, timeoutMs);
      this.pending.set(rid, { resolve, reject, timer });
      ws.send(JSON.stringify({ ...msg, rid }));
    });
  }

  private settle(msg: ApplianceToConsole): void {
    const rid = (msg as { rid?: unknown }).rid;
    if (typeof rid !== 'number') return;
    const waiter = this.pending.get(rid);
    if (!waiter) return;
    this.pending.delete(rid);
    clearTimeout(waiter.timer);
    if (msg.t === 'error') waiter.reject(new ApiError(msg.code, 400, msg.detail));
    else waiter.resolve(msg as RequestAnswer);
  }

  private failPending(): void {
    for (const waiter of this.pending.values()) {
      clearTimeout(waiter.timer);
      waiter.reject(new ApiError('network', 0));
    }
    this.pending.clear();
  }

  get current(): LinkState {
    return this.state;
  }

  private move(next: LinkState, retryInMs?: number): void {
    if (!TRANSITIONS[this.state].includes(next)) return;
    this.state = next;
    if (next !== 'online') {
      clearInterval(this.keepalive);
      this.failPending();
    }
    if (next === 'stopped') {
      clearTimeout(this.retryTimer);
      const ws = this.ws;
      this.ws = undefined;
      if (ws && ws.readyState <= WebSocket.OPEN) ws.close(1000);
    }
    this.events.state(next, retryInMs);
  }

  private connect(): void {
    this.move('connecting');
    this.signedOutReason = undefined;
    this.fatal = undefined;
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      // A socket this link already dropped must not start a keepalive.
      if (this.ws !== ws) return;
      ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION }));
      clearInterval(this.keepalive);
      this.keepalive = setInterval(() => {
        if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ t: 'ping', n: ++this.pings }));
      }, KEEPALIVE_MS);
    });
    ws.addEventListener('message', (ev) => this.receive(ev.data));
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      clearInterval(this.keepalive);
      this.closed(ev.code, ev.reason);
    });
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let msg: ApplianceToConsole;
    try {
      msg = JSON.parse(data) as ApplianceToConsole;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null || typeof msg.t !== 'string') return;
    const own = Object.prototype.hasOwnProperty.call(this.handlers, msg.t) ? (this.handlers[msg.t as LinkType] as (m: ApplianceToConsole) => void) : undefined;
    own?.(msg);
    this.settle(msg);
    this.events.message?.(msg);
  }

  private closed(code: number, reason: string): void {
    if (this.state === 'stopped') return;
    if (code === CLOSE_SIGNED_OUT) {
      const why = this.signedOutReason ?? (SIGN_OUT_REASONS.includes(reason as SignOutReason) ? (reason as SignOutReason) : 'logout');
      this.move('stopped');
      this.events.signedOut(why);
      return;
    }
    if (code === CLOSE_PROTOCOL || this.fatal) {
      this.move('stopped');
      this.events.failed(this.fatal ?? 'WS_BAD_FRAME');
      return;
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    const wait = this.delay;
    this.delay = Math.min(this.delay * 2, this.retryMaxMs);
    this.move('retry', wait);
    this.retryTimer = setTimeout(() => {
      whoAmI('/api/console/me').then(
        (me) => {
          if (this.state !== 'retry') return;
          if (me) this.connect();
          else {
            this.move('stopped');
            this.events.authLost(new ApiError('AUTH_REQUIRED', 401));
          }
        },
        (err: unknown) => {
          if (this.state !== 'retry') return;
          if (err instanceof ApiError && err.code === 'CONSOLE_DISABLED') {
            this.move('stopped');
            this.events.signedOut('disabled');
          } else if (err instanceof ApiError && err.code !== 'network' && err.status < 500) {
            this.move('stopped');
            this.events.authLost(err);
          } else {
            // The appliance is unreachable: wait longer and ask again.
            this.scheduleRetry();
          }
        },
      );
    }, wait);
  }
}
