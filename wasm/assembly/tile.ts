// Per-tile compression, chosen by size: one colour → SOLID; up to 16 colours
// → a palette with packed indices or with runs; a palette coded with
// neighbour contexts (context.ts; up to 256 colours in the 1-byte modes);
// LZ over pixel values (lz.ts); RAW when nothing beats the plain values.
// The smallest wins. Bodies are laid out in format.ts.

import { TILE_SOLID, TILE_PACKED, TILE_RLE, TILE_LZ, TILE_RAW, TILE_CONTEXT, TILE_PREDICT, TILE_PHOTO, MAX_PALETTE, maxContextPalette,
         ERR_TILE_BODY, ERR_PALETTE, ERR_LZ, ERR_TILE_KIND } from './format';
import { writeVarint, varintSize, putValue, getValue, readAt, readSkip, readVarint, readOk, readPos, readByte } from './bytes';
import { lzCompress, lzDecompress } from './lz';
import { expand, valueLimit } from './colour';
import { encodePredictTile, decodePredictTile } from './predict';
import { looksPhoto } from './photo';
import { contextReset, contextSave, contextRestore, planeClear, planeAt, encodeContextPlane, decodeContextPlane } from './context';

// Palette tiles bigger than this also try LZ, which wins on repeated glyphs.
const LZ_TRY_ABOVE_BYTES: i32 = 24;
// Full-colour tiles whose best encoding so far takes more than this many
// bytes per 64 pixels (1 byte a pixel: a third of RAW) also try TILE_PREDICT.
// Below it LZ or a palette has found the structure, and the predictive
// coder, some 10x slower per pixel, rarely wins.
const PREDICT_TRY_ABOVE_PER_64PX: i32 = 64;
// With TILE_PHOTO on, LZ gives up on a full-colour tile beyond this many
// bytes a pixel (of RAW's 3) and the tile goes to TILE_PHOTO instead, which
// codes photo-like content at some 1.2 to 1.6 bytes a pixel.
const PHOTO_LZ_LIMIT_PER_PX: i32 = 2;

/** Kind of the tile most recently encoded by encodeTile. */
export let lastKind: u8 = 0;
/**
 * Where decodeTile left the tile's RGBA pixels: the rectangle it was given,
 * or, for LZ/RAW tiles, their slot in the history (rows packed, stride tw).
 */
export let tilePixels: usize = 0;
/**
 * History length (pixels) after the most recent encodeTile / decodeTile.
 * The encoder may extract a tile straight into the next history slot
 * (historySlot()) and save encodeTile a copy.
 */
export let histPos: i32 = 0;

/** Message start: empty LZ history, fresh context model. */
export function historySlot(hist: usize): usize {
  return hist + (<usize>histPos << 2);
}

export function tileCoderReset(): void {
  histPos = 0;
  contextReset();
}

/** Encoder switches: try TILE_CONTEXT / TILE_PREDICT / TILE_PHOTO (see encoder.ts levels). */
export let contextEnabled = true;
export let predictEnabled = true;
export let photoEnabled = false;
export function setTileCoders(context: bool, predict: bool, photo: bool): void {
  contextEnabled = context;
  predictEnabled = predict;
  photoEnabled = photo;
}

// Palettes (up to 256 entries) in static memory: native values, RGBA values,
// pixel counts, the context order and its inverse.
const PALETTE_CAP = 256;
const palette = memory.data(PALETTE_CAP * 4);
const rgbaPalette = memory.data(PALETTE_CAP * 4);
const counts = memory.data(PALETTE_CAP * 4);
const order = memory.data(PALETTE_CAP * 4);
const rankOf = memory.data(PALETTE_CAP);
// 1-byte modes: value → (tile stamp << 8 | index), so the table needs no
// clearing between tiles.
const byteSlots = memory.data(256 * 4);
let stamp: u32 = 0;

@inline function bitsFor(n: i32): i32 {
  return n <= 2 ? 1 : n <= 4 ? 2 : 4;
}

/**
 * Scans values into palette/idx; returns the colour count, or MAX_PALETTE + 1
 * when there are more. A pixel unlike its left neighbour is looked up in all
 * 16 palette slots at once (four v128 compares); unused slots hold
 * 0xffffffff, which no pixel value equals.
 */
function buildPalette(vals: usize, npx: i32, idx: usize): i32 {
  memory.fill(palette, 0xff, MAX_PALETTE * 4);
  let p0 = v128.load(palette);
  let p1 = v128.load(palette, 16);
  let p2 = v128.load(palette, 32);
  let p3 = v128.load(palette, 48);
  let n = 0;
  let lastV: u32 = 0xffffffff;
  let lastI: u32 = 0;
  for (let i = 0; i < npx; i++) {
    const v = load<u32>(vals + (<usize>i << 2));
    if (v != lastV) {
      const s = i32x4.splat(<i32>v);
      const m = i32x4.bitmask(i32x4.eq(p0, s)) | (i32x4.bitmask(i32x4.eq(p1, s)) << 4)
        | (i32x4.bitmask(i32x4.eq(p2, s)) << 8) | (i32x4.bitmask(i32x4.eq(p3, s)) << 12);
      if (m != 0) {
        lastI = ctz<u32>(m);
      } else {
        if (n == MAX_PALETTE) return MAX_PALETTE + 1;
        store<u32>(palette + (<usize>n << 2), v);
        lastI = <u32>n;
        n++;
        p0 = v128.load(palette);
        p1 = v128.load(palette, 16);
        p2 = v128.load(palette, 32);
        p3 = v128.load(palette, 48);
      }
      lastV = v;
    }
    store<u8>(idx + i, <u8>lastI);
  }
  return n;
}

/** buildPalette for 1-byte values, up to 256 colours, by table lookup. */
function buildPaletteBytes(vals: usize, npx: i32, idx: usize): i32 {
  stamp++;
  if (stamp == 1 << 24) { memory.fill(byteSlots, 0, 256 * 4); stamp = 1; }
  const tag = stamp << 8;
  let n = 0;
  for (let i = 0; i < npx; i++) {
    const v = load<u32>(vals + (<usize>i << 2)) & 0xff;
    const slot = byteSlots + (<usize>v << 2);
    let e = load<u32>(slot);
    if ((e & 0xffffff00) != tag) {
      e = tag | <u32>n;
      store<u32>(slot, e);
      store<u32>(palette + (<usize>n << 2), v);
      n++;
    }
    store<u8>(idx + i, <u8>e);
  }
  return n;
}

/**
 * Tries the tile as TILE_CONTEXT into `out` within `limit` bytes; returns the
 * length or -1 (the model is then as before).
 */
function tryContext(idx: usize, npx: i32, tw: i32, th: i32, n: i32, bpp: i32, out: usize, limit: i32): i32 {
  const head = 1 + n * bpp;
  if (head + 1 > limit) return -1;
  // Most frequent first (stable), so index 0 is the background.
  memory.fill(counts, 0, <usize>n << 2);
  for (let i = 0; i < npx; i++) {
    const c = counts + (<usize>load<u8>(idx + i) << 2);
    store<u32>(c, load<u32>(c) + 1);
  }
  for (let k = 0; k < n; k++) {
    const ck = load<u32>(counts + (<usize>k << 2));
    let j = k;
    while (j > 0 && load<u32>(counts + (<usize>load<u32>(order + (<usize>(j - 1) << 2)) << 2)) < ck) {
      store<u32>(order + (<usize>j << 2), load<u32>(order + (<usize>(j - 1) << 2)));
      j--;
    }
    store<u32>(order + (<usize>j << 2), k);
  }
  let p = out;
  store<u8>(p++, <u8>(n - 1));
  for (let r = 0; r < n; r++) {
    const k = load<u32>(order + (<usize>r << 2));
    store<u8>(rankOf + k, <u8>r);
    p = putValue(p, load<u32>(palette + (<usize>k << 2)), bpp);
  }
  planeClear(tw, th);
  let i = 0;
  for (let y = 0; y < th; y++) {
    const row = planeAt(tw, 0, y);
    for (let x = 0; x < tw; x++, i++) store<u8>(row + x, load<u8>(rankOf + load<u8>(idx + i)));
  }
  contextSave();
  const len = encodeContextPlane(tw, th, n, p, limit - head);
  if (len < 0) { contextRestore(); return -1; }
  return head + len;
}

let predictLen = 0;

/**
 * Full colour: tries TILE_PREDICT when the best so far (`best` bytes) is
 * poor; on a win writes it to `out` and sets lastKind and predictLen.
 */
function tryPredict(vals: usize, npx: i32, tw: i32, th: i32, bpp: i32, out: usize, best: i32, planes: usize): bool {
  if (!predictEnabled || bpp != 3 || best * 64 <= npx * PREDICT_TRY_ABOVE_PER_64PX) return false;
  const len = encodePredictTile(vals, tw, th, out, best - 1, planes);
  if (len < 0) return false;
  lastKind = TILE_PREDICT;
  predictLen = len;
  return true;
}

function rleSize(idx: usize, npx: i32): i32 {
  let size = 0;
  let i = 0;
  while (i < npx) {
    const c = load<u8>(idx + i);
    let j = i + 1;
    while (j < npx && load<u8>(idx + j) == c) j++;
    const len = j - i;
    size += len >= 16 ? 1 + varintSize(<u32>(len - 16)) : 1;
    i = j;
  }
  return size;
}

function writePalette(p: usize, n: i32, bpp: i32): usize {
  store<u8>(p++, <u8>n);
  for (let k = 0; k < n; k++) p = putValue(p, load<u32>(palette + (<usize>k << 2)), bpp);
  return p;
}

function writePacked(p: usize, idx: usize, npx: i32, bits: i32): usize {
  let acc: u32 = 0;
  let have = 0;
  for (let i = 0; i < npx; i++) {
    acc = (acc << bits) | load<u8>(idx + i);
    have += bits;
    if (have == 8) { store<u8>(p++, <u8>acc); acc = 0; have = 0; }
  }
  if (have > 0) store<u8>(p++, <u8>(acc << (8 - have)));
  return p;
}

function writeRuns(p: usize, idx: usize, npx: i32): usize {
  let i = 0;
  while (i < npx) {
    const c = load<u8>(idx + i);
    let j = i + 1;
    while (j < npx && load<u8>(idx + j) == c) j++;
    const len = j - i;
    if (len >= 16) {
      store<u8>(p++, <u8>((c << 4) | 15));
      p = writeVarint(p, <u32>(len - 16));
    } else {
      store<u8>(p++, <u8>((c << 4) | (len - 1)));
    }
    i = j;
  }
  return p;
}

/**
 * Encodes the tile's values (u32 each, npx of them, tw×th) into `out` and
 * returns the body length; sets lastKind. `idx` and `lzOut` are scratch of
 * npx and npx·4+64 bytes, `planes` the predictive coder's (predict.ts).
 * LZ/RAW tiles are appended to the history. bpp 3 means full colour.
 * With photoEnabled, a photo-like full-colour tile writes nothing and sets
 * lastKind = TILE_PHOTO: the caller analyses it (photo.ts).
 */
export function encodeTile(vals: usize, npx: i32, tw: i32, th: i32, bpp: i32, out: usize,
                           hist: usize, table: usize, idx: usize, lzOut: usize, planes: usize): i32 {
  const n = bpp == 1 ? buildPaletteBytes(vals, npx, idx) : buildPalette(vals, npx, idx);
  if (n == 1) {
    lastKind = TILE_SOLID;
    return <i32>(putValue(out, load<u32>(palette), bpp) - out);
  }
  // Photo-like tiles skip LZ: the caller analyses them for TILE_PHOTO.
  const photo = photoEnabled && bpp == 3;
  if (photo && n > MAX_PALETTE && looksPhoto(vals, tw, th)) {
    lastKind = TILE_PHOTO;
    return 0;
  }
  const rawSize = npx * bpp;
  let best = rawSize;
  let kind = TILE_RAW;
  if (n <= MAX_PALETTE) {
    const head = 1 + n * bpp;
    const packed = head + ((npx * bitsFor(n) + 7) >> 3);
    const runs = head + rleSize(idx, npx);
    if (packed <= runs && packed < best) { best = packed; kind = TILE_PACKED; }
    else if (runs < best) { best = runs; kind = TILE_RLE; }
  }
  // The context body is written straight to `out`: any later winner
  // overwrites it, and a palette or RAW winner never follows it.
  let contextLen = -1;
  if (contextEnabled && n <= maxContextPalette(bpp)) {
    contextLen = tryContext(idx, npx, tw, th, n, bpp, out, best - 1);
    if (contextLen >= 0) { best = contextLen; kind = TILE_CONTEXT; }
  }
  if (kind == TILE_RAW || best > LZ_TRY_ABOVE_BYTES) {
    const slot = hist + (<usize>histPos << 2);
    if (vals != slot) memory.copy(slot, vals, <usize>npx << 2);
    const lz = lzCompress(hist, histPos, npx, tw, table, lzOut, photo && kind == TILE_RAW ? min(best - 1, npx * PHOTO_LZ_LIMIT_PER_PX) : best - 1, bpp);
    if (lz >= 0) {
      if (contextLen >= 0) contextRestore();
      if (tryPredict(vals, npx, tw, th, bpp, out, lz, planes)) return predictLen;
      memory.copy(out, lzOut, lz);
      histPos += npx;
      lastKind = TILE_LZ;
      return lz;
    }
    if (kind == TILE_RAW && photo) {
      lastKind = TILE_PHOTO;
      return 0;
    }
    if (kind == TILE_RAW) {
      if (tryPredict(vals, npx, tw, th, bpp, out, rawSize, planes)) return predictLen;
      let p = out;
      for (let i = 0; i < npx; i++) p = putValue(p, load<u32>(vals + (<usize>i << 2)), bpp);
      histPos += npx;
      lastKind = TILE_RAW;
      return rawSize;
    }
  }
  lastKind = kind;
  if (kind == TILE_CONTEXT) return contextLen;
  let p = writePalette(out, n, bpp);
  p = kind == TILE_PACKED ? writePacked(p, idx, npx, bitsFor(n)) : writeRuns(p, idx, npx);
  return <i32>(p - out);
}

// ---- decoding -------------------------------------------------------------

@inline function fillRow(d: usize, count: i32, px: u32): void {
  const v = i32x4.splat(<i32>px);
  const e = d + (<usize>count << 2);
  for (; d + 16 <= e; d += 16) v128.store(d, v);
  for (; d < e; d += 4) store<u32>(d, px);
}

/** Reads an n-entry palette at readPos into rgbaPalette; false on bad values. */
function readPalette(end: usize, n: i32, bpp: i32, mode: i32): bool {
  if (<usize>(n * bpp) > end - readPos) return false;
  const limit = valueLimit(mode);
  for (let k = 0; k < n; k++) {
    const v = getValue(readPos, bpp);
    if (v >= limit) return false;
    store<u32>(rgbaPalette + (<usize>k << 2), expand(v, mode));
    readSkip(bpp);
  }
  return true;
}

/**
 * Decodes one tile body [src, end) into the framebuffer rectangle at
 * (x0,y0), tw×th, of a frame w px wide, or for LZ/RAW into the history
 * (see tilePixels). `planes` is predict.ts scratch. Returns 0 or ERR_*.
 * Reads up to 3 bytes past `end` (the message buffer keeps that slack).
 */
export function decodeTile(kind: u8, src: usize, end: usize, fb: usize, w: i32, x0: i32, y0: i32,
                           tw: i32, th: i32, mode: i32, bpp: i32, hist: usize, planes: usize): i32 {
  const npx = tw * th;
  const rowStride = <usize>w << 2;
  const base = fb + ((<usize>y0 * w + x0) << 2);
  tilePixels = base;
  const len = end - src;
  if (kind == TILE_SOLID) {
    if (len != <usize>bpp) return ERR_TILE_BODY;
    const v = getValue(src, bpp);
    if (v >= valueLimit(mode)) return ERR_PALETTE;
    const px = expand(v, mode);
    for (let y = 0; y < th; y++) fillRow(base + <usize>y * rowStride, tw, px);
    return 0;
  }
  if (kind == TILE_PACKED || kind == TILE_RLE) {
    readAt(src);
    if (len < 1) return ERR_TILE_BODY;
    const n = <i32>readByte();
    if (n < (kind == TILE_PACKED ? 2 : 1) || n > MAX_PALETTE) return ERR_PALETTE;
    if (!readPalette(end, n, bpp, mode)) return ERR_PALETTE;
    if (kind == TILE_PACKED) {
      const bits = bitsFor(n);
      if (end - readPos != <usize>((npx * bits + 7) >> 3)) return ERR_TILE_BODY;
      const perByte = 8 / bits;
      const maskBits: u32 = (1 << bits) - 1;
      let x = 0;
      let row = base;
      let p = readPos;
      let byte: u32 = 0;
      let left = 0;
      for (let i = 0; i < npx; i++) {
        if (left == 0) { byte = <u32>load<u8>(p++); left = perByte; }
        left--;
        const c = (byte >> (<u32>(left * bits))) & maskBits;
        if (c >= <u32>n) return ERR_PALETTE;
        store<u32>(row + (<usize>x << 2), load<u32>(rgbaPalette + (<usize>c << 2)));
        if (++x == tw) { x = 0; row += rowStride; }
      }
      return 0;
    }
    // Runs may cross row ends; fill row segments.
    let i = 0;
    let x = 0;
    let row = base;
    while (i < npx) {
      if (readPos >= end) return ERR_TILE_BODY;
      const b = readByte();
      const c = b >> 4;
      if (c >= <u32>n) return ERR_PALETTE;
      let run = <i32>(b & 15) + 1;
      if (run == 16) {
        const extra = readVarint(end);
        if (!readOk || extra > <u32>(npx - i)) return ERR_TILE_BODY;
        run += <i32>extra;
      }
      if (run > npx - i) return ERR_TILE_BODY;
      const px = load<u32>(rgbaPalette + (<usize>c << 2));
      i += run;
      while (run > 0) {
        const k = min(run, tw - x);
        fillRow(row + (<usize>x << 2), k, px);
        run -= k;
        x += k;
        if (x == tw) { x = 0; row += rowStride; }
      }
    }
    return readPos == end ? 0 : ERR_TILE_BODY;
  }
  if (kind == TILE_PREDICT) {
    if (bpp != 3) return ERR_TILE_KIND;
    return decodePredictTile(src, end, fb, w, x0, y0, tw, th, planes);
  }
  if (kind == TILE_CONTEXT) {
    readAt(src);
    if (len < 1) return ERR_TILE_BODY;
    const n = <i32>readByte() + 1;
    if (n < 2 || n > maxContextPalette(bpp)) return ERR_PALETTE;
    if (!readPalette(end, n, bpp, mode)) return ERR_PALETTE;
    if (!decodeContextPlane(readPos, end, tw, th, n)) return ERR_TILE_BODY;
    for (let y = 0; y < th; y++) {
      const s = planeAt(tw, 0, y);
      const d = base + <usize>y * rowStride;
      for (let x = 0; x < tw; x++) {
        store<u32>(d + (<usize>x << 2), load<u32>(rgbaPalette + (<usize>load<u8>(s + x) << 2)));
      }
    }
    return 0;
  }
  if (kind == TILE_LZ || kind == TILE_RAW) {
    // The decoder's history holds RGBA (expanded) values: matches copy
    // them as they are, and the tile needs no second pass.
    const at = hist + (<usize>histPos << 2);
    if (kind == TILE_LZ) {
      if (!lzDecompress(src, end, hist, histPos, npx, bpp, mode)) return ERR_LZ;
    } else {
      if (len != <usize>(npx * bpp)) return ERR_TILE_BODY;
      const limit = valueLimit(mode);
      for (let i = 0; i < npx; i++) {
        const v = getValue(src + <usize>(i * bpp), bpp);
        if (v >= limit) return ERR_PALETTE;
        store<u32>(at + (<usize>i << 2), expand(v, mode));
      }
    }
    histPos += npx;
    tilePixels = at;
    return 0;
  }
  return ERR_TILE_KIND;
}
