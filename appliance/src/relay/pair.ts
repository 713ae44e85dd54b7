/**
 * A pipe between the two ends of one channel: the rep's browser and the
 * customer client, each with its own socket to the appliance. Frames pass
 * through unchanged, text stays text and binary stays binary.
 *
 * Flow control is end to end by credit (common/flow.ts): the ends keep at
 * most a window unacknowledged, so the pipe never holds more than about a
 * window per direction. An end that ignores that and makes the appliance
 * buffer more than RELAY_LIMIT towards its peer has the channel closed
 * (4003, too slow), so one stream can never eat the appliance's memory.
 * Frames that arrive before the other end has connected wait, up to
 * EARLY_LIMIT bytes.
 *
 * When either end closes, the other is closed with the same code.
 *
 * Frames are sent on to the peer from a setImmediate, never from inside
 * uWS's message callback: uWS.js 20.30 drops the *receiving* TLS socket
 * (1006) once about 700 KB have been sent on another socket from within its
 * message callbacks in one burst. Each pair keeps one queue per direction,
 * flushed in order and corked, so frames stay in order.
 */
import { RELAY_LIMIT } from '../../../common/flow.ts';
import { end, type ChannelWs } from './channels.ts';

/** Bytes a side may send before its peer has connected. */
export const EARLY_LIMIT = 1024 * 1024;
/** A peer that does not connect within 30 s (the ticket's life) leaves the first end closed. */
export const PEER_WAIT_MS = 30_000;

interface PairState {
  customer?: ChannelWs;
  console?: ChannelWs;
  early: Array<{ from: 'customer' | 'console'; data: Buffer; isBinary: boolean }>;
  earlyBytes: number;
  timer?: NodeJS.Timeout;
  done: boolean;
  /** Frames waiting for the next flush, in arrival order, with their byte total per receiving side. */
  out: Array<{ to: 'customer' | 'console'; data: Buffer; isBinary: boolean }>;
  outBytes: { customer: number; console: number };
  flushing: boolean;
}

export interface PairObserver {
  /** Both ends connected. */
  paired?(channelId: string, console: ChannelWs, customer: ChannelWs): void;
  /** A frame passed from `from` to the other side; return false to drop it. */
  frame?(channelId: string, from: 'customer' | 'console', data: Buffer, isBinary: boolean): boolean;
  closed?(channelId: string): void;
}

export class PairRelay {
  private readonly pairs = new Map<string, PairState>();

  constructor(private readonly observer: PairObserver = {}) {}

  get size(): number {
    return this.pairs.size;
  }

  open(ws: ChannelWs): void {
    const { ticket } = ws.getUserData();
    let p = this.pairs.get(ticket.channelId);
    if (!p) {
      p = { early: [], earlyBytes: 0, done: false, out: [], outBytes: { customer: 0, console: 0 }, flushing: false };
      this.pairs.set(ticket.channelId, p);
      const state = p;
      p.timer = setTimeout(() => this.finish(ticket.channelId, state, 1001, 'peer did not connect'), PEER_WAIT_MS);
    }
    if (p[ticket.side]) return end(ws, 4002, 'side already connected');
    p[ticket.side] = ws;
    ws.getUserData().state = p;
    if (p.customer && p.console) {
      clearTimeout(p.timer);
      this.observer.paired?.(ticket.channelId, p.console, p.customer);
      for (const e of p.early.splice(0)) this.forward(p, e.from, e.data, e.isBinary);
      p.earlyBytes = 0;
    }
  }

  message(ws: ChannelWs, data: Buffer, isBinary: boolean): void {
    const p = ws.getUserData().state as PairState | undefined;
    if (!p || p.done) return;
    const from = ws.getUserData().ticket.side;
    if (!(p.customer && p.console)) {
      p.earlyBytes += data.length;
      if (p.earlyBytes > EARLY_LIMIT) return end(ws, 4003, 'peer not connected');
      p.early.push({ from, data, isBinary });
      return;
    }
    this.forward(p, from, data, isBinary);
  }

  private forward(p: PairState, from: 'customer' | 'console', data: Buffer, isBinary: boolean): void {
    const src = from === 'customer' ? p.customer! : p.console!;
    const to = from === 'customer' ? 'console' : 'customer';
    const dst = p[to]!;
    if (dst.getUserData().closed) return;
    if (this.observer.frame && !this.observer.frame(src.getUserData().ticket.channelId, from, data, isBinary)) return;
    if (dst.getBufferedAmount() + p.outBytes[to] + data.length > RELAY_LIMIT) {
      const { channelId } = src.getUserData().ticket;
      this.finish(channelId, p, 4003, 'too much unacknowledged data');
      return;
    }
    p.out.push({ to, data, isBinary });
    p.outBytes[to] += data.length;
    if (!p.flushing) {
      p.flushing = true;
      setImmediate(() => this.flush(p));
    }
  }

  /** Sends the queued frames, corked per socket (outside any uWS callback, see the header). */
  private flush(p: PairState): void {
    p.flushing = false;
    const frames = p.out.splice(0);
    p.outBytes.customer = p.outBytes.console = 0;
    for (const side of ['customer', 'console'] as const) {
      const dst = p[side];
      if (!dst || dst.getUserData().closed) continue;
      dst.cork(() => {
        for (const f of frames) if (f.to === side) dst.send(f.data, f.isBinary);
      });
    }
  }

  close(ws: ChannelWs, code: number): void {
    const d = ws.getUserData();
    const p = d.state as PairState | undefined;
    if (!p) return;
    this.finish(d.ticket.channelId, p, code === 1005 || code === 1006 ? 1000 : code, 'peer closed');
  }

  private finish(channelId: string, p: PairState, code: number, reason: string): void {
    if (p.done) return;
    p.done = true;
    clearTimeout(p.timer);
    if (this.pairs.get(channelId) === p) this.pairs.delete(channelId);
    const close = (): void => {
      for (const ws of [p.customer, p.console]) if (ws) end(ws, code >= 1000 && code < 5000 ? code : 1000, reason);
      this.observer.closed?.(channelId);
    };
    // Frames that arrived before the close (a last status line) still reach the other side, then it closes.
    if (p.flushing) setImmediate(close);
    else close();
  }
}
