/**
 * The relay of one session's screen stream (F22): one producer (the
 * customer client's view channel), any number of viewers (reps' consoles),
 * and at most one control channel carrying the input of the rep who holds
 * control. Pure logic over `Peer`s, so it is tested without sockets;
 * relay/screen.ts binds it to the channel service.
 *
 * Flow control (the contract):
 * - The producer sends a frame only with a credit; the relay keeps
 *   credits + frames not yet consumed ≤ PRODUCER_WINDOW, and grants a
 *   credit only while some viewer can take a frame. A frame is consumed
 *   when its first viewer acknowledges it (the fastest viewer paces the
 *   stream) or at once when no viewer took it.
 * - A viewer takes a frame only while it has fewer than VIEWER_WINDOW frames
 *   unacknowledged and less than HIGH_WATER bytes unsent. Otherwise the
 *   frame is skipped for that viewer, which then needs a key frame: it gets
 *   nothing but cursor moves until the next key frame (asked from the
 *   producer once it can take one again). A viewer that is behind therefore
 *   gets the newest screen, never a backlog, and never slows the others.
 *   Memory per viewer: at most VIEWER_WINDOW frames in the socket buffer.
 *
 * Control: input is accepted only from the viewer whose rep holds control
 * and only while `canControl` (permissions, checked on every message) says
 * yes; the privacy screen also needs `canPrivacy`. Every other viewer's
 * input gets an error and goes nowhere.
 */
import type { ErrorCode } from '../../../common/errors.ts';
import { ERRORS } from '../../../common/errors.ts';
import type { SessionEventKind } from '../../../common/sessions.ts';
import {
  CLIENT_MESSAGES,
  INPUT_MESSAGES,
  MSG_CURSOR,
  MSG_UPDATE,
  VIEWER_MESSAGES,
  readCursor,
  readUpdate,
  type ApplianceToViewer,
  type ControlState,
  type ViewerStatus,
} from '../../../common/screen-protocol.ts';
import { decodeMessage } from '../../../common/wire.ts';

/** Credits plus unconsumed frames of the producer: two frames in flight keep the pipe busy without a backlog. */
export const PRODUCER_WINDOW = 2;
/** Frames a viewer may have unacknowledged. */
export const VIEWER_WINDOW = 2;
/** A viewer with 4 MiB unsent is behind (a key frame of a busy 1920x1080 screen is 0.5–2 MiB). */
export const HIGH_WATER = 4 * 1024 * 1024;
/** A viewer that sends 50 refused or malformed messages is disconnected. */
const MAX_VIEWER_ERRORS = 50;

export interface Peer {
  send(data: Uint8Array | string, binary: boolean): void;
  /** Bytes queued and not yet written to the network. */
  buffered(): number;
  close(code: number, reason: string): void;
}

export interface RepInfo {
  id: string;
  name: string;
}

export interface FanoutHooks {
  canView(userId: string): boolean;
  canControl(userId: string): boolean;
  canPrivacy(userId: string): boolean;
  /** Asks the customer client for a control channel on behalf of `rep`; throws a coded error when it cannot. */
  openControl(rep: RepInfo): void;
  /** Appends a session event. */
  event(kind: SessionEventKind, actor: string | null, params?: Record<string, string>): void;
  customerName(): string;
}

interface Viewer {
  rep: RepInfo;
  inflight: number[];
  needsKey: boolean;
  /** Frame whose chunks this viewer is being sent, or -1. */
  sending: number;
  needsShape: boolean;
  errors: number;
}

export const CLOSE_NORMAL = 1000;
export const CLOSE_POLICY = 1008;

export class ScreenFanout {
  private producer: Peer | undefined;
  private producerState: 'none' | 'asking' | 'allowed' | 'refused' = 'none';
  private credits = 0;
  private readonly pending: number[] = [];
  private current = -1;
  private currentKey = false;
  private currentRecipients = 0;
  private keyRequested = false;
  private info: string | undefined;
  private lastShape: Uint8Array | undefined;
  private readonly viewers = new Map<Peer, Viewer>();
  private control: Peer | undefined;
  private controlState: ControlState = 'none';
  private controlRep: RepInfo | undefined;
  private privacyOn = false;
  private ended = false;

  constructor(private readonly hooks: FanoutHooks) {}

  get viewerCount(): number {
    return this.viewers.size;
  }

  get hasProducer(): boolean {
    return this.producer !== undefined;
  }

  /** True once the stream is over (producer gone or every viewer left); a new one starts fresh. */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Ends the stream from outside (nobody came to watch). */
  shutdown(): void {
    this.end('ended');
  }

  // ---- producer (customer view channel) ----------------------------------

  producerOpen(peer: Peer): void {
    if (this.producer || this.ended) return peer.close(CLOSE_POLICY, 'a screen stream is already open');
    this.producer = peer;
    this.producerState = 'asking';
  }

  producerMessage(data: Uint8Array, isBinary: boolean): void {
    if (!this.producer) return;
    if (isBinary) {
      if (this.producerState !== 'allowed') return;
      if (data[0] === MSG_UPDATE) return this.update(data);
      if (data[0] === MSG_CURSOR) return this.cursor(data);
      return;
    }
    let msg: { t: string; body: Record<string, unknown> };
    let monitors: unknown;
    try {
      // The monitor list is checked apart (sanitizeMonitors): the shape table has no lists of records.
      const obj = JSON.parse(new TextDecoder().decode(data)) as Record<string, unknown>;
      if (obj && obj.t === 'info') {
        monitors = obj.monitors;
        delete obj.monitors;
      }
      msg = decodeMessage(CLIENT_MESSAGES, JSON.stringify(obj));
    } catch {
      return;
    }
    if (msg.t === 'hello' && this.producerState === 'asking') {
      const allowed = msg.body.allowed === true;
      this.producerState = allowed ? 'allowed' : 'refused';
      const reps = [...this.viewers.values()].map((v) => v.rep.name).join(', ');
      this.hooks.event(allowed ? 'screen_view_allowed' : 'screen_view_refused', this.hooks.customerName(), { rep: reps });
      this.status(allowed ? 'viewing' : 'refused');
      if (allowed) {
        for (const v of this.viewers.values()) this.hooks.event('screen_view_started', v.rep.name);
        this.refill();
      } else this.end('refused');
    } else if (msg.t === 'info' && this.producerState === 'allowed') {
      this.info = JSON.stringify({ t: 'info', ...msg.body, monitors: sanitizeMonitors(monitors) });
      for (const peer of this.viewers.keys()) peer.send(this.info, false);
    } else if (msg.t === 'error') {
      for (const peer of this.viewers.keys()) this.sendTo(peer, { t: 'error', code: 'SCREEN_UNAVAILABLE', message: String(msg.body.message) });
    }
  }

  producerClose(): void {
    if (!this.producer) return;
    this.producer = undefined;
    this.end('ended');
  }

  private update(data: Uint8Array): void {
    const h = readUpdate(data);
    if (!h) return;
    if (h.frame !== this.current) {
      if (this.current !== -1 && h.frame < this.current) return; // stale or replayed
      if (this.credits <= 0) return; // sent without a credit: dropped
      this.credits--;
      this.current = h.frame;
      this.currentKey = h.key;
      this.currentRecipients = 0;
      if (h.key) this.keyRequested = false;
      for (const [peer, v] of this.viewers) {
        v.sending = -1;
        if (v.needsKey && !h.key) continue;
        if (!this.hasRoom(peer, v)) {
          v.needsKey = true;
          continue;
        }
        v.needsKey = false;
        v.sending = h.frame;
        v.inflight.push(h.frame);
        this.currentRecipients++;
      }
    }
    for (const [peer, v] of this.viewers) if (v.sending === h.frame) peer.send(data, true);
    if (h.last) {
      for (const v of this.viewers.values()) v.sending = -1;
      if (this.currentRecipients > 0) this.pending.push(h.frame);
      this.refill();
    }
  }

  private cursor(data: Uint8Array): void {
    const c = readCursor(data);
    if (!c) return;
    if (c.shape) this.lastShape = data.slice();
    for (const [peer, v] of this.viewers) {
      if (peer.buffered() > HIGH_WATER) {
        if (c.shape) v.needsShape = true;
        continue;
      }
      if (v.needsShape && this.lastShape && !c.shape) peer.send(this.lastShape, true);
      v.needsShape = false;
      peer.send(data, true);
    }
  }

  private hasRoom(peer: Peer, v: Viewer): boolean {
    return v.inflight.length < VIEWER_WINDOW && peer.buffered() < HIGH_WATER;
  }

  /** Grants credits while some viewer can take a frame; asks for a key frame for viewers that wait for one. */
  private refill(): void {
    if (!this.producer || this.producerState !== 'allowed') return;
    let room = false;
    let keyWanted = false;
    for (const [peer, v] of this.viewers) {
      if (!this.hasRoom(peer, v)) continue;
      room = true;
      if (v.needsKey) keyWanted = true;
    }
    if (keyWanted && !this.keyRequested) {
      this.keyRequested = true;
      this.producer.send(JSON.stringify({ t: 'key' }), false);
    }
    if (!room) return;
    const n = PRODUCER_WINDOW - this.credits - this.pending.length;
    if (n <= 0) return;
    this.credits += n;
    this.producer.send(JSON.stringify({ t: 'credit', n }), false);
  }

  // ---- viewers (reps' consoles) ------------------------------------------

  viewerOpen(peer: Peer, rep: RepInfo): void {
    if (this.ended) return peer.close(CLOSE_NORMAL, 'screen sharing ended');
    this.viewers.set(peer, { rep, inflight: [], needsKey: true, sending: -1, needsShape: true, errors: 0 });
    const state: ViewerStatus = this.producerState === 'allowed' ? 'viewing' : this.producerState === 'refused' ? 'refused' : 'asking';
    this.sendTo(peer, { t: 'status', state });
    if (this.info) peer.send(this.info, false);
    if (this.lastShape) {
      peer.send(this.lastShape, true);
      this.viewers.get(peer)!.needsShape = false;
    }
    this.sendControlState(peer);
    if (this.privacyOn) this.sendTo(peer, { t: 'privacy', on: true });
    if (this.producerState === 'allowed') this.hooks.event('screen_view_started', rep.name);
    this.refill();
  }

  viewerDrain(): void {
    this.refill();
  }

  viewerMessage(peer: Peer, data: Uint8Array, isBinary: boolean): void {
    const v = this.viewers.get(peer);
    if (!v) return;
    if (isBinary) return this.refuse(peer, v, 'WS_BAD_FRAME', 'viewers send text frames only');
    if (!this.hooks.canView(v.rep.id)) {
      this.sendTo(peer, { t: 'error', code: 'SCREEN_NO_PERMISSION', message: ERRORS.SCREEN_NO_PERMISSION.text });
      return peer.close(CLOSE_POLICY, 'no screen permission');
    }
    let msg: { t: string; body: Record<string, unknown> };
    try {
      msg = decodeMessage(VIEWER_MESSAGES, new TextDecoder().decode(data));
    } catch (err) {
      return this.refuse(peer, v, 'WS_BAD_FRAME', (err as Error).message);
    }
    if (Object.prototype.hasOwnProperty.call(INPUT_MESSAGES, msg.t)) return this.input(peer, v, msg.t, data);
    switch (msg.t) {
      case 'ack': {
        const frame = msg.body.frame as number;
        const i = v.inflight.indexOf(frame);
        if (i < 0) return;
        v.inflight.splice(0, i + 1);
        const p = this.pending.indexOf(frame);
        if (p >= 0) this.pending.splice(0, p + 1);
        return this.refill();
      }
      case 'refresh':
        v.needsKey = true;
        return this.refill();
      case 'mode':
      case 'monitor':
        if (this.producer && this.producerState === 'allowed') this.producer.send(JSON.stringify({ t: msg.t, ...msg.body }), false);
        return;
      case 'control':
        return msg.body.on ? this.requestControl(peer, v) : this.releaseControl(v.rep, true);
    }
  }

  viewerClose(peer: Peer): void {
    const v = this.viewers.get(peer);
    if (!v) return;
    this.viewers.delete(peer);
    if (this.producerState === 'allowed') this.hooks.event('screen_view_stopped', v.rep.name);
    if (this.controlRep?.id === v.rep.id && ![...this.viewers.values()].some((o) => o.rep.id === v.rep.id)) this.releaseControl(v.rep, true);
    // A frame only this viewer held can no longer be acknowledged.
    for (const f of v.inflight) {
      const p = this.pending.indexOf(f);
      if (p >= 0 && ![...this.viewers.values()].some((o) => o.inflight.includes(f))) this.pending.splice(p, 1);
    }
    if (this.viewers.size === 0) this.end('ended');
    else this.refill();
  }

  private input(peer: Peer, v: Viewer, type: string, raw: Uint8Array): void {
    const holds = this.controlState === 'granted' && this.controlRep?.id === v.rep.id && this.control !== undefined;
    if (!holds) return this.refuse(peer, v, 'SCREEN_NO_CONTROL');
    if (!this.hooks.canControl(v.rep.id)) return this.refuse(peer, v, 'SCREEN_NO_PERMISSION');
    if (type === 'privacy' && !this.hooks.canPrivacy(v.rep.id)) return this.refuse(peer, v, 'SCREEN_NO_PERMISSION');
    this.control!.send(new TextDecoder().decode(raw), false);
  }

  private refuse(peer: Peer, v: Viewer, code: ErrorCode, detail?: string): void {
    v.errors++;
    this.sendTo(peer, { t: 'error', code, message: detail ? `${ERRORS[code].text} (${detail})` : ERRORS[code].text });
    if (v.errors >= MAX_VIEWER_ERRORS) peer.close(CLOSE_POLICY, 'too many refused messages');
  }

  private requestControl(peer: Peer, v: Viewer): void {
    if (!this.hooks.canControl(v.rep.id)) return this.refuse(peer, v, 'SCREEN_NO_PERMISSION');
    if (this.producerState !== 'allowed') return this.refuse(peer, v, 'SCREEN_NOT_SHARED');
    if (this.controlState === 'granted' || this.controlState === 'asking') {
      if (this.controlRep?.id === v.rep.id) return;
      return this.refuse(peer, v, 'SCREEN_CONTROL_HELD', this.controlRep?.name);
    }
    this.controlState = 'asking';
    this.controlRep = v.rep;
    try {
      this.hooks.openControl(v.rep);
    } catch (err) {
      this.controlState = 'none';
      this.controlRep = undefined;
      const code = (err as { code?: ErrorCode }).code;
      return this.refuse(peer, v, code && code in ERRORS ? code : 'INTERNAL');
    }
    this.broadcastControl();
  }

  private releaseControl(rep: RepInfo, byRep: boolean): void {
    if (this.controlRep?.id !== rep.id) return;
    const had = this.controlState === 'granted';
    const ctl = this.control;
    this.control = undefined;
    this.controlState = 'none';
    this.controlRep = undefined;
    if (this.privacyOn) {
      this.privacyOn = false;
      this.hooks.event('screen_privacy_off', rep.name);
      this.broadcast({ t: 'privacy', on: false });
    }
    ctl?.close(CLOSE_NORMAL, 'control released');
    if (had) this.hooks.event(byRep ? 'screen_control_released' : 'screen_control_ended', byRep ? rep.name : this.hooks.customerName(), { rep: rep.name });
    this.broadcastControl();
  }

  private sendControlState(peer: Peer): void {
    const v = this.viewers.get(peer);
    this.sendTo(peer, { t: 'control', state: this.controlState, holder: this.controlRep?.name ?? null, mine: v !== undefined && this.controlRep?.id === v.rep.id });
  }

  private broadcastControl(): void {
    for (const peer of this.viewers.keys()) this.sendControlState(peer);
  }

  // ---- control channel (customer side) -----------------------------------

  controlOpen(peer: Peer): void {
    if (this.control || this.controlState !== 'asking' || this.ended) return peer.close(CLOSE_POLICY, 'no control was asked for');
    this.control = peer;
  }

  controlMessage(peer: Peer, data: Uint8Array, isBinary: boolean): void {
    if (peer !== this.control || isBinary) return;
    let msg: { t: string; body: Record<string, unknown> };
    try {
      msg = decodeMessage(CLIENT_MESSAGES, new TextDecoder().decode(data));
    } catch {
      return;
    }
    const rep = this.controlRep;
    if (!rep) return;
    if (msg.t === 'hello' && this.controlState === 'asking') {
      const allowed = msg.body.allowed === true;
      this.hooks.event(allowed ? 'screen_control_allowed' : 'screen_control_refused', this.hooks.customerName(), { rep: rep.name });
      if (allowed) {
        this.controlState = 'granted';
        this.broadcastControl();
      } else {
        this.controlState = 'refused';
        this.broadcastControl();
        this.controlState = 'none';
        this.controlRep = undefined;
        this.control = undefined;
        peer.close(CLOSE_NORMAL, 'refused');
        this.broadcastControl();
      }
    } else if (msg.t === 'clipboard' && this.controlState === 'granted') {
      for (const [p, v] of this.viewers) if (v.rep.id === rep.id) this.sendTo(p, { t: 'clipboard', text: msg.body.text as string });
    } else if (msg.t === 'privacy' && this.controlState === 'granted') {
      const on = msg.body.on === true;
      if (on === this.privacyOn) return;
      this.privacyOn = on;
      this.hooks.event(on ? 'screen_privacy_on' : 'screen_privacy_off', msg.body.by === 'local' ? this.hooks.customerName() : rep.name);
      this.broadcast({ t: 'privacy', on });
    }
  }

  controlClose(peer: Peer): void {
    if (peer !== this.control) return;
    const rep = this.controlRep;
    this.control = undefined;
    if (rep) this.releaseControl(rep, false);
  }

  // ---- helpers -----------------------------------------------------------

  private sendTo(peer: Peer, msg: ApplianceToViewer): void {
    peer.send(JSON.stringify(msg), false);
  }

  private broadcast(msg: ApplianceToViewer): void {
    for (const peer of this.viewers.keys()) this.sendTo(peer, msg);
  }

  private status(state: ViewerStatus): void {
    this.broadcast({ t: 'status', state });
  }

  /** Ends the stream: viewers are told and closed, the customer's channels closed. */
  private end(why: 'ended' | 'refused'): void {
    if (this.ended) return;
    this.ended = true;
    if (this.controlRep) this.releaseControl(this.controlRep, true);
    const wasViewing = this.producerState === 'allowed';
    if (why === 'ended') this.status('ended');
    for (const [peer, v] of [...this.viewers]) {
      if (wasViewing) this.hooks.event('screen_view_stopped', v.rep.name);
      peer.close(CLOSE_NORMAL, why);
    }
    this.viewers.clear();
    const producer = this.producer;
    this.producer = undefined;
    producer?.close(CLOSE_NORMAL, 'screen sharing ended');
  }
}

/** Keeps only well-formed monitor records (at most 16) from the client's info message. */
function sanitizeMonitors(value: unknown): Array<{ id: number; name: string; x: number; y: number; width: number; height: number; primary: boolean }> {
  if (!Array.isArray(value)) return [];
  const int = (n: unknown, min: number, max: number): number | undefined => (typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : undefined);
  const out = [];
  for (const m of value.slice(0, 16) as Array<Record<string, unknown>>) {
    if (typeof m !== 'object' || m === null) continue;
    const id = int(m.id, 0, 0xffffffff);
    const x = int(m.x, -32768, 32767);
    const y = int(m.y, -32768, 32767);
    const width = int(m.width, 1, 16384);
    const height = int(m.height, 1, 16384);
    if (id === undefined || x === undefined || y === undefined || width === undefined || height === undefined) continue;
    out.push({ id, name: typeof m.name === 'string' ? m.name.slice(0, 64) : String(id), x, y, width, height, primary: m.primary === true });
  }
  return out;
}
