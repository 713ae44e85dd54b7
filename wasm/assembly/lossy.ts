// Video-optimised tiles: lossy, for photo and video content. Each tile is
// coded on its own:
//   1. RGB → YCoCg-R (integer, reversible), chroma averaged over 2×2 blocks;
//   2. each plane is near-lossless DPCM: MED prediction (LOCO-I / JPEG-LS)
//      from reconstructed samples, residual quantised with step 2δ+1, so every
//      plane sample is within δ of the source (JPEG-LS near-lossless);
//   3. quantised residuals are binarised (zero flag by local activity, sign,
//      Exp-Golomb magnitude) and coded with the adaptive range coder.
// The error is therefore bounded per sample before chroma subsampling; the
// subsampling adds the only unbounded part, measured by PSNR in the tests.
//
// Body: u8 δY, u8 δC, then the range-coded planes Y (tw×th), Co, Cg
// (ceil(tw/2)×ceil(th/2) each).

import { ERR_TILE_BODY } from './format';
import { encStart, encBit, encFinish, encOverflow, decStart, decBit, overrun, FLUSH_SLACK, PROB_INIT } from './range-coder';
import { MAX_TILE_PIXELS } from './layout';

// Quantiser half-steps; chosen against JPEG quality 75 on the `video`
// sequence (bench/codec): the same PSNR for fewer bytes.
export let deltaY: i32 = 8;
export let deltaC: i32 = 16;

export function setLossyQuality(dy: i32, dc: i32): void {
  deltaY = min(max(dy, 0), 32);
  deltaC = min(max(dc, 0), 64);
}

const CONTEXTS = 4;
const EG_BITS = 12; // magnitudes < 2^12: planes span at most 511 values
// Probability tables: zero flag [ctx], sign [ctx], Exp-Golomb prefix
// [ctx][bit], suffix [bit], per plane kind (luma, chroma).
const P_ZERO = 0;
const P_SIGN = P_ZERO + CONTEXTS;
const P_PREFIX = P_SIGN + CONTEXTS;
const P_SUFFIX = P_PREFIX + CONTEXTS * EG_BITS;
const P_PER_PLANE = P_SUFFIX + EG_BITS;
const probs = memory.data(P_PER_PLANE * 2 * 2);

export function resetProbs(): void {
  for (let i = 0; i < P_PER_PLANE * 2; i++) store<u16>(probs + (<usize>i << 1), PROB_INIT);
}

@inline function med(a: i32, b: i32, c: i32): i32 {
  const mx = max(a, b);
  const mn = min(a, b);
  if (c >= mx) return mn;
  if (c <= mn) return mx;
  return a + b - c;
}

@inline function activity(a: i32, b: i32, c: i32, step: i32): i32 {
  const g = abs(a - c) + abs(b - c);
  if (g < step) return 0;
  if (g < 3 * step) return 1;
  if (g < 8 * step) return 2;
  return 3;
}

// Planes as i32 samples in scratch: Y, then Co, then Cg.
@inline function sampleAt(p: usize, i: i32): i32 {
  return load<i32>(p + (<usize>i << 2));
}

/**
 * Codes (encode = true) or decodes one plane in place: on encode `plane` holds
 * the source and is overwritten with the reconstruction; on decode it
 * receives the reconstruction. Returns false on a decode error.
 */
export function codePlane(plane: usize, pw: i32, ph: i32, delta: i32, lo: i32, hi: i32, kind: i32, encode: bool): bool {
  const step = 2 * delta + 1;
  const base = probs + (<usize>(kind * P_PER_PLANE) << 1);
  for (let y = 0; y < ph; y++) {
    for (let x = 0; x < pw; x++) {
      const i = y * pw + x;
      const a = x > 0 ? sampleAt(plane, i - 1) : (y > 0 ? sampleAt(plane, i - pw) : 0);
      const b = y > 0 ? sampleAt(plane, i - pw) : a;
      const c = x > 0 && y > 0 ? sampleAt(plane, i - pw - 1) : b;
      const pred = med(a, b, c);
      const ctx = activity(a, b, c, step);
      let q = 0;
      if (encode) {
        const e = sampleAt(plane, i) - pred;
        q = e >= 0 ? (e + delta) / step : -((delta - e) / step);
        encBit(base + (<usize>(P_ZERO + ctx) << 1), q != 0 ? 1 : 0);
        if (q != 0) {
          encBit(base + (<usize>(P_SIGN + ctx) << 1), q < 0 ? 1 : 0);
          // Exp-Golomb of |q| - 1: n prefix ones, a zero, n suffix bits.
          const m = <u32>(abs(q) - 1) + 1;
          const n = 31 - clz(m);
          for (let k = 0; k < n; k++) encBit(base + (<usize>(P_PREFIX + ctx * EG_BITS + k) << 1), 1);
          if (n < EG_BITS - 1) encBit(base + (<usize>(P_PREFIX + ctx * EG_BITS + n) << 1), 0);
          for (let k = n - 1; k >= 0; k--) encBit(base + (<usize>(P_SUFFIX + k) << 1), (m >> k) & 1);
        }
      } else {
        if (decBit(base + (<usize>(P_ZERO + ctx) << 1)) != 0) {
          const neg = decBit(base + (<usize>(P_SIGN + ctx) << 1)) != 0;
          let n = 0;
          while (n < EG_BITS - 1 && decBit(base + (<usize>(P_PREFIX + ctx * EG_BITS + n) << 1)) != 0) n++;
          let m: u32 = 1;
          for (let k = n - 1; k >= 0; k--) m = (m << 1) | decBit(base + (<usize>(P_SUFFIX + k) << 1));
          q = <i32>m;
          if (neg) q = -q;
        }
        if (overrun > FLUSH_SLACK) return false;
      }
      let r = pred + q * step;
      if (r < lo) r = lo;
      if (r > hi) r = hi;
      store<i32>(plane + (<usize>i << 2), r);
    }
  }
  return true;
}

/**
 * Encodes a raw tile (RGBA or BGRX) into `out` (room for limit bytes);
 * returns the body length, or -1 when it would not fit in `limit`.
 * `scratch` holds 3·128² i32.
 */
export function encodeLossyTile(src: usize, w: i32, x0: i32, y0: i32, tw: i32, th: i32, bgrx: bool,
                                out: usize, limit: i32, scratch: usize): i32 {
  const yp = scratch;
  const cw = (tw + 1) >> 1;
  const ch = (th + 1) >> 1;
  const cop = scratch + (<usize>MAX_TILE_PIXELS << 2);
  const cgp = cop + (<usize>(MAX_TILE_PIXELS >> 2) << 2);
  memory.fill(cop, 0, <usize>(MAX_TILE_PIXELS >> 1) << 2);
  for (let y = 0; y < th; y++) {
    let s = src + ((<usize>(y0 + y) * w + x0) << 2);
    for (let x = 0; x < tw; x++, s += 4) {
      const px = load<u32>(s);
      let r = <i32>(px & 0xff);
      const g = <i32>((px >> 8) & 0xff);
      let b = <i32>((px >> 16) & 0xff);
      if (bgrx) { const t = r; r = b; b = t; }
      const co = r - b;
      const t = b + (co >> 1);
      const cg = g - t;
      store<i32>(yp + (<usize>(y * tw + x) << 2), t + (cg >> 1));
      const ci = <usize>((y >> 1) * cw + (x >> 1)) << 2;
      store<i32>(cop + ci, load<i32>(cop + ci) + co);
      store<i32>(cgp + ci, load<i32>(cgp + ci) + cg);
    }
  }
  // Average each chroma block over the pixels it covers (edges cover fewer).
  for (let y = 0; y < ch; y++) {
    const nh = min(2, th - 2 * y);
    for (let x = 0; x < cw; x++) {
      const n = nh * min(2, tw - 2 * x);
      const ci = <usize>(y * cw + x) << 2;
      const co = load<i32>(cop + ci);
      const cg = load<i32>(cgp + ci);
      store<i32>(cop + ci, co >= 0 ? (co + (n >> 1)) / n : -((-co + (n >> 1)) / n));
      store<i32>(cgp + ci, cg >= 0 ? (cg + (n >> 1)) / n : -((-cg + (n >> 1)) / n));
    }
  }
  if (limit < 8) return -1;
  store<u8>(out, <u8>deltaY);
  store<u8>(out + 1, <u8>deltaC);
  resetProbs();
  encStart(out + 2, out + <usize>limit);
  codePlane(yp, tw, th, deltaY, 0, 255, 0, true);
  codePlane(cop, cw, ch, deltaC, -255, 255, 1, true);
  codePlane(cgp, cw, ch, deltaC, -255, 255, 1, true);
  const end = encFinish();
  if (encOverflow) return -1;
  return <i32>(end - out);
}

export function decodeLossyTile(src: usize, end: usize, fb: usize, w: i32, x0: i32, y0: i32,
                                tw: i32, th: i32, scratch: usize): i32 {
  if (end - src < 2) return ERR_TILE_BODY;
  const dy = <i32>load<u8>(src);
  const dc = <i32>load<u8>(src + 1);
  if (dy > 32 || dc > 64) return ERR_TILE_BODY;
  const cw = (tw + 1) >> 1;
  const ch = (th + 1) >> 1;
  const yp = scratch;
  const cop = scratch + (<usize>MAX_TILE_PIXELS << 2);
  const cgp = cop + (<usize>(MAX_TILE_PIXELS >> 2) << 2);
  resetProbs();
  decStart(src + 2, end);
  if (!codePlane(yp, tw, th, dy, 0, 255, 0, false)) return ERR_TILE_BODY;
  if (!codePlane(cop, cw, ch, dc, -255, 255, 1, false)) return ERR_TILE_BODY;
  if (!codePlane(cgp, cw, ch, dc, -255, 255, 1, false)) return ERR_TILE_BODY;
  for (let y = 0; y < th; y++) {
    let d = fb + ((<usize>(y0 + y) * w + x0) << 2);
    for (let x = 0; x < tw; x++, d += 4) {
      const ci = <usize>((y >> 1) * cw + (x >> 1)) << 2;
      const yy = load<i32>(yp + (<usize>(y * tw + x) << 2));
      const co = load<i32>(cop + ci);
      const cg = load<i32>(cgp + ci);
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
