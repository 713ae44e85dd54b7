/**
 * The console's end of a screen channel (common/screen-protocol.ts): joins
 * update chunks, decodes them with the media core (the same .wasm the client
 * encodes with), draws the picture on a canvas and the pointer on an overlay
 * canvas of the same size, and acknowledges each drawn frame, which paces the
 * stream. Text messages go to `StreamEvents`. Decoding runs on the main
 * thread: a frame of changed tiles decodes in a few milliseconds, and one
 * putImageData per frame keeps the page responsive (a Worker would add a
 * copy of every frame for little gain).
 *
 * The canvas carries `data-frames` (frames drawn), `data-last-bytes`
 * (encoded size of the last frame), `data-last-key-bytes` and
 * `data-key-mode` (size and colour mode of the last key frame) for tests.
 */
import { readCursor, readUpdate, UPDATE_HEADER, type ApplianceToViewer, type MonitorInfo } from '../../../common/screen-protocol.ts';
import type { Decoder, MediaCore } from '../../../wasm/src/index.ts';

export type ScreenInfo = Extract<ApplianceToViewer, { t: 'info' }> & { monitors: MonitorInfo[] };

export interface StreamEvents {
  text(msg: ApplianceToViewer): void;
  info(info: ScreenInfo): void;
  closed(code: number): void;
}

export class ScreenStream {
  private decoder: Decoder | undefined;
  private parts: Uint8Array[] = [];
  private partBytes = 0;
  private frames = 0;
  private cursorAt = { x: 0, y: 0, w: 0, h: 0 };
  private cursorImage: ImageData | undefined;
  private cursorHot = { x: 0, y: 0 };
  /** Colour mode of the stream: frames after an info message are in its mode. */
  private mode = '';
  private readonly ctx: CanvasRenderingContext2D;
  private readonly overlay: CanvasRenderingContext2D;

  constructor(
    private readonly core: MediaCore,
    private readonly ws: WebSocket,
    private readonly canvas: HTMLCanvasElement,
    private readonly cursorCanvas: HTMLCanvasElement,
    private readonly events: StreamEvents,
  ) {
    this.ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    this.overlay = cursorCanvas.getContext('2d')!;
    ws.addEventListener('message', (ev) => this.onMessage(ev.data as ArrayBuffer | string));
    ws.addEventListener('close', (ev) => this.events.closed(ev.code));
  }

  send(msg: Record<string, unknown>): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  close(): void {
    this.ws.close(1000, 'stopped');
  }

  private onMessage(data: ArrayBuffer | string): void {
    if (typeof data === 'string') {
      let msg: ApplianceToViewer;
      try {
        msg = JSON.parse(data) as ApplianceToViewer;
      } catch {
        return;
      }
      if (msg.t === 'info') this.resize(msg as ScreenInfo);
      this.events.text(msg);
      return;
    }
    const bytes = new Uint8Array(data);
    if (bytes[0] === 1) this.update(bytes);
    else if (bytes[0] === 2) this.cursor(bytes);
  }

  private resize(info: ScreenInfo): void {
    this.mode = info.mode;
    if (!this.decoder || this.decoder.width !== info.width || this.decoder.height !== info.height) {
      this.decoder = this.core.createDecoder(info.width, info.height);
      for (const c of [this.canvas, this.cursorCanvas]) {
        c.width = info.width;
        c.height = info.height;
      }
      this.parts = [];
      this.partBytes = 0;
    }
    this.events.info(info);
  }

  private update(bytes: Uint8Array): void {
    const h = readUpdate(bytes);
    if (!h || !this.decoder) return;
    this.parts.push(bytes.subarray(UPDATE_HEADER));
    this.partBytes += bytes.length - UPDATE_HEADER;
    if (!h.last) return;
    const message = new Uint8Array(this.partBytes);
    let at = 0;
    for (const p of this.parts) {
      message.set(p, at);
      at += p.length;
    }
    this.parts = [];
    this.partBytes = 0;
    try {
      this.decoder.decode(message);
    } catch {
      // A message the decoder refuses leaves the picture stale: ask for a key frame.
      this.send({ t: 'refresh' });
      return;
    }
    const d = this.decoder;
    this.ctx.putImageData(new ImageData(d.framebufferView() as Uint8ClampedArray<ArrayBuffer>, d.width, d.height), 0, 0);
    this.frames++;
    this.canvas.dataset.frames = String(this.frames);
    this.canvas.dataset.lastBytes = String(message.length);
    if (h.key) {
      this.canvas.dataset.lastKeyBytes = String(message.length);
      this.canvas.dataset.keyMode = this.mode;
    }
    this.send({ t: 'ack', frame: h.frame });
  }

  private cursor(bytes: Uint8Array): void {
    const c = readCursor(bytes);
    if (!c) return;
    if (c.shape && c.shape.width > 0 && c.shape.height > 0) {
      this.cursorImage = new ImageData(new Uint8ClampedArray(c.shape.rgba), c.shape.width, c.shape.height);
      this.cursorHot = { x: c.shape.xhot, y: c.shape.yhot };
    }
    const img = this.cursorImage;
    this.overlay.clearRect(this.cursorAt.x, this.cursorAt.y, this.cursorAt.w, this.cursorAt.h);
    if (!img) return;
    const x = c.x - this.cursorHot.x;
    const y = c.y - this.cursorHot.y;
    // putImageData replaces pixels; drawing through a bitmap keeps the cursor's transparency.
    void createImageBitmap(img).then((bitmap) => {
      this.overlay.clearRect(this.cursorAt.x, this.cursorAt.y, this.cursorAt.w, this.cursorAt.h);
      this.overlay.drawImage(bitmap, x, y);
      this.cursorAt = { x, y, w: img.width, h: img.height };
    });
  }
}
