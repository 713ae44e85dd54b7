// Tile diff: compares the current and previous raw frames with v128 loads and
// marks each changed tile in the tile map (1 = changed). The alpha/X byte is
// masked out, so an RGBA source with varying alpha and BGRX padding bytes do
// not cause spurious changes. A tile stops being compared once it is known to
// have changed, so the cost is one pass over unchanged pixels and a partial
// pass over changed ones; a band of tile rows is first scanned as one
// contiguous span up to its first difference, then rows are walked in memory
// order, which keeps the loads sequential, and adjacent unchanged tiles are
// compared as one run.

// True if the n bytes at a and b are equal in their RGB bytes (n a multiple
// of 4). 128 bytes an iteration, ORed as a tree into two accumulators, so
// the ORs do not form one long dependency chain.
@inline export function spanEqual(a: usize, b: usize, n: usize, mask: v128 = i32x4.splat(0x00ffffff)): bool {
  let acc0 = i32x4.splat(0);
  let acc1 = i32x4.splat(0);
  let i: usize = 0;
  for (; i + 128 <= n; i += 128) {
    const x0 = v128.or(v128.xor(v128.load(a + i), v128.load(b + i)), v128.xor(v128.load(a + i, 16), v128.load(b + i, 16)));
    const x1 = v128.or(v128.xor(v128.load(a + i, 32), v128.load(b + i, 32)), v128.xor(v128.load(a + i, 48), v128.load(b + i, 48)));
    const x2 = v128.or(v128.xor(v128.load(a + i, 64), v128.load(b + i, 64)), v128.xor(v128.load(a + i, 80), v128.load(b + i, 80)));
    const x3 = v128.or(v128.xor(v128.load(a + i, 96), v128.load(b + i, 96)), v128.xor(v128.load(a + i, 112), v128.load(b + i, 112)));
    acc0 = v128.or(acc0, v128.or(x0, x1));
    acc1 = v128.or(acc1, v128.or(x2, x3));
  }
  for (; i + 16 <= n; i += 16) acc0 = v128.or(acc0, v128.xor(v128.load(a + i), v128.load(b + i)));
  if (v128.any_true(v128.and(v128.or(acc0, acc1), mask))) return false;
  for (; i < n; i += 4) if ((load<u32>(a + i) ^ load<u32>(b + i)) & 0xffffff) return false;
  return true;
}

/**
 * Offset of the first 64-byte block (from a and b) whose RGB bytes differ,
 * or `n` when the n bytes are equal in RGB. Eight v128 compares and one
 * branch per 128 bytes, then the differing half found 64 bytes a step: on
 * equal memory this runs at load speed, like memcmp.
 */
@inline function firstDifference(a: usize, b: usize, n: usize, mask: v128): usize {
  let i: usize = 0;
  for (; i + 128 <= n; i += 128) {
    const x = v128.or(
      v128.or(
        v128.or(v128.xor(v128.load(a + i), v128.load(b + i)), v128.xor(v128.load(a + i, 16), v128.load(b + i, 16))),
        v128.or(v128.xor(v128.load(a + i, 32), v128.load(b + i, 32)), v128.xor(v128.load(a + i, 48), v128.load(b + i, 48)))),
      v128.or(
        v128.or(v128.xor(v128.load(a + i, 64), v128.load(b + i, 64)), v128.xor(v128.load(a + i, 80), v128.load(b + i, 80))),
        v128.or(v128.xor(v128.load(a + i, 96), v128.load(b + i, 96)), v128.xor(v128.load(a + i, 112), v128.load(b + i, 112)))));
    if (v128.any_true(v128.and(x, mask))) break;
  }
  for (; i + 64 <= n; i += 64) {
    const x = v128.or(
      v128.or(v128.xor(v128.load(a + i), v128.load(b + i)), v128.xor(v128.load(a + i, 16), v128.load(b + i, 16))),
      v128.or(v128.xor(v128.load(a + i, 32), v128.load(b + i, 32)), v128.xor(v128.load(a + i, 48), v128.load(b + i, 48))));
    if (v128.any_true(v128.and(x, mask))) return i;
  }
  const at = i;
  for (; i < n; i += 4) if ((load<u32>(a + i) ^ load<u32>(b + i)) & 0xffffff) return at;
  return n;
}

/**
 * Marks changed tiles in `map` (1 = changed); returns how many changed.
 * Per tile band and pixel row, the still-unchanged tiles are compared in
 * runs of adjacent tiles (usually the whole row, one long SIMD loop); a
 * difference marks its tile and the scan goes on after that tile, and a
 * tile known to differ is not read again.
 */
export function diffTiles(cur: usize, prev: usize, w: i32, h: i32, tileLog2: i32, map: usize): i32 {
  const size = 1 << tileLog2;
  const tilesX = (w + size - 1) >> tileLog2;
  const tilesY = (h + size - 1) >> tileLog2;
  const mask = i32x4.splat(0x00ffffff);
  const rowBytes = <usize>w << 2;
  const tileBytes = <usize>size << 2;
  let changed = 0;
  for (let ty = 0; ty < tilesY; ty++) {
    const band = map + <usize>(ty * tilesX);
    memory.fill(band, 0, tilesX);
    const y0 = ty << tileLog2;
    const rows = min(size, h - y0);
    // The band's rows are contiguous: one scan finds its first difference
    // (most bands have none); the row holding it starts the per-run search.
    const bandOff = <usize>y0 * rowBytes;
    const bandBytes = <usize>rows * rowBytes;
    const first = firstDifference(cur + bandOff, prev + bandOff, bandBytes, mask);
    if (first >= bandBytes) continue;
    let r = <i32>(first / rowBytes);
    let open = tilesX; // tiles in this band not yet known to differ
    for (; r < rows && open > 0; r++) {
      const rowOff = <usize>(y0 + r) * rowBytes;
      const a = cur + rowOff;
      const b = prev + rowOff;
      let tx = 0;
      while (tx < tilesX) {
        if (load<u8>(band + tx)) { tx++; continue; }
        let end = tx + 1;
        while (end < tilesX && !load<u8>(band + end)) end++;
        // Scan the run up to its first difference, mark that tile, and go
        // on after it: no byte of the row is read twice.
        let from = <usize>tx * tileBytes;
        const to = min(<usize>end * tileBytes, rowBytes);
        while (from < to) {
          const off = firstDifference(a + from, b + from, to - from, mask);
          if (off >= to - from) break;
          const k = <i32>((from + off) / tileBytes);
          store<u8>(band + k, 1);
          open--;
          changed++;
          from = <usize>(k + 1) * tileBytes;
        }
        tx = end;
      }
    }
  }
  return changed;
}

/** Compares one tile-sized rectangle of two frames (alpha masked); true if equal. */
export function rectEqual(a: usize, ax: i32, ay: i32, b: usize, bx: i32, by: i32,
                          w: i32, rw: i32, rh: i32): bool {
  const mask = i32x4.splat(0x00ffffff);
  const n = <usize>rw << 2;
  for (let r = 0; r < rh; r++) {
    const pa = a + ((<usize>(ay + r) * w + ax) << 2);
    const pb = b + ((<usize>(by + r) * w + bx) << 2);
    let i: usize = 0;
    let acc = i32x4.splat(0);
    for (; i + 16 <= n; i += 16) acc = v128.or(acc, v128.xor(v128.load(pa + i), v128.load(pb + i)));
    if (v128.any_true(v128.and(acc, mask))) return false;
    for (; i < n; i += 4) if ((load<u32>(pa + i) ^ load<u32>(pb + i)) & 0xffffff) return false;
  }
  return true;
}
