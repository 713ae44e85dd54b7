/**
 * Reads a rectangle of the X screen as BGRX (4 bytes a pixel, rows packed,
 * the X byte undefined): MIT-SHM `GetImage` into a shared segment when the
 * server accepts one (local servers; ~5x faster at 1920x1080, see
 * RECIPES.md), core `GetImage` over the socket otherwise. The returned
 * buffer is borrowed: valid until the next grab.
 */
import type { XConnection } from './x-display.ts';

/** X image format ZPixmap: packed pixels, 32 bits each at depth 24. */
const Z_PIXMAP = 2;
const ALL_PLANES = 0xffffffff;

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface ShmSegment {
  buffer: Buffer;
  getImage(drawable: number, x: number, y: number, w: number, h: number, planeMask: number, format: number, offset: number, cb: (err: Error | null, rep: { size: number }) => void): void;
  detach(cb?: () => void): void;
}

export class ScreenGrabber {
  private segment: ShmSegment | undefined;
  private segmentSize = 0;
  private shmUsable: boolean | undefined;

  constructor(private readonly conn: XConnection) {}

  /** 'shm' once a shared segment worked, 'core' when it cannot. */
  get method(): 'shm' | 'core' {
    return this.shmUsable ? 'shm' : 'core';
  }

  /** Decides once whether MIT-SHM works here (a real attach round trip, not just the extension's presence). */
  async init(): Promise<void> {
    if (this.shmUsable !== undefined) return;
    if (process.env.RELAYDESK_NO_SHM === '1') {
      this.shmUsable = false;
      return;
    }
    try {
      const shm = await this.conn.ext('shm');
      this.shmUsable = await this.conn.call<boolean>((cb) => shm.usable(cb));
    } catch {
      this.shmUsable = false;
    }
  }

  /** Grabs `rect` of `drawable` (default the root). */
  async grab(rect: Rect, drawable = this.conn.root): Promise<Uint8Array> {
    await this.init();
    if (this.shmUsable) {
      try {
        return await this.grabShm(rect, drawable);
      } catch {
        this.shmUsable = false;
      }
    }
    const img = await this.conn.call<{ data: Buffer }>((cb) => this.conn.X.GetImage(Z_PIXMAP, drawable, rect.x, rect.y, rect.width, rect.height, ALL_PLANES, cb));
    return img.data;
  }

  private async grabShm(rect: Rect, drawable: number): Promise<Uint8Array> {
    const size = rect.width * rect.height * 4;
    if (!this.segment || this.segmentSize < size) {
      this.segment?.detach();
      const shm = await this.conn.ext('shm');
      this.segment = await this.conn.call<ShmSegment>((cb) => shm.createSegment(size, cb));
      this.segmentSize = size;
    }
    const seg = this.segment;
    await this.conn.call((cb) => seg.getImage(drawable, rect.x, rect.y, rect.width, rect.height, ALL_PLANES, Z_PIXMAP, 0, cb));
    return seg.buffer.subarray(0, size);
  }

  dispose(): void {
    this.segment?.detach();
    this.segment = undefined;
  }
}
