// Scroll and move detection. A region that reappears shifted (a scrolled
// page, a dragged window) is sent as a copy record instead of its pixels.
//
// 1. Probes: up to MAX_PROBES changed tiles with some texture (flat tiles
//    match anywhere and say nothing). For each, look for the same tile in the
//    previous frame: first at the vectors already found, then at the last
//    frame's (a drag or a scroll goes on), then straight up and down over the
//    whole height (scrolling), then in a ±SEARCH_RADIUS window (moving
//    windows). Two "edge" pixels and their left neighbours are compared
//    first, so most positions cost a load or two. Once SETTLED_VOTES probes
//    agree on a vector, a probe that fits no known vector is not scanned for.
//    Probing gives up after MAX_FAILED_PROBES failures if nothing was found
//    (fewer when the last frame found nothing either).
// 2. Vectors with at least MIN_VOTES probes become candidates.
// 3. Every changed tile is tested against each candidate (exact compare of
//    the whole tile); matching tiles join runs per tile row, and runs with
//    the same span in consecutive rows merge into rectangles.
// 4. Each rectangle grows pixel by pixel towards changed tiles no other
//    rectangle holds, up to a tile less a pixel a side, while the content
//    goes on matching at its vector: a moved window's or a scrolled view's
//    edges rarely lie on tile borders. Unchanged columns at its sides are
//    trimmed first.
// 5. Rectangles are ordered so no copy reads pixels an earlier copy wrote;
//    a rectangle that cannot be ordered is dropped.
// 6. A changed tile is not sent when the copies cover it, or when its
//    pixels outside the copies did not change (every pixel a copy writes was
//    compared with the new frame).
//
// Equality is checked on raw frames; reductions are per pixel, so the
// decoder's reduced pixels match too.

import { rectEqual, spanEqual } from './diff';

export const MAX_COPIES: i32 = 32;
const MAX_PROBES: i32 = 24;
const MAX_VECTORS: i32 = 16;
const MAX_CANDIDATES: i32 = 4;
const MIN_VOTES: i32 = 2;
// Fewer changed tiles than this are sent as they are: a failed probe scans
// a whole column of the previous frame, which costs more than a few tiles
// (typing changes one or two).
const MIN_CHANGED_TILES: i32 = 8;
// Probing stops once this many probes found nothing while none found
// anything. A failed probe scans the whole column and the ±SEARCH_RADIUS
// window; on video or redrawn content (nothing moved) every probe fails.
// Probes are visited spread out (PROBE_STEP), so on desktop-drag the
// uncovered wallpaper at the top of the change does not use up the limit.
const MAX_FAILED_PROBES: i32 = 8;
// Once a vector is known, failed probes are mostly new content (the part of
// a scrolled page that came into view); this many end the probing too.
const MAX_FAILED_PROBES_FOUND: i32 = 12;
// After a frame whose probes all failed (video plays, content is redrawn),
// this many failures end the probing: motion that starts later is still
// found by the first probes on it, and the next frame tries again.
const MAX_FAILED_PROBES_AFTER_MISS: i32 = 3;
// Visiting order of the probes: a prime above MAX_PROBES, so coprime with
// any probe count.
const PROBE_STEP: i32 = 29;
// Window moves of up to this many px per frame are found in both axes.
const SEARCH_RADIUS: i32 = 128;
// A probe tile with more than this fraction of edge pixels is photo-like
// and not used as a probe (pickEdge).
const PHOTO_EDGES_NUM: i32 = 3;
const PHOTO_EDGES_DEN: i32 = 4;
// Votes that make a vector the frame's settled motion (see search()).
const SETTLED_VOTES: i32 = 3;
const NO_VECTOR: u8 = 0xff;

export const copyList = memory.data(MAX_COPIES * 12);
const vecDx = memory.data(MAX_VECTORS * 4);
const vecDy = memory.data(MAX_VECTORS * 4);
const vecVotes = memory.data(MAX_VECTORS * 4);
const probeTile = memory.data(MAX_PROBES * 4);
const probeEx = memory.data(MAX_PROBES * 4);
const probeValue = memory.data(MAX_PROBES * 4);
const probeValue2 = memory.data(MAX_PROBES * 4);
// Tiles of one band still matching a candidate (at most 16384 / 16).
const openTiles = memory.data(1024 * 4);
// Candidate rectangles before ordering: x, y, w, h, vector (i32 each).
const MAX_RECTS: i32 = 256;
const rects = memory.data(MAX_RECTS * 20);
const order = memory.data(MAX_RECTS * 4);

let vectors = 0;
// The previous frame's candidates: a dragged window or a scrolling page
// usually moves the same way again, so probes try these before scanning.
const hintDx = memory.data(MAX_CANDIDATES * 4);
const hintDy = memory.data(MAX_CANDIDATES * 4);
let hints = 0;
// The last frame that probed found no vector (see MAX_FAILED_PROBES_AFTER_MISS).
let missedLast = false;

@inline function vi(base: usize, i: i32): i32 { return load<i32>(base + (<usize>i << 2)); }
@inline function vs(base: usize, i: i32, v: i32): void { store<i32>(base + (<usize>i << 2), v); }

function vote(dx: i32, dy: i32): void {
  for (let k = 0; k < vectors; k++) {
    if (vi(vecDx, k) == dx && vi(vecDy, k) == dy) { vs(vecVotes, k, vi(vecVotes, k) + 1); return; }
  }
  if (vectors < MAX_VECTORS) {
    vs(vecDx, vectors, dx); vs(vecDy, vectors, dy); vs(vecVotes, vectors, 1);
    vectors++;
  }
}

// Probe state: the tile and two of its edge pixels (the first and the last
// found), each checked before the whole tile is compared.
let px0 = 0; let py0 = 0; let psize = 0; let ex = 0; let ey = 0; let evalue: u32 = 0;
let ex2 = 0; let ey2 = 0; let evalue2: u32 = 0;

@inline function tryAt(cur: usize, prev: usize, w: i32, h: i32, dx: i32, dy: i32): bool {
  const sx = px0 + dx;
  const sy = py0 + dy;
  if (sx < 0 || sy < 0 || sx + psize > w || sy + psize > h) return false;
  if (((load<u32>(prev + ((<usize>(sy + ey) * w + sx + ex) << 2)) ^ evalue) & 0xffffff) != 0) return false;
  if (((load<u32>(prev + ((<usize>(sy + ey2) * w + sx + ex2) << 2)) ^ evalue2) & 0xffffff) != 0) return false;
  // The pixels left of the edges: an edge is a transition, rarer than
  // either of its colours.
  if (((load<u32>(prev + ((<usize>(sy + ey) * w + sx + ex - 1) << 2)) ^ load<u32>(cur + ((<usize>(py0 + ey) * w + px0 + ex - 1) << 2))) & 0xffffff) != 0) return false;
  if (((load<u32>(prev + ((<usize>(sy + ey2) * w + sx + ex2 - 1) << 2)) ^ load<u32>(cur + ((<usize>(py0 + ey2) * w + px0 + ex2 - 1) << 2))) & 0xffffff) != 0) return false;
  return rectEqual(cur, px0, py0, prev, sx, sy, w, psize, psize);
}

/** Finds where the probe tile was in the previous frame and votes for it; false if nowhere. */
function search(cur: usize, prev: usize, w: i32, h: i32): bool {
  for (let k = 0; k < vectors; k++) {
    if (tryAt(cur, prev, w, h, vi(vecDx, k), vi(vecDy, k))) { vote(vi(vecDx, k), vi(vecDy, k)); return true; }
  }
  for (let k = 0; k < hints; k++) {
    if (tryAt(cur, prev, w, h, vi(hintDx, k), vi(hintDy, k))) { vote(vi(hintDx, k), vi(hintDy, k)); return true; }
  }
  // A vector that several probes agree on is the frame's motion; a probe
  // that fits none of the known vectors is then mostly new content (what the
  // move uncovered or scrolled into view), and scanning for it costs more
  // than it finds.
  for (let k = 0; k < vectors; k++) if (vi(vecVotes, k) >= SETTLED_VOTES) return false;
  for (let d = 1; d < h; d++) {
    if (tryAt(cur, prev, w, h, 0, d)) { vote(0, d); return true; }
    if (tryAt(cur, prev, w, h, 0, -d)) { vote(0, -d); return true; }
  }
  // Once scrolling is found (vertical vectors only), other moves are looked
  // for in the column only: a probe that fails then is mostly the content
  // that scrolled into view, and the window costs the most. A moved window
  // (a vector with dx != 0) keeps the window search for its other parts.
  if (vectors > 0) {
    let vertical = true;
    for (let k = 0; k < vectors; k++) if (vi(vecDx, k) != 0) vertical = false;
    if (vertical) return false;
  }
  // The window, row by row: four edge-pixel positions per v128 compare; a
  // lane that matches gets the full test. Same order as a scalar scan, so the
  // same vector wins. Loads may pass the row end by 12 bytes; the regions
  // after each frame (layout.ts) keep that inside memory.
  const mask = i32x4.splat(0x00ffffff);
  const want = i32x4.splat(<i32>(evalue & 0xffffff));
  const want2 = i32x4.splat(<i32>(evalue2 & 0xffffff));
  const wantLeft = i32x4.splat(<i32>(load<u32>(cur + ((<usize>(py0 + ey) * w + px0 + ex - 1) << 2)) & 0xffffff));
  const dxLo = max(-SEARCH_RADIUS, -px0);
  const dxHi = min(SEARCH_RADIUS, w - psize - px0);
  for (let dy = -SEARCH_RADIUS; dy <= SEARCH_RADIUS; dy++) {
    const sy = py0 + dy;
    if (sy < 0 || sy + psize > h) continue;
    const row = prev + ((<usize>(sy + ey) * w + px0 + ex) << 2);
    const row2 = prev + ((<usize>(sy + ey2) * w + px0 + ex2) << 2);
    for (let dx = dxLo; dx <= dxHi; dx += 4) {
      // Both edge pixels, four positions at once: a common colour at the
      // first edge alone matches all over a screen; with its left neighbour too.
      const at = row + (<usize>(<isize>dx) << 2);
      const hits = v128.and(v128.and(i32x4.eq(v128.and(v128.load(at), mask), want),
                                     i32x4.eq(v128.and(v128.load(at - 4), mask), wantLeft)),
                            i32x4.eq(v128.and(v128.load(row2 + (<usize>(<isize>dx) << 2)), mask), want2));
      if (!v128.any_true(hits)) continue;
      for (let k = dx; k < dx + 4 && k <= dxHi; k++) {
        if (k != 0 && tryAt(cur, prev, w, h, k, dy)) { vote(k, dy); return true; }
      }
    }
  }
  return false;
}

/**
 * Picks an edge pixel (differs from its left neighbour); false for flat
 * tiles, and for photo-like ones (nearly every pixel an edge): those are
 * mostly video or redrawn pictures, where every probe fails after scanning
 * its whole column and window. Moved content with text or lines in it is
 * still found, and its vector then applies to the photo tiles too.
 */
function pickEdge(cur: usize, w: i32): bool {
  let edges = 0;
  let samples = 0;
  for (let y = 0; y < psize; y += 4) {
    samples += psize - 1;
    const row = cur + ((<usize>(py0 + y) * w + px0) << 2);
    for (let x = 1; x < psize; x++) {
      const v = load<u32>(row + (<usize>x << 2));
      if (((v ^ load<u32>(row + (<usize>(x - 1) << 2))) & 0xffffff) != 0) {
        if (edges == 0) { ex = x; ey = y; evalue = v; }
        ex2 = x; ey2 = y; evalue2 = v;
        edges++;
      }
    }
  }
  return edges >= psize >> 2 && edges * PHOTO_EDGES_DEN < samples * PHOTO_EDGES_NUM;
}

/**
 * Finds copies for the changed tiles in `map`, writes them to copyList,
 * clears the copied tiles from `map` and returns the number of copies.
 * `vecMap` is scratch of one byte per tile.
 */
export function detectMotion(cur: usize, prev: usize, w: i32, h: i32, log2: i32, map: usize,
                             vecMap: usize, changed: i32): i32 {
  if (changed < MIN_CHANGED_TILES) return 0;
  const size = 1 << log2;
  const tilesX = (w + size - 1) >> log2;
  const tilesY = (h + size - 1) >> log2;
  const tiles = tilesX * tilesY;
  vectors = 0;
  psize = size;
  // Probe tiles: every stride-th changed tile with texture, then visited
  // spread out (from the middle, PROBE_STEP apart modulo their count) so a
  // region that cannot match (uncovered background at one end of a move)
  // does not use up the failures allowed.
  const stride = max(1, changed / MAX_PROBES);
  let seen = 0;
  let count = 0;
  for (let t = 0; t < tiles && count < MAX_PROBES; t++) {
    if (load<u8>(map + t) == 0) continue;
    if (seen++ % stride != 0) continue;
    px0 = (t % tilesX) << log2;
    py0 = (t / tilesX) << log2;
    if (px0 + size > w || py0 + size > h) continue;
    if (!pickEdge(cur, w)) continue;
    vs(probeTile, count, t);
    vs(probeEx, count, ex | (ey << 8) | (ex2 << 16) | (ey2 << 24));
    vs(probeValue, count, <i32>evalue);
    vs(probeValue2, count, <i32>evalue2);
    count++;
  }
  let failed = 0;
  const allowed = missedLast ? MAX_FAILED_PROBES_AFTER_MISS : MAX_FAILED_PROBES;
  for (let i = 0; i < count; i++) {
    const k = (count / 2 + i * PROBE_STEP) % count;
    const t = vi(probeTile, k);
    px0 = (t % tilesX) << log2;
    py0 = (t / tilesX) << log2;
    const e = <u32>vi(probeEx, k);
    ex = e & 0xff; ey = (e >> 8) & 0xff; ex2 = (e >> 16) & 0xff; ey2 = e >> 24;
    evalue = <u32>vi(probeValue, k);
    evalue2 = <u32>vi(probeValue2, k);
    if (!search(cur, prev, w, h) && ++failed >= (vectors == 0 ? allowed : MAX_FAILED_PROBES_FOUND)) break;
  }
  missedLast = count > 0 && vectors == 0;
  // Candidates: the best-voted vectors, in vote order.
  let cands = 0;
  for (let c = 0; c < MAX_CANDIDATES; c++) {
    let best = -1;
    for (let k = 0; k < vectors; k++) if (vi(vecVotes, k) >= MIN_VOTES && (best < 0 || vi(vecVotes, k) > vi(vecVotes, best))) best = k;
    if (best < 0) break;
    vs(vecVotes, best, -vi(vecVotes, best)); // taken
    // Move it to slot c.
    const dx = vi(vecDx, best); const dy = vi(vecDy, best);
    vs(vecDx, best, vi(vecDx, c)); vs(vecDy, best, vi(vecDy, c)); vs(vecVotes, best, vi(vecVotes, c));
    vs(vecDx, c, dx); vs(vecDy, c, dy); vs(vecVotes, c, 0);
    cands++;
  }
  hints = cands;
  for (let c = 0; c < cands; c++) { vs(hintDx, c, vi(vecDx, c)); vs(hintDy, c, vi(vecDy, c)); }
  if (cands == 0) return 0;
  // Match every changed tile against the candidates, a band of tiles at a
  // time and row by row, so both frames are read in memory order; a tile
  // leaves the band's open list at its first differing row.
  memory.fill(vecMap, NO_VECTOR, tiles);
  for (let c = 0; c < cands; c++) {
    const dx = vi(vecDx, c);
    const dy = vi(vecDy, c);
    for (let ty = 0; ty < tilesY; ty++) {
      const band = ty * tilesX;
      const y0 = ty << log2;
      const th = min(size, h - y0);
      const sy = y0 + dy;
      if (sy < 0 || sy + th > h) continue;
      let open = 0;
      for (let tx = 0; tx < tilesX; tx++) {
        const t = band + tx;
        if (load<u8>(map + t) == 0 || load<u8>(vecMap + t) != NO_VECTOR) continue;
        const sx = (tx << log2) + dx;
        if (sx < 0 || sx + min(size, w - (tx << log2)) > w) continue;
        vs(openTiles, open++, tx);
      }
      for (let r = 0; r < th && open > 0; r++) {
        const rowCur = cur + (<usize>((y0 + r) * w) << 2);
        const rowPrev = prev + (<usize>((sy + r) * w) << 2);
        let kept = 0;
        for (let i = 0; i < open; i++) {
          const tx = vi(openTiles, i);
          const x0 = tx << log2;
          const n = <usize>min(size, w - x0) << 2;
          if (spanEqual(rowCur + (<usize>x0 << 2), rowPrev + (<usize>(x0 + dx) << 2), n)) vs(openTiles, kept++, tx);
        }
        open = kept;
      }
      for (let i = 0; i < open; i++) store<u8>(vecMap + band + vi(openTiles, i), <u8>c);
    }
  }
  // Runs per tile row, merged down with the rectangle above of equal span.
  let n = 0;
  for (let ty = 0; ty < tilesY; ty++) {
    let tx = 0;
    while (tx < tilesX) {
      const c = load<u8>(vecMap + ty * tilesX + tx);
      if (c == NO_VECTOR) { tx++; continue; }
      let end = tx + 1;
      while (end < tilesX && load<u8>(vecMap + ty * tilesX + end) == c) end++;
      const x = tx << log2;
      const rw = min(end << log2, w) - x;
      const y = ty << log2;
      const rh = min(size, h - y);
      let merged = false;
      for (let k = n - 1; k >= 0; k--) {
        const r = rects + <usize>k * 20;
        if (load<i32>(r) == x && load<i32>(r, 8) == rw && load<i32>(r, 16) == <i32>c && load<i32>(r, 4) + load<i32>(r, 12) == y) {
          store<i32>(r, load<i32>(r, 12) + rh, 12);
          merged = true;
          break;
        }
      }
      if (!merged) {
        if (n == MAX_RECTS) {
          // Out of room: these tiles are sent as tiles.
          for (let k = tx; k < end; k++) store<u8>(vecMap + ty * tilesX + k, NO_VECTOR);
        } else {
          const r = rects + <usize>n * 20;
          store<i32>(r, x); store<i32>(r, y, 4); store<i32>(r, rw, 8); store<i32>(r, rh, 12); store<i32>(r, <i32>c, 16);
          n++;
        }
      }
      tx = end;
    }
  }
  // Tile-aligned rectangles stop short of what moved (a window's edges lie
  // inside tiles): grow each side pixel by pixel while the moved content
  // goes on, so the tiles at its edges need not be sent (below).
  for (let k = 0; k < n; k++) growRect(rects + <usize>k * 20, cur, prev, w, h, log2, map, vecMap, tilesX, tilesY);
  // Order: for each rectangle, the copy reads src; to be safe, sort by the
  // direction of travel (content moving up is copied top first), then accept
  // greedily while no source overlaps an accepted destination.
  for (let i = 0; i < n; i++) vs(order, i, i);
  for (let i = 1; i < n; i++) {
    const a = vi(order, i);
    const ka = sortKey(a);
    let j = i - 1;
    while (j >= 0 && sortKey(vi(order, j)) > ka) { vs(order, j + 1, vi(order, j)); j--; }
    vs(order, j + 1, a);
  }
  let copies = 0;
  for (let i = 0; i < n; i++) {
    const r = rects + <usize>vi(order, i) * 20;
    const x = load<i32>(r); const y = load<i32>(r, 4); const rw = load<i32>(r, 8); const rh = load<i32>(r, 12);
    const c = load<i32>(r, 16);
    const sx = x + vi(vecDx, c); const sy = y + vi(vecDy, c);
    let ok = copies < MAX_COPIES;
    for (let k = 0; k < copies && ok; k++) {
      const q = copyList + <usize>k * 12;
      const dx = <i32>load<u16>(q, 4); const dy = <i32>load<u16>(q, 6);
      const qw = <i32>load<u16>(q, 8); const qh = <i32>load<u16>(q, 10);
      if (sx < dx + qw && dx < sx + rw && sy < dy + qh && dy < sy + rh) ok = false;
    }
    if (ok) {
      const q = copyList + <usize>copies * 12;
      store<u16>(q, <u16>sx); store<u16>(q, <u16>sy, 2); store<u16>(q, <u16>x, 4); store<u16>(q, <u16>y, 6);
      store<u16>(q, <u16>rw, 8); store<u16>(q, <u16>rh, 10);
      copies++;
    }
  }
  // Every pixel an accepted copy writes equals the new frame's (each was
  // compared, and no copy reads what an earlier one wrote); every pixel
  // outside the copies keeps the previous frame's. A changed tile that a
  // copy touches is therefore not sent when its pixels outside the copies
  // did not change.
  for (let k = 0; k < copies; k++) {
    const q = copyList + <usize>k * 12;
    const x = <i32>load<u16>(q, 4); const y = <i32>load<u16>(q, 6);
    const rw = <i32>load<u16>(q, 8); const rh = <i32>load<u16>(q, 10);
    for (let ty = y >> log2; ty <= (y + rh - 1) >> log2; ty++) {
      for (let tx = x >> log2; tx <= (x + rw - 1) >> log2; tx++) {
        const t = ty * tilesX + tx;
        if (load<u8>(map + t) == 0) continue;
        const ax = tx << log2; const ay = ty << log2;
        const inside = ax >= x && ay >= y && min(ax + size, w) <= x + rw && min(ay + size, h) <= y + rh;
        if (inside || restUnchanged(cur, prev, w, h, ax, ay, size, copies)) store<u8>(map + t, 0);
      }
    }
  }
  return copies;
}

@inline function pixelMoved(cur: usize, prev: usize, w: i32, x: i32, y: i32, dx: i32, dy: i32): bool {
  return ((load<u32>(cur + ((<usize>y * w + x) << 2)) ^ load<u32>(prev + ((<usize>(y + dy) * w + x + dx) << 2))) & 0xffffff) == 0;
}

/**
 * How many pixels from (x, y) rightwards, up to `limit`, equal the previous
 * frame's at (x+dx, y+dy); four at a time.
 */
function movedRight(cur: usize, prev: usize, w: i32, x: i32, y: i32, dx: i32, dy: i32, limit: i32): i32 {
  const a = cur + ((<usize>y * w + x) << 2);
  const b = prev + ((<usize>(y + dy) * w + x + dx) << 2);
  const mask = i32x4.splat(0x00ffffff);
  let m = 0;
  for (; m + 4 <= limit; m += 4) {
    const o = <usize>m << 2;
    const bits = i32x4.bitmask(i32x4.eq(v128.and(v128.xor(v128.load(a + o), v128.load(b + o)), mask), i32x4.splat(0)));
    if (bits != 15) return m + <i32>ctz<u32>(~bits);
  }
  while (m < limit && ((load<u32>(a + (<usize>m << 2)) ^ load<u32>(b + (<usize>m << 2))) & 0xffffff) == 0) m++;
  return m;
}

/** The same leftwards from (x, y): pixels x, x−1, … */
function movedLeft(cur: usize, prev: usize, w: i32, x: i32, y: i32, dx: i32, dy: i32, limit: i32): i32 {
  const a = cur + ((<usize>y * w + x) << 2);
  const b = prev + ((<usize>(y + dy) * w + x + dx) << 2);
  const mask = i32x4.splat(0x00ffffff);
  let m = 0;
  for (; m + 4 <= limit; m += 4) {
    // Pixels x−m−3 … x−m; bit 3 is the one nearest x.
    const o = <usize>(m + 3) << 2;
    const bits = i32x4.bitmask(i32x4.eq(v128.and(v128.xor(v128.load(a - o), v128.load(b - o)), mask), i32x4.splat(0)));
    if (bits != 15) return m + <i32>clz<u32>(~bits << 28);
  }
  while (m < limit && ((load<u32>(a - (<usize>m << 2)) ^ load<u32>(b - (<usize>m << 2))) & 0xffffff) == 0) m++;
  return m;
}

/** True if column x, rows [y, y+rh), is the same in both frames. */
function columnUnchanged(cur: usize, prev: usize, w: i32, x: i32, y: i32, rh: i32): bool {
  for (let r = 0; r < rh; r++) if (!pixelMoved(cur, prev, w, x, y + r, 0, 0)) return false;
  return true;
}

/**
 * Grows a rectangle (x, y, w, h, vector at `r`) by up to size − 1 px on
 * each side while the moved content goes on: every row (for the sides) or
 * the whole new row (above and below) must match the previous frame at the
 * vector, with the source inside the frame. A side is grown only when a
 * changed tile lies next to it; growing into unchanged content gains
 * nothing.
 */
function growRect(r: usize, cur: usize, prev: usize, w: i32, h: i32, log2: i32, map: usize, vecMap: usize, tilesX: i32, tilesY: i32): void {
  const size = 1 << log2;
  let x = load<i32>(r); let y = load<i32>(r, 4); let rw = load<i32>(r, 8); let rh = load<i32>(r, 12);
  const c = load<i32>(r, 16);
  const dx = vi(vecDx, c); const dy = vi(vecDy, c);
  // Rectangles are tile-aligned here: tile columns tx0..tx1, rows ty0..ty1.
  const tx0 = x >> log2; const tx1 = (x + rw - 1) >> log2;
  const ty0 = y >> log2; const ty1 = (y + rh - 1) >> log2;
  // Columns at the sides that did not change need no copy; one that matched
  // the vector by chance (flat background beside a window) would stop the
  // rows below from matching. Trim them first.
  let g = 0;
  while (g < size - 1 && rw > 1 && columnUnchanged(cur, prev, w, x + rw - 1, y, rh)) { rw--; g++; }
  g = 0;
  while (g < size - 1 && rw > 1 && columnUnchanged(cur, prev, w, x, y, rh)) { x++; rw--; g++; }
  // Above and below first: the width now lies inside what moved, while a
  // side grown first may take in background pixels that match by chance and
  // then fail the rows below.
  const n = <usize>rw << 2;
  if (ty1 + 1 < tilesY && changedIn(map, vecMap, tilesX, tx0, tx1, ty1 + 1, ty1 + 1)) {
    g = 0;
    while (g < size - 1 && y + rh < h && y + rh + dy < h
           && spanEqual(cur + ((<usize>(y + rh) * w + x) << 2), prev + ((<usize>(y + rh + dy) * w + x + dx) << 2), n)) { rh++; g++; }
  }
  if (ty0 > 0 && changedIn(map, vecMap, tilesX, tx0, tx1, ty0 - 1, ty0 - 1)) {
    g = 0;
    while (g < size - 1 && y > 0 && y - 1 + dy >= 0
           && spanEqual(cur + ((<usize>(y - 1) * w + x) << 2), prev + ((<usize>(y - 1 + dy) * w + x + dx) << 2), n)) { y--; rh++; g++; }
  }
  // Right and left: the shortest run of matching pixels over all rows.
  if (tx1 + 1 < tilesX && changedIn(map, vecMap, tilesX, tx1 + 1, tx1 + 1, ty0, ty1)) {
    let limit = min(size - 1, min(w - (x + rw), w - (x + rw + dx)));
    for (let row = y; row < y + rh && limit > 0; row++) limit = movedRight(cur, prev, w, x + rw, row, dx, dy, limit);
    rw += max(limit, 0);
  }
  if (tx0 > 0 && changedIn(map, vecMap, tilesX, tx0 - 1, tx0 - 1, ty0, ty1)) {
    let limit = min(size - 1, min(x, x + dx));
    for (let row = y; row < y + rh && limit > 0; row++) limit = movedLeft(cur, prev, w, x - 1, row, dx, dy, limit);
    limit = max(limit, 0);
    x -= limit; rw += limit;
  }
  store<i32>(r, x); store<i32>(r, y, 4); store<i32>(r, rw, 8); store<i32>(r, rh, 12);
}

/**
 * True if the tiles in columns [tx0, tx1] and rows [ty0, ty1] include a
 * changed one that no rectangle claims, and none that one does: growing into
 * another rectangle would make the two overlap, and one's source could then
 * lie under the other's destination.
 */
function changedIn(map: usize, vecMap: usize, tilesX: i32, tx0: i32, tx1: i32, ty0: i32, ty1: i32): bool {
  let open = false;
  for (let ty = ty0; ty <= ty1; ty++) {
    for (let tx = tx0; tx <= tx1; tx++) {
      const t = ty * tilesX + tx;
      if (load<u8>(vecMap + t) != NO_VECTOR) return false;
      if (load<u8>(map + t) != 0) open = true;
    }
  }
  return open;
}

// Copies that touch the tile restUnchanged() looks at: x, y, right, bottom.
const touching = memory.data(MAX_COPIES * 16);

/**
 * True if the tile at (x0, y0) equals the previous frame at every pixel
 * that none of the first `copies` copy destinations covers.
 */
function restUnchanged(cur: usize, prev: usize, w: i32, h: i32, x0: i32, y0: i32, size: i32, copies: i32): bool {
  const x1 = min(x0 + size, w);
  const y1 = min(y0 + size, h);
  let nt = 0;
  for (let k = 0; k < copies; k++) {
    const q = copyList + <usize>k * 12;
    const qx = <i32>load<u16>(q, 4); const qy = <i32>load<u16>(q, 6);
    const qr = qx + <i32>load<u16>(q, 8); const qb = qy + <i32>load<u16>(q, 10);
    if (qx >= x1 || qr <= x0 || qy >= y1 || qb <= y0) continue;
    const e = touching + (<usize>nt << 4);
    store<i32>(e, qx); store<i32>(e, qy, 4); store<i32>(e, qr, 8); store<i32>(e, qb, 12);
    nt++;
  }
  for (let y = y0; y < y1; y++) {
    const rowOff = <usize>y * w;
    let x = x0;
    while (x < x1) {
      // The copy covering (x, y) that reaches furthest right, else the
      // nearest copy starting right of x on this row.
      let coverEnd = x;
      let nextStart = x1;
      for (let k = 0; k < nt; k++) {
        const e = touching + (<usize>k << 4);
        if (y < load<i32>(e, 4) || y >= load<i32>(e, 12)) continue;
        const qx = load<i32>(e);
        const qe = load<i32>(e, 8);
        if (qx <= x && qe > coverEnd) coverEnd = qe;
        else if (qx > x && qx < nextStart) nextStart = qx;
      }
      if (coverEnd > x) { x = coverEnd; continue; }
      const o = (rowOff + x) << 2;
      if (!spanEqual(cur + o, prev + o, <usize>(nextStart - x) << 2)) return false;
      x = nextStart;
    }
  }
  return true;
}

@inline function sortKey(k: i32): i32 {
  const r = rects + <usize>k * 20;
  const dy = vi(vecDy, load<i32>(r, 16));
  const y = load<i32>(r, 4);
  return dy >= 0 ? y : -y;
}
