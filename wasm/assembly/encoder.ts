// Encoder for one stream: keeps the previous raw frame, diffs the new one
// against it, detects content that moved (motion.ts), and writes one update
// message (format.ts) with the copies and the changed tiles only. Key frames
// (the first frame, a request, a change of colour mode or pixel format) carry
// every tile.
//
// Invariant: after each message the decoder's framebuffer equals
// reduce(previous raw frame) in the lossless modes. Reductions are per pixel,
// so raw-frame equality implies reduced equality, which lets the diff and the
// motion search run on raw frames and reduce only the tiles that are sent.

import { FORMAT_VERSION, HEADER_BYTES, COPY_BYTES, FLAG_KEY, FLAG_TABLES, MODE_COUNT, MODE_VIDEO, TILE_KINDS,
         MIN_TILE_LOG2, MAX_TILE_LOG2, MAX_DIMENSION, bytesPerValue, ERR_SIZE, ERR_HEADER, ERR_MEMORY } from './format';
import { layoutReset, reserve, ensureMemory, layoutTop, MAX_TILE_PIXELS, HASH_SIZE } from './layout';
import { diffTiles } from './diff';
import { extractTile } from './colour';
import { TILE_SOLID, TILE_RAW, TILE_LOSSY, TILE_PHOTO, MODE_FULL } from './format';
import { writeVarint, putValue } from './bytes';
import { encodeTile, lastKind, tileCoderReset, setTileCoders, historySlot } from './tile';
import { encodeLossyTile } from './lossy';
import { detectMotion, copyList } from './motion';
import { photoAnalyse, photoEncode } from './photo';
import { buildTables, writeTables, histogramsEmpty, clearHistograms, TABLE_BYTES } from './huffman';

/** encodeFrame flag: send every tile. */
export const ENC_KEY: i32 = 1;
/** encodeFrame flag: the input is BGRX (X11 ZPixmap, depth 24) instead of RGBA. */
export const ENC_BGRX: i32 = 2;
/** encodeFrame flag: skip scroll/move detection (for measuring it). */
export const ENC_NO_MOTION: i32 = 4;
/**
 * encodeFrame flag: take the tile map of the encoderDiffOnly() call made on
 * this input instead of diffing again (benchmarks time the two apart).
 * Ignored when no such call was made since the last frame.
 */
export const ENC_AFTER_DIFF: i32 = 8;

// Full-colour effort levels. FAST (the default) sends palette and LZ tiles,
// and photo-like tiles as TILE_PHOTO (Huffman-coded MED residuals, with the
// message's tables): about 0.73x zstd-1's bytes, decoding at GB/s. COMPACT
// tries the adaptive range-coded tiles instead (TILE_PREDICT for photo-like
// tiles, TILE_CONTEXT for palette tiles): fewer bytes still, but those tiles
// code at some 50 MB/s (wasm/FORMAT.md "Full-colour levels"). The other
// lossless modes always use TILE_CONTEXT, which is what makes them small;
// video-optimised has its own coder.
export const LEVEL_FAST: i32 = 0;
export const LEVEL_COMPACT: i32 = 1;

let width = 0;
let height = 0;
let tileLog2 = 6;
let mode = 0;
let frameA: usize = 0;
let frameB: usize = 0;
let current: usize = 0;
let previous: usize = 0;
let tileMap: usize = 0;
let tileVec: usize = 0;
let history: usize = 0;
let hashTable: usize = 0;
let values: usize = 0;
let indices: usize = 0;
let lzScratch: usize = 0;
let planes: usize = 0;
let output: usize = 0;
let staging: usize = 0;
let photoSymbols: usize = 0;
let level = LEVEL_FAST;
let havePrevious = false;
let previousBgrx = false;
// encoderDiffOnly() ran on the current input: its map and count stand.
let diffReady = false;
let diffChanged = 0;

// Statistics of the last message, for tests and benchmarks.
export let statChanged = 0;
export let statCopies = 0;
export let statCopiedTiles = 0;
export const statKinds = memory.data(TILE_KINDS * 4);

export function encoderInit(w: i32, h: i32, log2: i32, m: i32): i32 {
  if (w < 1 || h < 1 || w > MAX_DIMENSION || h > MAX_DIMENSION) return ERR_SIZE;
  if (log2 < MIN_TILE_LOG2 || log2 > MAX_TILE_LOG2 || m < 0 || m >= MODE_COUNT) return ERR_HEADER;
  width = w;
  height = h;
  tileLog2 = log2;
  mode = m;
  const pixels = <usize>w * h;
  const size = 1 << log2;
  const tiles = <usize>(((w + size - 1) >> log2) * ((h + size - 1) >> log2));
  layoutReset();
  frameA = reserve(pixels * 4);
  frameB = reserve(pixels * 4);
  tileMap = reserve(tiles);
  tileVec = reserve(tiles);
  history = reserve(pixels * 4);
  hashTable = reserve(<usize>HASH_SIZE * 4);
  values = reserve(<usize>MAX_TILE_PIXELS * 4 * 2); // lossy planes need 1.5×
  indices = reserve(<usize>MAX_TILE_PIXELS);
  lzScratch = reserve(<usize>MAX_TILE_PIXELS * 4 * 2 + 64); // also the lossy planes
  planes = reserve(<usize>MAX_TILE_PIXELS * 4 * 3);
  // Worst case: every tile as RAW (3 bytes a pixel) or TILE_PHOTO (at most
  // 33 bits a pixel) plus its record head.
  output = reserve(<usize>(HEADER_BYTES + COPY_BYTES * 32 + 64 + TABLE_BYTES) + tiles * 16 + pixels * 5);
  // The records go here first; the table section, if any TILE_PHOTO tile
  // needs it, goes before them in `output`.
  staging = reserve(<usize>(HEADER_BYTES + COPY_BYTES * 32 + 64) + tiles * 16 + pixels * 5);
  photoSymbols = reserve(<usize>MAX_TILE_PIXELS * 4);
  if (!ensureMemory(layoutTop())) return ERR_MEMORY;
  current = frameA;
  previous = frameB;
  havePrevious = false;
  diffReady = false;
  clearHistograms();
  return 0;
}

/** Where the caller writes the next raw frame (W·H·4 bytes). Moves after each encode. */
export function encoderInput(): usize {
  return current;
}

export function encoderOutput(): usize {
  return output;
}

/** Switches colour mode; the next message is a key frame. */
export function encoderSetMode(m: i32): i32 {
  if (m < 0 || m >= MODE_COUNT) return ERR_HEADER;
  mode = m;
  havePrevious = false;
  diffReady = false;
  return 0;
}

/** Sets the full-colour effort level (LEVEL_*); applies from the next frame. */
export function encoderSetLevel(l: i32): i32 {
  if (l != LEVEL_FAST && l != LEVEL_COMPACT) return ERR_HEADER;
  level = l;
  return 0;
}

/** Encodes the frame at encoderInput(); returns the message length in bytes. */
export function encodeFrame(flags: i32): i32 {
  const bgrx = (flags & ENC_BGRX) != 0;
  const key = (flags & ENC_KEY) != 0 || !havePrevious || bgrx != previousBgrx;
  const size = 1 << tileLog2;
  const tilesX = (width + size - 1) >> tileLog2;
  const tilesY = (height + size - 1) >> tileLog2;
  const tiles = tilesX * tilesY;
  memory.fill(statKinds, 0, TILE_KINDS * 4);
  let changed = tiles;
  if (key) memory.fill(tileMap, 1, tiles);
  else if ((flags & ENC_AFTER_DIFF) != 0 && diffReady) changed = diffChanged;
  else changed = diffTiles(current, previous, width, height, tileLog2, tileMap);
  diffReady = false;
  statChanged = changed;
  let copies = 0;
  statCopiedTiles = 0;
  if (!key && mode != MODE_VIDEO && (flags & ENC_NO_MOTION) == 0 && changed > 0) {
    copies = detectMotion(current, previous, width, height, tileLog2, tileMap, tileVec, changed);
  }
  statCopies = copies;
  if (copies > 0) {
    let left = 0;
    for (let t = 0; t < tiles; t++) left += load<u8>(tileMap + t);
    statCopiedTiles = changed - left;
  }

  const m = output;
  store<u8>(m, FORMAT_VERSION);
  store<u8>(m + 1, key ? FLAG_KEY : 0);
  store<u8>(m + 2, <u8>mode);
  store<u8>(m + 3, <u8>tileLog2);
  store<u16>(m + 4, <u16>width);
  store<u16>(m + 6, <u16>height);
  store<u16>(m + 8, <u16>copies);
  store<u16>(m + 10, 0);
  let p = m + HEADER_BYTES;
  if (copies > 0) {
    memory.copy(p, copyList, <usize>copies * COPY_BYTES);
    p += <usize>copies * COPY_BYTES;
  }
  tileCoderReset();
  setTileCoders(mode != MODE_FULL || level == LEVEL_COMPACT, level == LEVEL_COMPACT, mode == MODE_FULL && level == LEVEL_FAST);
  const bpp = bytesPerValue(mode);
  // Records go to `staging`, then after the tables (if a TILE_PHOTO tile
  // needs them) to the message.
  const recordsStart = p;
  let q = staging;
  let photoTiles = 0;
  let records: u32 = 0;
  let last = -1;
  for (let t = 0; t < tiles; t++) {
    if (load<u8>(tileMap + t) == 0) continue;
    const tx = t % tilesX;
    const ty = t / tilesX;
    const x0 = tx << tileLog2;
    const y0 = ty << tileLog2;
    const tw = min(size, width - x0);
    const th = min(size, height - y0);
    // Body goes after room for the record head, then slides down to it.
    const body = q + 12;
    let len = 0;
    let kind: u8 = 0;
    if (mode == MODE_VIDEO) {
      len = encodeVideoTile(x0, y0, tw, th, bgrx, body);
      kind = videoKind;
    } else {
      // Straight into the next history slot: an LZ or RAW tile stays there.
      const vals = historySlot(history);
      extractTile(current, width, x0, y0, tw, th, bgrx, mode, vals);
      len = encodeTile(vals, tw * th, tw, th, bpp, body, history, hashTable, indices, lzScratch, planes);
      kind = lastKind;
      if (kind == TILE_PHOTO) {
        // The message's tables: from the statistics of the last message
        // with photo tiles, or, without one, of this tile (counted whole).
        if (photoTiles == 0) {
          if (histogramsEmpty()) photoAnalyse(vals, tw, th, photoSymbols, true);
          buildTables();
        }
        photoAnalyse(vals, tw, th, photoSymbols, false);
        len = photoEncode(photoSymbols, tw * th, body, lzScratch);
        photoTiles++;
      }
    }
    q = writeVarint(q, <u32>(t - last - 1));
    store<u8>(q++, kind);
    q = writeVarint(q, <u32>len);
    memory.copy(q, body, len);
    q += len;
    last = t;
    records++;
    const k = statKinds + (<usize>kind << 2);
    store<i32>(k, load<i32>(k) + 1);
  }
  if (photoTiles > 0) {
    store<u8>(m + 1, load<u8>(m + 1) | FLAG_TABLES);
    p = writeTables(recordsStart);
  }
  memory.copy(p, staging, q - staging);
  p += q - staging;
  store<u32>(m + 12, records);
  const t = current;
  current = previous;
  previous = t;
  havePrevious = true;
  previousBgrx = bgrx;
  return <i32>(p - m);
}

let videoKind: u8 = 0;

/** Video mode: solid tiles stay exact; others lossy, or RAW if that is smaller. */
function encodeVideoTile(x0: i32, y0: i32, tw: i32, th: i32, bgrx: bool, out: usize): i32 {
  const npx = tw * th;
  extractTile(current, width, x0, y0, tw, th, bgrx, MODE_FULL, values);
  const first = load<u32>(values);
  let solid = true;
  for (let i = 1; i < npx && solid; i++) solid = load<u32>(values + (<usize>i << 2)) == first;
  if (solid) {
    videoKind = TILE_SOLID;
    return <i32>(putValue(out, first, 3) - out);
  }
  const len = encodeLossyTile(current, width, x0, y0, tw, th, bgrx, out, npx * 3, lzScratch);
  if (len >= 0) {
    videoKind = TILE_LOSSY;
    return len;
  }
  videoKind = TILE_RAW;
  let p = out;
  for (let i = 0; i < npx; i++) p = putValue(p, load<u32>(values + (<usize>i << 2)), 3);
  return npx * 3;
}

/** Raw tile diff of the current input against the previous frame, for benchmarks. */
export function encoderDiffOnly(): i32 {
  diffChanged = diffTiles(current, previous, width, height, tileLog2, tileMap);
  diffReady = havePrevious;
  return diffChanged;
}

export function encoderTileMap(): usize {
  return tileMap;
}
