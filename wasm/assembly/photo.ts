// TILE_PHOTO: lossless full-colour tiles for photo-like content (video,
// photos, gradients) where LZ and palettes find little: MED prediction per
// channel inside the tile, the residuals decorrelated (R−G, G, B−G) and
// zigzagged to bytes, then coded with the message's three canonical Huffman
// tables (huffman.ts). Fast on both sides: the encoder predicts four pixels
// per v128 step and codes with one table lookup per symbol; the decoder
// first decodes a tile's symbols from three streams at once (one table
// lookup each, the table giving the residual byte), then predicts with a
// handful of v128 lane operations a pixel.
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
// Body: varint lenA, varint lenB, then three least-significant-bit-first bit
// streams, each zero-padded to a whole byte: A (lenA bytes) the plane 0
// symbols of every pixel in row-major order, B (lenB bytes) plane 1, C (the
// rest of the body) plane 2. Each stream must be exactly as long as its bits
// need. Three streams let the decoder run three independent table-lookup
// chains instead of one three times as long.
//
// The encoder codes a message's TILE_PHOTO tiles with tables built from the
// residual statistics of the last message that had such tiles (sampled
// rows), or, when there is none, of the message's first such tile; every
// residual keeps a code (huffman.ts smooths the counts). So each tile is
// coded as it comes: photoAnalyse() stores its residual bytes (one u32 per
// pixel: plane 0 | plane 1 << 8 | plane 2 << 16) and samples them for the
// next tables, photoEncode() writes its bits.

import { histogram, encodeTable, decodeTable, MAX_CODE_BITS, DECODE_ENTRIES } from './huffman';
import { ERR_TILE_BODY } from './format';
import { readAt, readVarint, readOk, readPos, writeVarint } from './bytes';

// Bytes that decoding may read past a body's end: one 8-byte refill per
// stream and group of up to 4 pixels advances at most 7 bytes, and the
// position is checked once a row (a row has at most 128 pixels). The decoder's message buffer keeps this
// much readable slack after the message.
export const PHOTO_READ_SLACK: usize = 8 + 128 * 8;

// A tile whose pixels equal their left neighbour less often than 1 in
// PHOTO_EQUAL_LEFT_DIV is taken as photo-like without trying LZ first.
const PHOTO_EQUAL_LEFT_DIV: i32 = 4;
// The statistics for the next message's tables count every this-many-th row
// of each TILE_PHOTO tile: a sample serves as well as every pixel.
const COUNT_ROW_STEP: i32 = 4;

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

/**
 * Residual bytes (rR − rG, rG, rB − rG) of up to four pixels `x` predicted
 * by `pred` (alpha lanes become 0); their zigzag is the coded symbol, which
 * the Huffman tables apply (huffman.ts).
 */
@inline function symbols(x: v128, pred: v128): v128 {
  const r = i8x16.sub(x, pred);
  return v128.and(i8x16.sub(r, greenSpread(r)), i32x4.splat(0x00ffffff));
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
 * at `out` (one u32 per pixel). Every COUNT_ROW_STEP-th row's symbols are
 * added to the three histograms, from which the next message's tables are
 * built (huffman.ts); all of them when `everyRow`.
 */
export function photoAnalyse(vals: usize, tw: i32, th: i32, out: usize, everyRow: bool): void {
  // Lane k of the four-pixel steps counts into histogram copy k, which
  // lies k·PLANES·1 KB (3072 bytes) further on (huffman.ts).
  const h0 = histogram(0), h1 = histogram(1), h2 = histogram(2);
  const step = everyRow ? 1 : COUNT_ROW_STEP;
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
    const counted = y % step == 0;
    const z0 = symbolOne(load<u32>(row), load<u32>(up));
    store<u32>(o, z0);
    if (counted) count(h0, h1, h2, z0);
    let x = 1;
    for (; x + 4 <= tw; x += 4) {
      const p = <usize>x << 2;
      const z = symbols(v128.load(row + p), med(v128.load(row + p - 4), v128.load(up + p), v128.load(up + p - 4)));
      v128.store(o + p, z);
      if (counted) {
        count(h0, h1, h2, i32x4.extract_lane(z, 0));
        count(h0 + 3072, h1 + 3072, h2 + 3072, i32x4.extract_lane(z, 1));
        count(h0 + 6144, h1 + 6144, h2 + 6144, i32x4.extract_lane(z, 2));
        count(h0 + 9216, h1 + 9216, h2 + 9216, i32x4.extract_lane(z, 3));
      }
    }
    for (; x < tw; x++) {
      const p = <usize>x << 2;
      const pred = i32x4.extract_lane(med(i32x4.splat(load<i32>(row + p - 4)), i32x4.splat(load<i32>(up + p)),
                                          i32x4.splat(load<i32>(up + p - 4))), 0);
      const z = symbolOne(load<u32>(row + p), pred);
      store<u32>(o + p, z);
      if (counted) count(h0, h1, h2, z);
    }
  }
}

@inline function putBits(p: usize, acc: u64, bits: u64): usize {
  store<u64>(p, acc);
  return p + <usize>(bits >> 3);
}

/**
 * Writes the three bit streams of `npx` analysed pixels (symbols at `syms`)
 * with the current encode tables, and the body head; returns the body
 * length in bytes. `out` needs npx·33/8 + 32 bytes; `scratch` 2·(npx·11/8 + 16).
 */
export function photoEncode(syms: usize, npx: i32, out: usize, scratch: usize): i32 {
  const e0 = encodeTable(0), e1 = encodeTable(1), e2 = encodeTable(2);
  const capB = <usize>((npx * MAX_CODE_BITS + 7) >> 3) + 16;
  // Plane 0 goes to `scratch`, plane 1 after it, plane 2 straight to `out`
  // past room for the head (then slides to its place).
  let pa = scratch;
  let pb = scratch + capB;
  let pc = out + 10 + capB * 2;
  const c0 = pc;
  let a0: u64 = 0, a1: u64 = 0, a2: u64 = 0;
  let b0: u64 = 0, b1: u64 = 0, b2: u64 = 0;
  const end = syms + (<usize>npx << 2);
  for (let s = syms; s < end; s += 4) {
    const z = load<u32>(s);
    const k0 = load<u32>(e0 + ((z & 0xff) << 2));
    const k1 = load<u32>(e1 + (((z >> 8) & 0xff) << 2));
    const k2 = load<u32>(e2 + (((z >> 16) & 0xff) << 2));
    a0 |= <u64>(k0 & 0xffff) << b0; b0 += <u64>(k0 >>> 16);
    a1 |= <u64>(k1 & 0xffff) << b1; b1 += <u64>(k1 >>> 16);
    a2 |= <u64>(k2 & 0xffff) << b2; b2 += <u64>(k2 >>> 16);
    // Flush whole bytes every pixel, without branches (which would
    // mispredict at random here).
    pa = putBits(pa, a0, b0); a0 >>= b0 & ~7; b0 &= 7;
    pb = putBits(pb, a1, b1); a1 >>= b1 & ~7; b1 &= 7;
    pc = putBits(pc, a2, b2); a2 >>= b2 & ~7; b2 &= 7;
  }
  pa = putBits(pa, a0, b0 + 7);
  pb = putBits(pb, a1, b1 + 7);
  pc = putBits(pc, a2, b2 + 7);
  const lenA = <u32>(pa - scratch);
  const lenB = <u32>(pb - (scratch + capB));
  const lenC = pc - c0;
  let p = writeVarint(out, lenA);
  p = writeVarint(p, lenB);
  memory.copy(p, scratch, lenA);
  p += lenA;
  memory.copy(p, scratch + capB, lenB);
  p += lenB;
  memory.copy(p, c0, lenC);
  p += lenC;
  return <i32>(p - out);
}

/**
 * Decodes a TILE_PHOTO body [src, end) into `dst` (tw×th RGBA u32, rows
 * packed) with the message's decode tables. Returns 0 or ERR_TILE_BODY.
 * Reads up to PHOTO_READ_SLACK bytes past `end`.
 */
export function decodePhotoTile(src: usize, end: usize, dst: usize, tw: i32, th: i32, syms: usize): i32 {
  readAt(src);
  const lenA = readVarint(end);
  if (!readOk) return ERR_TILE_BODY;
  const lenB = readVarint(end);
  if (!readOk || <u64>lenA + <u64>lenB > <u64>(end - readPos)) return ERR_TILE_BODY;
  const srcA = readPos;
  const endA = srcA + <usize>lenA;
  const srcB = endA;
  const endB = srcB + <usize>lenB;
  const srcC = endB;
  const endC = end;
  // Step 1: the symbols, one u32 a pixel into `syms`; the three streams are
  // independent lookup chains in one loop. The tables sit one after another.
  const tables = decodeTable(0);
  const mask: u64 = <u64>(DECODE_ENTRIES - 1);
  let pa = srcA, pb = srcB, pc = srcC;
  let a0: u64 = 0, a1: u64 = 0, a2: u64 = 0;
  let b0: u64 = 0, b1: u64 = 0, b2: u64 = 0;
  let o = syms;
  for (let y = 0; y < th; y++) {
    if (pa > endA + 8 || pb > endB + 8 || pc > endC + 8) return ERR_TILE_BODY;
    const rowEnd = o + (<usize>tw << 2);
    while (o < rowEnd) {
      // One refill per stream serves up to 4 symbols (4 · 11 <= 56 bits).
      a0 |= load<u64>(pa) << b0; pa += <usize>((63 - b0) >> 3); b0 |= 56;
      a1 |= load<u64>(pb) << b1; pb += <usize>((63 - b1) >> 3); b1 |= 56;
      a2 |= load<u64>(pc) << b2; pc += <usize>((63 - b2) >> 3); b2 |= 56;
      const groupEnd = min(rowEnd, o + 16);
      for (; o < groupEnd; o += 4) {
        const e0 = <u32>load<u16>(tables + (<usize>(a0 & mask) << 1));
        const e1 = <u32>load<u16>(tables + (<usize>(a1 & mask) << 1), DECODE_ENTRIES * 2);
        const e2 = <u32>load<u16>(tables + (<usize>(a2 & mask) << 1), DECODE_ENTRIES * 4);
        a0 >>= <u64>(e0 & 15); b0 -= <u64>(e0 & 15);
        a1 >>= <u64>(e1 & 15); b1 -= <u64>(e1 & 15);
        a2 >>= <u64>(e2 & 15); b2 -= <u64>(e2 & 15);
        // Residual bytes: R and B were coded relative to G.
        const g = e1 >> 4;
        store<u32>(o, (((e0 >> 4) + g) & 0xff) | (g << 8) | ((((e2 >> 4) + g) & 0xff) << 16));
      }
    }
  }
  // Bits consumed = bytes loaded · 8 − bits left; each stream must end in
  // the byte that holds the last of its bits.
  if ((((<u64>(pa - srcA) << 3) - b0 + 7) >> 3) != <u64>lenA) return ERR_TILE_BODY;
  if ((((<u64>(pb - srcB) << 3) - b1 + 7) >> 3) != <u64>lenB) return ERR_TILE_BODY;
  if ((((<u64>(pc - srcC) << 3) - b2 + 7) >> 3) != <u64>(endC - srcC)) return ERR_TILE_BODY;
  // Step 2: prediction. The left neighbour and the one above it stay in
  // registers; only the pixel above is loaded.
  const alpha = i32x4.splat(0xff000000);
  let left = i32x4.splat(0);
  let z = syms;
  let d = dst;
  for (let x = 0; x < tw; x++, z += 4, d += 4) {
    left = v128.or(i8x16.add(left, v128.load32_zero(z)), alpha);
    store<i32>(d, i32x4.extract_lane(left, 0));
  }
  for (let y = 1; y < th; y++) {
    const up = d - (<usize>tw << 2);
    let upLeft = v128.load32_zero(up);
    left = v128.or(i8x16.add(upLeft, v128.load32_zero(z)), alpha);
    store<i32>(d, i32x4.extract_lane(left, 0));
    for (let x = 1; x < tw; x++) {
      const above = v128.load32_zero(up + (<usize>x << 2));
      left = v128.or(i8x16.add(med(left, above, upLeft), v128.load32_zero(z + (<usize>x << 2))), alpha);
      store<i32>(d + (<usize>x << 2), i32x4.extract_lane(left, 0));
      upLeft = above;
    }
    z += <usize>tw << 2;
    d += <usize>tw << 2;
  }
  return 0;
}

