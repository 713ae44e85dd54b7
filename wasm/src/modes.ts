// Colour modes as the console names them, and their wire numbers
// (wasm/assembly/format.ts MODE_*).

export const COLOUR_MODES = {
  'full-colour': 0,
  'more-colours': 1,
  'few-colours': 2,
  'black-and-white': 3,
  'video-optimised': 4,
} as const;

export type ColourMode = keyof typeof COLOUR_MODES;

export const MODE_NAMES = Object.keys(COLOUR_MODES) as ColourMode[];

/** Lossless modes round-trip exactly after their reduction. */
export function isLossless(mode: ColourMode): boolean {
  return mode !== 'video-optimised';
}

/** Tile size (px) used when none is given; see wasm/FORMAT.md "Tile size". */
export const DEFAULT_TILE_SIZE = 32;

/**
 * Tile size (px) for a stream created in video-optimised mode: the lossy
 * coder's adaptive contexts restart per tile, and on `video` 64 px tiles
 * beat JPEG q75 (0.95x its bytes) where 32 px tiles do not (1.07x).
 */
export const VIDEO_TILE_SIZE = 64;

/**
 * Full-colour effort (the other modes ignore it; the decoder needs no
 * setting). 'fast', the default and what screen sharing uses, sends palette
 * and LZ tiles and codes photo-like tiles with Huffman-coded MED residuals
 * (TILE_PHOTO): about 0.73x zstd-1's bytes on the frame corpus, decoding at
 * ~2.7 GB/s. 'compact' uses adaptive range-coded tiles instead: 0.63x, but
 * photo-like tiles code at some 50 MB/s. See wasm/FORMAT.md "Full-colour
 * levels".
 */
export const LEVELS = { fast: 0, compact: 1 } as const;
export type Level = keyof typeof LEVELS;
export const DEFAULT_LEVEL: Level = 'fast';
