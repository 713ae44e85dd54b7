/**
 * One connection to the customer's X server (`$DISPLAY`), shared by capture,
 * input, clipboard and privacy screen, with promise wrappers for the few
 * requests they need. Extensions are loaded on first use and cached; a
 * missing extension rejects (callers fall back or report it).
 */
import x11, { type XClient, type XDisplay, type XEvent } from 'x11';

export type { XClient, XEvent };

/** A request the X server never answers within 5 s means the connection is gone. */
const REPLY_TIMEOUT_MS = 5_000;

export class XConnection {
  readonly X: XClient;
  readonly display: XDisplay;
  readonly root: number;
  private readonly exts = new Map<string, Promise<any>>();
  private closed = false;

  private constructor(display: XDisplay) {
    this.display = display;
    this.X = display.client;
    this.root = display.screen[0]!.root;
    this.X.on('error', () => undefined);
    this.X.on('end', () => {
      this.closed = true;
    });
  }

  /** Opens `display` (default `$DISPLAY`). */
  static open(display = process.env.DISPLAY): Promise<XConnection> {
    if (!display) return Promise.reject(new Error('no X display: DISPLAY is not set'));
    return new Promise((resolve, reject) => {
      const client = x11.createClient({ display }, (err, d) => (err ? reject(err) : resolve(new XConnection(d))));
      client.on('error', (err: Error) => reject(err));
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  get width(): number {
    return this.display.screen[0]!.pixel_width;
  }

  get height(): number {
    return this.display.screen[0]!.pixel_height;
  }

  /** Loads an X extension once (`shm`, `xtest`, `fixes`, `randr`, `composite`, `shape`). */
  ext<T = any>(name: string): Promise<T> {
    let p = this.exts.get(name);
    if (!p) {
      p = new Promise((resolve, reject) => this.X.require(name, (err, ext) => (err ? reject(err) : resolve(ext))));
      p.catch(() => undefined);
      this.exts.set(name, p);
    }
    return p;
  }

  /** Wraps a callback request into a promise that also fails after REPLY_TIMEOUT_MS. */
  call<T>(fn: (cb: (err: Error | null, value: T) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('X server did not answer')), REPLY_TIMEOUT_MS);
      fn((err, value) => {
        clearTimeout(timer);
        if (err) reject(err);
        else resolve(value);
      });
    });
  }

  atom(name: string): Promise<number> {
    return this.call((cb) => this.X.InternAtom(false, name, cb));
  }

  onEvent(fn: (ev: XEvent) => void): () => void {
    this.X.on('event', fn);
    return () => this.X.removeListener('event', fn);
  }

  /** A round trip: every request sent before has been processed once this resolves. */
  sync(): Promise<void> {
    return this.call<unknown>((cb) => this.X.GetInputFocus(cb)).then(() => undefined);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.X.terminate();
    } catch {
      /* already gone */
    }
  }
}
