// LZ coder over pixel values. Works in whole pixels, not bytes: a screen tile
// repeats pixels (runs), rows (the pixel above) and glyphs (earlier in the
// message), and pixel units make those matches short to describe.
//
// Input is the message "history": every LZ/RAW tile's pixel values, one u32
// each, appended in message order. A match may reach back into earlier tiles
// of the same message, never across messages, so each message decodes alone.
//
// A tile body is a list of sequences:
//   u8      token      high nibble L, low nibble M
//   varint  L - 15     only if L == 15
//   L pixel values     bpp bytes each
//   -- the rest only if the tile is not complete after the literals --
//   varint  M - 15     only if M == 15
//   varint  offset     in pixels back from the current position, >= 1
// The match length is M + MIN_MATCH pixels; copies may overlap forwards
// (offset 1 repeats one pixel). Decoding stops when the tile has tw·th pixels.

import { writeVarint, readVarint, readOk, readPos, readAt, readSkip, readByte, putValue, getValue } from './bytes';
import { HASH_BITS } from './layout';
import { expand, valueLimit } from './colour';
import { MODE_FULL, MODE_VIDEO } from './format';

export const MIN_MATCH: i32 = 2;
/** Bytes a decoder's history needs past its end: match copies go four pixels a step. */
export const LZ_COPY_SLACK: usize = 16;
// LZ4's acceleration: after 2^SKIP_SHIFT positions without a match the
// search steps 2 pixels, then 3, and so on, until a match resets it. Photo
// and video tiles, which rarely match, then cost a fraction of a hash probe
// per pixel; the skipped pixels go out as literals.
const SKIP_SHIFT: i32 = 5;

@inline function hash2(a: u32, b: u32): u32 {
  return ((a * 0x9e3779b1) ^ (b * 0x85ebca77)) >>> (32 - HASH_BITS);
}

@inline function matchLength(hist: usize, a: i32, b: i32, limit: i32): i32 {
  // a > b, both in history; compare up to `limit` pixels, four a step.
  let n = 0;
  const pa = hist + (<usize>a << 2);
  const pb = hist + (<usize>b << 2);
  while (n + 4 <= limit) {
    const o = <usize>n << 2;
    const m = i32x4.bitmask(i32x4.eq(v128.load(pa + o), v128.load(pb + o)));
    if (m != 15) return n + <i32>ctz<u32>(~m);
    n += 4;
  }
  while (n < limit && load<u32>(pa + (<usize>n << 2)) == load<u32>(pb + (<usize>n << 2))) n++;
  return n;
}

@inline function emit(out: usize, hist: usize, litStart: i32, litEnd: i32, mlen: i32, offset: i32, bpp: i32): usize {
  const lit = litEnd - litStart;
  const lcode = min(lit, 15);
  const mcode = mlen > 0 ? min(mlen - MIN_MATCH, 15) : 0;
  let p = out;
  store<u8>(p++, <u8>((lcode << 4) | mcode));
  if (lcode == 15) p = writeVarint(p, <u32>(lit - 15));
  if (bpp == 3) {
    // One u32 store a pixel; the next overwrites its fourth byte (`out`
    // has room past the body's end).
    for (let i = litStart; i < litEnd; i++, p += 3) store<u32>(p, load<u32>(hist + (<usize>i << 2)));
  } else {
    for (let i = litStart; i < litEnd; i++) p = putValue(p, load<u32>(hist + (<usize>i << 2)), bpp);
  }
  if (mlen > 0) {
    if (mcode == 15) p = writeVarint(p, <u32>(mlen - MIN_MATCH - 15));
    p = writeVarint(p, <u32>offset);
  }
  return p;
}

/**
 * Compresses history[start, start+n) (a tile of width tw) into `out`, using
 * all earlier history as the window. Stops and returns -1 as soon as the
 * output would exceed `limit` bytes; otherwise returns the byte count.
 */
export function lzCompress(hist: usize, start: i32, n: i32, tw: i32, table: usize,
                           out: usize, limit: i32, bpp: i32): i32 {
  const end = start + n;
  const outLimit = out + <usize>limit;
  let p = out;
  let i = start;
  let lit = start;
  let misses = 0;
  while (i + MIN_MATCH <= end) {
    const v0 = load<u32>(hist + (<usize>i << 2));
    const v1 = load<u32>(hist + (<usize>(i + 1) << 2));
    const remain = end - i;
    let best = 0;
    let bestOff = 0;
    // The pixel above, within this tile. (A run, the previous pixel
    // repeating, is found by the hash.) Only probed positions are indexed:
    // indexing a match's end as well cost time and saved no bytes.
    if (i - tw >= start) {
      const l = matchLength(hist, i, i - tw, remain);
      if (l > best) { best = l; bestOff = tw; }
    }
    const h = hash2(v0, v1);
    const slot = table + (<usize>h << 2);
    const cand = load<i32>(slot);
    store<i32>(slot, i);
    // A candidate can only beat `best` if it also matches at that length
    // (the pixel there): one load rules most out before their length is
    // measured.
    if (best < remain && cand >= 0 && cand < i
        && load<u32>(hist + (<usize>(cand + best) << 2)) == load<u32>(hist + (<usize>(i + best) << 2))) {
      const l = matchLength(hist, i, cand, remain);
      if (l > best) { best = l; bestOff = i - cand; }
    }
    if (best >= MIN_MATCH) {
      if (<i32>(p - out) + (i - lit) * bpp + 16 > limit) return -1;
      p = emit(p, hist, lit, i, best, bestOff, bpp);
      i += best;
      lit = i;
      misses = 0;
    } else {
      i += 1 + (misses++ >> SKIP_SHIFT);
      // Pending literals alone past the limit: give up now rather than at
      // the tile's end (photo-like tiles, which go elsewhere).
      if (<i32>(p - out) + (i - lit) * bpp > limit) return -1;
    }
  }
  if (lit < end) {
    if (<i32>(p - out) + (end - lit) * bpp + 8 > limit) return -1;
    p = emit(p, hist, lit, end, 0, 0, bpp);
  }
  if (p > outLimit) return -1;
  return <i32>(p - out);
}

/**
 * Decodes one LZ tile body [src, end) into history[pos, pos+n) as RGBA
 * (expand(value, mode)). Every length and offset is checked against the tile
 * and the history written so far. Returns true on success; the body must be
 * consumed exactly. Literal loads may read up to 3 bytes past `end`.
 */
export function lzDecompress(src: usize, end: usize, hist: usize, pos: i32, n: i32, bpp: i32, mode: i32): bool {
  readAt(src);
  const limit = valueLimit(mode);
  const rgb24 = mode == MODE_FULL || mode == MODE_VIDEO;
  let i = pos;
  const stop = pos + n;
  while (i < stop) {
    if (readPos >= end) return false;
    const token = <i32>readByte();
    let lit = token >> 4;
    if (lit == 15) {
      const extra = readVarint(end);
      if (!readOk || extra > <u32>(stop - i)) return false;
      lit += <i32>extra;
    }
    if (lit > stop - i) return false;
    if (<usize>lit * bpp > end - readPos) return false;
    let d = hist + (<usize>i << 2);
    if (rgb24) {
      // Every 24-bit value is valid: no check, one unaligned load a pixel.
      let s = readPos;
      const e = d + (<usize>lit << 2);
      for (; d < e; d += 4, s += 3) store<u32>(d, load<u32>(s) | 0xff000000);
      readSkip(<usize>lit * 3);
    } else {
      for (let k = 0; k < lit; k++, d += 4) {
        const v = getValue(readPos, bpp);
        if (v >= limit) return false;
        store<u32>(d, expand(v, mode));
        readSkip(bpp);
      }
    }
    i += lit;
    if (i == stop) break;
    let mlen = (token & 15);
    if (mlen == 15) {
      const extra = readVarint(end);
      if (!readOk || extra > <u32>(stop - i)) return false;
      mlen += <i32>extra;
    }
    mlen += MIN_MATCH;
    const off = readVarint(end);
    if (!readOk || off == 0 || off > <u32>i) return false;
    if (mlen > stop - i) return false;
    let s = hist + (<usize>(i - <i32>off) << 2);
    d = hist + (<usize>i << 2);
    const e = d + (<usize>mlen << 2);
    if (off >= 4) {
      // Four pixels a step: a step never reads what it writes, and a later
      // step reads what an earlier one wrote, which is what an overlapping
      // match means. The last step may write up to 12 bytes past the
      // match (LZ_COPY_SLACK); what follows overwrites them.
      for (; d < e; d += 16, s += 16) v128.store(d, v128.load(s));
    } else if (off <= 2) {
      // A run of one pixel, or of a pair (the encoder's hash often finds
      // a run one pixel further back): a repeating 16-byte pattern.
      const v = off == 1 ? i32x4.splat(load<i32>(s)) : i64x2.splat(load<i64>(s));
      for (; d < e; d += 16) v128.store(d, v);
    } else {
      for (; d < e; d += 4, s += 4) store<u32>(d, load<u32>(s));
    }
    i += mlen;
  }
  return readPos == end;
}
