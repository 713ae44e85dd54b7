/**
 * Command shells (F23) on the appliance: the channel kind "shell" and the
 * console requests that start, list, attach to and stop shells. One shell is
 * one pty on the customer's computer, one channel socket from the customer
 * client, and any number of console viewers (every member of a shared
 * session may watch and, with the shell permission, type). Wire format:
 * common/shell-protocol.ts.
 *
 * Authorization, on every action: the rep must be a member of the (live)
 * session and have `shell` in their effective permissions; a shell id is
 * only found within its own session. A console socket is a viewer only for
 * the shell its ticket names; its keystrokes are checked again per message,
 * so a permission taken away applies at once.
 *
 * Flow control (backpressure contract), per shell:
 * - Output from the customer goes to every viewer that is not resyncing.
 * - A viewer whose send buffer is above VIEWER_HIGH_WATER is "behind".
 * - Output is acknowledged to the client by credit (`ack`, see
 *   common/shell-protocol.ts). When every viewer is behind, acks are held
 *   back, so the client's window fills and it pauses its pty: one slow
 *   console then gets the whole stream, just later, and the pty waits for
 *   it. `drain` of any viewer below VIEWER_LOW_WATER releases the acks.
 *   With no viewer at all the pty runs freely into the scrollback.
 *   A client that sends more than RELAY_LIMIT beyond its credit is cut off.
 * - A viewer more than VIEWER_DROP_AT behind while another keeps up is
 *   dropped to a resync: it gets no live output until its buffer drains
 *   below VIEWER_LOW_WATER, then `reset` and the scrollback again. So a slow
 *   viewer never slows the others, and the appliance holds at most
 *   VIEWER_DROP_AT plus one frame per viewer and SCROLLBACK_BYTES per shell.
 */
import { AppError } from '../../../common/errors.ts';
import { RELAY_LIMIT } from '../../../common/flow.ts';
import type { SessionEventKind } from '../../../common/sessions.ts';
import {
  SHELL_CONSOLE_TO_APPLIANCE,
  SHELL_ACK_EVERY,
  SHELL_CUSTOMER_TO_APPLIANCE,
  decodeShellControl,
  type ShellApplianceToCustomer,
  type ShellInfo,
  type ShellToConsole,
} from '../../../common/shell-protocol.ts';
import type { ShellRecordingStore } from '../store/shell-recordings.ts';
import { Scrollback } from './scrollback.ts';
import { ShellRecorder } from './shell-recorder.ts';

/** At most 8 shells run at once in one session. */
export const MAX_SHELLS_PER_SESSION = 8;
/** A viewer with more than 512 KiB unsent is behind. */
export const VIEWER_HIGH_WATER = 512 * 1024;
/** …and one below 64 KiB has caught up (resume the pty, or replay after a resync). */
export const VIEWER_LOW_WATER = 64 * 1024;
/** A viewer 4 MiB behind while another keeps up stops getting live output until it resyncs. */
export const VIEWER_DROP_AT = 4 * 1024 * 1024;
/** Keystrokes typed before the client's side connected wait, up to 64 KiB (more is dropped). */
export const EARLY_INPUT_BYTES = 64 * 1024;
/** Replayed scrollback goes out in frames of 64 KiB (well under the 1 MiB channel message limit). */
export const REPLAY_FRAME_BYTES = 64 * 1024;
/** A client that has not connected a shell's channel 35 s after the request (its ticket lives 30 s) never will. */
export const CUSTOMER_CONNECT_MS = 35_000;
/** An ended shell's last output and exit stay 60 s for a viewer whose ticket was issued before the end. */
export const ENDED_KEEP_MS = 60_000;
/** Close codes on shell channel sockets. */
export const SHELL_CLOSE = { done: 1000, tooFast: 4003, unknown: 4404, refused: 4403, duplicate: 4409 } as const;

/** The parts of a uWS channel socket this module uses. */
export interface ShellSocket {
  send(data: Uint8Array | string, isBinary: boolean): number;
  getBufferedAmount(): number;
  end(code?: number, reason?: string): void;
}

/** What a channel ticket says about its socket. */
export interface ShellTicket {
  sessionId: string;
  side: 'customer' | 'console';
  userId: string | null;
  channelId: string;
}

/** What the shell relay needs from the rest of the appliance (wired in app.ts). */
export interface ShellDeps {
  /** Throws NOT_MEMBER / SESSION_UNKNOWN / SESSION_ENDED unless `userId` is a member of the live session. */
  requireMember(userId: string, sessionId: string): { members: readonly string[]; kind: string };
  /** The rep's effective `shell` permission, now. */
  mayUseShell(userId: string): boolean;
  displayName(userId: string): string;
  newChannelId(): string;
  /** Asks the session's customer client to open this shell's channel; throws CUSTOMER_OFFLINE / CLIENT_UNSUPPORTED. */
  callCustomer(sessionId: string, channelId: string, params: Record<string, unknown>): void;
  /** A one-time ticket for the console side of `channelId`. */
  issueConsoleTicket(sessionId: string, userId: string, channelId: string): string;
  recordEvent(sessionId: string, kind: SessionEventKind, actor: string | null, params: Record<string, string>): void;
  /** Sends `shells` to every console of the session's members. */
  publishShells(sessionId: string, shells: ShellInfo[]): void;
  /** The admin setting "record command shells", now. */
  recordShells(): boolean;
  readonly recordings: ShellRecordingStore;
  warn(detail: Record<string, unknown>, text: string): void;
}

interface Viewer {
  readonly ws: ShellSocket;
  readonly userId: string;
  resync: boolean;
}

interface Shell {
  readonly id: string;
  readonly sessionId: string;
  readonly title: string;
  readonly openedBy: { id: string; name: string };
  readonly openedAt: number;
  cols: number;
  rows: number;
  customer: ShellSocket | undefined;
  /** Keystrokes waiting for the client's side to connect. */
  early: Buffer[];
  earlyBytes: number;
  /** Output bytes taken from the client, and the total last acknowledged. */
  received: number;
  acked: number;
  /** Acks held back because every viewer is behind. */
  holding: boolean;
  readonly viewers: Map<ShellSocket, Viewer>;
  readonly scrollback: Scrollback;
  recorder: ShellRecorder | undefined;
  /** Who asked to stop it (for the event log); the opener when it ended by itself. */
  closedBy: string | undefined;
  ended: boolean;
  exit?: { code: number; signal: number; reason?: string };
  endedAt?: number;
}

export class ShellRelay {
  private readonly shells = new Map<string, Shell>();
  /** Shells ever opened per session, for the "Shell N" titles. */
  private readonly numbering = new Map<string, number>();

  constructor(private readonly deps: ShellDeps) {}

  // ─── Console requests ────────────────────────────────────────────────

  private authorize(userId: string, sessionId: string): { members: readonly string[]; kind: string } {
    const session = this.deps.requireMember(userId, sessionId);
    if (!this.deps.mayUseShell(userId)) throw new AppError('SHELL_NOT_ALLOWED');
    return session;
  }

  private shellOf(sessionId: string, shellId: string): Shell {
    const shell = this.shells.get(shellId);
    // Another session's shell id is as unknown as a made-up one.
    if (!shell || shell.sessionId !== sessionId || shell.ended) throw new AppError('SHELL_UNKNOWN');
    return shell;
  }

  /** `shell_open`: asks the customer client for a new pty; returns the console's ticket. */
  open(userId: string, sessionId: string, cols: number, rows: number): { channelId: string; ticket: string } {
    const session = this.authorize(userId, sessionId);
    this.prune(Date.now());
    const running = this.running(sessionId);
    if (running.length >= MAX_SHELLS_PER_SESSION) throw new AppError('SHELL_LIMIT', `at most ${MAX_SHELLS_PER_SESSION}`);
    const id = this.deps.newChannelId();
    const name = this.deps.displayName(userId);
    this.deps.callCustomer(sessionId, id, { cols, rows, rep: name });
    const n = (this.numbering.get(sessionId) ?? 0) + 1;
    this.numbering.set(sessionId, n);
    const shell: Shell = {
      id,
      sessionId,
      title: `Shell ${n}`,
      openedBy: { id: userId, name },
      openedAt: Date.now(),
      cols,
      rows,
      customer: undefined,
      early: [],
      earlyBytes: 0,
      received: 0,
      acked: 0,
      holding: false,
      viewers: new Map(),
      scrollback: new Scrollback(),
      recorder: undefined,
      closedBy: undefined,
      ended: false,
    };
    if (this.deps.recordShells()) {
      shell.recorder = new ShellRecorder(
        this.deps.recordings,
        { sessionId, shellId: id, title: shell.title, openedBy: name, members: [...session.members], cols, rows, startedAt: shell.openedAt },
      );
    }
    this.shells.set(id, shell);
    setTimeout(() => {
      if (!shell.customer && !shell.ended) this.finish(shell, { code: -1, signal: 0, reason: 'the customer client did not open the shell' });
    }, CUSTOMER_CONNECT_MS).unref();
    this.deps.recordEvent(sessionId, running.length === 0 ? 'shell_started' : 'shell_opened', name, {});
    this.publish(sessionId);
    return { channelId: id, ticket: this.deps.issueConsoleTicket(sessionId, userId, id) };
  }

  /** `shell_attach`: a ticket to view a running shell of the session. */
  attach(userId: string, sessionId: string, shellId: string): { channelId: string; ticket: string } {
    this.authorize(userId, sessionId);
    const shell = this.shellOf(sessionId, shellId);
    shell.recorder?.addMember(userId);
    return { channelId: shell.id, ticket: this.deps.issueConsoleTicket(sessionId, userId, shell.id) };
  }

  /** `shell_close`: stops the pty; the shell ends when the client reports its exit. */
  close(userId: string, sessionId: string, shellId: string): void {
    this.authorize(userId, sessionId);
    const shell = this.shellOf(sessionId, shellId);
    shell.closedBy = this.deps.displayName(userId);
    if (shell.customer) this.toCustomer(shell, { t: 'close' });
    else this.finish(shell, { code: -1, signal: 0, reason: 'closed before it started' });
  }

  /** `shell_list`: the running shells of the session. */
  list(userId: string, sessionId: string): ShellInfo[] {
    this.deps.requireMember(userId, sessionId);
    return this.running(sessionId).map(info);
  }

  /** Forgets ended shells older than ENDED_KEEP_MS. */
  private prune(now: number): void {
    for (const [id, s] of this.shells) if (s.ended && (s.endedAt ?? 0) + ENDED_KEEP_MS < now) this.shells.delete(id);
  }

  private running(sessionId: string): Shell[] {
    return [...this.shells.values()].filter((s) => s.sessionId === sessionId && !s.ended);
  }

  private publish(sessionId: string): void {
    this.deps.publishShells(sessionId, this.running(sessionId).map(info));
  }

  // ─── Channel sockets ─────────────────────────────────────────────────

  /** A channel socket of kind "shell" opened; returns false (and ends it) when it has no business here. */
  socketOpened(ws: ShellSocket, ticket: ShellTicket): boolean {
    const shell = this.shells.get(ticket.channelId);
    if (shell && shell.sessionId === ticket.sessionId && shell.ended && ticket.side === 'console' && shell.exit) {
      // It ended between ticket and connect (a refusal is quick): show what there was and why it ended.
      this.sendJson(ws, { t: 'hello', shellId: shell.id, title: shell.title, cols: shell.cols, rows: shell.rows });
      this.replay(shell, { ws, userId: ticket.userId ?? '', resync: false });
      this.sendJson(ws, { t: 'exit', ...shell.exit });
      ws.end(SHELL_CLOSE.done, 'shell ended');
      return false;
    }
    if (!shell || shell.sessionId !== ticket.sessionId || shell.ended) {
      ws.end(SHELL_CLOSE.unknown, 'unknown shell');
      return false;
    }
    if (ticket.side === 'customer') {
      if (shell.customer) {
        ws.end(SHELL_CLOSE.duplicate, 'shell already connected');
        return false;
      }
      shell.customer = ws;
      // A viewer may have resized before the client connected: the pty starts at the size asked then.
      this.toCustomer(shell, { t: 'resize', cols: shell.cols, rows: shell.rows });
      for (const keys of shell.early.splice(0)) ws.send(keys, true);
      shell.earlyBytes = 0;
      return true;
    }
    if (!ticket.userId || !this.deps.mayUseShell(ticket.userId)) {
      ws.end(SHELL_CLOSE.refused, 'shell not allowed');
      return false;
    }
    const viewer: Viewer = { ws, userId: ticket.userId, resync: false };
    shell.viewers.set(ws, viewer);
    this.sendJson(ws, { t: 'hello', shellId: shell.id, title: shell.title, cols: shell.cols, rows: shell.rows });
    this.replay(shell, viewer);
    return true;
  }

  socketMessage(ws: ShellSocket, ticket: ShellTicket, data: Uint8Array, isBinary: boolean): void {
    const shell = this.shells.get(ticket.channelId);
    if (!shell || shell.ended) return;
    if (ticket.side === 'customer') {
      if (ws !== shell.customer) return;
      if (isBinary) this.output(shell, data);
      else this.customerControl(shell, Buffer.from(data).toString('utf8'));
      return;
    }
    const viewer = shell.viewers.get(ws);
    if (!viewer) return;
    // Typing and resizing need the permission now, not only when the ticket was issued.
    if (!this.deps.mayUseShell(viewer.userId)) {
      ws.end(SHELL_CLOSE.refused, 'shell not allowed');
      return;
    }
    if (isBinary) {
      if (shell.customer) shell.customer.send(data, true);
      else if (shell.earlyBytes + data.length <= EARLY_INPUT_BYTES) {
        shell.early.push(Buffer.from(data));
        shell.earlyBytes += data.length;
      }
      return;
    }
    let msg;
    try {
      msg = decodeShellControl(SHELL_CONSOLE_TO_APPLIANCE, Buffer.from(data).toString('utf8'));
    } catch (err) {
      this.deps.warn({ shell: shell.id, err: (err as Error).message }, 'bad shell control message from a console');
      return;
    }
    if (msg.t === 'resize') this.resize(shell, msg.cols as number, msg.rows as number, ws);
  }

  socketDrained(ws: ShellSocket, ticket: ShellTicket): void {
    const shell = this.shells.get(ticket.channelId);
    const viewer = shell?.viewers.get(ws);
    if (!shell || !viewer) return;
    if (ws.getBufferedAmount() >= VIEWER_LOW_WATER) return;
    if (viewer.resync) this.replay(shell, viewer);
    if (shell.holding) this.release(shell);
  }

  socketClosed(ws: ShellSocket, ticket: ShellTicket): void {
    const shell = this.shells.get(ticket.channelId);
    if (!shell) return;
    if (ticket.side === 'console') {
      shell.viewers.delete(ws);
      // The last viewer that held the pty back is gone: let it run.
      if (shell.holding && !this.allBehind(shell)) this.release(shell);
      return;
    }
    if (ws === shell.customer && !shell.ended) {
      shell.customer = undefined;
      this.finish(shell, { code: -1, signal: 0, reason: 'the customer client closed the shell channel' });
    }
  }

  /** Ends every shell of a session (it ended, or its customer was dismissed). */
  endSession(sessionId: string): void {
    for (const shell of this.running(sessionId)) this.finish(shell, { code: -1, signal: 0, reason: 'the session ended or the customer left it' });
    this.numbering.delete(sessionId);
  }

  // ─── Relay ───────────────────────────────────────────────────────────

  private output(shell: Shell, data: Uint8Array): void {
    shell.received += data.length;
    if (shell.received - shell.acked > RELAY_LIMIT) {
      // The client ignores its window: it is cut off rather than let it fill the appliance.
      this.deps.warn({ shell: shell.id }, 'shell client exceeded its flow-control window');
      shell.customer?.end(SHELL_CLOSE.tooFast, 'flow-control window exceeded');
      return;
    }
    shell.scrollback.push(data);
    shell.recorder?.output(data);
    let keepingUp = false;
    const behind: Viewer[] = [];
    for (const viewer of shell.viewers.values()) {
      if (viewer.resync) continue;
      viewer.ws.send(data, true);
      if (viewer.ws.getBufferedAmount() > VIEWER_HIGH_WATER) behind.push(viewer);
      else keepingUp = true;
    }
    if (behind.length > 0 && !keepingUp) {
      // Everyone is behind: hold the acks, so the client's window fills and its pty waits.
      shell.holding = true;
      return;
    }
    // Someone keeps up (or nobody watches): nobody waits for the slow ones; the far-behind get a resync later.
    for (const viewer of behind) if (viewer.ws.getBufferedAmount() > VIEWER_DROP_AT) viewer.resync = true;
    if (!shell.holding && shell.received - shell.acked >= SHELL_ACK_EVERY) this.ack(shell);
  }

  private ack(shell: Shell): void {
    shell.acked = shell.received;
    this.toCustomer(shell, { t: 'ack', total: shell.received });
  }

  /** Viewers caught up: acknowledge everything taken, so the pty runs again. */
  private release(shell: Shell): void {
    shell.holding = false;
    this.ack(shell);
  }

  private allBehind(shell: Shell): boolean {
    let any = false;
    for (const viewer of shell.viewers.values()) {
      if (viewer.resync) continue;
      any = true;
      if (viewer.ws.getBufferedAmount() <= VIEWER_HIGH_WATER) return false;
    }
    return any;
  }

  /** Clears the viewer's screen and sends the scrollback; it gets live output again after. */
  private replay(shell: Shell, viewer: Viewer): void {
    viewer.resync = false;
    this.sendJson(viewer.ws, { t: 'reset', cols: shell.cols, rows: shell.rows });
    for (const piece of shell.scrollback.pieces(REPLAY_FRAME_BYTES)) viewer.ws.send(piece, true);
  }

  private resize(shell: Shell, cols: number, rows: number, from: ShellSocket): void {
    if (cols === shell.cols && rows === shell.rows) return;
    shell.cols = cols;
    shell.rows = rows;
    this.toCustomer(shell, { t: 'resize', cols, rows });
    shell.recorder?.resize(cols, rows);
    for (const viewer of shell.viewers.values()) if (viewer.ws !== from) this.sendJson(viewer.ws, { t: 'size', cols, rows });
  }

  private customerControl(shell: Shell, text: string): void {
    let msg;
    try {
      msg = decodeShellControl(SHELL_CUSTOMER_TO_APPLIANCE, text);
    } catch (err) {
      this.deps.warn({ shell: shell.id, err: (err as Error).message }, 'bad shell control message from a customer client');
      return;
    }
    if (msg.t === 'exit') this.finish(shell, { code: msg.code as number, signal: msg.signal as number });
    else if (msg.t === 'unavailable') this.finish(shell, { code: -1, signal: 0, reason: msg.reason as string });
  }

  private finish(shell: Shell, exit: { code: number; signal: number; reason?: string }): void {
    if (shell.ended) return;
    shell.ended = true;
    shell.exit = exit;
    shell.endedAt = Date.now();
    this.prune(shell.endedAt);
    for (const viewer of shell.viewers.values()) {
      this.sendJson(viewer.ws, { t: 'exit', ...exit });
      viewer.ws.end(SHELL_CLOSE.done, 'shell ended');
    }
    shell.viewers.clear();
    shell.early.length = 0;
    const customer = shell.customer;
    shell.customer = undefined;
    customer?.end(SHELL_CLOSE.done, 'shell ended');
    void shell.recorder?.stop().catch((err: unknown) => this.deps.warn({ shell: shell.id, err: String(err) }, 'shell recording could not be completed'));
    const remaining = this.running(shell.sessionId).length;
    const actor = shell.closedBy ?? shell.openedBy.name;
    this.deps.recordEvent(shell.sessionId, remaining === 0 ? 'shell_stopped' : 'shell_closed', actor, remaining === 0 ? {} : { remaining: String(remaining) });
    this.publish(shell.sessionId);
  }

  private toCustomer(shell: Shell, msg: ShellApplianceToCustomer): void {
    shell.customer?.send(JSON.stringify(msg), false);
  }

  private sendJson(ws: ShellSocket, msg: ShellToConsole): void {
    ws.send(JSON.stringify(msg), false);
  }
}

function info(s: Shell): ShellInfo {
  return { id: s.id, title: s.title, openedBy: s.openedBy.name, openedAt: s.openedAt, recording: s.recorder !== undefined };
}
