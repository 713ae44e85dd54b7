// Context-coded palette tiles (TILE_CONTEXT): the tile's palette indices,
// coded one pixel at a time with the adaptive binary range coder under
// contexts taken from already coded neighbours. Text, terminals and UI are
// mostly two colours or a few, in shapes that repeat locally; a neighbour
// context predicts them far better than packed indices or LZ literals do.
//
// The probabilities live for one message: reset at its start, carried from
// one context tile to the next in message order, so a message's text tiles
// teach each other. Tiles that go out in another encoding leave them as they
// were (the encoder restores its snapshot when it picks something else).
//
// Palette order: by pixel count, most frequent first, so index 0 is the
// background. Neighbours outside the tile read as index 0.
//
// Two colours (JBIG-style template, one binary decision per pixel; bit =
// index != 0). Context = the 10 neighbours marked o, X being coded:
//
//         o o o          row y-2: x-1 .. x+1
//       o o o o o        row y-1: x-2 .. x+2
//       o o X            row y:   x-2, x-1
//
// Three or more colours: candidates are the distinct values among W, N, NE,
// NW (left, above, above-right, above-left), in that order. For each, one
// flag "X equals it", context = which neighbour it is × a 6-bit equality
// pattern (W=N, W=NW, N=NE, N=NW, W=WW, N=NN). A flag is implied true when
// the candidates are the whole palette and it is the last one. If no
// candidate matched, the index's rank among the other palette entries is
// coded as a binary tree of ceil(log2 m) bits (m entries left), with contexts
// per tree width and node.
//
// Body (format.ts): u8 n (2..MAX_CONTEXT_PALETTE), n palette values, then the
// range-coded bits.

import { encStart, encBit, encFinish, encOverflow, decStart, decBit, overrun, FLUSH_SLACK, PROB_INIT } from './range-coder';

const TEMPLATE_CONTEXTS = 1 << 10;
const PATTERN_CONTEXTS = 64;
const CANDIDATES = 4;
const RANK_WIDTHS = 8;    // up to 256 palette entries
const RANK_NODES = 256;
const P_TEMPLATE = 0;
const P_CAND = P_TEMPLATE + TEMPLATE_CONTEXTS;
const P_RANK = P_CAND + CANDIDATES * PATTERN_CONTEXTS;
const P_TOTAL = P_RANK + RANK_WIDTHS * RANK_NODES;
const probs = memory.data(P_TOTAL * 2);
const saved = memory.data(P_TOTAL * 2);

// Index plane with a border: 2 rows above, 2 columns either side, all 0.
//   stride = tw + 4; pixel (x, y) at (y + 2) · stride + x + 2.
const BORDER = 2;
const PLANE_STRIDE_MAX = 128 + 2 * BORDER;
export const plane = memory.data(PLANE_STRIDE_MAX * (128 + BORDER));

/** Message start: every context back to p = 1/2. */
export function contextReset(): void {
  for (let i = 0; i < P_TOTAL; i++) store<u16>(probs + (<usize>i << 1), PROB_INIT);
}

/** Encoder: keep the model before trying a tile, to put it back if not chosen. */
export function contextSave(): void {
  memory.copy(saved, probs, P_TOTAL * 2);
}

export function contextRestore(): void {
  memory.copy(probs, saved, P_TOTAL * 2);
}

/** Clears the plane's border (and interior) for a tw×th tile. */
export function planeClear(tw: i32, th: i32): void {
  memory.fill(plane, 0, <usize>(tw + 2 * BORDER) * (th + BORDER));
}

/** Address of plane pixel (x, y) for a tile tw wide. */
@inline export function planeAt(tw: i32, x: i32, y: i32): usize {
  return plane + <usize>((y + BORDER) * (tw + 2 * BORDER) + x + BORDER);
}

@inline function prob(i: i32): usize {
  return probs + (<usize>i << 1);
}

@inline function templateContext(p: usize, s: usize): i32 {
  const s2 = s << 1;
  return <i32>((load<u8>(p - s2 - 1) != 0 ? 1 : 0)
    | (load<u8>(p - s2) != 0 ? 2 : 0)
    | (load<u8>(p - s2 + 1) != 0 ? 4 : 0)
    | (load<u8>(p - s - 2) != 0 ? 8 : 0)
    | (load<u8>(p - s - 1) != 0 ? 16 : 0)
    | (load<u8>(p - s) != 0 ? 32 : 0)
    | (load<u8>(p - s + 1) != 0 ? 64 : 0)
    | (load<u8>(p - s + 2) != 0 ? 128 : 0)
    | (load<u8>(p - 2) != 0 ? 256 : 0)
    | (load<u8>(p - 1) != 0 ? 512 : 0));
}

// Candidate values and their neighbour numbers for the current pixel.
let candCount = 0;
let cand0: u32 = 0, cand1: u32 = 0, cand2: u32 = 0, cand3: u32 = 0;
let src0 = 0, src1 = 0, src2 = 0, src3 = 0;

@inline function addCandidate(v: u32, src: i32): void {
  if (candCount > 0 && cand0 == v) return;
  if (candCount > 1 && cand1 == v) return;
  if (candCount > 2 && cand2 == v) return;
  if (candCount == 0) { cand0 = v; src0 = src; }
  else if (candCount == 1) { cand1 = v; src1 = src; }
  else if (candCount == 2) { cand2 = v; src2 = src; }
  else { cand3 = v; src3 = src; }
  candCount++;
}

@inline function candAt(k: i32): u32 {
  return k == 0 ? cand0 : k == 1 ? cand1 : k == 2 ? cand2 : cand3;
}

@inline function srcAt(k: i32): i32 {
  return k == 0 ? src0 : k == 1 ? src1 : k == 2 ? src2 : src3;
}

/** Gathers candidates for the pixel at p; returns the equality pattern. */
@inline function gather(p: usize, s: usize): i32 {
  const w = <u32>load<u8>(p - 1);
  const n = <u32>load<u8>(p - s);
  const nw = <u32>load<u8>(p - s - 1);
  const ne = <u32>load<u8>(p - s + 1);
  const ww = <u32>load<u8>(p - 2);
  const nn = <u32>load<u8>(p - (s << 1));
  candCount = 0;
  addCandidate(w, 0);
  addCandidate(n, 1);
  addCandidate(ne, 2);
  addCandidate(nw, 3);
  return (w == n ? 1 : 0) | (w == nw ? 2 : 0) | (n == ne ? 4 : 0) | (n == nw ? 8 : 0)
    | (w == ww ? 16 : 0) | (n == nn ? 32 : 0);
}

/** Candidates (sorted ascending) below v: the rank of v among non-candidates. */
@inline function candidatesBelow(v: u32): u32 {
  let k: u32 = 0;
  for (let i = 0; i < candCount; i++) if (candAt(i) < v) k++;
  return k;
}

/**
 * Encodes the plane (indices < n, tw×th, border 0) into [out, out + limit).
 * Returns the byte count, or -1 if it does not fit. Updates the model.
 */
export function encodeContextPlane(tw: i32, th: i32, n: i32, out: usize, limit: i32): i32 {
  const s = <usize>(tw + 2 * BORDER);
  encStart(out, out + <usize>limit);
  for (let y = 0; y < th; y++) {
    let p = planeAt(tw, 0, y);
    for (let x = 0; x < tw; x++, p++) {
      const v = <u32>load<u8>(p);
      if (n == 2) {
        encBit(prob(P_TEMPLATE + templateContext(p, s)), v);
        continue;
      }
      const pattern = gather(p, s);
      let found = false;
      for (let k = 0; k < candCount; k++) {
        const c = candAt(k);
        if (k == candCount - 1 && candCount == n) { found = true; break; } // implied
        const hit: u32 = v == c ? 1 : 0;
        encBit(prob(P_CAND + srcAt(k) * PATTERN_CONTEXTS + pattern), hit);
        if (hit) { found = true; break; }
      }
      if (found) continue;
      const m = <u32>(n - candCount);
      if (m < 2) continue;
      const rank = v - candidatesBelow(v);
      const bits = 32 - <i32>clz(m - 1);
      const base = P_RANK + (bits - 1) * RANK_NODES;
      let node: u32 = 1;
      for (let b = bits - 1; b >= 0; b--) {
        const bit = (rank >> <u32>b) & 1;
        encBit(prob(base + <i32>node), bit);
        node = (node << 1) | bit;
      }
    }
    if (encOverflow) return -1;
  }
  const end = encFinish();
  if (encOverflow) return -1;
  return <i32>(end - out);
}

/**
 * Decodes [src, end) into the plane (tw×th indices < n). False when the
 * bits name an index outside the palette or need more than FLUSH_SLACK bytes
 * past the end. Updates the model.
 */
export function decodeContextPlane(src: usize, end: usize, tw: i32, th: i32, n: i32): bool {
  const s = <usize>(tw + 2 * BORDER);
  planeClear(tw, th);
  decStart(src, end);
  for (let y = 0; y < th; y++) {
    let p = planeAt(tw, 0, y);
    for (let x = 0; x < tw; x++, p++) {
      if (n == 2) {
        store<u8>(p, <u8>decBit(prob(P_TEMPLATE + templateContext(p, s))));
        continue;
      }
      const pattern = gather(p, s);
      let v: u32 = 0xffffffff;
      for (let k = 0; k < candCount; k++) {
        if (k == candCount - 1 && candCount == n) { v = candAt(k); break; }
        if (decBit(prob(P_CAND + srcAt(k) * PATTERN_CONTEXTS + pattern))) { v = candAt(k); break; }
      }
      if (v == 0xffffffff) {
        const m = <u32>(n - candCount);
        let rank: u32 = 0;
        if (m >= 2) {
          const bits = 32 - <i32>clz(m - 1);
          const base = P_RANK + (bits - 1) * RANK_NODES;
          let node: u32 = 1;
          for (let b = 0; b < bits; b++) node = (node << 1) | decBit(prob(base + <i32>node));
          rank = node - (<u32>1 << <u32>bits);
          if (rank >= m) return false;
        } else if (m == 0) {
          return false;
        }
        // The rank-th palette index that is not a candidate.
        v = 0;
        let left = rank;
        while (true) {
          let isCand = false;
          for (let k = 0; k < candCount; k++) if (candAt(k) == v) isCand = true;
          if (!isCand) {
            if (left == 0) break;
            left--;
          }
          v++;
        }
      }
      store<u8>(p, <u8>v);
    }
    if (overrun > FLUSH_SLACK) return false;
  }
  return overrun <= FLUSH_SLACK;
}
