// Cross-part check of the media core: a recorded stream decodes in Chromium
// to exactly the pixels Node decodes. The page gets the bundled wrapper, the
// same .wasm bytes and the messages; it decodes, draws to a canvas with
// putImageData and reads the canvas back with getImageData.

import t from 'tap';
import { existsSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { ensureBuilt } from '../wasm/test-support/ensure-built.ts';
import { loadMediaCore } from '../wasm/src/index.ts';
import { corpusAvailable, loadFrame } from '../wasm/test-support/corpus.ts';
import { syntheticFrame } from '../wasm/test-support/synthetic.ts';

const CHROMIUM = '/usr/lib/chromium/chromium';

// Runs in the page. Kept as source text: the test runner's transform would
// otherwise inject helpers the page does not have.
const PAGE_DECODE = `async ({ wasm, messages, width, height }) => {
  const bytes = (b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
  const core = await MediaCore.loadMediaCore(bytes(wasm));
  const dec = core.createDecoder(width, height);
  for (const m of messages) dec.decode(bytes(m));
  const canvas = document.getElementById('c');
  canvas.width = width; canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.putImageData(new ImageData(dec.snapshot(), width, height), 0, 0);
  const px = ctx.getImageData(0, 0, width, height).data;
  let s = '';
  for (let i = 0; i < px.length; i += 0x8000) s += String.fromCharCode(...px.subarray(i, i + 0x8000));
  return btoa(s);
}`;
const skip = existsSync(CHROMIUM) ? false : `Chromium not found at ${CHROMIUM}`;

t.test('Chromium decodes a recorded stream to the same pixels as Node', { skip }, async (t) => {
  const wasmBytes = readFileSync(ensureBuilt());
  const core = await loadMediaCore(wasmBytes);
  const bundle = await build({
    entryPoints: [new URL('../wasm/src/index.ts', import.meta.url).pathname],
    bundle: true, format: 'iife', globalName: 'MediaCore', write: false, platform: 'browser',
  });

  // Record streams: synthetic in every mode, and real frames when present.
  const streams: { name: string; width: number; height: number; messages: Uint8Array[] }[] = [];
  for (const mode of ['full-colour', 'few-colours', 'black-and-white', 'video-optimised'] as const) {
    const w = 333, h = 177;
    const enc = core.createEncoder({ width: w, height: h, mode });
    streams.push({ name: `synthetic ${mode}`, width: w, height: h, messages: [1, 2, 3].map((s) => enc.encode(syntheticFrame(w, h, s))) });
  }
  if (corpusAvailable()) {
    const f0 = loadFrame('document', 0);
    const enc = core.createEncoder({ width: f0.width, height: f0.height });
    streams.push({ name: 'document full-colour', width: f0.width, height: f0.height, messages: [0, 1, 2].map((i) => enc.encode(loadFrame('document', i).data)) });
  }

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  t.teardown(() => browser.close());
  const page = await browser.newPage();
  await page.setContent('<!doctype html><canvas id="c"></canvas>');
  await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
  const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.length).toString('base64');

  for (const s of streams) {
    const dec = core.createDecoder(s.width, s.height);
    s.messages.forEach((m) => dec.decode(m));
    const want = Buffer.from(dec.snapshot());
    const args = { wasm: b64(wasmBytes), messages: s.messages.map(b64), width: s.width, height: s.height };
    const got = await page.evaluate(`(${PAGE_DECODE})(${JSON.stringify(args)})`) as string;
    const gotBytes = Buffer.from(got, 'base64');
    t.equal(gotBytes.length, want.length, `${s.name}: size`);
    t.ok(gotBytes.equals(want), `${s.name}: canvas pixels equal Node's decode`);
  }
});
