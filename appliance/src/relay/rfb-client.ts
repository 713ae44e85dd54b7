/**
 * A small RFB (VNC) client for Remote VNC jumps (F13): the appliance is the
 * viewer. It speaks RFB 3.3/3.7/3.8 (RFC 6143) over TCP, authenticates with
 * security type None or VNC Authentication (DES challenge), asks for 32 bpp
 * true colour in BGRX byte order (SetPixelFormat) and the Raw and CopyRect
 * encodings (plus the DesktopSize pseudo-encoding), and keeps the remote
 * framebuffer as packed BGRX rows.
 *
 * Contracts:
 * - Nothing from the server is trusted: every length, count and rectangle is
 *   checked before it is used. A rectangle outside the framebuffer, an
 *   encoding that was not asked for, an absurd size or string, or a message
 *   type we do not know ends the connection with AppError VNC_PROTOCOL; the
 *   framebuffer is never written outside its bounds.
 * - A server cannot hang us: the handshake must finish within
 *   `handshakeTimeoutMs`, and once a message has begun its remaining bytes
 *   must arrive within `messageTimeoutMs` (an idle server between messages
 *   is fine: nothing changed on its screen).
 * - Incoming bytes are kept as a list of chunks and copied once, straight
 *   into the framebuffer row by row (no concatenation per chunk).
 * - The password lives only in the `connect` call; it is never logged or
 *   put into an error.
 * - Clipboard text (ClientCutText / ServerCutText) is Latin-1, as RFB
 *   defines it: characters outside Latin-1 are sent as '?'.
 */
import { createCipheriv } from 'node:crypto';
import { connect as tcpConnect, type Socket } from 'node:net';
import { AppError } from '../../../common/errors.ts';

export const RFB_DEFAULT_PORT = 5900;
/** The largest framebuffer edge accepted (16K displays are not a thing VNC servers send). */
export const MAX_FB_EDGE = 8192;
/** At most 32 Mi pixels (128 MiB of BGRX): 8K x 4K. */
export const MAX_FB_PIXELS = 8192 * 4096;
/** Desktop names, failure reasons: a few KiB at most. */
const MAX_STRING = 4096;
/** Server clipboard text longer than this is skipped (read and dropped), not an error. */
export const MAX_CUT_TEXT = 256 * 1024;
/** Anything longer than 64 MiB in one cut-text message is an attack, not a clipboard. */
const MAX_CUT_SKIP = 64 * 1024 * 1024;

const ENC_RAW = 0;
const ENC_COPYRECT = 1;
const ENC_DESKTOP_SIZE = -223;

export interface RfbConnectOptions {
  host: string;
  port: number;
  /** For VNC Authentication; only the first 8 characters count (RFB). */
  password?: string;
  handshakeTimeoutMs?: number;
  messageTimeoutMs?: number;
}

export interface RfbRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Latin-1 bytes of a string ('?' for what Latin-1 cannot hold). */
export function latin1(text: string): Buffer {
  const out = Buffer.alloc(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out[i] = c <= 0xff ? c : 0x3f;
  }
  return out;
}

/** The VNC Authentication response: the challenge DES-encrypted with the bit-reversed password bytes. */
export function vncAuthResponse(password: string, challenge: Buffer): Buffer {
  const key = Buffer.alloc(8);
  const pw = latin1(password);
  for (let i = 0; i < 8 && i < pw.length; i++) {
    let b = pw[i]!;
    let r = 0;
    for (let bit = 0; bit < 8; bit++) {
      r = (r << 1) | (b & 1);
      b >>= 1;
    }
    key[i] = r;
  }
  // Single DES is not in OpenSSL 3's default provider; 3DES with K|K|K is the same cipher.
  const cipher = createCipheriv('des-ede3', Buffer.concat([key, key, key]), null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(challenge), cipher.final()]);
}

/** A byte queue over the socket: a list of chunks, read in exact amounts. */
class Reader {
  private chunks: Buffer[] = [];
  private head = 0;
  private available = 0;
  private waiter: { n: number; resolve(): void; reject(err: Error): void } | undefined;
  private failure: Error | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Set while a message is being read: waits for its bytes are timed. */
  timeoutMs = 0;
  total = 0;

  push(data: Buffer): void {
    this.chunks.push(data);
    this.available += data.length;
    this.total += data.length;
    const w = this.waiter;
    if (w && this.available >= w.n) {
      this.waiter = undefined;
      clearTimeout(this.timer);
      w.resolve();
    }
  }

  fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    const w = this.waiter;
    this.waiter = undefined;
    clearTimeout(this.timer);
    w?.reject(err);
  }

  /** Waits until `n` bytes are buffered. */
  private need(n: number): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.available >= n) return undefined;
    return new Promise((resolve, reject) => {
      this.waiter = { n, resolve, reject };
      if (this.timeoutMs > 0) {
        this.timer = setTimeout(() => this.fail(new AppError('VNC_PROTOCOL', 'the server stopped in the middle of a message')), this.timeoutMs);
        this.timer.unref();
      }
    });
  }

  /** Copies the next `n` bytes into `dst` at `offset`. */
  private copy(dst: Uint8Array, offset: number, n: number): void {
    let done = 0;
    while (done < n) {
      const c = this.chunks[0]!;
      const take = Math.min(n - done, c.length - this.head);
      dst.set(c.subarray(this.head, this.head + take), offset + done);
      done += take;
      this.head += take;
      if (this.head === c.length) {
        this.chunks.shift();
        this.head = 0;
      }
    }
    this.available -= n;
  }

  async bytes(n: number): Promise<Buffer> {
    const wait = this.need(n);
    if (wait) await wait;
    const out = Buffer.allocUnsafe(n);
    this.copy(out, 0, n);
    return out;
  }

  async into(dst: Uint8Array, offset: number, n: number): Promise<void> {
    // At most 64 KiB at a time: a huge rectangle does not wait for all its bytes at once.
    while (n > 0) {
      const step = Math.min(n, 65536);
      const wait = this.need(step);
      if (wait) await wait;
      this.copy(dst, offset, step);
      offset += step;
      n -= step;
    }
  }

  async skip(n: number): Promise<void> {
    while (n > 0) {
      const step = Math.min(n, 65536);
      const wait = this.need(step);
      if (wait) await wait;
      let left = step;
      while (left > 0) {
        const c = this.chunks[0]!;
        const take = Math.min(left, c.length - this.head);
        left -= take;
        this.head += take;
        if (this.head === c.length) {
          this.chunks.shift();
          this.head = 0;
        }
      }
      this.available -= step;
      n -= step;
    }
  }

  async u8(): Promise<number> {
    return (await this.bytes(1))[0]!;
  }

  async u16(): Promise<number> {
    return (await this.bytes(2)).readUInt16BE(0);
  }

  async u32(): Promise<number> {
    return (await this.bytes(4)).readUInt32BE(0);
  }

  async string(what: string): Promise<string> {
    const n = await this.u32();
    if (n > MAX_STRING) throw new AppError('VNC_PROTOCOL', `${what} of ${n} bytes`);
    return (await this.bytes(n)).toString('latin1');
  }
}

export class RfbClient {
  /** Packed BGRX rows, width·height·4 bytes. Replaced (not resized) when the desktop size changes. */
  framebuffer: Uint8Array;
  width: number;
  height: number;
  readonly name: string;
  /** Called after a whole FramebufferUpdate was applied, with the rectangles it touched. */
  onUpdate: (rects: RfbRect[]) => void = () => undefined;
  onResize: (width: number, height: number) => void = () => undefined;
  onClipboard: (text: string) => void = () => undefined;
  /** The connection ended; `err` says why when it was not `close()`. Called once. */
  onClose: (err: AppError | undefined) => void = () => undefined;
  /** Framebuffer updates applied so far. */
  updates = 0;
  private closed = false;
  private closeErr: AppError | undefined;

  private constructor(
    private readonly socket: Socket,
    private readonly reader: Reader,
    init: { width: number; height: number; name: string },
    private readonly messageTimeoutMs: number,
  ) {
    this.width = init.width;
    this.height = init.height;
    this.name = init.name;
    this.framebuffer = new Uint8Array(init.width * init.height * 4);
  }

  /** Bytes received from the server so far (the handshake included). */
  get bytesReceived(): number {
    return this.reader.total;
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  /** Connects, authenticates and initialises; rejects with VNC_* AppErrors. */
  static connect(o: RfbConnectOptions): Promise<RfbClient> {
    const reader = new Reader();
    const socket = tcpConnect({ host: o.host, port: o.port });
    socket.setNoDelay(true);
    let connected = false;
    socket.on('data', (d: Buffer) => reader.push(d));
    socket.on('error', (err: NodeJS.ErrnoException) => reader.fail(connected ? new AppError('VNC_PROTOCOL', `connection lost (${err.code ?? 'error'})`) : new AppError('VNC_CONNECT_FAILED', err.code ?? 'error')));
    // Hung up before saying anything (a firewall, a full server): not reachable; later: a broken handshake.
    socket.on('close', () => reader.fail(new AppError(connected && reader.total > 0 ? 'VNC_PROTOCOL' : 'VNC_CONNECT_FAILED', 'the server closed the connection')));
    socket.on('connect', () => (connected = true));
    const timeoutMs = o.handshakeTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new AppError(connected ? 'VNC_PROTOCOL' : 'VNC_CONNECT_FAILED', 'timed out')), timeoutMs);
    });
    const handshake = RfbClient.handshake(socket, reader, o.password);
    return Promise.race([handshake, timeout]).then(
      (init) => {
        clearTimeout(timer);
        const client = new RfbClient(socket, reader, init, o.messageTimeoutMs ?? 30_000);
        client.run();
        return client;
      },
      (err: unknown) => {
        clearTimeout(timer);
        handshake.catch(() => undefined);
        socket.destroy();
        reader.fail(new Error('closed'));
        throw err instanceof AppError ? err : new AppError('VNC_PROTOCOL', (err as Error).message);
      },
    );
  }

  private static async handshake(socket: Socket, r: Reader, password: string | undefined): Promise<{ width: number; height: number; name: string }> {
    const version = (await r.bytes(12)).toString('latin1');
    const m = /^RFB (\d{3})\.(\d{3})\n$/.exec(version);
    if (!m) throw new AppError('VNC_PROTOCOL', 'not an RFB server');
    const major = Number(m[1]);
    const minor = Number(m[2]);
    if (major !== 3 || minor < 3) throw new AppError('VNC_UNSUPPORTED', `RFB ${major}.${minor}`);
    // 3.4–3.6 are treated as 3.3; Apple's 3.889 and anything newer as 3.8.
    const ours = minor >= 8 ? 8 : minor === 7 ? 7 : 3;
    socket.write(`RFB 003.00${ours}\n`);
    let type: number;
    if (ours === 3) {
      type = await r.u32();
      if (type === 0) throw new AppError('VNC_UNSUPPORTED', await r.string('reason'));
    } else {
      const n = await r.u8();
      if (n === 0) throw new AppError('VNC_UNSUPPORTED', await r.string('reason'));
      const types = [...(await r.bytes(n))];
      type = password && types.includes(2) ? 2 : types.includes(1) ? 1 : types.includes(2) ? 2 : 0;
      if (type === 0) throw new AppError('VNC_UNSUPPORTED', `security types ${types.join(',')}`);
      socket.write(Buffer.from([type]));
    }
    if (type === 2) {
      if (!password) {
        socket.destroy();
        throw new AppError('VNC_PASSWORD_NEEDED');
      }
      const challenge = await r.bytes(16);
      socket.write(vncAuthResponse(password, challenge));
    } else if (type !== 1) throw new AppError('VNC_UNSUPPORTED', `security type ${type}`);
    if (type === 2 || ours === 8) {
      const result = await r.u32();
      if (result !== 0) {
        // 3.8 explains; older servers just close.
        if (ours === 8) await r.string('reason').catch(() => '');
        throw new AppError(type === 2 ? 'VNC_AUTH_FAILED' : 'VNC_UNSUPPORTED');
      }
    }
    socket.write(Buffer.from([1])); // ClientInit: shared
    const init = await r.bytes(20);
    const width = init.readUInt16BE(0);
    const height = init.readUInt16BE(2);
    if (width === 0 || height === 0 || width > MAX_FB_EDGE || height > MAX_FB_EDGE || width * height > MAX_FB_PIXELS) throw new AppError('VNC_PROTOCOL', `framebuffer ${width}x${height}`);
    const name = await r.string('desktop name');
    // SetPixelFormat: 32 bpp, depth 24, little-endian, true colour, 8 bits a channel at 16/8/0 = BGRX bytes.
    const pf = Buffer.alloc(20);
    pf[0] = 0;
    pf.set([32, 24, 0, 1], 4);
    pf.writeUInt16BE(255, 8);
    pf.writeUInt16BE(255, 10);
    pf.writeUInt16BE(255, 12);
    pf.set([16, 8, 0], 14);
    const encs = [ENC_COPYRECT, ENC_RAW, ENC_DESKTOP_SIZE];
    const se = Buffer.alloc(4 + encs.length * 4);
    se[0] = 2;
    se.writeUInt16BE(encs.length, 2);
    encs.forEach((e, i) => se.writeInt32BE(e, 4 + i * 4));
    socket.write(Buffer.concat([pf, se]));
    return { width, height, name };
  }

  /** Asks for an update of the whole screen; `incremental` asks only for what changed. */
  requestUpdate(incremental: boolean): void {
    const b = Buffer.alloc(10);
    b[0] = 3;
    b[1] = incremental ? 1 : 0;
    b.writeUInt16BE(this.width, 6);
    b.writeUInt16BE(this.height, 8);
    this.write(b);
  }

  /** PointerEvent: `buttons` bit 0 left, 1 middle, 2 right, 3/4 wheel up/down. */
  pointer(x: number, y: number, buttons: number): void {
    const b = Buffer.alloc(6);
    b[0] = 5;
    b[1] = buttons & 0xff;
    b.writeUInt16BE(Math.max(0, Math.min(this.width - 1, x)), 2);
    b.writeUInt16BE(Math.max(0, Math.min(this.height - 1, y)), 4);
    this.write(b);
  }

  key(keysym: number, down: boolean): void {
    const b = Buffer.alloc(8);
    b[0] = 4;
    b[1] = down ? 1 : 0;
    b.writeUInt32BE(keysym >>> 0, 4);
    this.write(b);
  }

  /** ClientCutText (Latin-1). */
  cutText(text: string): void {
    const body = latin1(text.slice(0, MAX_CUT_TEXT));
    const b = Buffer.alloc(8);
    b[0] = 6;
    b.writeUInt32BE(body.length, 4);
    this.write(Buffer.concat([b, body]));
  }

  close(): void {
    this.finish(undefined);
  }

  private write(b: Buffer): void {
    if (!this.closed) this.socket.write(b);
  }

  private finish(err: AppError | undefined): void {
    if (this.closed) return;
    this.closed = true;
    this.closeErr = err;
    this.socket.destroy();
    this.reader.fail(new Error('closed'));
    this.onClose(err);
  }

  /** Why the connection ended (undefined: closed by us or still open). */
  get error(): AppError | undefined {
    return this.closeErr;
  }

  private run(): void {
    this.socket.on('close', () => this.finish(new AppError('VNC_CONNECT_FAILED', 'the server closed the connection')));
    void (async () => {
      try {
        for (;;) {
          this.reader.timeoutMs = 0;
          const type = await this.reader.u8();
          this.reader.timeoutMs = this.messageTimeoutMs;
          if (type === 0) await this.update();
          else if (type === 1) await this.colourMap();
          else if (type === 2) continue; // Bell
          else if (type === 3) await this.serverCut();
          else throw new AppError('VNC_PROTOCOL', `message type ${type}`);
        }
      } catch (err) {
        if (this.closed) return;
        this.finish(err instanceof AppError ? err : new AppError('VNC_PROTOCOL', (err as Error).message));
      }
    })();
  }

  private async update(): Promise<void> {
    const r = this.reader;
    await r.skip(1);
    const count = await r.u16();
    const rects: RfbRect[] = [];
    for (let i = 0; i < count; i++) {
      const h = await r.bytes(12);
      const x = h.readUInt16BE(0);
      const y = h.readUInt16BE(2);
      const w = h.readUInt16BE(4);
      const ht = h.readUInt16BE(6);
      const enc = h.readInt32BE(8);
      if (enc === ENC_DESKTOP_SIZE) {
        if (w === 0 || ht === 0 || w > MAX_FB_EDGE || ht > MAX_FB_EDGE || w * ht > MAX_FB_PIXELS) throw new AppError('VNC_PROTOCOL', `desktop size ${w}x${ht}`);
        this.width = w;
        this.height = ht;
        this.framebuffer = new Uint8Array(w * ht * 4);
        this.onResize(w, ht);
        rects.push({ x: 0, y: 0, width: w, height: ht });
        continue;
      }
      if (x + w > this.width || y + ht > this.height) throw new AppError('VNC_PROTOCOL', `rectangle ${w}x${ht}+${x}+${y} outside ${this.width}x${this.height}`);
      if (enc === ENC_RAW) await this.raw(x, y, w, ht);
      else if (enc === ENC_COPYRECT) {
        const src = await r.bytes(4);
        const sx = src.readUInt16BE(0);
        const sy = src.readUInt16BE(2);
        if (sx + w > this.width || sy + ht > this.height) throw new AppError('VNC_PROTOCOL', `copy source ${w}x${ht}+${sx}+${sy} outside the framebuffer`);
        this.copyRect(sx, sy, x, y, w, ht);
      } else throw new AppError('VNC_PROTOCOL', `encoding ${enc} was not asked for`);
      if (w > 0 && ht > 0) rects.push({ x, y, width: w, height: ht });
    }
    this.updates++;
    this.onUpdate(rects);
  }

  private async raw(x: number, y: number, w: number, h: number): Promise<void> {
    const stride = this.width * 4;
    const fb = this.framebuffer;
    if (x === 0 && w === this.width) return this.reader.into(fb, y * stride, h * stride);
    for (let row = 0; row < h; row++) await this.reader.into(fb, (y + row) * stride + x * 4, w * 4);
  }

  private copyRect(sx: number, sy: number, dx: number, dy: number, w: number, h: number): void {
    const stride = this.width * 4;
    const fb = this.framebuffer;
    const len = w * 4;
    // Rows in the order that never reads a row already overwritten; copyWithin handles overlap within a row.
    if (dy <= sy) for (let row = 0; row < h; row++) fb.copyWithin((dy + row) * stride + dx * 4, (sy + row) * stride + sx * 4, (sy + row) * stride + sx * 4 + len);
    else for (let row = h - 1; row >= 0; row--) fb.copyWithin((dy + row) * stride + dx * 4, (sy + row) * stride + sx * 4, (sy + row) * stride + sx * 4 + len);
  }

  private async colourMap(): Promise<void> {
    // We asked for true colour, so a colour map is useless; it is read (bounded) and ignored.
    const h = await this.reader.bytes(5);
    const n = h.readUInt16BE(3);
    await this.reader.skip(n * 6);
  }

  private async serverCut(): Promise<void> {
    await this.reader.skip(3);
    const n = await this.reader.u32();
    if (n > MAX_CUT_SKIP) throw new AppError('VNC_PROTOCOL', `clipboard text of ${n} bytes`);
    if (n > MAX_CUT_TEXT) return this.reader.skip(n);
    const text = (await this.reader.bytes(n)).toString('latin1');
    this.onClipboard(text);
  }
}
