/**
 * `/ws/console`: the rep console's live channel. The upgrade is accepted only
 * with a valid console sign-in cookie; the socket then carries typed user
 * data. Messages are decoded by the protocol table and dispatched to one
 * handler per type. A socket that sends more than MAX_BAD_FRAMES bad frames is
 * closed; others are unaffected.
 */
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import {
  MAX_CONSOLE_MESSAGE,
  PROTOCOL_VERSION,
  decodeConsoleMessage,
  encodeConsoleMessage,
  type ApplianceToConsole,
  type ConsoleRequestType,
  type SignOutReason,
} from '../../../common/protocol.ts';
import type { AuthService } from '../auth/service.ts';
import { hashToken } from '../store/auth-sessions.ts';
import { parseCookies } from '../http/kit.ts';
import { COOKIE_NAMES } from '../auth/cookies.ts';
import type { TemplatedApp, WebSocket } from '../uws.ts';
import { Outbox } from './outbox.ts';

/** Bad frames tolerated before the socket is closed (a buggy client gets a few chances to show errors). */
export const MAX_BAD_FRAMES = 5;
/** Close codes in the private range 4000–4999. */
export const CLOSE = { signedOut: 4001, protocol: 4002, tooSlow: 4003 } as const;

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

type ConsoleWs = WebSocket<ConsoleSocketData>;
type MessageHandler = (ws: ConsoleWs, body: Record<string, unknown>) => void;

export class ConsoleHub {
  private readonly bySession = new Map<string, Set<ConsoleWs>>();

  constructor(private readonly log: Logger) {}

  add(ws: ConsoleWs): void {
    const key = ws.getUserData().sessionKey;
    let set = this.bySession.get(key);
    if (!set) this.bySession.set(key, (set = new Set()));
    set.add(ws);
  }

  remove(ws: ConsoleWs): void {
    const key = ws.getUserData().sessionKey;
    const set = this.bySession.get(key);
    set?.delete(ws);
    if (set && set.size === 0) this.bySession.delete(key);
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

export function mountConsoleSocket(app: TemplatedApp, auth: AuthService, hub: ConsoleHub, log: Logger): void {
  const handlers: Record<ConsoleRequestType, MessageHandler> = {
    hello(ws, body) {
      const data = ws.getUserData();
      if (body.v !== PROTOCOL_VERSION) throw new AppError('WS_VERSION', `appliance speaks ${PROTOCOL_VERSION}`);
      data.greeted = true;
      hub.send(ws, { t: 'welcome', v: PROTOCOL_VERSION, user: { id: data.userId, username: data.username, displayName: data.displayName } });
    },
    ping(ws, body) {
      hub.send(ws, { t: 'pong', n: body.n as number });
    },
  };

  app.ws<ConsoleSocketData>('/ws/console', {
    maxPayloadLength: MAX_CONSOLE_MESSAGE,
    idleTimeout: 60,
    sendPingsAutomatically: true,
    // Our Outbox keeps the buffer near HIGH_WATER; this is uWS's own hard cap above it.
    maxBackpressure: 4 * 1024 * 1024,
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
      hub.add(ws);
    },
    message(ws, message) {
      const data = ws.getUserData();
      // The ArrayBuffer is neutered when this callback returns: decode now.
      const text = Buffer.from(message).toString('utf8');
      try {
        const { t, body } = decodeConsoleMessage(text);
        if (!data.greeted && t !== 'hello') throw new AppError('WS_HELLO_FIRST');
        handlers[t](ws, body);
      } catch (err) {
        const e = err instanceof AppError ? err : new AppError('INTERNAL');
        if (!(err instanceof AppError)) log.error({ err }, 'console message failed');
        hub.send(ws, { t: 'error', code: e.code, message: e.message });
        if (e.code === 'WS_VERSION' || ++data.badFrames > MAX_BAD_FRAMES) {
          if (e.code !== 'WS_VERSION') hub.send(ws, { t: 'error', code: 'WS_TOO_MANY_ERRORS', message: new AppError('WS_TOO_MANY_ERRORS').message });
          data.closed = true;
          ws.end(CLOSE.protocol, e.code);
        }
      }
    },
    drain(ws) {
      ws.getUserData().outbox.drain(ws);
    },
    close(ws) {
      ws.getUserData().closed = true;
      hub.remove(ws);
    },
  });
}

function originHost(origin: string): string {
  try {
    return new URL(origin).host;
  } catch {
    return '';
  }
}
