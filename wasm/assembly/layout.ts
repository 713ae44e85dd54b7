// Linear-memory layout of one codec instance. Each encoder or decoder stream
// owns its own WebAssembly instance, so these globals describe one stream.
// Regions are carved from __heap_base upwards, 16-byte aligned (v128 loads),
// and the memory is grown to cover them once, at init. Nothing is freed: a
// new size means a new instance.
//
// Encoder instance                          Decoder instance
// ┌───────────────────────┐ __heap_base     ┌───────────────────────┐
// │ frame A   W·H·4       │ raw input,      │ framebuffer W·H·4     │ RGBA, row-major,
// │ frame B   W·H·4       │ RGBA or BGRX;   │                       │ byte order R,G,B,A
// │                       │ "current" and   ├───────────────────────┤
// │                       │ "previous" swap │ history   W·H·4       │ RGBA of LZ/RAW tiles
// ├───────────────────────┤ after encode    ├───────────────────────┤
// │ tile map  tiles·1     │ 1 = changed     │ scratch   3·128²·4    │ predict/lossy planes,
// │ tile vec  tiles·1     │ motion vector # │                       │ photo symbols
// ├───────────────────────┤                 ├───────────────────────┤
// │ history   W·H·4       │ u32 values of   │ stage     W·H·4       │ other tiles' RGBA,
// │                       │ LZ/RAW tiles    │                       │ before applying
// ├───────────────────────┤                 ├───────────────────────┤
// │ hash      HASH·4      │ LZ match finder │ records   tiles16·8   │ tile #, pixel addr
// │ values    2·128²·4    │ one tile, u32   ├───────────────────────┤
// │ indices   128²        │ palette indices │ message   grows       │ copied in by JS,
// │ lz out    2·128²·4+64 │ LZ trial, lossy,│           + slack     │ + 1032 readable bytes
// │                       │ photo bits      │                       │ (photo.ts)
// │ planes    3·128²·4    │ predict.ts,     └───────────────────────┘
// │                       │ photo streams
// ├───────────────────────┤
// │ output    worst case  │ one update message
// │ staging   worst case  │ records, before the table section goes first
// │ photo     128²·4      │ one photo tile's symbols, u32 a pixel
// └───────────────────────┘
//
// "Pixel value" means the colour mode's native value widened to u32
// (see colour.ts); the encoder's history holds those, one per pixel, in
// message order; the decoder's holds the same pixels expanded to RGBA.

export const MAX_TILE_PIXELS: i32 = 128 * 128;
export const HASH_BITS: i32 = 13;
export const HASH_SIZE: i32 = 1 << HASH_BITS;

let top: usize = 0;

/** Starts a fresh layout at the heap base. */
export function layoutReset(): void {
  top = (__heap_base + 15) & ~(<usize>15);
}

/** Reserves `bytes` at the current top; the memory is not grown yet. */
export function reserve(bytes: usize): usize {
  const p = top;
  top = (top + bytes + 15) & ~(<usize>15);
  return p;
}

export function layoutTop(): usize {
  return top;
}

/** Grows memory to cover everything up to `end`; false when the host refuses. */
export function ensureMemory(end: usize): bool {
  const needPages = <i32>((end + 0xffff) >>> 16);
  const have = memory.size();
  if (needPages > have) {
    if (memory.grow(needPages - have) < 0) return false;
  }
  return true;
}
