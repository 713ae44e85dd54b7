// Update-message byte layout, version 4: the one place the wire constants live.
// wasm/FORMAT.md describes the same layout for readers outside the code; both
// must change together, and any incompatible change bumps FORMAT_VERSION.
//
// All multi-byte integers are little-endian. "varint" is unsigned LEB128,
// at most 5 bytes.
//
//   offset  size  field
//   ------  ----  -----------------------------------------------------------
//        0     1  version            = FORMAT_VERSION (3)
//        1     1  flags              bit 0: key frame (every tile is present)
//                                    bit 1: a table section follows the copies
//        2     1  colour mode        MODE_* below
//        3     1  tile size log2     4..7 (16..128 px square tiles)
//        4     2  width  (px)        must equal the decoder's width
//        6     2  height (px)        must equal the decoder's height
//        8     2  copy count         C
//       10     2  reserved           = 0
//       12     4  tile record count  N
//       16  12*C  copy records       (see below), applied in order
//        …     …  table section      only with flag bit 1: three Huffman code
//                                    tables for TILE_PHOTO (huffman.ts)
//        …     …  N tile records     strictly increasing tile index
//
//   copy record (12 bytes): srcX u16, srcY u16, dstX u16, dstY u16, w u16, h u16.
//   Copies the w×h rectangle at (srcX,srcY) of the current framebuffer to
//   (dstX,dstY) as if through a temporary buffer (overlap-safe). Copies run
//   before any tile record is applied.
//
//   tile record:
//     varint  skip      tile index = previous index + 1 + skip (first: -1 + 1 + skip)
//     u8      encoding  TILE_* below
//     varint  length    body length in bytes
//     bytes   body
//
//   Tiles are numbered row-major, tilesX = ceil(width / size). Tiles on the
//   right and bottom edges are clipped to the frame; their bodies describe only
//   the clipped pixels (tw × th, row-major).
//
//   Pixel values in bodies are in the colour mode's native form, bpp bytes each
//   (little-endian): full colour R,G,B (3); more colours RGB565 (2); few colours
//   RGB332 (1); black and white 0 or 1 (1).
//
//   TILE_SOLID    value (bpp)
//   TILE_PACKED   u8 n (2..16), n palette values, then indices packed at
//                 1 (n = 2), 2 (n <= 4) or 4 (n <= 16) bits each, MSB first,
//                 the last byte zero-padded
//   TILE_RLE      u8 n (1..16), n palette values, then runs until tw*th pixels:
//                 u8 (index << 4 | c); c < 15: run length c + 1;
//                 c = 15: run length 16 + varint
//   TILE_LZ       LZ sequences over pixel values, see lz.ts
//   TILE_RAW      tw*th values
//   TILE_LOSSY    video-optimised body, see lossy.ts (only in MODE_VIDEO)
//   TILE_CONTEXT  u8 n - 1 (n = 2..256 in 1-byte modes, 2..16 otherwise),
//                 n palette values (most frequent first), then range-coded
//                 indices under neighbour contexts, see context.ts
//   TILE_PREDICT  full colour only: range-coded lossless YCoCg-R planes with
//                 MED prediction, see predict.ts
//   TILE_PHOTO    full colour only: MED-predicted residuals coded with the
//                 message's Huffman tables, see photo.ts; needs flag bit 1
//
//   Range-coded bodies (range-coder.ts) omit LZMA's always-zero first byte
//   and may omit up to 4 trailing zero bytes. TILE_CONTEXT tiles share one
//   adaptive model per message, reset at its start and updated tile by tile
//   in message order; every other tile decodes on its own or from the
//   message's LZ history.

export const FORMAT_VERSION: u8 = 4;
export const HEADER_BYTES: i32 = 16;
export const COPY_BYTES: i32 = 12;
export const FLAG_KEY: u8 = 1;
export const FLAG_TABLES: u8 = 2;

export const MODE_FULL: i32 = 0;   // lossless 24-bit
export const MODE_MORE: i32 = 1;   // 16-bit RGB565
export const MODE_FEW: i32 = 2;    // 8-bit RGB332
export const MODE_BW: i32 = 3;     // 1-bit black and white
export const MODE_VIDEO: i32 = 4;  // lossy, for photo and video content
export const MODE_COUNT: i32 = 5;

export const TILE_SOLID: u8 = 0;
export const TILE_PACKED: u8 = 1;
export const TILE_RLE: u8 = 2;
export const TILE_LZ: u8 = 3;
export const TILE_RAW: u8 = 4;
export const TILE_LOSSY: u8 = 5;
export const TILE_CONTEXT: u8 = 6;
export const TILE_PREDICT: u8 = 7;
export const TILE_PHOTO: u8 = 8;
export const TILE_KINDS: i32 = 9;

export const MIN_TILE_LOG2: i32 = 4;
export const MAX_TILE_LOG2: i32 = 7;
// Palette tiles hold at most this many colours: 4-bit indices, and the RLE
// byte keeps the index in its high nibble.
export const MAX_PALETTE: i32 = 16;

/** Largest TILE_CONTEXT palette: 256 in the 1-byte modes, else 16. */
export function maxContextPalette(bpp: i32): i32 {
  return bpp == 1 ? 256 : MAX_PALETTE;
}
// Frames are at most 16384 px on a side (u16 fields, and a bound on memory).
export const MAX_DIMENSION: i32 = 16384;

/** Bytes per pixel value in the mode's native form. */
export function bytesPerValue(mode: i32): i32 {
  if (mode == MODE_FULL || mode == MODE_VIDEO) return 3;
  if (mode == MODE_MORE) return 2;
  return 1;
}

// Decoder results: 0 is success, negatives are these errors. The TypeScript
// wrapper maps them to names (wasm/src/errors.ts); keep both in step.
export const ERR_TRUNCATED: i32 = -1;
export const ERR_VERSION: i32 = -2;
export const ERR_HEADER: i32 = -3;
export const ERR_SIZE: i32 = -4;
export const ERR_COPY: i32 = -5;
export const ERR_TILE_INDEX: i32 = -6;
export const ERR_TILE_KIND: i32 = -7;
export const ERR_TILE_BODY: i32 = -8;
export const ERR_PALETTE: i32 = -9;
export const ERR_LZ: i32 = -10;
export const ERR_TRAILING: i32 = -11;
export const ERR_MEMORY: i32 = -12;
