// Gathers the changed tiles of a frame pair (RGBA, tile by tile, row-major)
// and their bounding box, from the media core's own tile map.

export interface ChangedTiles {
  data: Buffer;
  count: number;
  box: { x: number; y: number; w: number; h: number } | undefined;
}

export function gatherTiles(frame: Uint8Array, width: number, height: number, tile: number, map: Uint8Array): ChangedTiles {
  const tilesX = Math.ceil(width / tile);
  let bytes = 0;
  let x0 = Infinity, y0 = Infinity, x1 = -1, y1 = -1;
  for (let t = 0; t < map.length; t++) {
    if (!map[t]) continue;
    const tx = (t % tilesX) * tile, ty = Math.floor(t / tilesX) * tile;
    const tw = Math.min(tile, width - tx), th = Math.min(tile, height - ty);
    bytes += tw * th * 4;
    x0 = Math.min(x0, tx); y0 = Math.min(y0, ty); x1 = Math.max(x1, tx + tw); y1 = Math.max(y1, ty + th);
  }
  const data = Buffer.alloc(bytes);
  let p = 0;
  let count = 0;
  for (let t = 0; t < map.length; t++) {
    if (!map[t]) continue;
    count++;
    const tx = (t % tilesX) * tile, ty = Math.floor(t / tilesX) * tile;
    const tw = Math.min(tile, width - tx), th = Math.min(tile, height - ty);
    for (let r = 0; r < th; r++) {
      const s = ((ty + r) * width + tx) * 4;
      data.set(frame.subarray(s, s + tw * 4), p);
      p += tw * 4;
    }
  }
  return { data, count, box: count ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : undefined };
}

export function crop(frame: Uint8Array, width: number, box: { x: number; y: number; w: number; h: number }): Uint8Array {
  const out = new Uint8Array(box.w * box.h * 4);
  for (let r = 0; r < box.h; r++) {
    const s = ((box.y + r) * width + box.x) * 4;
    out.set(frame.subarray(s, s + box.w * 4), r * box.w * 4);
  }
  return out;
}
