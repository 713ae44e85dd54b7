// TILE_PHOTO: lossless full-colour tiles for photo-like content (video,
// photos, gradients) where LZ and palettes find little: MED prediction per
// channel inside the tile, the residuals decorrelated (R−G, G, B−G) and
// zigzagged to bytes, then coded with the message's three canonical Huffman
// tables (huffman.ts). Fast on both sides: the encoder predicts four pixels
// per v128 step and codes with one table lookup per symbol; the decoder
// decodes a pixel's three symbols after one 64-bit refill and predicts with
// a handful of v128 lane operations.
//
// Prediction (per byte lane, tile-local, so a tile decodes on its own):
//   row 0:  left pixel (0 for the first pixel)
//   col 0:  pixel above
//   other:  MED(a = left, b = above, c = above-left)
//           = clamp(a + b − c, min(a, b), max(a, b))
// Residual r = pixel − prediction (mod 256 per channel); symbols are
//   plane 0: zigzag(rR − rG), plane 1: zigzag(rG), plane 2: zigzag(rB − rG)
// with zigzag(v) = (v << 1) ^ (v >> 7) on signed bytes.
//
// Body: the tile's symbols, pixel by pixel in row-major order, planes 0,1,2
// per pixel, as a least-significant-bit-first bit stream, zero-padded to a
// whole byte. The body must be exactly as long as its bits need.
//
// The encoder works in two steps: photoAnalyse() stores a tile's symbols
// (one u32 per pixel: plane 0 | plane 1 << 8 | plane 2 << 16) and counts
// them; once all tiles of the message are analysed, the tables are built
// and photoEncode() writes each tile's bits.

import { histogram, encodeTable, decodeTable, MAX_CODE_BITS, DECODE_ENTRIES } from './huffman';
import { ERR_TILE_BODY } from './format';

// Bytes that decoding may read past a body's end: one 8-byte refill per
// pixel advances at most 7 bytes, and the position is checked once a row
// (a row has at most 128 pixels). The decoder's message buffer keeps this
// much readable slack after the message.
export const PHOTO_READ_SLACK: usize = 8 + 128 * 8;

// A tile whose pixels equal their left neighbour less often than 1 in
// PHOTO_EQUAL_LEFT_DIV is taken as photo-like without trying LZ first.
const PHOTO_EQUAL_LEFT_DIV: i32 = 2;

@inline function med(a: v128, b: v128, c: v128): v128 {
  const mn = i8x16.min_u(a, b);
  const mx = i8x16.max_u(a, b);
  // a + b − c without leaving 0..255 where it matters: only one of
  // (a − c) and (c − a) is non-zero under saturation, and a result clamped
  // at 0 or 255 lies outside [mn, mx] exactly when the true one does.
  const v = i8x16.sub_sat_u(i8x16.add_sat_u(b, i8x16.sub_sat_u(a, c)), i8x16.sub_sat_u(c, a));
  return i8x16.min_u(i8x16.max_u(v, mn), mx);
}

// Byte lane order of a pixel u32: 0 = R, 1 = G, 2 = B, 3 = alpha / 0.
@inline function greenSpread(r: v128): v128 {
  return i8x16.swizzle(r, v128(1, -1, 1, -1, 5, -1, 5, -1, 9, -1, 9, -1, 13, -1, 13, -1));
}

/** Symbols of up to four pixels `x` predicted by `pred` (alpha lanes become 0). */
@inline function symbols(x: v128, pred: v128): v128 {
  let r = i8x16.sub(x, pred);
  r = v128.and(i8x16.sub(r, greenSpread(r)), i32x4.splat(0x00ffffff));
  return v128.xor(i8x16.shl(r, 1), i8x16.shr_s(r, 7));
}

@inline function unSymbols(z: v128): v128 {
  const r = v128.xor(i8x16.shr_u(z, 1), i8x16.neg(v128.and(z, i8x16.splat(1))));
  return i8x16.add(r, greenSpread(r));
}

/** True when the tile looks photo-like (few pixels equal their left neighbour). */
export function looksPhoto(vals: usize, tw: i32, th: i32): bool {
  let acc = i32x4.splat(0);
  let scalar = 0;
  for (let y = 0; y < th; y++) {
    const row = vals + (<usize>(y * tw) << 2);
    let x = 1;
    for (; x + 4 <= tw; x += 4) {
      const p = row + (<usize>x << 2);
      acc = i32x4.sub(acc, i32x4.eq(v128.load(p), v128.load(p - 4)));
    }
    for (; x < tw; x++) if (load<u32>(row + (<usize>x << 2)) == load<u32>(row + (<usize>(x - 1) << 2))) scalar++;
  }
  const equal = i32x4.extract_lane(acc, 0) + i32x4.extract_lane(acc, 1) + i32x4.extract_lane(acc, 2)
    + i32x4.extract_lane(acc, 3) + scalar;
  return equal * PHOTO_EQUAL_LEFT_DIV < tw * th;
}

@inline function count(h0: usize, h1: usize, h2: usize, z: u32): void {
  const a = h0 + ((z & 0xff) << 2);
  store<u32>(a, load<u32>(a) + 1);
  const b = h1 + (((z >> 8) & 0xff) << 2);
  store<u32>(b, load<u32>(b) + 1);
  const c = h2 + (((z >> 16) & 0xff) << 2);
  store<u32>(c, load<u32>(c) + 1);
}

@inline function symbolOne(x: u32, pred: u32): u32 {
  return i32x4.extract_lane(symbols(i32x4.splat(<i32>x), i32x4.splat(<i32>pred)), 0);
}

/**
 * Stores the symbols of the tile's values (u32 0x00BBGGRR, tw×th, row-major)
 * at `out` (one u32 per pixel) and adds them to the three histograms.
 */
export function photoAnalyse(vals: usize, tw: i32, th: i32, out: usize): void {
  const h0 = histogram(0), h1 = histogram(1), h2 = histogram(2);
  // Row 0: left prediction.
  let prevPx: u32 = 0;
  for (let x = 0; x < tw; x++) {
    const v = load<u32>(vals + (<usize>x << 2));
    const z = symbolOne(v, prevPx);
    store<u32>(out + (<usize>x << 2), z);
    count(h0, h1, h2, z);
    prevPx = v;
  }
  for (let y = 1; y < th; y++) {
    const row = vals + (<usize>(y * tw) << 2);
    const up = row - (<usize>tw << 2);
    const o = out + (<usize>(y * tw) << 2);
    const z0 = symbolOne(load<u32>(row), load<u32>(up));
    store<u32>(o, z0);
    count(h0, h1, h2, z0);
    let x = 1;
    for (; x + 4 <= tw; x += 4) {
      const p = <usize>x << 2;
      const z = symbols(v128.load(row + p), med(v128.load(row + p - 4), v128.load(up + p), v128.load(up + p - 4)));
      v128.store(o + p, z);
      count(h0, h1, h2, i32x4.extract_lane(z, 0));
      count(h0, h1, h2, i32x4.extract_lane(z, 1));
      count(h0, h1, h2, i32x4.extract_lane(z, 2));
      count(h0, h1, h2, i32x4.extract_lane(z, 3));
    }
    for (; x < tw; x++) {
      const p = <usize>x << 2;
      const pred = i32x4.extract_lane(med(i32x4.splat(load<i32>(row + p - 4)), i32x4.splat(load<i32>(up + p)),
                                          i32x4.splat(load<i32>(up + p - 4))), 0);
      const z = symbolOne(load<u32>(row + p), pred);
      store<u32>(o + p, z);
      count(h0, h1, h2, z);
    }
  }
}

/**
 * Writes the bit stream of `npx` analysed pixels (symbols at `syms`) with
 * the current encode tables; returns the body length in bytes. `out` needs
 * npx·33/8 + 16 bytes.
 */
export function photoEncode(syms: usize, npx: i32, out: usize): i32 {
  const e0 = encodeTable(0), e1 = encodeTable(1), e2 = encodeTable(2);
  let acc: u64 = 0;
  let bits: u64 = 0;
  let p = out;
  const end = syms + (<usize>npx << 2);
  for (let s = syms; s < end; s += 4) {
    const z = load<u32>(s);
    const c0 = load<u32>(e0 + ((z & 0xff) << 2));
    const c1 = load<u32>(e1 + (((z >> 8) & 0xff) << 2));
    const c2 = load<u32>(e2 + (((z >> 16) & 0xff) << 2));
    acc |= <u64>(c0 & 0xffff) << bits;
    bits += <u64>(c0 >>> 16);
    acc |= <u64>(c1 & 0xffff) << bits;
    bits += <u64>(c1 >>> 16);
    acc |= <u64>(c2 & 0xffff) << bits;
    bits += <u64>(c2 >>> 16);
    store<u64>(p, acc);
    p += <usize>(bits >> 3);
    acc = (bits & ~7) == 64 ? 0 : acc >> (bits & ~7);
    bits &= 7;
  }
  if (bits > 0) p++;
  return <i32>(p - out);
}

/**
 * Decodes a TILE_PHOTO body [src, end) into `dst` (tw×th RGBA u32, rows
 * packed) with the message's decode tables. Returns 0 or ERR_TILE_BODY.
 * Reads up to PHOTO_READ_SLACK bytes past `end`.
 */
export function decodePhotoTile(src: usize, end: usize, dst: usize, tw: i32, th: i32): i32 {
  const d0 = decodeTable(0), d1 = decodeTable(1), d2 = decodeTable(2);
  const mask: u64 = <u64>(DECODE_ENTRIES - 1);
  let acc: u64 = 0;
  let bits: u64 = 0;
  let p = src;
  const alpha = i32x4.splat(0xff000000);
  for (let y = 0; y < th; y++) {
    if (p > end + 8) return ERR_TILE_BODY;
    const row = dst + (<usize>(y * tw) << 2);
    const up = row - (<usize>tw << 2);
    for (let x = 0; x < tw; x++) {
      acc |= load<u64>(p) << bits;
      p += <usize>((63 - bits) >> 3);
      bits |= 56;
      const e0 = <u32>load<u16>(d0 + (<usize>(acc & mask) << 1));
      acc >>= <u64>(e0 & 15);
      const e1 = <u32>load<u16>(d1 + (<usize>(acc & mask) << 1));
      acc >>= <u64>(e1 & 15);
      const e2 = <u32>load<u16>(d2 + (<usize>(acc & mask) << 1));
      acc >>= <u64>(e2 & 15);
      bits -= <u64>((e0 & 15) + (e1 & 15) + (e2 & 15));
      const z = i32x4.splat(<i32>((e0 >> 4) | ((e1 >> 4) << 8) | ((e2 >> 4) << 16)));
      const q = row + (<usize>x << 2);
      let pred: v128;
      if (y == 0) {
        pred = x == 0 ? i32x4.splat(0) : i32x4.splat(load<i32>(q - 4));
      } else if (x == 0) {
        pred = i32x4.splat(load<i32>(up));
      } else {
        const u = up + (<usize>x << 2);
        pred = med(i32x4.splat(load<i32>(q - 4)), i32x4.splat(load<i32>(u)), i32x4.splat(load<i32>(u - 4)));
      }
      store<i32>(q, i32x4.extract_lane(v128.or(i8x16.add(pred, unSymbols(z)), alpha), 0));
    }
  }
  // Bits consumed = bytes loaded · 8 − bits left; the body must end in the
  // byte that holds the last of them.
  const consumed = (<u64>(p - src) << 3) - bits;
  if ((consumed + 7) >> 3 != <u64>(end - src)) return ERR_TILE_BODY;
  return 0;
}

export const PHOTO_MAX_CODE_BITS = MAX_CODE_BITS;
