/**
 * `/ws/customer`: the customer client and the portal's click-to-chat page.
 * No cookie: the first message is `hello` with a session key, an access
 * token or a resume secret, which binds the socket to exactly one session.
 * Key guesses are throttled per address. A customer socket can only chat in
 * its own session; everything else it might name is ignored by design (it
 * has no session id field to forge).
 */
import type { Logger } from 'pino';
import {
  CUSTOMER_TO_APPLIANCE,
  MAX_CUSTOMER_MESSAGE,
  PROTOCOL_VERSION,
  decodeCustomerMessage,
  encodeCustomerMessage,
  type ApplianceToCustomer,
  type CustomerRequestType,
} from '../../../common/customer-protocol.ts';
import { AppError } from '../../../common/errors.ts';
import { Throttle, type ThrottleLimits } from '../domain/throttle.ts';
import { topic, type SessionService } from '../services/session-service.ts';
import type { TemplatedApp, WebSocket } from '../uws.ts';
import { CLOSE, MAX_BAD_FRAMES } from './console-socket.ts';
import { Outbox } from './outbox.ts';

/** 10 wrong keys from one address in 15 minutes lock that address out for 60 s, doubling. */
export const KEY_GUESS_LIMITS: ThrottleLimits = { maxFailures: 10, windowMs: 15 * 60_000, baseLockMs: 60_000 };
/** Customers on slow links get 1 MiB of pub/sub backlog before they are closed (they resume on reconnect). */
const CUSTOMER_MAX_BACKPRESSURE = 1024 * 1024;

export interface CustomerSocketData {
  readonly remote: string;
  readonly outbox: Outbox;
  sessionId: string | null;
  badFrames: number;
  closed: boolean;
}

export type CustomerWs = WebSocket<CustomerSocketData>;

export class CustomerHub {
  private readonly bySession = new Map<string, Set<CustomerWs>>();
  readonly guesses = new Throttle(KEY_GUESS_LIMITS);

  constructor(private readonly log: Logger) {}

  bind(ws: CustomerWs, sessionId: string): void {
    ws.getUserData().sessionId = sessionId;
    let set = this.bySession.get(sessionId);
    if (!set) this.bySession.set(sessionId, (set = new Set()));
    set.add(ws);
  }

  /** Returns true when the session has no customer socket left. */
  unbind(ws: CustomerWs): boolean {
    const id = ws.getUserData().sessionId;
    if (!id) return false;
    const set = this.bySession.get(id);
    set?.delete(ws);
    if (set && set.size === 0) {
      this.bySession.delete(id);
      return true;
    }
    return false;
  }

  send(ws: CustomerWs, msg: ApplianceToCustomer): void {
    const d = ws.getUserData();
    if (d.closed) return;
    if (!d.outbox.send(ws, encodeCustomerMessage(msg))) {
      this.log.warn({ session: d.sessionId }, 'customer too slow; closing its socket');
      d.closed = true;
      ws.end(CLOSE.tooSlow, 'too slow');
    }
  }

  /** Live sockets of a session's customer, oldest first. */
  socketsOf(sessionId: string): CustomerWs[] {
    return [...(this.bySession.get(sessionId) ?? [])].filter((ws) => !ws.getUserData().closed);
  }

  closeSession(sessionId: string): void {
    for (const ws of [...(this.bySession.get(sessionId) ?? [])]) {
      const d = ws.getUserData();
      if (!d.closed) {
        d.closed = true;
        ws.end(CLOSE.ended, 'session ended');
      }
    }
  }

  get count(): number {
    let n = 0;
    for (const s of this.bySession.values()) n += s.size;
    return n;
  }
}

/** Handles one decoded customer message; throws a coded AppError to refuse. */
export type CustomerHandler = (ws: CustomerWs, body: Record<string, unknown>) => void | Promise<void>;
/** Handlers that features add for their own customer message types (the socket is joined when they run). */
export type ExtraCustomerHandlers = Partial<Record<CustomerRequestType, CustomerHandler>>;

export function mountCustomerSocket(app: TemplatedApp, hub: CustomerHub, sessions: SessionService, log: Logger, extra: ExtraCustomerHandlers = {}): void {
  const core: Partial<Record<CustomerRequestType, CustomerHandler>> = {
    hello(ws, body) {
      const d = ws.getUserData();
      if (body.v !== PROTOCOL_VERSION) throw new AppError('WS_VERSION', `appliance speaks ${PROTOCOL_VERSION}`);
      if (d.sessionId) throw new AppError('WS_BAD_FRAME', 'already joined');
      const ways = ['key', 'token', 'resume'].filter((k) => body[k] !== undefined);
      if (ways.length !== 1) throw new AppError('BAD_FIELD', 'give exactly one of key, token, resume');
      const now = Date.now();
      const wait = hub.guesses.retryAfter(d.remote, now);
      if (wait > 0) throw new AppError('THROTTLED', `${Math.ceil(wait / 1000)}`);
      let sessionId = '';
      let resume = '';
      try {
        if (body.resume) {
          const s = sessions.resume(body.resume as string);
          sessionId = s.id;
          resume = body.resume as string;
        } else {
          const start = { key: body.key as string | undefined, token: body.token as string | undefined };
          let found;
          try {
            found = sessions.ticketFor(start);
          } catch (err) {
            if (!(err instanceof AppError) || err.code !== 'KEY_USED') throw err;
            const again = sessions.rejoin(start);
            sessionId = again.record.id;
            resume = again.resume;
          }
          const info = {
            name: body.name as string | undefined,
            hostname: body.hostname as string | undefined,
            os: body.os as string | undefined,
            user: body.user as string | undefined,
            privateIps: body.privateIps as string[] | undefined,
          };
          if (found?.ticket.elevateSession) {
            const joined = sessions.elevate(found, info);
            sessionId = joined.record.id;
            resume = joined.resume;
          } else if (found) {
            const started = sessions.startSession(found, info, d.remote);
            sessionId = started.record.id;
            resume = started.resume;
          }
        }
      } catch (err) {
        if (err instanceof AppError && ['KEY_UNKNOWN', 'RESUME_UNKNOWN'].includes(err.code)) hub.guesses.fail(d.remote, now);
        throw err;
      }
      hub.bind(ws, sessionId);
      ws.subscribe(topic.customer(sessionId));
      sessions.customerPresence(sessionId, true);
      const summary = sessions.summary(sessions.resume(resume));
      hub.send(ws, { t: 'joined', v: PROTOCOL_VERSION, sessionId, resume, state: summary.state, reps: summary.members.map((m) => m.name), chat: sessions.chatHistory(sessionId) });
    },
    async chat(ws, body) {
      const id = ws.getUserData().sessionId;
      if (!id) throw new AppError('WS_HELLO_FIRST');
      await sessions.customerChat(id, body.body as string);
    },
    ping(ws, body) {
      hub.send(ws, { t: 'pong', n: body.n as number });
    },
  };
  const handlers = { ...core, ...extra } as Record<CustomerRequestType, CustomerHandler>;
  const missing = Object.keys(CUSTOMER_TO_APPLIANCE).filter((t) => typeof handlers[t as CustomerRequestType] !== 'function');
  if (missing.length > 0) throw new Error(`customer messages without a handler: ${missing.join(', ')}`);

  app.ws<CustomerSocketData>('/ws/customer', {
    maxPayloadLength: MAX_CUSTOMER_MESSAGE,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    maxBackpressure: CUSTOMER_MAX_BACKPRESSURE,
    closeOnBackpressureLimit: 1,
    upgrade(res, req, context) {
      const data: CustomerSocketData = { remote: Buffer.from(res.getRemoteAddressAsText()).toString(), outbox: new Outbox(), sessionId: null, badFrames: 0, closed: false };
      res.upgrade(data, req.getHeader('sec-websocket-key'), req.getHeader('sec-websocket-protocol'), req.getHeader('sec-websocket-extensions'), context);
    },
    message(ws, message) {
      const d = ws.getUserData();
      const text = Buffer.from(message).toString('utf8');
      const fail = (err: unknown): void => {
        const e = err instanceof AppError ? err : new AppError('INTERNAL');
        if (!(err instanceof AppError)) log.error({ err }, 'customer message failed');
        hub.send(ws, { t: 'error', code: e.code, message: e.message });
        const fatal = !d.sessionId && !['THROTTLED'].includes(e.code);
        const garbage = ['WS_BAD_FRAME', 'WS_UNKNOWN_TYPE', 'BAD_FIELD', 'UNKNOWN_FIELD', 'WS_HELLO_FIRST'].includes(e.code);
        // A failed hello ends the socket: a customer client shows the message and stops.
        if (!d.closed && (fatal || e.code === 'WS_VERSION' || (garbage && ++d.badFrames > MAX_BAD_FRAMES))) {
          d.closed = true;
          ws.end(CLOSE.protocol, e.code);
        }
      };
      try {
        const { t, body } = decodeCustomerMessage(text);
        if (!d.sessionId && t !== 'hello') throw new AppError('WS_HELLO_FIRST');
        const result = handlers[t](ws, body);
        if (result instanceof Promise) result.catch(fail);
      } catch (err) {
        fail(err);
      }
    },
    drain(ws) {
      ws.getUserData().outbox.drain(ws);
    },
    close(ws) {
      const d = ws.getUserData();
      d.closed = true;
      if (d.sessionId && hub.unbind(ws)) sessions.customerPresence(d.sessionId, false);
    },
  });
}
