// Scroll and move detection (placeholder).
export const MAX_COPIES: i32 = 32;
export const copyList = memory.data(MAX_COPIES * 12);

export function detectMotion(cur: usize, prev: usize, w: i32, h: i32, tileLog2: i32, map: usize, changed: i32): i32 {
  return 0;
}
