// Adaptive binary range coder (the LZMA "rc" scheme: 11-bit probabilities,
// adaptation shift 5, carry propagation through a cached byte). Used by the
// lossy, lossless-predictive and context-coded tiles. The decoder never reads
// past its slice: bytes beyond the end read as zero and are counted, and
// callers reject a body that needed more than FLUSH_SLACK of them.
//
// Two bytes-per-tile savings over plain LZMA framing, which matter for small
// tiles: the first output byte (always 0 in LZMA, since low + range never
// exceeds 1.0) is not written, and the flush picks the value in
// [low, low + range) with the most trailing zero bytes, then drops up to 4
// trailing zero bytes, which the decoder reads back as its zeros past the end.

const TOP: u32 = 1 << 24;
const PROB_BITS: u32 = 11;
const PROB_ONE: u32 = 1 << PROB_BITS;
const MOVE_BITS: u32 = 5;
export const PROB_INIT: u16 = <u16>(PROB_ONE >> 1);
// Bytes a decoder may read past its slice: the decoder reads exactly as many
// bytes as the encoder produced, so at most the dropped trailing zeros.
export const FLUSH_SLACK: i32 = 4;

// ---- encoder ----
let low: u64 = 0;
let range: u32 = 0xffffffff;
let cache: u32 = 0;
let cacheSize: i32 = 1;
let outPos: usize = 0;
let outStart: usize = 0;
let outEnd: usize = 0;
let skipFirst = true;
/** Set when the output would pass outEnd; the caller falls back to RAW. */
export let encOverflow = false;

export function encStart(out: usize, end: usize): void {
  low = 0;
  range = 0xffffffff;
  cache = 0;
  cacheSize = 1;
  outPos = out;
  outStart = out;
  outEnd = end;
  skipFirst = true;
  encOverflow = false;
}

function shiftLow(): void {
  if (low < 0xff000000 || low > 0xffffffff) {
    const carry = <u32>(low >> 32);
    let temp = cache;
    do {
      if (skipFirst) skipFirst = false; // always 0, see the top of the file
      else if (outPos < outEnd) store<u8>(outPos++, <u8>(temp + carry));
      else encOverflow = true;
      temp = 0xff;
    } while (--cacheSize != 0);
    cache = <u32>((low >> 24) & 0xff);
  }
  cacheSize++;
  low = (low & 0x00ffffff) << 8;
}

@inline export function encBit(prob: usize, bit: u32): void {
  const p = <u32>load<u16>(prob);
  const bound = (range >> PROB_BITS) * p;
  if (bit == 0) {
    range = bound;
    store<u16>(prob, <u16>(p + ((PROB_ONE - p) >> MOVE_BITS)));
  } else {
    low += <u64>bound;
    range -= bound;
    store<u16>(prob, <u16>(p - (p >> MOVE_BITS)));
  }
  while (range < TOP) {
    range <<= 8;
    shiftLow();
  }
}

/** Codes the low n bits of v (MSB first) at p = 1/2, without a model (LZMA's direct bits). */
@inline export function encDirect(v: u32, n: i32): void {
  for (let k = n - 1; k >= 0; k--) {
    range >>>= 1;
    if ((v >> <u32>k) & 1) low += <u64>range;
    while (range < TOP) {
      range <<= 8;
      shiftLow();
    }
  }
}

/** Flushes and returns the end of the output. */
export function encFinish(): usize {
  // range >= 2^24 here, so rounding low up to a multiple of 2^24 stays inside
  // [low, low + range); try coarser multiples first for more zero bytes.
  for (let k: u64 = 32; k >= 24; k -= 8) {
    const unit: u64 = (<u64>1) << k;
    const v = (low + unit - 1) & ~(unit - 1);
    if (v < low + <u64>range) { low = v; break; }
  }
  for (let i = 0; i < 5; i++) shiftLow();
  for (let k = 0; k < FLUSH_SLACK && outPos > outStart && load<u8>(outPos - 1) == 0; k++) outPos--;
  return outPos;
}

// ---- decoder ----
let code: u32 = 0;
let drange: u32 = 0;
let inPos: usize = 0;
let inEnd: usize = 0;
/** Bytes read past the end of the slice (as zeros). */
export let overrun = 0;

@inline function nextByte(): u32 {
  if (inPos < inEnd) return <u32>load<u8>(inPos++);
  overrun++;
  return 0;
}

export function decStart(src: usize, end: usize): void {
  inPos = src;
  inEnd = end;
  overrun = 0;
  code = 0;
  drange = 0xffffffff;
  // The encoder's first byte (always 0) is implied.
  for (let i = 0; i < 4; i++) code = (code << 8) | nextByte();
}

@inline export function decBit(prob: usize): u32 {
  const p = <u32>load<u16>(prob);
  const bound = (drange >> PROB_BITS) * p;
  let bit: u32 = 0;
  if (code < bound) {
    drange = bound;
    store<u16>(prob, <u16>(p + ((PROB_ONE - p) >> MOVE_BITS)));
  } else {
    code -= bound;
    drange -= bound;
    store<u16>(prob, <u16>(p - (p >> MOVE_BITS)));
    bit = 1;
  }
  while (drange < TOP) {
    drange <<= 8;
    code = (code << 8) | nextByte();
  }
  return bit;
}

/** Reads n direct bits (see encDirect). */
@inline export function decDirect(n: i32): u32 {
  let v: u32 = 0;
  for (let k = 0; k < n; k++) {
    drange >>>= 1;
    let bit: u32 = 0;
    if (code >= drange) { code -= drange; bit = 1; }
    v = (v << 1) | bit;
    while (drange < TOP) {
      drange <<= 8;
      code = (code << 8) | nextByte();
    }
  }
  return v;
}

export function decConsumed(): usize {
  return inPos;
}
