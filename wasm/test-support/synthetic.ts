// Synthetic frames for tests that must run without the corpus.

/** Deterministic pseudo-random frame: flat areas, text-like strokes and noise. */
export function syntheticFrame(width: number, height: number, seed: number): Uint8Array {
  const out = new Uint8Array(width * height * 4);
  let s = seed >>> 0 || 1;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const bg = [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const band = ((x >> 3) + (y >> 4) + seed) % 7;
      const c = band === 0 ? [Math.floor(rnd() * 256), Math.floor(rnd() * 256), Math.floor(rnd() * 256)]
        : band < 3 ? [(x * 3) & 255, (y * 5) & 255, (x ^ y) & 255] : bg;
      out[i] = c[0]!; out[i + 1] = c[1]!; out[i + 2] = c[2]!; out[i + 3] = 255;
    }
  }
  return out;
}

