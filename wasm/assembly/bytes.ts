// Little helpers for writing and reading message bytes. Readers take an
// explicit end and report failure through `readOk`, so a truncated or
// malformed body can never make them read past their slice.

// Read cursor shared by the readers below; callers set it with readAt().
export let readOk: bool = true;
export let readPos: usize = 0;

@inline export function readAt(p: usize): void {
  readPos = p;
  readOk = true;
}

@inline export function readSkip(n: usize): void {
  readPos += n;
}

/** Reads one byte; the caller has checked readPos < end. */
@inline export function readByte(): u32 {
  return <u32>load<u8>(readPos++);
}

/** Writes v as unsigned LEB128; returns the new write position. */
@inline export function writeVarint(p: usize, v: u32): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

@inline export function varintSize(v: u32): i32 {
  let n = 1;
  while (v >= 0x80) { v >>= 7; n++; }
  return n;
}

/**
 * Reads an unsigned LEB128 at readPos (at most 5 bytes, value < 2^32). On a
 * truncated or overlong value sets readOk = false and returns 0.
 */
export function readVarint(end: usize): u32 {
  let v: u32 = 0;
  let shift: u32 = 0;
  while (true) {
    if (readPos >= end || shift > 28) { readOk = false; return 0; }
    const b = <u32>load<u8>(readPos++);
    if (shift == 28 && b > 0x0f) { readOk = false; return 0; }
    v |= (b & 0x7f) << shift;
    if ((b & 0x80) == 0) return v;
    shift += 7;
  }
}

/** Stores the low `bpp` bytes of v little-endian. */
@inline export function putValue(p: usize, v: u32, bpp: i32): usize {
  store<u8>(p, <u8>v);
  if (bpp > 1) store<u8>(p + 1, <u8>(v >> 8));
  if (bpp > 2) store<u8>(p + 2, <u8>(v >> 16));
  return p + bpp;
}

/** Loads a `bpp`-byte little-endian value; the caller has checked the bounds. */
@inline export function getValue(p: usize, bpp: i32): u32 {
  if (bpp == 3) return <u32>load<u16>(p) | (<u32>load<u8>(p + 2) << 16);
  if (bpp == 2) return <u32>load<u16>(p);
  return <u32>load<u8>(p);
}
