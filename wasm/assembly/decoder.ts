// Decoder: applies update messages to an RGBA framebuffer. Input is hostile:
// every field is checked before it is used, every loop is bounded by the
// message length or the tile's pixel count, and writes go only to this
// instance's regions.
//
// Validate, then apply: pass 1 checks the header and every copy record and
// decodes every tile into the staging regions (LZ/RAW tiles into the LZ
// history, which holds RGBA; all other tiles one after another into the
// stage), noting for each record its tile and where its pixels are. Only if
// the whole message is good does pass 2 run the copies on the framebuffer and
// copy the staged tiles into it, row by row. A rejected message therefore
// changes nothing, and the stream can go on (or ask for a key frame).
//
//   record list, one entry per tile record:  u32 tile index, u32 pixel address
//   staged tile: tw×th RGBA u32, row-major, rows packed (stride tw)

import { FORMAT_VERSION, HEADER_BYTES, COPY_BYTES, FLAG_KEY, FLAG_TABLES, MODE_COUNT, MODE_VIDEO, MODE_FULL, TILE_LOSSY, TILE_PHOTO,
         MIN_TILE_LOG2, MAX_TILE_LOG2, MAX_DIMENSION, bytesPerValue,
         ERR_TRUNCATED, ERR_VERSION, ERR_HEADER, ERR_SIZE, ERR_COPY, ERR_TILE_INDEX, ERR_TILE_KIND,
         ERR_TRAILING, ERR_MEMORY, ERR_TILE_BODY } from './format';
import { layoutReset, reserve, ensureMemory, layoutTop, MAX_TILE_PIXELS } from './layout';
import { LZ_COPY_SLACK } from './lz';
import { readAt, readVarint, readOk, readPos, readByte } from './bytes';
import { decodeTile, tileCoderReset, tilePixels } from './tile';
import { decodeLossyTile } from './lossy';
import { copyRect } from './copy';
import { decodePhotoTile, PHOTO_READ_SLACK } from './photo';
import { readTable, PLANES } from './huffman';

// Bytes the message buffer keeps readable past the message: literal loads
// read a whole u32 for a 3-byte value, TILE_PHOTO's bit reader reads ahead.
const MESSAGE_SLACK: usize = PHOTO_READ_SLACK;

let width = 0;
let height = 0;
let framebuffer: usize = 0;
let history: usize = 0;
let scratch: usize = 0;
let stage: usize = 0;
let recordList: usize = 0;
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
  history = reserve(<usize>w * h * 4 + LZ_COPY_SLACK); // LZ copies may write past a tile's end
  scratch = reserve(<usize>MAX_TILE_PIXELS * 4 * 3);
  stage = reserve(<usize>w * h * 4);
  // At most one record per tile; the smallest tiles (16 px) give the most.
  recordList = reserve(<usize>(((w + 15) >> 4) * ((h + 15) >> 4)) * 8);
  message = layoutTop();
  messageCap = 0;
  if (!ensureMemory(message)) return ERR_MEMORY;
  // Touch the staging regions now, so the first message does not pay for
  // the host faulting in fresh pages (some 16 MB at 1920x1080).
  memory.fill(history, 0, <usize>w * h * 4);
  memory.fill(stage, 0, <usize>w * h * 4);
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
    if (!ensureMemory(message + <usize>len + MESSAGE_SLACK)) return 0;
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
  if ((flags & ~(FLAG_KEY | FLAG_TABLES)) != 0 || mode >= MODE_COUNT || tileLog2 < MIN_TILE_LOG2 || tileLog2 > MAX_TILE_LOG2
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
  }
  const copyList = m + HEADER_BYTES;
  const tables = (flags & FLAG_TABLES) != 0;
  if (tables) {
    if (mode != MODE_FULL) return ERR_HEADER;
    for (let plane = 0; plane < PLANES; plane++) {
      p = readTable(plane, p, end);
      if (p == 0) return ERR_TILE_BODY;
    }
  }
  tileCoderReset();
  const bpp = bytesPerValue(mode);
  let index: i64 = -1;
  let staged = stage;
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
    let at = staged;
    if (kind == TILE_PHOTO) {
      err = tables ? decodePhotoTile(body, bodyEnd, staged, tw, th, scratch) : ERR_TILE_KIND;
    } else if (kind == TILE_LOSSY) {
      err = mode == MODE_VIDEO
        ? decodeLossyTile(body, bodyEnd, staged, tw, 0, 0, tw, th, scratch)
        : ERR_TILE_KIND;
    } else {
      err = decodeTile(kind, body, bodyEnd, staged, tw, 0, 0, tw, th, mode, bpp, history, scratch);
      at = tilePixels;
    }
    if (err != 0) return err;
    if (at == staged) staged += <usize>(tw * th) << 2;
    const rec = recordList + (<usize>r << 3);
    store<u32>(rec, <u32>t);
    store<u32>(rec + 4, <u32>at);
    readAt(bodyEnd);
  }
  if (readPos != end) return ERR_TRAILING;

  // Pass 2: the message is good; apply it.
  for (let c = 0; c < copies; c++) {
    const q = copyList + <usize>(c * COPY_BYTES);
    const cw = <i32>load<u16>(q + 8);
    const ch = <i32>load<u16>(q + 10);
    copyRect(framebuffer, width, <i32>load<u16>(q), <i32>load<u16>(q + 2), <i32>load<u16>(q + 4), <i32>load<u16>(q + 6), cw, ch);
    decodedCopies++;
    decodedPixels += cw * ch;
  }
  const rowStride = <usize>width << 2;
  for (let r: u32 = 0; r < records; r++) {
    const rec = recordList + (<usize>r << 3);
    const t = <i32>load<u32>(rec);
    let src = <usize>load<u32>(rec + 4);
    const x0 = (t % tilesX) << tileLog2;
    const y0 = (t / tilesX) << tileLog2;
    const tw = min(size, width - x0);
    const th = min(size, height - y0);
    const rowBytes = <usize>tw << 2;
    let d = framebuffer + ((<usize>y0 * <usize>width + <usize>x0) << 2);
    for (let y = 0; y < th; y++, d += rowStride, src += rowBytes) memory.copy(d, src, rowBytes);
    decodedTiles++;
    decodedPixels += tw * th;
  }
  return 0;
}
