// Decoder: applies update messages to an RGBA framebuffer. Input is hostile:
// every field is checked before it is used, every loop is bounded by the
// message length or the tile's pixel count, and writes go only to the
// framebuffer rectangle of a validated tile or copy, or to the history slot of
// the tile being decoded. On error the framebuffer holds a partly applied
// update (never anything outside it); the caller should ask for a key frame.

import { FORMAT_VERSION, HEADER_BYTES, COPY_BYTES, FLAG_KEY, MODE_COUNT, MODE_VIDEO, TILE_LOSSY,
         MIN_TILE_LOG2, MAX_TILE_LOG2, MAX_DIMENSION, bytesPerValue,
         ERR_TRUNCATED, ERR_VERSION, ERR_HEADER, ERR_SIZE, ERR_COPY, ERR_TILE_INDEX, ERR_TILE_KIND,
         ERR_TILE_BODY, ERR_TRAILING, ERR_MEMORY } from './format';
import { layoutReset, reserve, ensureMemory, layoutTop, MAX_TILE_PIXELS } from './layout';
import { readAt, readVarint, readOk, readPos, readByte } from './bytes';
import { decodeTile, tileCoderReset } from './tile';
import { decodeLossyTile } from './lossy';
import { copyRect } from './copy';

let width = 0;
let height = 0;
let framebuffer: usize = 0;
let history: usize = 0;
let scratch: usize = 0;
let message: usize = 0;
let messageCap: usize = 0;
// Statistics of the last decoded message, for tests and benchmarks.
export let decodedTiles = 0;
export let decodedCopies = 0;
export let decodedPixels = 0;

export function decoderInit(w: i32, h: i32): i32 {
  if (w < 1 || h < 1 || w > MAX_DIMENSION || h > MAX_DIMENSION) return ERR_SIZE;
  width = w;
  height = h;
  layoutReset();
  framebuffer = reserve(<usize>w * h * 4);
  history = reserve(<usize>w * h * 4);
  scratch = reserve(<usize>MAX_TILE_PIXELS * 4 * 3);
  message = layoutTop();
  messageCap = 0;
  if (!ensureMemory(message)) return ERR_MEMORY;
  // Opaque black until the first key frame.
  const fbEnd = framebuffer + <usize>w * h * 4;
  for (let p = framebuffer; p < fbEnd; p += 4) store<u32>(p, 0xff000000);
  return 0;
}

export function decoderFramebuffer(): usize {
  return framebuffer;
}

/** Makes room for a message of `len` bytes; returns where to put it, or 0. */
export function decoderMessageBuffer(len: i32): usize {
  if (len < 0) return 0;
  if (<usize>len > messageCap) {
    if (!ensureMemory(message + <usize>len)) return 0;
    messageCap = <usize>len;
  }
  return message;
}

export function decodeMessage(len: i32): i32 {
  decodedTiles = 0;
  decodedCopies = 0;
  decodedPixels = 0;
  if (len < 0 || <usize>len > messageCap) return ERR_TRUNCATED;
  const m = message;
  const end = m + <usize>len;
  if (len < HEADER_BYTES) return ERR_TRUNCATED;
  if (load<u8>(m) != FORMAT_VERSION) return ERR_VERSION;
  const flags = load<u8>(m + 1);
  const mode = <i32>load<u8>(m + 2);
  const tileLog2 = <i32>load<u8>(m + 3);
  if ((flags & ~FLAG_KEY) != 0 || mode >= MODE_COUNT || tileLog2 < MIN_TILE_LOG2 || tileLog2 > MAX_TILE_LOG2
      || load<u16>(m + 10) != 0) return ERR_HEADER;
  if (<i32>load<u16>(m + 4) != width || <i32>load<u16>(m + 6) != height) return ERR_SIZE;
  const copies = <i32>load<u16>(m + 8);
  const records = load<u32>(m + 12);
  const size = 1 << tileLog2;
  const tilesX = (width + size - 1) >> tileLog2;
  const tilesY = (height + size - 1) >> tileLog2;
  const tiles = <u32>(tilesX * tilesY);
  if (records > tiles) return ERR_TILE_INDEX;
  if ((flags & FLAG_KEY) != 0 && (records != tiles || copies != 0)) return ERR_HEADER;
  let p = m + HEADER_BYTES;
  if (<usize>copies * COPY_BYTES > end - p) return ERR_TRUNCATED;
  for (let c = 0; c < copies; c++, p += COPY_BYTES) {
    const sx = <i32>load<u16>(p);
    const sy = <i32>load<u16>(p + 2);
    const dx = <i32>load<u16>(p + 4);
    const dy = <i32>load<u16>(p + 6);
    const cw = <i32>load<u16>(p + 8);
    const ch = <i32>load<u16>(p + 10);
    if (cw < 1 || ch < 1 || sx + cw > width || dx + cw > width || sy + ch > height || dy + ch > height) return ERR_COPY;
    copyRect(framebuffer, width, sx, sy, dx, dy, cw, ch);
    decodedCopies++;
    decodedPixels += cw * ch;
  }
  tileCoderReset();
  const bpp = bytesPerValue(mode);
  let index: i64 = -1;
  readAt(p);
  for (let r: u32 = 0; r < records; r++) {
    const skip = readVarint(end);
    if (!readOk) return ERR_TRUNCATED;
    index += 1 + <i64>skip;
    if (index >= <i64>tiles) return ERR_TILE_INDEX;
    if (readPos >= end) return ERR_TRUNCATED;
    const kind = <u8>readByte();
    const bodyLen = readVarint(end);
    if (!readOk) return ERR_TRUNCATED;
    if (<usize>bodyLen > end - readPos) return ERR_TRUNCATED;
    const body = readPos;
    const bodyEnd = body + <usize>bodyLen;
    const t = <i32>index;
    const tx = t % tilesX;
    const ty = t / tilesX;
    const x0 = tx << tileLog2;
    const y0 = ty << tileLog2;
    const tw = min(size, width - x0);
    const th = min(size, height - y0);
    let err = 0;
    if (kind == TILE_LOSSY) {
      err = mode == MODE_VIDEO
        ? decodeLossyTile(body, bodyEnd, framebuffer, width, x0, y0, tw, th, scratch)
        : ERR_TILE_KIND;
    } else {
      err = decodeTile(kind, body, bodyEnd, framebuffer, width, x0, y0, tw, th, mode, bpp, history, scratch);
    }
    if (err != 0) return err;
    decodedTiles++;
    decodedPixels += tw * th;
    readAt(bodyEnd);
  }
  if (readPos != end) return ERR_TRAILING;
  return 0;
}
