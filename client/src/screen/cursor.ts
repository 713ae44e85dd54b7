/**
 * The pointer as the rep should see it: XFIXES `GetCursorImage` gives the
 * position, the shape (premultiplied ARGB32) and a serial that changes with
 * the shape. Xvfb does not draw the cursor into the framebuffer, and real
 * servers usually keep it in a hardware plane, so it is sent apart from the
 * pixels (common/screen-protocol.ts CURSOR).
 */
import { MAX_CURSOR_EDGE, type CursorShape } from '../../../common/screen-protocol.ts';
import type { XConnection } from './x-display.ts';

export interface CursorSample {
  /** Root coordinates of the pointer. */
  x: number;
  y: number;
  serial: number;
  shape: CursorShape | undefined;
}

/** Premultiplied ARGB32 (bytes B,G,R,A on little-endian) → straight RGBA. */
export function argbToRgba(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    const a = src[i + 3]!;
    const un = (c: number): number => (a === 0 ? 0 : Math.min(255, Math.round((c * 255) / a)));
    out[i] = un(src[i + 2]!);
    out[i + 1] = un(src[i + 1]!);
    out[i + 2] = un(src[i]!);
    out[i + 3] = a;
  }
  return out;
}

export class CursorWatcher {
  private lastSerial = -1;

  constructor(private readonly conn: XConnection) {}

  /** Reads the cursor; `shape` is set only when it changed since the last call. */
  async sample(): Promise<CursorSample | undefined> {
    let fixes: any;
    try {
      fixes = await this.conn.ext('fixes');
    } catch {
      return undefined;
    }
    const c = await this.conn.call<any>((cb) => fixes.GetCursorImage(cb));
    let shape: CursorShape | undefined;
    if (c.cursorSerial !== this.lastSerial && c.width <= MAX_CURSOR_EDGE && c.height <= MAX_CURSOR_EDGE) {
      this.lastSerial = c.cursorSerial;
      shape = { width: c.width, height: c.height, xhot: c.xhot, yhot: c.yhot, rgba: argbToRgba(c.cursorImage as Buffer) };
    }
    return { x: c.x, y: c.y, serial: c.cursorSerial, shape };
  }

  /** The next sample sends the shape again (a viewer joined). */
  resendShape(): void {
    this.lastSerial = -1;
  }
}
