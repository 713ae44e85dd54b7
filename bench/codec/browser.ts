// Decode throughput in Chromium (`--browser`): the same bundled wrapper and
// .wasm bytes as the web client, the same recorded messages as the Node
// measurement, decoded in a page. As in Node, each stream is decoded by fresh
// decoders once untimed and then three times, the fastest pass counting
// (whole passes: the page's clock is coarse).

import { readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { ensureBuilt } from '../../wasm/test-support/ensure-built.ts';

export const CHROMIUM = '/usr/lib/chromium/chromium';

export interface RecordedStream {
  width: number;
  height: number;
  messages: Uint8Array[];
}

// Runs in the page; kept as source text so the TS transform injects nothing.
const PAGE_DECODE = `async ({ wasm, streams }) => {
  const REPEATS = 3;
  const bytes = (b) => Uint8Array.from(atob(b), (c) => c.charCodeAt(0));
  const core = await MediaCore.loadMediaCore(bytes(wasm));
  let pixels = 0, ms = 0;
  for (const s of streams) {
    const messages = s.messages.map(bytes);
    let best = Infinity, px = 0;
    for (let pass = 0; pass <= REPEATS; pass++) {
      const dec = core.createDecoder(s.width, s.height);
      px = 0;
      const t0 = performance.now();
      for (const m of messages) px += dec.decode(m).pixels;
      if (pass > 0) best = Math.min(best, performance.now() - t0);
    }
    ms += best;
    pixels += px;
  }
  return { pixels, ms };
}`;

/** GB/s of RGBA written by tiles and copies, per named set of streams. */
export async function browserDecodeSpeed(sets: Record<string, RecordedStream[]>): Promise<Record<string, number>> {
  const wasm = readFileSync(ensureBuilt()).toString('base64');
  const bundle = await build({
    entryPoints: [new URL('../../wasm/src/index.ts', import.meta.url).pathname],
    bundle: true, format: 'iife', globalName: 'MediaCore', write: false, platform: 'browser',
  });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>decode</title>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const b64 = (u: Uint8Array) => Buffer.from(u.buffer, u.byteOffset, u.length).toString('base64');
    const out: Record<string, number> = {};
    for (const [name, streams] of Object.entries(sets)) {
      const args = { wasm, streams: streams.map((s) => ({ width: s.width, height: s.height, messages: s.messages.map(b64) })) };
      const { pixels, ms } = await page.evaluate(`(${PAGE_DECODE})(${JSON.stringify(args)})`) as { pixels: number; ms: number };
      out[name] = (pixels * 4) / 1e9 / (ms / 1000);
    }
    return out;
  } finally {
    await browser.close();
  }
}
