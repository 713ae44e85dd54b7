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

t.test('copies reach the moved window\'s exact edges, so only tiles with uncovered background are sent', async (t) => {
  const w = 640, h = 400, tile = 32;
  const bg = syntheticFrame(w, h, 21);
  const win = syntheticFrame(200, 150, 22);
  const place = (x: number, y: number) => {
    const f = bg.slice();
    for (let r = 0; r < 150; r++) f.set(win.subarray(r * 800, r * 800 + 800), ((y + r) * w + x) * 4);
    return f;
  };
  const enc = core.createEncoder({ width: w, height: h, tileSize: tile });
  const dec = core.createDecoder(w, h);
  const moves = [[40, 30], [101, 53], [150, 71]] as const;
  dec.decode(enc.encode(place(moves[0][0], moves[0][1])));
  for (let i = 1; i < moves.length; i++) {
    const [px, py] = moves[i - 1], [x, y] = moves[i];
    const f = place(x, y);
    dec.decode(enc.encode(f));
    const fb = dec.framebufferView();
    t.equal(firstDifference(new Uint8Array(fb.buffer, fb.byteOffset, fb.length), f), -1, `move ${i} decodes exactly`);
    // Tiles holding background the window uncovered must be sent; every
    // other changed tile is covered by the copy and the unchanged rest.
    let uncovered = 0;
    for (let ty = 0; ty < h / tile; ty++) {
      for (let tx = 0; tx < w / tile; tx++) {
        let hit = false;
        for (let yy = ty * tile; yy < ty * tile + tile && !hit; yy++) {
          for (let xx = tx * tile; xx < tx * tile + tile && !hit; xx++) {
            const before = xx >= px && xx < px + 200 && yy >= py && yy < py + 150;
            const now = xx >= x && xx < x + 200 && yy >= y && yy < y + 150;
            hit = before && !now;
          }
        }
        if (hit) uncovered++;
      }
    }
    const s = enc.lastStats!;
    t.equal(s.changedTiles - s.copiedTiles, uncovered, `move ${i}: ${s.changedTiles - s.copiedTiles} tiles sent, the ${uncovered} with uncovered background (${s.copies} copies)`);
  }
});

t.test('random moves on odd frame and tile sizes always decode exactly', async (t) => {
  // A seeded generator, so a failure names a case that can be replayed.
  let s = 12345;
  const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
  let copied = 0, grown = 0;
  for (let k = 0; k < 40; k++) {
    const w = 97 + rnd(500), h = 61 + rnd(300);
    const tile = [16, 32, 64][rnd(3)]!;
    const bg = syntheticFrame(w, h, 100 + k);
    const ww = 20 + rnd(Math.max(1, w - 40)), wh = 20 + rnd(Math.max(1, h - 40));
    const win = syntheticFrame(ww, wh, 200 + k);
    const place = (x: number, y: number) => {
      const f = bg.slice();
      for (let r = 0; r < wh; r++) {
        if (y + r < 0 || y + r >= h) continue;
        for (let c = 0; c < ww; c++) {
          if (x + c < 0 || x + c >= w) continue;
          f.set(win.subarray((r * ww + c) * 4, (r * ww + c) * 4 + 4), ((y + r) * w + x + c) * 4);
        }
      }
      return f;
    };
    const enc = core.createEncoder({ width: w, height: h, tileSize: tile });
    const dec = core.createDecoder(w, h);
    let x = rnd(w), y = rnd(h);
    for (let step = 0; step < 4; step++) {
      const f = place(x - ww / 2 | 0, y - wh / 2 | 0);
      dec.decode(enc.encode(f));
      const fb = dec.framebufferView();
      const d = firstDifference(new Uint8Array(fb.buffer, fb.byteOffset, fb.length), f);
      if (d !== -1) { t.fail(`case ${k} (${w}x${h}, tile ${tile}, window ${ww}x${wh}) step ${step}: first difference at pixel ${d >> 2}`); return; }
      const st = enc.lastStats!;
      copied += st.copiedTiles;
      if (st.copies > 0 && st.copiedTiles > 0) grown++;
      x += rnd(61) - 30; y += rnd(41) - 20;
    }
  }
  t.pass('160 frames of moved windows decoded exactly');
  t.ok(copied > 0 && grown > 0, `copies were used (${copied} tiles in ${grown} frames)`);
});
