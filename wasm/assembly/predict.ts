// Lossless predictive tiles (TILE_PREDICT), full colour only: for photos,
// video frames and gradients, where LZ finds few repeats and sends most
// pixels as 3-byte literals. The lossy coder's pipeline (lossy.ts) with the
// quantiser at zero and no chroma subsampling:
//   1. RGB → YCoCg-R, integer and exactly reversible (Malvar & Sullivan):
//        Co = R − B, t = B + (Co >> 1), Cg = G − t, Y = t + (Cg >> 1);
//   2. each plane (Y, Co, Cg; tw×th each) is MED-predicted (LOCO-I) and the
//      residual coded with the adaptive binary range coder, contexts by local
//      activity; the model restarts per tile.
// Body: the range-coded planes Y, Co, Cg, nothing else.
//
// Scratch: three planes of tw·th i32, 3·128² i32 at most.
//   ┌──────────── 128²·4 ┬──────────── 128²·4 ┬──────────── 128²·4 ┐
//   │ Y                  │ Co                 │ Cg                 │
//   └────────────────────┴────────────────────┴────────────────────┘

import { ERR_TILE_BODY } from './format';
import { encStart, encFinish, encOverflow, decStart } from './range-coder';
import { resetProbs, codePlane } from './lossy';
import { MAX_TILE_PIXELS } from './layout';

const PLANE_BYTES: usize = <usize>MAX_TILE_PIXELS << 2;

/**
 * Encodes native full-colour values (0x00BBGGRR, npx = tw·th of them) into
 * [out, out + limit); returns the length, or -1 if it does not fit.
 */
export function encodePredictTile(vals: usize, tw: i32, th: i32, out: usize, limit: i32, scratch: usize): i32 {
  const yp = scratch;
  const cop = scratch + PLANE_BYTES;
  const cgp = cop + PLANE_BYTES;
  const npx = tw * th;
  for (let i = 0; i < npx; i++) {
    const px = load<u32>(vals + (<usize>i << 2));
    const r = <i32>(px & 0xff);
    const g = <i32>((px >> 8) & 0xff);
    const b = <i32>((px >> 16) & 0xff);
    const co = r - b;
    const t = b + (co >> 1);
    const cg = g - t;
    const o = <usize>i << 2;
    store<i32>(yp + o, t + (cg >> 1));
    store<i32>(cop + o, co);
    store<i32>(cgp + o, cg);
  }
  if (limit < 4) return -1;
  resetProbs();
  encStart(out, out + <usize>limit);
  codePlane(yp, tw, th, 0, 0, 255, 0, true);
  if (encOverflow) return -1;
  codePlane(cop, tw, th, 0, -255, 255, 1, true);
  if (encOverflow) return -1;
  codePlane(cgp, tw, th, 0, -255, 255, 1, true);
  const end = encFinish();
  if (encOverflow) return -1;
  return <i32>(end - out);
}

/** Decodes [src, end) into the framebuffer rectangle; 0 or ERR_TILE_BODY. */
export function decodePredictTile(src: usize, end: usize, fb: usize, w: i32, x0: i32, y0: i32,
                                  tw: i32, th: i32, scratch: usize): i32 {
  const yp = scratch;
  const cop = scratch + PLANE_BYTES;
  const cgp = cop + PLANE_BYTES;
  resetProbs();
  decStart(src, end);
  if (!codePlane(yp, tw, th, 0, 0, 255, 0, false)) return ERR_TILE_BODY;
  if (!codePlane(cop, tw, th, 0, -255, 255, 1, false)) return ERR_TILE_BODY;
  if (!codePlane(cgp, tw, th, 0, -255, 255, 1, false)) return ERR_TILE_BODY;
  let i = 0;
  for (let y = 0; y < th; y++) {
    let d = fb + ((<usize>(y0 + y) * w + x0) << 2);
    for (let x = 0; x < tw; x++, d += 4, i++) {
      const o = <usize>i << 2;
      const yy = load<i32>(yp + o);
      const co = load<i32>(cop + o);
      const cg = load<i32>(cgp + o);
      // Hostile bodies can reconstruct out-of-range planes; clamp, never wrap.
      const t = yy - (cg >> 1);
      const g = min(max(cg + t, 0), 255);
      const bb = t - (co >> 1);
      const r = min(max(bb + co, 0), 255);
      const b = min(max(bb, 0), 255);
      store<u32>(d, <u32>r | (<u32>g << 8) | (<u32>b << 16) | 0xff000000);
    }
  }
  return 0;
}
