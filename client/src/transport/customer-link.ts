/**
 * The customer's link to one support session, across as many sockets as it
 * takes. It presents the key or token once; the `joined` reply carries a
 * resume secret, kept only in memory, which every later socket presents
 * instead. Cuts and appliance restarts are retried with `Backoff`; what the
 * appliance refuses for good (unknown, expired or used key, a session that
 * can no longer be resumed) and a certificate that is not the appliance's
 * end the link with a final state and an exit code.
 *
 * States and legal transitions (model: noVNC `_updateConnectionState`):
 *
 *   idle ──► connecting ──► joining ──► joined ──► ended
 *               ▲    │         │  │       │
 *               │    ▼         ▼  ▼       ▼
 *               └─ retrying ◄──┘  refused  (retrying, left)
 *
 * `left` (the customer quit) is reachable from every non-final state.
 * Everything the user sees goes through `LinkListener`; log detail (error
 * codes, close codes) is kept apart from the user-facing text.
 */
import type WebSocket from 'ws';
import { PROTOCOL_VERSION, type ApplianceToCustomer } from '../../../common/customer-protocol.ts';
import { ERRORS, isErrorCode, type ErrorCode } from '../../../common/errors.ts';
import type { ChatMessage, SessionState } from '../../../common/sessions.ts';
import { EXIT } from '../cli/exit-codes.ts';
import type { Credential } from '../cli/target.ts';
import type { SystemInfo } from '../sysinfo/system-info.ts';
import { decodeApplianceMessage } from './appliance-messages.ts';
import { Backoff } from './backoff.ts';
import { isCertificateError } from './pinned-socket.ts';

export type LinkState = 'idle' | 'connecting' | 'joining' | 'joined' | 'retrying' | 'ended' | 'refused' | 'left';

const TRANSITIONS: Record<LinkState, readonly LinkState[]> = {
  idle: ['connecting', 'left'],
  connecting: ['joining', 'retrying', 'refused', 'left'],
  joining: ['joined', 'retrying', 'refused', 'ended', 'left'],
  joined: ['retrying', 'ended', 'left'],
  retrying: ['connecting', 'left'],
  ended: [],
  refused: [],
  left: [],
};

/** Close codes the appliance uses (appliance/src/ws/console-socket.ts `CLOSE`). */
const CLOSE_PROTOCOL = 4002;
const CLOSE_ENDED = 4004;
/** Normal closure, sent when the customer leaves. */
const CLOSE_NORMAL = 1000;

/** Hello refusals that retrying cannot fix. */
const FINAL_HELLO_ERRORS: ReadonlySet<string> = new Set<ErrorCode>(['KEY_UNKNOWN', 'KEY_EXPIRED', 'KEY_USED', 'RESUME_UNKNOWN', 'WS_VERSION', 'BAD_FIELD', 'UNKNOWN_FIELD']);

/** A ping every 20 s keeps NAT entries alive and proves the appliance still answers. */
const HEARTBEAT_INTERVAL_MS = 20_000;
/** Nothing heard for 50 s (two missed pongs and change) means the path is dead: reconnect. */
const SILENCE_LIMIT_MS = 50_000;
/** Chat lines typed while disconnected are sent after the resume, up to 20. */
const MAX_PENDING_CHAT = 20;

export interface LinkListener {
  connecting(attempt: number): void;
  joined(info: { sessionId: string; state: SessionState; reps: string[]; resumed: boolean }): void;
  state(state: SessionState, reps: string[]): void;
  chat(msg: ChatMessage): void;
  retrying(delayMs: number, why: string): void;
  /** Something non-final went wrong; shown to the customer. */
  notice(text: string): void;
  ended(reason: 'ended' | 'disconnected'): void;
  refused(text: string, exitCode: number, detail: string): void;
  /** Developer detail (ignored frames, close codes), not for the customer's eyes. */
  debug(text: string): void;
}

export interface LinkOptions {
  readonly credential: Credential;
  readonly name: string;
  readonly system: SystemInfo;
  /** Opens a new socket to the appliance (pinned); injectable for tests. */
  readonly open: () => WebSocket;
  readonly listener: LinkListener;
  /** A rep opened a data channel (client/src/transport/channels.ts routes it by kind). */
  readonly onChannel?: (msg: Extract<ApplianceToCustomer, { t: 'channel' }>) => void;
  /** A rep asks to run a special action (client/src/actions/special-action.ts); answer with `post`. */
  readonly onSpecialAction?: (msg: Extract<ApplianceToCustomer, { t: 'special_action' }>) => void;
  /** The rep left a support button here (client/src/jump/support-button.ts). */
  readonly onButtonInstall?: (msg: Extract<ApplianceToCustomer, { t: 'button_install' }>) => void;
  /** The rep pinned this computer as a jump client (client/src/jump/). */
  readonly onJumpPin?: (msg: Extract<ApplianceToCustomer, { t: 'jump_pin' }>) => void;
  readonly backoff?: Backoff;
}

export class CustomerLink {
  private stateNow: LinkState = 'idle';
  private socket: WebSocket | undefined;
  private resumeSecret: string | undefined;
  private lastSeq = -1;
  private reps: string[] = [];
  private everJoined = false;
  private attempts = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private lastHeard = 0;
  private pingCounter = 0;
  private throttledMs = 0;
  private readonly pending: string[] = [];
  private readonly backoff: Backoff;

  constructor(private readonly opts: LinkOptions) {
    this.backoff = opts.backoff ?? new Backoff();
  }

  get state(): LinkState {
    return this.stateNow;
  }

  start(): void {
    this.connect();
  }

  /** Sends a chat line now, or after the next (re)join when disconnected. */
  say(body: string): boolean {
    if (this.stateNow === 'joined' && this.socket) {
      this.send({ t: 'chat', body });
      return true;
    }
    if (this.isFinal() || this.pending.length >= MAX_PENDING_CHAT) return false;
    this.pending.push(body);
    return true;
  }

  /**
   * Sends a feature's control message (e.g. a special action's result) on the
   * live socket; returns false when not joined (the caller decides whether
   * it matters).
   */
  post(msg: { t: string } & Record<string, unknown>): boolean {
    if (this.stateNow !== 'joined' || !this.socket) return false;
    this.send(msg);
    return true;
  }

  /** The customer leaves: closes the socket normally; the session stays for the rep to end. */
  leave(): void {
    if (this.isFinal()) return;
    this.to('left');
    this.teardown(CLOSE_NORMAL, 'customer left');
  }

  private isFinal(): boolean {
    return TRANSITIONS[this.stateNow].length === 0;
  }

  private to(next: LinkState): void {
    if (!TRANSITIONS[this.stateNow].includes(next)) throw new Error(`illegal link transition ${this.stateNow} → ${next}`);
    this.stateNow = next;
  }

  private connect(): void {
    this.to('connecting');
    this.attempts++;
    this.opts.listener.connecting(this.attempts);
    let ws: WebSocket;
    try {
      ws = this.opts.open();
    } catch (err) {
      this.to('refused');
      this.opts.listener.refused(`Cannot connect: ${(err as Error).message}`, EXIT.usage, String(err));
      return;
    }
    this.socket = ws;
    let failure: Error | undefined;
    ws.on('open', () => {
      if (this.socket !== ws || this.stateNow !== 'connecting') return;
      this.to('joining');
      this.lastHeard = Date.now();
      this.send(this.hello());
    });
    ws.on('message', (data, isBinary) => {
      if (this.socket !== ws) return;
      this.lastHeard = Date.now();
      if (isBinary) return this.opts.listener.debug('ignored a binary frame');
      const decoded = decodeApplianceMessage(data.toString());
      if (!decoded.ok) return this.opts.listener.debug(`ignored a message from the appliance: ${decoded.reason}`);
      this.handle(decoded.msg);
    });
    ws.on('error', (err) => {
      failure = err;
    });
    ws.on('close', (code, reason) => {
      if (this.socket !== ws) return;
      this.socket = undefined;
      this.stopHeartbeat();
      this.closed(code, reason.toString(), failure);
    });
  }

  private hello(): Record<string, unknown> {
    if (this.resumeSecret) return { t: 'hello', v: PROTOCOL_VERSION, resume: this.resumeSecret };
    const { system } = this.opts;
    return { t: 'hello', v: PROTOCOL_VERSION, ...this.opts.credential, name: this.opts.name, hostname: system.hostname, os: system.os, user: system.user, privateIps: system.privateIps };
  }

  private readonly handlers: { [K in ApplianceToCustomer['t']]: (m: Extract<ApplianceToCustomer, { t: K }>) => void } = {
    joined: (m) => {
      if (this.stateNow !== 'joining') return this.opts.listener.debug('ignored a joined outside of the hello');
      this.to('joined');
      const resumed = this.everJoined;
      this.everJoined = true;
      this.resumeSecret = m.resume;
      this.backoff.reset();
      this.attempts = 0;
      this.reps = m.reps;
      this.opts.listener.joined({ sessionId: m.sessionId, state: m.state, reps: m.reps, resumed });
      for (const msg of m.chat) this.deliverChat(msg);
      this.startHeartbeat();
      for (const body of this.pending.splice(0)) this.send({ t: 'chat', body });
    },
    state: (m) => {
      this.reps = m.reps;
      this.opts.listener.state(m.state, m.reps);
    },
    chat: (m) => this.deliverChat(m.msg),
    end: (m) => this.finish(m.reason),
    pong: () => undefined,
    channel: (m) => {
      if (this.stateNow !== 'joined') return this.opts.listener.debug('ignored a channel outside of a joined session');
      if (this.opts.onChannel) this.opts.onChannel(m);
      else this.opts.listener.debug(`ignored a ${m.kind} channel`);
    },
    special_action: (m) => {
      if (this.stateNow !== 'joined') return this.opts.listener.debug('ignored a special action outside of a joined session');
      if (this.opts.onSpecialAction) this.opts.onSpecialAction(m);
      else this.opts.listener.debug('ignored a special action');
    },
    // Only click-to-chat pages are offered the client; a client has nothing to do with it.
    elevate: () => this.opts.listener.debug('ignored an offer of the client'),
    button_install: (m) => {
      if (this.opts.onButtonInstall) this.opts.onButtonInstall(m);
      else this.opts.listener.debug('ignored a support button');
    },
    jump_pin: (m) => {
      if (this.opts.onJumpPin) this.opts.onJumpPin(m);
      else this.opts.listener.debug('ignored a jump pin');
    },
    error: (m) => this.error(m.code, m.message),
  };

  private handle(msg: ApplianceToCustomer): void {
    (this.handlers[msg.t] as (m: ApplianceToCustomer) => void)(msg);
  }

  private deliverChat(msg: ChatMessage): void {
    // A resume replays recent history: show only what was not shown yet.
    if (msg.seq <= this.lastSeq) return;
    this.lastSeq = msg.seq;
    this.opts.listener.chat(msg);
  }

  private error(code: string, message: string): void {
    const text = isErrorCode(code) ? ERRORS[code].text : message;
    if (this.stateNow === 'joining' && FINAL_HELLO_ERRORS.has(code)) {
      this.to('refused');
      this.opts.listener.refused(text, EXIT.refused, `hello refused: ${code} ${message}`);
      this.teardown(CLOSE_NORMAL, 'refused');
      return;
    }
    if (this.stateNow === 'joining' && code === 'THROTTLED') {
      // The appliance keeps the socket open but will not take a hello for a while; its message ends in "(<seconds>)".
      const seconds = Number(/\((\d+)\)\s*$/.exec(message)?.[1] ?? 0);
      this.throttledMs = seconds * 1000;
      this.opts.listener.notice(text);
      this.socket?.close(CLOSE_NORMAL, 'throttled');
      return;
    }
    this.opts.listener.notice(text);
    this.opts.listener.debug(`appliance error ${code}: ${message}`);
  }

  private finish(reason: 'ended' | 'disconnected'): void {
    if (this.stateNow !== 'joined' && this.stateNow !== 'joining') return;
    this.to('ended');
    this.opts.listener.ended(reason);
    this.teardown(CLOSE_NORMAL, 'ended');
  }

  private closed(code: number, reason: string, failure: Error | undefined): void {
    if (this.isFinal()) return;
    if (code === CLOSE_ENDED && this.stateNow === 'joined') return this.finish('ended');
    if (failure && isCertificateError(failure) && !this.everJoined) {
      this.to('refused');
      this.opts.listener.refused(
        `The server's certificate is not the one this client trusts (${failure.message}). Nothing was sent; the connection was refused.`,
        EXIT.certificate,
        `TLS: ${(failure as NodeJS.ErrnoException).code ?? ''} ${failure.message}`,
      );
      return;
    }
    const why = failure ? describeFailure(failure) : code === CLOSE_PROTOCOL ? `the appliance closed the connection (${reason || code})` : `connection closed (${code}${reason ? ` ${reason}` : ''})`;
    this.opts.listener.debug(`socket closed: code ${code} ${reason} ${failure ? String(failure) : ''}`.trim());
    this.to('retrying');
    const delay = Math.max(this.backoff.next(), this.throttledMs);
    this.throttledMs = 0;
    this.opts.listener.retrying(delay, why);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.stateNow === 'retrying') this.connect();
    }, delay);
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    this.heartbeat = setInterval(() => {
      if (!this.socket) return;
      if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) {
        this.opts.listener.debug('appliance silent; dropping the connection');
        this.socket.terminate();
        return;
      }
      this.send({ t: 'ping', n: this.pingCounter++ });
    }, HEARTBEAT_INTERVAL_MS);
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private send(msg: Record<string, unknown>): void {
    const ws = this.socket;
    if (ws && ws.readyState === ws.OPEN) ws.send(JSON.stringify(msg));
  }

  private teardown(code: number, reason: string): void {
    this.stopHeartbeat();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const ws = this.socket;
    this.socket = undefined;
    if (!ws) return;
    if (ws.readyState === ws.OPEN) ws.close(code, reason);
    else ws.terminate();
  }
}

/** A short, customer-readable cause for a failed connection. */
function describeFailure(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'the appliance is not answering';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'the appliance address cannot be found';
  if (code === 'ECONNRESET' || code === 'EPIPE') return 'the connection was reset';
  if (code === 'ETIMEDOUT' || /timed out|timeout/i.test(err.message)) return 'the connection timed out';
  if (isCertificateError(err)) return `certificate refused: ${err.message}`;
  return err.message;
}
