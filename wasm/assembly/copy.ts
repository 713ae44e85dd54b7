// Rectangle copy within one frame, overlap-safe: the result is as if the
// source were first copied to a temporary buffer. Rows are visited in the
// order that reads each source row before it is overwritten, and each row is
// a memmove. The decoder applies copy records with it, and the encoder
// applies the same copies to its previous frame so both sides stay in step.

export function copyRect(buf: usize, w: i32, sx: i32, sy: i32, dx: i32, dy: i32, cw: i32, ch: i32): void {
  const stride = <usize>w << 2;
  const n = <usize>cw << 2;
  if (dy > sy) {
    for (let r = ch - 1; r >= 0; r--) {
      memory.copy(buf + <usize>(dy + r) * stride + (<usize>dx << 2), buf + <usize>(sy + r) * stride + (<usize>sx << 2), n);
    }
  } else {
    for (let r = 0; r < ch; r++) {
      memory.copy(buf + <usize>(dy + r) * stride + (<usize>dx << 2), buf + <usize>(sy + r) * stride + (<usize>sx << 2), n);
    }
  }
}
