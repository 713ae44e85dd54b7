// Reference colour reductions in plain TypeScript, written from the
// definitions in wasm/FORMAT.md rather than from the AssemblyScript, so tests
// check the wasm against an independent statement of reduce(x).

import type { ColourMode } from '../src/modes.ts';

function reducePixel(r: number, g: number, b: number, mode: ColourMode): [number, number, number] {
  switch (mode) {
    case 'more-colours': {
      const r5 = r >> 3, g6 = g >> 2, b5 = b >> 3;
      return [(r5 << 3) | (r5 >> 2), (g6 << 2) | (g6 >> 4), (b5 << 3) | (b5 >> 2)];
    }
    case 'few-colours': {
      const r3 = Math.floor((r * 7 + 127) / 255), g3 = Math.floor((g * 7 + 127) / 255), b2 = Math.floor((b * 3 + 127) / 255);
      return [Math.floor((r3 * 255) / 7), Math.floor((g3 * 255) / 7), b2 * 85];
    }
    case 'black-and-white': {
      const y = (77 * r + 150 * g + 29 * b) >> 8;
      const white = y >= 128 || (y >= 80 && Math.max(r, g, b) >= 224);
      return white ? [255, 255, 255] : [0, 0, 0];
    }
    default:
      return [r, g, b];
  }
}

/** reduce(x): what a lossless mode shows for an RGBA frame. */
export function reduceFrame(rgba: Uint8Array, mode: ColourMode): Uint8Array {
  const out = new Uint8Array(rgba.length);
  const memo = new Map<number, number>();
  const view = new DataView(out.buffer);
  for (let i = 0; i < rgba.length; i += 4) {
    const key = rgba[i]! | (rgba[i + 1]! << 8) | (rgba[i + 2]! << 16);
    let v = memo.get(key);
    if (v === undefined) {
      const [r, g, b] = reducePixel(rgba[i]!, rgba[i + 1]!, rgba[i + 2]!, mode);
      v = (r | (g << 8) | (b << 16) | 0xff000000) >>> 0;
      memo.set(key, v);
    }
    view.setUint32(i, v, true);
  }
  return out;
}

/** PSNR in dB over the RGB channels of two RGBA frames (Infinity when equal). */
export function psnr(a: Uint8Array, b: Uint8Array): number {
  let se = 0;
  let n = 0;
  for (let i = 0; i < a.length; i += 4) {
    for (let c = 0; c < 3; c++) {
      const d = a[i + c]! - b[i + c]!;
      se += d * d;
    }
    n += 3;
  }
  if (se === 0) return Infinity;
  return 10 * Math.log10((255 * 255 * n) / se);
}

/** Index of the first differing byte, or -1. */
export function firstDifference(a: Uint8Array, b: Uint8Array): number {
  if (a.length !== b.length) return 0;
  const n = a.length;
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return -1;
}
