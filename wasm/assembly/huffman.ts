// Canonical Huffman codes over byte symbols, for TILE_PHOTO (photo.ts).
// One message carries up to PLANES code tables (format.ts "table section");
// every TILE_PHOTO tile of the message is coded with them.
//
// Contracts:
// - Codes are length-limited to MAX_CODE_BITS, so one table lookup of
//   MAX_CODE_BITS bits decodes any symbol, and one 64-bit refill covers a
//   whole pixel (3 symbols, at most 33 bits).
// - Bits are written least significant first; codes are stored bit-reversed
//   so the decoder can index its table with the low bits of its buffer.
// - The encoder always builds a complete code (Kraft sum exactly 1); the
//   decoder rejects any other, so every decode-table entry is valid and the
//   decode loop needs no per-symbol check.
//
// Serialised table (per plane): u8 m, then m+1 code lengths as nibbles (low
// nibble first, the last byte's high nibble 0 when m+1 is odd): the lengths
// of symbols 0..m; symbols above m have none.

export const MAX_CODE_BITS: i32 = 11;
export const DECODE_ENTRIES: i32 = 1 << MAX_CODE_BITS;
export const PLANES: i32 = 3;

// Per plane: 256 counts (u32, by residual byte), 256 encode entries (u32:
// len << 16 | reversed code, by residual byte), one decode table (u16: value << 4 | len, where value is the
// symbol's residual byte, zigzag⁻¹(symbol), see photo.ts).
// Counts come in HISTOGRAM_COPIES copies per plane (the encoder counts four
// pixels at a time, one copy per lane, so runs of one symbol do not queue on
// one counter); buildTables adds them up.
export const HISTOGRAM_COPIES: i32 = 4;
const countsBase = memory.data(HISTOGRAM_COPIES * PLANES * 256 * 4);
const encodeBase = memory.data(PLANES * 256 * 4);
const decodeBase = memory.data(PLANES * DECODE_ENTRIES * 2);
// Scratch for building: lengths, sorted symbols, node weights and parents.
const lengths = memory.data(256);
const sorted = memory.data(256 * 4);
const weight = memory.data(512 * 4);
const parent = memory.data(512 * 4);
const depth = memory.data(512 * 4);
const blCount = memory.data(16 * 4);
const nextCode = memory.data(16 * 4);

const zigzagCounts = memory.data(256 * 4);

/** Zigzag symbol of a residual byte: 0, -1, 1, -2, … → 0, 1, 2, 3, … */
@inline function zigzag(r: i32): i32 {
  return ((r << 1) ^ ((r << 24) >> 31)) & 0xff;
}

@inline export function histogram(plane: i32, copy: i32 = 0): usize {
  return countsBase + (<usize>(copy * PLANES + plane) << 10);
}

@inline export function encodeTable(plane: i32): usize {
  return encodeBase + (<usize>plane << 10);
}

@inline export function decodeTable(plane: i32): usize {
  return decodeBase + (<usize>plane * DECODE_ENTRIES * 2);
}

export function clearHistograms(): void {
  memory.fill(countsBase, 0, HISTOGRAM_COPIES * PLANES * 256 * 4);
}

@inline function gi(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }
@inline function si(base: usize, i: i32, v: i32): void { store<i32>(base + (<usize>i << 2), v); }

/**
 * Code lengths (into `lengths`) for the 256 counts at `counts`, at most
 * MAX_CODE_BITS each; at least two symbols get a length, so the code is
 * complete.
 */
function buildLengths(counts: usize): void {
  memory.fill(lengths, 0, 256);
  // Symbols that occur, sorted by count (stable by symbol).
  let n = 0;
  for (let s = 0; s < 256; s++) {
    const c = gi(counts, s);
    if (c == 0) continue;
    let j = n;
    while (j > 0 && gi(counts, gi(sorted, j - 1)) > c) {
      si(sorted, j, gi(sorted, j - 1));
      j--;
    }
    si(sorted, j, s);
    n++;
  }
  if (n < 2) {
    // One symbol (or none): pair it with another so both get one bit.
    const only = n == 1 ? gi(sorted, 0) : 0;
    store<u8>(lengths + only, 1);
    store<u8>(lengths + (only == 0 ? 1 : 0), 1);
    return;
  }
  let shift = 0;
  while (true) {
    // Flattened counts keep the sorted order (the map is monotonic).
    for (let k = 0; k < n; k++) si(weight, k, max(1, gi(counts, gi(sorted, k)) >> shift));
    // Two-queue Huffman: leaves 0..n-1 sorted by weight, internal nodes
    // n..2n-2 created in non-decreasing weight order.
    let leaf = 0;
    let node = n;
    for (let k = n; k < 2 * n - 1; k++) {
      let a = 0, b = 0;
      if (leaf < n && (node >= k || gi(weight, leaf) <= gi(weight, node))) a = leaf++; else a = node++;
      if (leaf < n && (node >= k || gi(weight, leaf) <= gi(weight, node))) b = leaf++; else b = node++;
      si(weight, k, gi(weight, a) + gi(weight, b));
      si(parent, a, k);
      si(parent, b, k);
    }
    const root = 2 * n - 2;
    si(depth, root, 0);
    let deepest = 0;
    for (let k = root - 1; k >= 0; k--) {
      const d = gi(depth, gi(parent, k)) + 1;
      si(depth, k, d);
      if (k < n && d > deepest) deepest = d;
    }
    if (deepest <= MAX_CODE_BITS) {
      for (let k = 0; k < n; k++) store<u8>(lengths + gi(sorted, k), <u8>gi(depth, k));
      return;
    }
    shift++; // flatten the distribution and try again
  }
}

/** Canonical codes from `lengths` into the plane's encode table. */
function assignCodes(plane: i32): void {
  memory.fill(blCount, 0, 16 * 4);
  for (let s = 0; s < 256; s++) {
    const l = <i32>load<u8>(lengths + s);
    if (l) si(blCount, l, gi(blCount, l) + 1);
  }
  let code = 0;
  for (let l = 1; l <= MAX_CODE_BITS; l++) {
    code = (code + gi(blCount, l - 1)) << 1;
    si(nextCode, l, code);
  }
  const enc = encodeTable(plane);
  for (let s = 0; s < 256; s++) {
    const l = <i32>load<u8>(lengths + s);
    if (l == 0) { si(enc, s, 0); continue; }
    const c = gi(nextCode, l);
    si(nextCode, l, c + 1);
    // Reverse the l-bit code.
    let r = 0;
    for (let i = 0; i < l; i++) r |= ((c >> i) & 1) << (l - 1 - i);
    si(enc, s, (l << 16) | r);
  }
}

// Code lengths of the current tables, per plane, by zigzag symbol.
const planeLengths = memory.data(PLANES * 256);

/** True while no residual has been counted since the histograms were cleared. */
export function histogramsEmpty(): bool {
  for (let i = 0; i < HISTOGRAM_COPIES * PLANES * 256; i++) if (load<u32>(countsBase + (<usize>i << 2)) != 0) return false;
  return true;
}

/**
 * Builds the three planes' codes from the histograms, every residual byte
 * counted once more than it was (so each has a code, whatever the next
 * tiles hold), then clears the histograms for the next statistics.
 */
export function buildTables(): void {
  for (let plane = 0; plane < PLANES; plane++) {
    // The histogram counts residual bytes; the code is over their zigzag
    // symbols (small magnitudes first).
    for (let r = 0; r < 256; r++) {
      let c = 1;
      for (let k = 0; k < HISTOGRAM_COPIES; k++) c += gi(histogram(plane, k), r);
      si(zigzagCounts, zigzag(r), c);
    }
    buildLengths(zigzagCounts);
    memory.copy(planeLengths + (<usize>plane << 8), lengths, 256);
    assignCodes(plane);
    // Encode entries indexed by residual byte, as the encoder looks them up.
    const enc = encodeTable(plane);
    memory.copy(zigzagCounts, enc, 256 * 4);
    for (let r = 0; r < 256; r++) si(enc, r, gi(zigzagCounts, zigzag(r)));
  }
  clearHistograms();
}

/** Writes the three serialised tables of the current codes at `out`; returns the new write position. */
export function writeTables(out: usize): usize {
  let p = out;
  for (let plane = 0; plane < PLANES; plane++) {
    const len = planeLengths + (<usize>plane << 8);
    let m = 255;
    while (m > 0 && load<u8>(len + m) == 0) m--;
    store<u8>(p++, <u8>m);
    for (let s = 0; s <= m; s += 2) {
      const lo = <u32>load<u8>(len + s);
      const hi = s + 1 <= m ? <u32>load<u8>(len + s + 1) : 0;
      store<u8>(p++, <u8>(lo | (hi << 4)));
    }
  }
  return p;
}

/**
 * Reads one serialised table at p (not past `end`) into the plane's decode
 * table. Returns the position after it, or 0 if the table is truncated,
 * has a length above MAX_CODE_BITS, or is not a complete code.
 */
export function readTable(plane: i32, p: usize, end: usize): usize {
  if (p >= end) return 0;
  const m = <i32>load<u8>(p++);
  const bytes = <usize>((m + 2) >> 1);
  if (bytes > end - p) return 0;
  let kraft = 0;
  for (let s = 0; s <= m; s++) {
    const b = <i32>load<u8>(p + (<usize>s >> 1));
    const l = (s & 1) ? b >> 4 : b & 15;
    if (l > MAX_CODE_BITS) return 0;
    store<u8>(lengths + s, <u8>l);
    if (l) kraft += 1 << (MAX_CODE_BITS - l);
  }
  if ((m & 1) == 0 && (load<u8>(p + bytes - 1) >> 4) != 0) return 0;
  if (kraft != DECODE_ENTRIES) return 0;
  for (let s = m + 1; s < 256; s++) store<u8>(lengths + s, 0);
  assignCodes(plane);
  const dec = decodeTable(plane);
  const enc = encodeTable(plane);
  for (let s = 0; s <= m; s++) {
    const e = gi(enc, s);
    const l = e >>> 16;
    if (l == 0) continue;
    // The entry holds the value the symbol stands for in TILE_PHOTO, the
    // residual byte zigzag⁻¹(s), so the decoder needs no conversion.
    const value = ((s >> 1) ^ -(s & 1)) & 0xff;
    const entry = <u16>((value << 4) | l);
    for (let i = e & 0xffff; i < DECODE_ENTRIES; i += 1 << l) store<u16>(dec + (<usize>i << 1), entry);
  }
  return p + bytes;
}

/** Largest table section: PLANES tables of 1 + 128 bytes. */
export const TABLE_BYTES: i32 = PLANES * 129;
