/**
 * The jump client's run loop (`--jump FILE`): stays connected to `/ws/jump`
 * with its item's id and secret, reconnecting with backoff, and waits. When
 * a rep jumps, the appliance sends a one-time start token and this opens an
 * ordinary session with it (`runSession`), already owned by that rep; when
 * that session ends the jump client keeps waiting. When the item is
 * removed (or the appliance no longer knows it), it uninstalls itself and
 * exits.
 */
import type WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../../common/protocol.ts';
import type { SystemInfo } from '../sysinfo/system-info.ts';
import type { LinkListener } from '../transport/customer-link.ts';
import { Backoff } from '../transport/backoff.ts';
import type { JumpConfig } from './install.ts';

const HEARTBEAT_MS = 20_000;
const SILENCE_LIMIT_MS = 50_000;

export interface JumpClientOptions {
  readonly config: JumpConfig;
  readonly system: SystemInfo;
  readonly open: () => WebSocket;
  /** Runs one session with a start token; resolves when it is over. */
  readonly runSession: (token: string, rep: string) => Promise<void>;
  /** The item is gone: uninstall. */
  readonly removed: (why: string) => void;
  readonly log: (line: string) => void;
  readonly backoff?: Backoff;
}

export class JumpClient {
  private socket: WebSocket | undefined;
  private stopped = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private retry: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private pings = 0;
  private readonly backoff: Backoff;
  private sessions = 0;

  constructor(private readonly o: JumpClientOptions) {
    this.backoff = o.backoff ?? new Backoff();
  }

  get activeSessions(): number {
    return this.sessions;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.retry) clearTimeout(this.retry);
    this.socket?.close(1000, 'stopping');
  }

  private connect(): void {
    if (this.stopped) return;
    let ws: WebSocket;
    try {
      ws = this.o.open();
    } catch (err) {
      this.o.log(`cannot connect: ${(err as Error).message}`);
      return this.scheduleRetry();
    }
    this.socket = ws;
    ws.on('open', () => {
      this.lastHeard = Date.now();
      const { system, config } = this.o;
      ws.send(JSON.stringify({ t: 'hello', v: PROTOCOL_VERSION, jumpId: config.jumpId, secret: config.secret, hostname: system.hostname, os: system.os, user: system.user }));
    });
    ws.on('message', (data) => {
      this.lastHeard = Date.now();
      let msg: { t?: unknown; [k: string]: unknown };
      try {
        msg = JSON.parse(data.toString()) as typeof msg;
      } catch {
        return;
      }
      this.handle(msg);
    });
    ws.on('error', (err) => this.o.log(`connection error: ${err.message}`));
    ws.on('close', (code) => {
      if (this.socket !== ws) return;
      this.socket = undefined;
      if (this.heartbeat) clearInterval(this.heartbeat);
      if (!this.stopped) {
        this.o.log(`disconnected (${code}); retrying`);
        this.scheduleRetry();
      }
    });
  }

  private handle(msg: { t?: unknown; [k: string]: unknown }): void {
    switch (msg.t) {
      case 'ready':
        this.backoff.reset();
        this.o.log(`online as ${String(msg.name)}; waiting for a representative`);
        this.startHeartbeat();
        return;
      case 'start':
        if (typeof msg.token !== 'string') return;
        this.o.log(`${String(msg.rep || 'A representative')} is connecting`);
        this.sessions++;
        void this.o
          .runSession(msg.token, String(msg.rep ?? ''))
          .catch((err: unknown) => this.o.log(`session failed: ${(err as Error).message}`))
          .finally(() => {
            this.sessions--;
            this.o.log('session over; waiting for a representative');
          });
        return;
      case 'removed':
        this.stopped = true;
        this.o.removed('the jump item was removed on the appliance');
        return;
      case 'error':
        // The appliance does not know this item (removed while this computer was off): nothing to wait for.
        if (msg.code === 'JUMP_UNKNOWN') {
          this.stopped = true;
          this.o.removed('the appliance no longer knows this jump client');
        } else this.o.log(`appliance error ${String(msg.code)}: ${String(msg.message)}`);
        return;
      default:
    }
  }

  private startHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = setInterval(() => {
      const ws = this.socket;
      if (!ws) return;
      if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) return void ws.terminate();
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify({ t: 'ping', n: this.pings++ }));
    }, HEARTBEAT_MS);
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.connect();
    }, delay);
  }
}

/** What a jump session tells the log (nobody may be at the screen): joins, chat lines, the end. */
export function jumpSessionListener(log: (line: string) => void, rep: string, done: () => void): LinkListener {
  return {
    connecting: () => undefined,
    joined: (info) => log(`session ${info.sessionId} ${info.resumed ? 'resumed' : 'started'} with ${info.reps.join(', ') || rep}`),
    state: () => undefined,
    chat: (msg) => log(`chat ${msg.from.kind === 'system' ? '*' : msg.from.name}: ${msg.body}`),
    retrying: (ms, why) => log(`session connection lost (${why}); retrying in ${Math.round(ms / 1000)} s`),
    notice: (text) => log(text),
    ended: (reason) => {
      log(`session ${reason}`);
      done();
    },
    refused: (text) => {
      log(`session refused: ${text}`);
      done();
    },
    debug: () => undefined,
  };
}
