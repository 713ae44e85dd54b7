// Video-optimised tiles (placeholder until the lossy coder lands).
import { ERR_TILE_KIND } from './format';

export function decodeLossyTile(src: usize, end: usize, fb: usize, w: i32, x0: i32, y0: i32,
                                tw: i32, th: i32, scratch: usize): i32 {
  return ERR_TILE_KIND;
}

export function encodeLossyTile(src: usize, w: i32, x0: i32, y0: i32, tw: i32, th: i32, bgrx: bool,
                                out: usize, scratch: usize): i32 {
  return 0;
}
