// Tile-size measurement behind DEFAULT_TILE_SIZE: bytes per frame and encode
// time in full colour for each tile size, over the first frames of every
// sequence. Run: node --import tsx bench/codec/tile-size.ts

import { loadCore } from '../../wasm/test-support/ensure-built.ts';
import { corpusAvailable, sequences, frameCount, loadFrame } from '../../wasm/test-support/corpus.ts';

const FRAMES = 8;
if (!corpusAvailable()) process.exit(0);
const core = await loadCore();
for (const tileSize of [16, 32, 64, 128]) {
  let bytes = 0, ms = 0, frames = 0;
  for (const seq of sequences()) {
    const f0 = loadFrame(seq, 0);
    const enc = core.createEncoder({ width: f0.width, height: f0.height, tileSize });
    enc.encode(f0.data);
    for (let i = 1; i < Math.min(FRAMES, frameCount(seq)); i++) {
      const f = loadFrame(seq, i);
      enc.inputBuffer().set(f.data);
      const t0 = performance.now();
      bytes += enc.encodeInput().length;
      ms += performance.now() - t0;
      frames++;
    }
  }
  console.log(`tile ${String(tileSize).padStart(3)}: ${Math.round(bytes / frames)} bytes/frame, ${(ms / frames).toFixed(2)} ms/frame`);
}
