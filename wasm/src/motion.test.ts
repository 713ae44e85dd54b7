// Scroll and move detection: on `document` (240 px scroll per frame) the
// copy-rect path must be taken and save most of the bytes; on a synthetic
// moved window the copies must reproduce the frame exactly.

import t from 'tap';
import { loadCore } from '../test-support/ensure-built.ts';
import { corpusAvailable, CORPUS_SKIP_MESSAGE, loadFrame } from '../test-support/corpus.ts';
import { firstDifference, reduceFrame } from '../test-support/reference.ts';
import { syntheticFrame } from '../test-support/synthetic.ts';

const core = await loadCore();
// With copies, document frames must cost at most this share of the bytes
// without them (measured: about 0.38).
const DOCUMENT_MAX_BYTE_RATIO = 0.6;

t.test('document scroll is sent as copies', { skip: corpusAvailable() ? false : CORPUS_SKIP_MESSAGE }, async (t) => {
  const f0 = loadFrame('document', 0);
  for (const mode of ['full-colour', 'black-and-white'] as const) {
    const withMotion = core.createEncoder({ width: f0.width, height: f0.height, mode });
    const without = core.createEncoder({ width: f0.width, height: f0.height, mode });
    const dec = core.createDecoder(f0.width, f0.height);
    let a = 0, b = 0, copies = 0, copied = 0;
    for (let i = 0; i < 4; i++) {
      const f = loadFrame('document', i);
      const m = withMotion.encode(f.data);
      const n = without.encode(f.data, { motion: false });
      dec.decode(m);
      const fb = dec.framebufferView();
      t.equal(firstDifference(new Uint8Array(fb.buffer, fb.byteOffset, fb.length), reduceFrame(f.data, mode)), -1, `${mode} frame ${i + 1} exact`);
      if (i === 0) continue;
      a += m.length; b += n.length;
      copies += withMotion.lastStats!.copies;
      copied += withMotion.lastStats!.copiedTiles;
    }
    t.ok(copies > 0 && copied > 300, `${mode}: copy-rect path taken (${copies} copies, ${copied} tiles)`);
    t.ok(a <= b * DOCUMENT_MAX_BYTE_RATIO, `${mode}: ${a} bytes with copies vs ${b} without (${(a / b).toFixed(2)})`);
  }
});

t.test('a moved window is copied and decodes exactly', async (t) => {
  const w = 640, h = 400;
  const bg = syntheticFrame(w, h, 11);
  const win = syntheticFrame(200, 150, 12);
  const place = (x: number, y: number) => {
    const f = bg.slice();
    for (let r = 0; r < 150; r++) f.set(win.subarray(r * 800, r * 800 + 800), ((y + r) * w + x) * 4);
    return f;
  };
  const enc = core.createEncoder({ width: w, height: h, tileSize: 32 });
  const dec = core.createDecoder(w, h);
  for (const [i, [x, y]] of [[40, 30], [102, 51], [164, 72], [120, 60]].entries()) {
    const f = place(x!, y!);
    dec.decode(enc.encode(f));
    const fb = dec.framebufferView();
    t.equal(firstDifference(new Uint8Array(fb.buffer, fb.byteOffset, fb.length), f), -1, `position ${i} exact`);
    if (i > 0) t.ok(enc.lastStats!.copies > 0, `move ${i}: ${enc.lastStats!.copies} copies, ${enc.lastStats!.copiedTiles} tiles`);
  }
});
