/**
 * The capture loop of one view channel: grab the shared monitor, encode it
 * with the media core (BGRX in, only changed tiles out), send the update,
 * one frame per credit from the appliance. X DAMAGE tells when nothing was
 * drawn, and then there is no grab at all. Credits come back as viewers
 * draw frames, so at most CREDIT_WINDOW frames are ever in flight and a
 * slow path makes the loop wait rather than queue: the next grab is simply
 * the newest screen (frames are coalesced, never buffered). An unchanged
 * screen sends nothing and is polled again after IDLE_POLL_MS. The pointer
 * is sampled apart (CURSOR_POLL_MS) and sent as small CURSOR messages.
 */
import type WebSocket from 'ws';
import { cursorFrame, updateFrames, type MonitorInfo } from '../../../common/screen-protocol.ts';
import type { ScreenMode } from '../../../common/screen-modes.ts';
import type { Encoder, MediaCore } from '../../../wasm/src/index.ts';
import type { ScreenGrabber } from './capture.ts';
import type { CursorWatcher } from './cursor.ts';

/** Poll an unchanged screen 25 times a second: a change shows within 40 ms plus the encode. */
const IDLE_POLL_MS = 40;
/** No more than 30 frames a second even with credits to spare: leaves CPU for the customer's programs. */
const MIN_FRAME_INTERVAL_MS = 33;
/** The pointer is sampled 25 times a second. */
const CURSOR_POLL_MS = 40;
/** Cursor messages are skipped while 256 KiB are still unsent on the socket. */
const CURSOR_SKIP_BUFFERED = 256 * 1024;

export interface FrameSource {
  /** The frame of `monitor` (BGRX, rows packed), borrowed until the next call. */
  grab(monitor: MonitorInfo): Promise<Uint8Array>;
  /** False when nothing can have changed since the last grab (X DAMAGE); the grab is skipped. */
  changed(): boolean;
}

export interface StreamerOptions {
  ws: WebSocket;
  core: MediaCore;
  source: FrameSource;
  grabber: ScreenGrabber;
  cursor: CursorWatcher;
  monitors: () => Promise<MonitorInfo[]>;
  mode: ScreenMode;
  monitor?: number;
  onError(err: Error): void;
}

export class ScreenStreamer {
  private credits = 0;
  private frameNo = 0;
  private keyWanted = true;
  private busy = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private cursorTimer: NodeJS.Timeout | undefined;
  private encoder: Encoder | undefined;
  private monitorList: MonitorInfo[] = [];
  private current: MonitorInfo | undefined;
  private mode: ScreenMode;
  private lastCapture = 0;
  private lastCursor = { x: -1, y: -1 };

  constructor(private readonly o: StreamerOptions) {
    this.mode = o.mode;
  }

  /** The shared monitor's origin on the root window (input adds it). */
  origin(): { x: number; y: number } {
    return { x: this.current?.x ?? 0, y: this.current?.y ?? 0 };
  }

  async start(): Promise<void> {
    await this.selectMonitor(this.o.monitor);
    this.cursorTimer = setInterval(() => void this.sendCursor(), CURSOR_POLL_MS);
  }

  private async selectMonitor(id: number | undefined): Promise<void> {
    this.monitorList = await this.o.monitors();
    const m = this.monitorList.find((x) => x.id === id) ?? this.monitorList.find((x) => x.primary) ?? this.monitorList[0]!;
    if (!this.encoder || !this.current || m.width !== this.current.width || m.height !== this.current.height) {
      this.encoder = this.o.core.createEncoder({ width: m.width, height: m.height, mode: this.mode });
    }
    this.current = m;
    this.keyWanted = true;
    this.o.cursor.resendShape();
    this.lastCursor = { x: -1, y: -1 };
    this.sendInfo();
  }

  private sendInfo(): void {
    const m = this.current!;
    this.sendText({ t: 'info', width: m.width, height: m.height, monitors: this.monitorList, monitor: m.id, mode: this.mode, capture: this.o.grabber.method });
  }

  private sendText(msg: Record<string, unknown>): void {
    if (this.o.ws.readyState === this.o.ws.OPEN) this.o.ws.send(JSON.stringify(msg));
  }

  credit(n: number): void {
    this.credits = Math.min(this.credits + n, 16);
    this.pump();
  }

  requestKey(): void {
    this.keyWanted = true;
    this.o.cursor.resendShape();
    this.lastCursor = { x: -1, y: -1 };
    this.pump();
  }

  setMode(mode: ScreenMode): void {
    this.mode = mode;
    this.encoder?.setMode(mode);
    this.keyWanted = true;
    this.sendInfo();
    this.pump();
  }

  async setMonitor(id: number): Promise<void> {
    await this.selectMonitor(id);
    this.pump();
  }

  private schedule(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pump();
    }, ms);
  }

  /** Something was drawn: look now instead of at the next idle poll. */
  wake(): void {
    if (!this.timer || this.busy) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
  }

  /** Sends one frame if a credit allows and the screen changed (or a key frame is due). */
  pump(): void {
    if (this.busy || this.stopped || this.credits <= 0 || !this.encoder || !this.current) return;
    const wait = this.lastCapture + MIN_FRAME_INTERVAL_MS - Date.now();
    if (wait > 0) return this.schedule(wait);
    this.busy = true;
    this.lastCapture = Date.now();
    void this.frame()
      .catch((err: Error) => this.o.onError(err))
      .finally(() => {
        this.busy = false;
        if (this.credits > 0) this.schedule(0);
      });
  }

  private async frame(): Promise<void> {
    const m = this.current!;
    const enc = this.encoder!;
    if (!this.keyWanted && !this.o.source.changed()) {
      this.schedule(IDLE_POLL_MS);
      return;
    }
    const pixels = await this.o.source.grab(m);
    if (this.stopped || enc !== this.encoder) return;
    const key = this.keyWanted;
    const message = enc.encode(pixels, { format: 'bgrx', keyFrame: key });
    const stats = enc.lastStats;
    if (!key && stats && stats.changedTiles === 0 && stats.copies === 0) {
      this.credits > 0 && this.schedule(IDLE_POLL_MS);
      return;
    }
    this.keyWanted = false;
    this.credits--;
    const frame = this.frameNo++;
    for (const part of updateFrames(frame, message, key)) this.o.ws.send(part);
  }

  private async sendCursor(): Promise<void> {
    if (this.stopped || !this.current || this.o.ws.bufferedAmount > CURSOR_SKIP_BUFFERED) return;
    try {
      const c = await this.o.cursor.sample();
      if (!c || this.stopped) return;
      const x = c.x - this.current.x;
      const y = c.y - this.current.y;
      if (!c.shape && x === this.lastCursor.x && y === this.lastCursor.y) return;
      this.lastCursor = { x, y };
      this.o.ws.send(cursorFrame(x, y, c.shape));
    } catch {
      /* the next sample tries again */
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.cursorTimer) clearInterval(this.cursorTimer);
  }
}
