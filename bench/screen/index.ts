/**
 * bench/screen: screen sharing's hot paths, with baselines from the same run.
 *   1. pipeline.ts — the frame corpus (../shared/frames) through encode →
 *      relay → decode per colour mode, against the same changed rectangles
 *      as PNG and JPEG q90 (sharp);
 *   2. latency.ts — click-to-pixel latency on loopback with Xvfb, xterm, the
 *      real appliance and client, against a probe channel's round trip.
 * Run: `npm run bench -- screen` (needs `node scripts/build.mjs` for part 2).
 * Knobs: BENCH_FRAMES (frames per sequence, default all), BENCH_SAMPLES (40).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { corpusAvailable, CORPUS_DIR } from '../../wasm/test-support/corpus.ts';
import { REPO_ROOT } from '../../test/helpers/appliance.ts';
import { xvfbAvailable } from '../../test/helpers/xvfb.ts';
import { quantile } from '../sessions/stats.ts';
import { runLatency } from './latency.ts';
import { runPipeline } from './pipeline.ts';

const frameLimit = Number(process.env.BENCH_FRAMES ?? Infinity) || Infinity;
const kb = (n: number): string => (n / 1024).toFixed(1);

if (!corpusAvailable()) {
  console.log(`frame corpus not found at ${CORPUS_DIR}; pipeline skipped`);
} else {
  const { rows, baselines } = await runPipeline(frameLimit);
  console.log('sequence            mode               frames/s  KiB/frame  KiB/s(wire)  client ms/f  appliance ms/f  console ms/f');
  for (const r of rows) {
    console.log(`${r.seq.padEnd(19)} ${r.mode.padEnd(17)} ${r.fps.toFixed(1).padStart(9)} ${kb(r.bytesPerFrame).padStart(10)} ${kb(r.bytesPerSec).padStart(12)} ${r.clientMs.toFixed(2).padStart(12)} ${r.applianceMs.toFixed(3).padStart(15)} ${r.consoleMs.toFixed(2).padStart(13)}`);
  }
  console.log('\nsame changed rectangles, per frame:   PNG KiB (ms)     JPEG q90 KiB (ms)   full colour KiB   PNG/ours  JPEG/ours  ours/PNG CPU');
  for (const [seq, b] of baselines) {
    const ours = rows.find((r) => r.seq === seq && r.mode === 'full-colour')!;
    const png = b.png / b.frames;
    const jpeg = b.jpeg / b.frames;
    console.log(
      `${seq.padEnd(36)} ${kb(png).padStart(8)} (${(b.pngMs / b.frames).toFixed(1)})  ${kb(jpeg).padStart(10)} (${(b.jpegMs / b.frames).toFixed(1)})  ${kb(ours.bytesPerFrame).padStart(15)}  ${(png / ours.bytesPerFrame).toFixed(2).padStart(8)}x ${(jpeg / ours.bytesPerFrame).toFixed(2).padStart(8)}x ${(ours.clientMs / (b.pngMs / b.frames)).toFixed(2).padStart(10)}x`,
    );
  }
}

if (!xvfbAvailable() || !existsSync(path.join(REPO_ROOT, 'dist', 'client', 'relaydesk-client.mjs'))) {
  console.log('\nXvfb or the built client missing; latency skipped (run node scripts/build.mjs)');
} else {
  const { input, probe } = await runLatency();
  const p = (xs: number[], q: number): string => quantile(xs, q).toFixed(1);
  console.log(`\nclick-to-pixel on loopback (${input.length} samples)   median ${p(input, 0.5)} ms   p99 ${p(input, 0.99)} ms`);
  console.log(`probe channel round trip (baseline)         median ${p(probe, 0.5)} ms   p99 ${p(probe, 0.99)} ms`);
  console.log(`ratio (median)                              ${(quantile(input, 0.5) / quantile(probe, 0.5)).toFixed(1)}x`);
}
