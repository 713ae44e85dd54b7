/**
 * Puts a picture on a test X display: an override-redirect window whose
 * background pixmap holds the image, so the server repaints it by itself
 * after anything covered it. Used to give the screen corpus-like content
 * (a real desktop frame from ../shared/frames) instead of a flat colour.
 */
import { XConnection } from '../../client/src/screen/x-display.ts';

/** Rows per PutImage request: 128 rows of 1920 px are under 1 MiB. */
const BAND_ROWS = 128;

/** Shows `rgba` (width·height·4) at x,y on `display`; returns a function that removes it. */
export async function showPicture(display: string, rgba: Uint8Array, width: number, height: number, x = 0, y = 0): Promise<() => void> {
  const conn = await XConnection.open(display);
  const { X, root } = conn;
  const bgrx = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    bgrx[i * 4] = rgba[i * 4 + 2]!;
    bgrx[i * 4 + 1] = rgba[i * 4 + 1]!;
    bgrx[i * 4 + 2] = rgba[i * 4]!;
  }
  const pix = X.AllocID();
  X.CreatePixmap(pix, root, 24, width, height);
  const gc = X.AllocID();
  X.CreateGC(gc, pix, {});
  for (let row = 0; row < height; row += BAND_ROWS) {
    const rows = Math.min(BAND_ROWS, height - row);
    X.PutImage(2, pix, gc, width, rows, 0, row, 0, 24, bgrx.subarray(row * width * 4, (row + rows) * width * 4));
  }
  const win = X.AllocID();
  X.CreateWindow(win, root, x, y, width, height, 0, 0, 1, 0, { overrideRedirect: 1, backgroundPixmap: pix });
  X.MapWindow(win);
  await conn.sync();
  return () => conn.close();
}

/** Crops an RGBA frame. */
export function crop(rgba: Uint8Array, fullWidth: number, x: number, y: number, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  for (let r = 0; r < height; r++) out.set(rgba.subarray(((y + r) * fullWidth + x) * 4, ((y + r) * fullWidth + x + width) * 4), r * width * 4);
  return out;
}
