// Colour-mode reductions. The encoder turns raw input pixels (RGBA or BGRX as
// little-endian u32) into the mode's native value; the decoder expands native
// values to RGBA. reduce(x) = expand(native(x)) is what a lossless mode shows,
// and decode(encode(x)) must equal it bit for bit.
//
// Raw pixel as u32 (little-endian load):  RGBA → 0xAABBGGRR, BGRX → 0xXXRRGGBB.
// Canonical rgb24 used below:             0x00BBGGRR (R in the low byte).

import { MODE_FULL, MODE_MORE, MODE_FEW, MODE_BW } from './format';

// Black and white: luma (BT.601 weights in 1/256) at or above BW_THRESHOLD is
// white. A threshold keeps the reduction per pixel, which copy-rects need, and
// looked far crisper than 4×4 ordered dithering on the terminal and document
// frames (dithering turned flat dark and grey backgrounds into dot patterns).
// Plain luma lost bright blue terminal text (luma ~110 on a dark background),
// so a bright, saturated colour (a channel >= BW_BRIGHT_CHANNEL) counts as
// light down to BW_BRIGHT_THRESHOLD; dark red or blue text on white stays black.
export const BW_THRESHOLD: u32 = 128;
export const BW_BRIGHT_CHANNEL: u32 = 224;
export const BW_BRIGHT_THRESHOLD: u32 = 80;

@inline export function toRgb24(raw: u32, bgr: bool): u32 {
  if (bgr) return ((raw >> 16) & 0xff) | (raw & 0xff00) | ((raw & 0xff) << 16);
  return raw & 0xffffff;
}

@inline export function nativeOf(rgb: u32, mode: i32): u32 {
  const r = rgb & 0xff;
  const g = (rgb >> 8) & 0xff;
  const b = (rgb >> 16) & 0xff;
  if (mode == MODE_MORE) return ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
  if (mode == MODE_FEW) {
    // Round to the nearest level rather than truncate: fewer banding steps.
    const r3 = (r * 7 + 127) / 255;
    const g3 = (g * 7 + 127) / 255;
    const b2 = (b * 3 + 127) / 255;
    return (r3 << 5) | (g3 << 2) | b2;
  }
  if (mode == MODE_BW) {
    const y = (<u32>77 * r + <u32>150 * g + <u32>29 * b) >> 8;
    if (y >= BW_THRESHOLD) return 1;
    return y >= BW_BRIGHT_THRESHOLD && max(r, max(g, b)) >= BW_BRIGHT_CHANNEL ? 1 : 0;
  }
  return rgb;
}

/** Native value → RGBA pixel as a little-endian u32 (alpha 255). */
@inline export function expand(v: u32, mode: i32): u32 {
  if (mode == MODE_MORE) {
    const r5 = (v >> 11) & 31;
    const g6 = (v >> 5) & 63;
    const b5 = v & 31;
    return ((r5 << 3) | (r5 >> 2)) | (((g6 << 2) | (g6 >> 4)) << 8) | (((b5 << 3) | (b5 >> 2)) << 16) | 0xff000000;
  }
  if (mode == MODE_FEW) {
    const r = ((v >> 5) & 7) * 255 / 7;
    const g = ((v >> 2) & 7) * 255 / 7;
    const b = (v & 3) * 85;
    return r | (g << 8) | (b << 16) | 0xff000000;
  }
  if (mode == MODE_BW) return v != 0 ? 0xffffffff : 0xff000000;
  return (v & 0xffffff) | 0xff000000;
}

/** Largest valid native value + 1 for a mode; decoders reject anything above. */
export function valueLimit(mode: i32): u32 {
  if (mode == MODE_MORE) return 1 << 16;
  if (mode == MODE_FEW) return 1 << 8;
  if (mode == MODE_BW) return 2;
  return 1 << 24;
}

/**
 * Reads the tw×th tile at (x0,y0) of a raw frame (width w px) into `dst` as
 * native values, one u32 per pixel, row-major.
 */
export function extractTile(src: usize, w: i32, x0: i32, y0: i32, tw: i32, th: i32,
                            bgr: bool, mode: i32, dst: usize): void {
  let d = dst;
  for (let y = 0; y < th; y++) {
    let s = src + ((<usize>(y0 + y) * w + x0) << 2);
    const end = s + (<usize>tw << 2);
    if (mode == MODE_FULL) {
      // Four pixels a step: mask off alpha (RGBA), or reorder B,G,R,X to
      // R,G,B,0 with one byte shuffle (lanes >= 16 read as zero).
      const mask = i32x4.splat(0x00ffffff);
      const order = v128(2, 1, 0, -1, 6, 5, 4, -1, 10, 9, 8, -1, 14, 13, 12, -1);
      if (bgr) {
        for (; s + 16 <= end; s += 16, d += 16) v128.store(d, i8x16.swizzle(v128.load(s), order));
      } else {
        for (; s + 16 <= end; s += 16, d += 16) v128.store(d, v128.and(v128.load(s), mask));
      }
      for (; s < end; s += 4, d += 4) store<u32>(d, toRgb24(load<u32>(s), bgr));
    } else {
      for (; s < end; s += 4, d += 4) store<u32>(d, nativeOf(toRgb24(load<u32>(s), bgr), mode));
    }
  }
}
