// Lossless predictive tiles (TILE_PREDICT), full colour only: for photos,
// video frames and gradients, where LZ finds few repeats and sends most
// pixels as 3-byte literals.
//   1. RGB → YCoCg-R, integer and exactly reversible (Malvar & Sullivan):
//        Co = R − B, t = B + (Co >> 1), Cg = G − t, Y = t + (Cg >> 1);
//   2. each plane (Y, Co, Cg; tw×th each) is predicted with MED (LOCO-I /
//      JPEG-LS: min, max or a + b − c of the left, upper and upper-left
//      samples; off the tile edge the missing ones copy the nearest present);
//   3. the residual e is coded with the adaptive binary range coder under a
//      context from the local gradient g = |a − c| + |b − c|, in 8 buckets:
//        zero flag [bucket]; sign [bucket];
//        m = |e| − 1 as Exp-Golomb of order k = max(0, bucket − 2): prefix
//        bits adaptive [bucket][bit], the n + k suffix bits direct (p = 1/2).
//      Choosing k from the gradient keeps the adaptive decisions to a few per
//      sample (the JPEG-LS idea), which is what makes this coder fast enough
//      to try; the model restarts per tile.
// Body: the range-coded planes Y, Co, Cg, nothing else.
//
// Scratch: three planes of tw·th i32, 3·128² i32 at most.
//   ┌──────────── 128²·4 ┬──────────── 128²·4 ┬──────────── 128²·4 ┐
//   │ Y                  │ Co                 │ Cg                 │
//   └────────────────────┴────────────────────┴────────────────────┘

import { ERR_TILE_BODY } from './format';
import { encStart, encBit, encDirect, encFinish, encOverflow, decStart, decBit, decDirect, overrun,
         FLUSH_SLACK, PROB_INIT } from './range-coder';
import { MAX_TILE_PIXELS } from './layout';

const PLANE_BYTES: usize = <usize>MAX_TILE_PIXELS << 2;
const BUCKETS = 8;
const PREFIX_BITS = 12; // residual magnitudes < 2^10: planes span at most 511
const P_ZERO = 0;
const P_SIGN = P_ZERO + BUCKETS;
const P_PREFIX = P_SIGN + BUCKETS;
const P_PER_PLANE = P_PREFIX + BUCKETS * PREFIX_BITS;
// One model for luma, one shared by both chroma planes.
const probs = memory.data(P_PER_PLANE * 2 * 2);

function resetModel(): void {
  for (let i = 0; i < P_PER_PLANE * 2; i++) store<u16>(probs + (<usize>i << 1), PROB_INIT);
}

@inline function med(a: i32, b: i32, c: i32): i32 {
  const mx = max(a, b);
  const mn = min(a, b);
  if (c >= mx) return mn;
  if (c <= mn) return mx;
  return a + b - c;
}

/** Gradient bucket: 0, 1-2, 3-6, 7-14, 15-30, 31-62, 63-126, 127+. */
@inline function bucket(g: i32): i32 {
  return min(32 - <i32>clz(<u32>(g + 1)) - 1, BUCKETS - 1);
}

@inline function at(plane: usize, i: i32): i32 {
  return load<i32>(plane + (<usize>i << 2));
}

/**
 * Codes (encode) or decodes one plane; on decode `plane` receives the
 * samples, clamped to [lo, hi]. False on a decode error.
 */
function codePlane(plane: usize, pw: i32, ph: i32, lo: i32, hi: i32, model: usize, encode: bool): bool {
  for (let y = 0; y < ph; y++) {
    const row = y * pw;
    for (let x = 0; x < pw; x++) {
      const i = row + x;
      // Off-tile neighbours copy the nearest present one (0 at the origin).
      const b = y > 0 ? at(plane, i - pw) : (x > 0 ? at(plane, i - 1) : 0);
      const a = x > 0 ? at(plane, i - 1) : b;
      const c = x > 0 && y > 0 ? at(plane, i - pw - 1) : b;
      const pred = med(a, b, c);
      const q = bucket(abs(a - c) + abs(b - c));
      const k = max(0, q - 2);
      if (encode) {
        const e = at(plane, i) - pred;
        encBit(model + (<usize>(P_ZERO + q) << 1), e != 0 ? 1 : 0);
        if (e == 0) continue;
        encBit(model + (<usize>(P_SIGN + q) << 1), e < 0 ? 1 : 0);
        // Exp-Golomb order k of m: v = m + 2^k, n = log2(v) - k prefix ones.
        const v = <u32>(abs(e) - 1) + (<u32>1 << <u32>k);
        const n = 31 - <i32>clz(v) - k;
        const pp = model + (<usize>(P_PREFIX + q * PREFIX_BITS) << 1);
        for (let j = 0; j < n; j++) encBit(pp + (<usize>j << 1), 1);
        if (n < PREFIX_BITS - 1) encBit(pp + (<usize>n << 1), 0);
        encDirect(v, n + k);
      } else {
        let r = pred;
        if (decBit(model + (<usize>(P_ZERO + q) << 1))) {
          const neg = decBit(model + (<usize>(P_SIGN + q) << 1));
          const pp = model + (<usize>(P_PREFIX + q * PREFIX_BITS) << 1);
          let n = 0;
          while (n < PREFIX_BITS - 1 && decBit(pp + (<usize>n << 1))) n++;
          const v = (<u32>1 << <u32>(n + k)) | decDirect(n + k);
          const m = <i32>(v - (<u32>1 << <u32>k)) + 1;
          r = neg ? pred - m : pred + m;
          if (r < lo) r = lo;
          if (r > hi) r = hi;
        }
        store<i32>(plane + (<usize>i << 2), r);
      }
    }
    if (!encode && overrun > FLUSH_SLACK) return false;
  }
  return true;
}

/**
 * Encodes native full-colour values (0x00BBGGRR, tw·th of them) into
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
  resetModel();
  const chroma = probs + (<usize>P_PER_PLANE << 1);
  encStart(out, out + <usize>limit);
  codePlane(yp, tw, th, 0, 255, probs, true);
  if (encOverflow) return -1;
  codePlane(cop, tw, th, -255, 255, chroma, true);
  if (encOverflow) return -1;
  codePlane(cgp, tw, th, -255, 255, chroma, true);
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
  resetModel();
  const chroma = probs + (<usize>P_PER_PLANE << 1);
  decStart(src, end);
  if (!codePlane(yp, tw, th, 0, 255, probs, false)) return ERR_TILE_BODY;
  if (!codePlane(cop, tw, th, -255, 255, chroma, false)) return ERR_TILE_BODY;
  if (!codePlane(cgp, tw, th, -255, 255, chroma, false)) return ERR_TILE_BODY;
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
