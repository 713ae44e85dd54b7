/**
 * A screen viewer for tests, speaking the screen channel protocol
 * (common/screen-protocol.ts) on a raw WebSocket like the console does:
 * joins update chunks, decodes them with the real media core, acknowledges
 * each frame, and keeps the latest info, control state and errors. Also
 * sends hand-crafted frames, for the tests of what must be refused.
 */
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';
import { readUpdate, UPDATE_HEADER } from '../../common/screen-protocol.ts';
import { loadMediaCore, type Decoder, type MediaCore } from '../../wasm/src/index.ts';
import { REPO_ROOT, type RunningAppliance } from './appliance.ts';

let corePromise: Promise<MediaCore> | undefined;
export function mediaCore(): Promise<MediaCore> {
  return (corePromise ??= loadMediaCore(readFileSync(`${REPO_ROOT}/dist/web/media-core.wasm`)));
}

export interface FrameStat {
  frame: number;
  key: boolean;
  bytes: number;
}

export class ScreenViewer {
  readonly texts: any[] = [];
  readonly frames: FrameStat[] = [];
  info: any;
  decoder: Decoder | undefined;
  private parts: Uint8Array[] = [];
  private waiters: Array<() => void> = [];
  autoAck = true;
  readonly closed: Promise<number>;

  // The listener is attached in the constructor, before any await, so no early frame is lost.
  private constructor(readonly ws: WebSocket, private readonly core: MediaCore) {
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (data: Buffer, isBinary) => {
      if (!isBinary) {
        const m = JSON.parse(data.toString());
        this.texts.push(m);
        if (m.t === 'info') {
          this.info = m;
          if (!this.decoder || this.decoder.width !== m.width || this.decoder.height !== m.height) this.decoder = this.core.createDecoder(m.width, m.height);
        }
      } else if (data[0] === 1) {
        const h = readUpdate(data)!;
        this.parts.push(data.subarray(UPDATE_HEADER));
        if (h.last) {
          const msg = Buffer.concat(this.parts);
          this.parts = [];
          this.decoder!.decode(msg);
          this.frames.push({ frame: h.frame, key: h.key, bytes: msg.length });
          if (this.autoAck) this.send({ t: 'ack', frame: h.frame });
        }
      }
      for (const w of [...this.waiters]) w();
    });
  }

  static async open(app: RunningAppliance, ticket: string, cookie: string): Promise<ScreenViewer> {
    const core = await mediaCore();
    const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${encodeURIComponent(ticket)}`, [], { ca: [app.caPem], headers: { cookie, origin: app.origin } });
    const viewer = new ScreenViewer(ws, core);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return viewer;
  }

  send(msg: unknown): void {
    this.ws.send(typeof msg === 'string' ? msg : JSON.stringify(msg));
  }

  /** Waits until `pred` holds (checked after every message), at most `timeoutMs`. */
  until(pred: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`viewer: timed out waiting for ${what}; last texts ${JSON.stringify(this.texts.slice(-5))}`));
      }, timeoutMs);
      const check = (): void => {
        if (!pred()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  lastText(t: string): any {
    return [...this.texts].reverse().find((m) => m.t === t);
  }

  /** The decoded picture, RGBA. */
  pixels(): Uint8ClampedArray {
    return this.decoder!.snapshot();
  }

  close(): void {
    this.ws.close();
  }
}

/** Where two pictures differ (RGBA vs BGRX): count and bounding box, for failure messages. */
export function difference(rgba: Uint8ClampedArray | Uint8Array, bgrx: Uint8Array, width: number): { count: number; box: [number, number, number, number] | null } {
  let count = 0;
  let box: [number, number, number, number] | null = null;
  for (let i = 0; i < rgba.length; i += 4) {
    if (rgba[i] === bgrx[i + 2] && rgba[i + 1] === bgrx[i + 1] && rgba[i + 2] === bgrx[i]) continue;
    count++;
    const x = (i / 4) % width;
    const y = Math.floor(i / 4 / width);
    box = box ? [Math.min(box[0], x), Math.min(box[1], y), Math.max(box[2], x), Math.max(box[3], y)] : [x, y, x, y];
  }
  return { count, box };
}
