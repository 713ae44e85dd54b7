// Codec benchmark over every sequence of the frame corpus (../shared/frames).
// Prints, per sequence and colour mode, encode and decode throughput (MB/s of
// raw RGBA input), bytes per frame and compression ratio; baselines on the
// same changed tiles; then one PASS/FAIL line per target with its ratio.
// Every loop is bounded in count and in time. Run:
//   node --import tsx bench/codec/index.ts [--frames N] [--browser]
// --browser also measures decode speed in Chromium (bench/codec/browser.ts).
// Results are compared with bench/codec/baseline.json (baseline.ts);
// --write-baseline stores this run as the new baseline.

import sharp from 'sharp';
import { loadCore } from '../../wasm/test-support/ensure-built.ts';
import { corpusAvailable, CORPUS_DIR, sequences, frameCount, loadFrame } from '../../wasm/test-support/corpus.ts';
import { psnr } from '../../wasm/test-support/reference.ts';
import { MODE_NAMES, DEFAULT_TILE_SIZE, DEFAULT_LEVEL, LEVELS, type ColourMode, type Level } from '../../wasm/src/modes.ts';
import { baselines } from './baselines.ts';
import { gatherTiles, crop } from './tiles.ts';
import { browserDecodeSpeed } from './browser.ts';
import { Metrics } from './baseline.ts';

const TILE = DEFAULT_TILE_SIZE;
const MB = 1e6;
// Timed repetitions of the diff and Buffer.compare: at most this many, and
// at most DIFF_BUDGET_MS of wall time each.
const DIFF_REPEATS = 200;
const DIFF_ROUNDS = 5;
const DIFF_BUDGET_MS = 1500;
// Encodes, decodes and baseline compressions of each sequence run this many
// times and the fastest run counts, on both sides of every ratio: the
// reference VM is shared, and a load spike in one run would otherwise decide
// a target.
const REPEATS = 5;
const args = process.argv.slice(2);
const frameLimit = Number(args[args.indexOf('--frames') + 1]) || Infinity;
const inBrowser = args.includes('--browser');
const writeBaseline = args.includes('--write-baseline');
const metrics = new Metrics();

if (!corpusAvailable()) {
  console.log(`frame corpus not found at ${CORPUS_DIR}; nothing to measure`);
  process.exit(0);
}

const core = await loadCore();
const base = await baselines();
const now = () => performance.now();

// encMs = diffMs + tileMs: the diff alone, then the rest (motion search and
// tile coding) on its tile map (EncodeOptions.afterDiff).
interface Totals { rawBytes: number; encMs: number; diffMs: number; tileMs: number; decMs: number; bytes: number; frames: number; decPixels: number; tileBytes: number }
const totals = new Map<string, Totals>(); // `${seq}/${mode}`
const baseTotals = new Map<string, { bytes: number; ms: number }>(); // `${seq}/${name}`
let tileBytesAll = 0;

// Every colour mode at the default level, plus full colour at the other
// level(s). Rows named after the mode alone use the default level.
const OTHER_LEVELS = (Object.keys(LEVELS) as Level[]).filter((l) => l !== DEFAULT_LEVEL);
const CONFIGS: { name: string; mode: ColourMode; level: Level }[] = [
  ...MODE_NAMES.map((mode) => ({ name: mode as string, mode, level: DEFAULT_LEVEL })),
  ...OTHER_LEVELS.map((level) => ({ name: `full-colour ${level}`, mode: 'full-colour' as ColourMode, level })),
];
console.log(`full-colour level: ${DEFAULT_LEVEL} is the default (what screen sharing uses); targets are judged at it. ` +
  `Other level(s), shown as INFO: ${OTHER_LEVELS.join(', ')}.`);

/**
 * The fast end (10th percentile) of a set of timings: on the shared VM a
 * call that another process interrupted says nothing about the code, and a
 * median moves with the load; the fast end of both sides of a ratio does not.
 */
function fastEnd(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 10)]!;
}

// Warm-up: let the engine optimise the module before anything is timed.
{
  const seq = sequences()[0]!;
  const f0 = loadFrame(seq, 0);
  for (const { mode, level } of CONFIGS) {
    const enc = core.createEncoder({ width: f0.width, height: f0.height, mode, level });
    const dec = core.createDecoder(f0.width, f0.height);
    for (let i = 0; i < Math.min(4, frameCount(seq)); i++) dec.decode(enc.encode(loadFrame(seq, i).data));
  }
}

console.log('sequence            mode              enc MB/s  dec MB/s  bytes/frame   ratio');
for (const seq of sequences()) {
  const n = Math.min(frameCount(seq), frameLimit);
  const f0 = loadFrame(seq, 0);
  const { width, height } = f0;
  const frameBytes = width * height * 4;
  // Changed tiles per frame pair, from the diff alone (before copies).
  const differ = core.createEncoder({ width, height, tileSize: TILE });
  differ.encode(f0.data);
  const changed: ReturnType<typeof gatherTiles>[] = [];
  for (let i = 1; i < n; i++) {
    const f = loadFrame(seq, i);
    differ.inputBuffer().set(f.data);
    const { map } = differ.diffOnly();
    changed.push(gatherTiles(f.data, width, height, TILE, map));
    differ.encodeInput({ motion: false, afterDiff: true });
  }
  const tileBytes = changed.reduce((s, c) => s + c.data.length, 0);
  tileBytesAll += tileBytes;
  // REPEATS rounds; each round runs every baseline and then every config
  // once (a fresh encoder and decoder each time), so a load spike on the
  // shared machine falls on both sides of a ratio alike. The fastest round
  // of each counts (bytes are the same every round).
  const baseBest = new Map<string, { bytes: number; ms: number }>();
  const runs = new Map<string, Totals>();
  for (let rep = 0; rep < REPEATS; rep++) {
    for (const b of base) {
      let bytes = 0, ms = 0;
      for (const c of changed) {
        if (!c.count) continue;
        const t0 = now();
        bytes += b.compress(c.data);
        ms += now() - t0;
      }
      const was = baseBest.get(b.name);
      if (!was || ms < was.ms) baseBest.set(b.name, { bytes, ms });
    }
    for (const { name: mode, mode: colourMode, level } of CONFIGS) {
      const enc = core.createEncoder({ width, height, mode: colourMode, level, tileSize: colourMode === 'video-optimised' ? undefined : TILE });
      const dec = core.createDecoder(width, height);
      const run: Totals = { rawBytes: 0, encMs: 0, diffMs: 0, tileMs: 0, decMs: 0, bytes: 0, frames: 0, decPixels: 0, tileBytes };
      dec.decode(enc.encode(f0.data)); // key frame, not timed
      for (let i = 1; i < n; i++) {
        const f = loadFrame(seq, i);
        // Copy in first so the timing covers the encoder, as for a capture
        // source that writes into inputBuffer().
        enc.inputBuffer().set(f.data);
        const t0 = now();
        enc.diffOnly();
        const td = now();
        const msg = enc.encodeInput({ afterDiff: true });
        const t1 = now();
        dec.decode(msg);
        const t2 = now();
        run.diffMs += td - t0; run.tileMs += t1 - td; run.encMs += t1 - t0; run.decMs += t2 - t1;
        run.bytes += msg.length; run.frames++; run.rawBytes += frameBytes;
      }
      const tot = runs.get(mode);
      if (!tot) runs.set(mode, run);
      else {
        tot.encMs = Math.min(tot.encMs, run.encMs); tot.decMs = Math.min(tot.decMs, run.decMs);
        tot.diffMs = Math.min(tot.diffMs, run.diffMs); tot.tileMs = Math.min(tot.tileMs, run.tileMs);
      }
    }
  }
  for (const b of base) baseTotals.set(`${seq}/${b.name}`, baseBest.get(b.name)!);
  for (const { name: mode } of CONFIGS) {
    const tot = runs.get(mode)!;
    totals.set(`${seq}/${mode}`, tot);
    const mbs = (bytes: number, ms: number) => (ms > 0 ? bytes / MB / (ms / 1000) : 0);
    console.log(`${seq.padEnd(19)} ${mode.padEnd(17)} ${mbs(tot.rawBytes, tot.encMs).toFixed(0).padStart(8)}  ${mbs(tot.rawBytes, tot.decMs).toFixed(0).padStart(8)}  ${Math.round(tot.bytes / tot.frames).toString().padStart(11)}  ${(tot.rawBytes / Math.max(1, tot.bytes)).toFixed(1).padStart(6)}`);
    metrics.add(`${seq}/${mode} bytes/frame`, 'bytes', tot.bytes / tot.frames);
    metrics.add(`${seq}/${mode} encode MB/s`, 'speed', mbs(tot.rawBytes, tot.encMs));
    metrics.add(`${seq}/${mode} decode MB/s`, 'speed', mbs(tot.rawBytes, tot.decMs));
  }
  const zs = baseTotals.get(`${seq}/zstd-1`)!;
  console.log(`${''.padEnd(19)} changed tiles ${(tileBytes / MB).toFixed(1)} MB; baselines bytes/frame: ` +
    base.map((b) => `${b.name} ${Math.round(baseTotals.get(`${seq}/${b.name}`)!.bytes / Math.max(1, n - 1))}`).join(', ') + ` (zstd ${mbs2(tileBytes, zs.ms)} MB/s, lz4 ${mbs2(tileBytes, baseTotals.get(`${seq}/lz4`)!.ms)} MB/s; ` +
    `full colour: ${mbs2(tileBytes, totals.get(`${seq}/full-colour`)!.tileMs)} MB/s after the diff, ${mbs2(tileBytes, totals.get(`${seq}/full-colour`)!.encMs)} MB/s with it; ` +
    `the diff takes ${totals.get(`${seq}/full-colour`)!.diffMs.toFixed(1)} ms for ${n - 1} frames)`);
}

/** MB/s as text. */
function mbs2(bytes: number, ms: number): string {
  return (bytes / MB / (ms / 1000)).toFixed(0);
}

// ---- targets -----------------------------------------------------------------
const lines: string[] = [];
function target(name: string, pass: boolean, detail: string, info = false): void {
  lines.push(`${info ? 'INFO' : pass ? 'PASS' : 'FAIL'} ${name}: ${detail}`);
}

// Diff vs Buffer.compare on one 1920x1080 pair. The diff is timed on the
// real pair (frames 1 and 2), producing its changed-tile map. Buffer.compare
// is timed on two identical frames, where it must read every byte (as the
// diff must for the unchanged tiles, most of a frame), and on the real pair,
// different but mostly equal, where memcmp stops at the first differing
// byte: that time says where the first change is, not what finding all
// changes costs. The target uses the identical pair; both are printed.
{
  const seq = sequences().find((s) => loadFrame(s, 0).width === 1920) ?? 'terminal';
  const a = loadFrame(seq, 0), b = loadFrame(seq, 1);
  const enc = core.createEncoder({ width: a.width, height: a.height, tileSize: TILE });
  enc.encode(a.data);
  enc.inputBuffer().set(b.data);
  const same1 = Buffer.from(a.data), same2 = Buffer.from(a.data), other = Buffer.from(b.data);
  // Each is timed in blocks of repetitions, so each runs with its own
  // 16.6 MB working set warm in the cache (interleaved call by call, they
  // evict each other: 2 x 8.3 MB each against a 32 MB L3 on the reference
  // machine). The blocks take turns over DIFF_ROUNDS rounds, so load from
  // elsewhere on the machine falls on both sides alike.
  const diffTimes: number[] = [], cmpTimes: number[] = [], cmpOtherTimes: number[] = [];
  const block = (times: number[], f: () => void): void => {
    const start = now();
    for (let i = 0; i < DIFF_REPEATS / DIFF_ROUNDS && now() - start < DIFF_BUDGET_MS / DIFF_ROUNDS; i++) {
      const t0 = now(); f(); times.push(now() - t0);
    }
  };
  // Untimed first: V8 runs a WebAssembly function in its baseline compiler
  // until it has been called often enough, then swaps in optimised code
  // compiled in the background; the diff runs once a frame, so without this
  // the first rounds can time baseline code.
  const warm = now();
  for (let i = 0; i < DIFF_REPEATS && now() - warm < DIFF_BUDGET_MS; i++) enc.diffOnly();
  await new Promise((r) => setTimeout(r, 50));
  for (let round = 0; round < DIFF_ROUNDS; round++) {
    block(diffTimes, () => enc.diffOnly());
    block(cmpTimes, () => Buffer.compare(same1, same2));
    block(cmpOtherTimes, () => Buffer.compare(same1, other));
  }
  const r = fastEnd(diffTimes) / fastEnd(cmpTimes);
  metrics.add('diff vs Buffer.compare', 'ratio', r);
  target('diff', r <= 1.3, `tile diff of ${seq} frames 1 and 2 (1920x1080) ${fastEnd(diffTimes).toFixed(2)} ms vs Buffer.compare of two identical frames ${fastEnd(cmpTimes).toFixed(2)} ms = ${r.toFixed(2)}x (target <= 1.3x; Buffer.compare on frames 1 and 2, which stops at the first difference: ${fastEnd(cmpOtherTimes).toFixed(3)} ms)`);
}

// Full colour vs zstd-1 bytes; encode throughput vs lz4, on changed-tile
// bytes; decode throughput. Once per level: the default is judged (PASS or
// FAIL), the others are shown as INFO.
const LEVEL_ROWS: [Level, string][] = [[DEFAULT_LEVEL, 'full-colour'], ...OTHER_LEVELS.map((l): [Level, string] => [l, `full-colour ${l}`])];
for (const [level, key] of LEVEL_ROWS) {
  const info = level !== DEFAULT_LEVEL;
  const tag = info ? level : `${level}, default`;
  let ours = 0, zstd = 0, encMs = 0, diffMs = 0, tileMs = 0, lz4Ms = 0;
  for (const seq of sequences()) {
    const tot = totals.get(`${seq}/${key}`)!;
    ours += tot.bytes;
    encMs += tot.encMs; diffMs += tot.diffMs; tileMs += tot.tileMs;
    zstd += baseTotals.get(`${seq}/zstd-1`)!.bytes;
    lz4Ms += baseTotals.get(`${seq}/lz4`)!.ms;
  }
  const r = ours / zstd;
  metrics.add(`full-colour bytes vs zstd-1 (${level})`, 'bytes', r);
  target(`full-colour bytes (${tag})`, r <= 0.85, `${ours} vs zstd-1 ${zstd} on the same changed tiles = ${r.toFixed(2)}x (target <= 0.85x)`, info);
  // Encode speed against lz4 on the same changed tiles. lz4 is handed the
  // tiles; finding them is the diff, which has its own target above. So the
  // judged line compares what comes after the diff (motion search and tile
  // coding); the lines after it show the whole encode, once against lz4 alone
  // and once against lz4 plus the same diff (what a pipeline using lz4 would
  // spend on the same frames).
  const mbsOf = (ms: number) => tileBytesAll / MB / (ms / 1000);
  const lz4MBs = mbsOf(lz4Ms);
  const tileMBs = mbsOf(tileMs), wholeMBs = mbsOf(encMs), pipeMBs = mbsOf(diffMs + lz4Ms);
  metrics.add(`full-colour encode MB/s of changed tiles (${level})`, 'speed', wholeMBs);
  metrics.add(`full-colour encode MB/s after the diff (${level})`, 'speed', tileMBs);
  target(`full-colour encode speed (${tag})`, tileMBs >= lz4MBs, `${tileMBs.toFixed(0)} MB/s of changed tiles (motion search and tile coding, after the diff) vs lz4 ${lz4MBs.toFixed(0)} MB/s on the same tiles = ${(tileMBs / lz4MBs).toFixed(2)}x (target >= 1x)`, info);
  target(`full-colour whole encode (${tag})`, true, `${wholeMBs.toFixed(0)} MB/s with the diff (${diffMs.toFixed(1)} ms of ${encMs.toFixed(1)} ms) = ${(wholeMBs / lz4MBs).toFixed(2)}x lz4 alone, ${(wholeMBs / pipeMBs).toFixed(2)}x the same diff followed by lz4 (${pipeMBs.toFixed(0)} MB/s)`, true);
  const streams = recordStreams(level);
  const gbs = decodeSpeed(streams);
  metrics.add(`decode GB/s (Node, ${level})`, 'speed', gbs);
  target(`decode speed (Node, ${tag})`, gbs >= 2, `${gbs.toFixed(2)} GB/s of RGBA written by tiles and copies, full colour, all sequences (target >= 2 GB/s)`, info);
  if (inBrowser) {
    const { streams: b } = await browserDecodeSpeed({ streams });
    metrics.add(`decode GB/s (Chromium, ${level})`, 'speed', b!);
    target(`decode speed (Chromium, ${tag})`, b! >= 2, `${b!.toFixed(2)} GB/s of RGBA written by tiles and copies, full colour, all sequences (target >= 2 GB/s)`, info);
  }
}

/**
 * Decode throughput in GB/s of RGBA written (tiles + copies), full colour,
 * key frames included. Each stream is decoded 1 + REPEATS times by fresh
 * decoders; the first pass is not timed (V8 first runs WebAssembly in its
 * baseline compiler), the fastest of the others counts.
 */
function decodeSpeed(streams: { width: number; height: number; messages: Uint8Array[] }[]): number {
  let pixels = 0, ms = 0;
  for (const { width, height, messages } of streams) {
    let best = Infinity, px = 0;
    for (let pass = 0; pass <= REPEATS; pass++) {
      const dec = core.createDecoder(width, height);
      let passMs = 0;
      px = 0;
      for (const msg of messages) {
        const t0 = now();
        const s = dec.decode(msg);
        passMs += now() - t0;
        px += s.pixels;
      }
      if (pass > 0) best = Math.min(best, passMs);
    }
    ms += best;
    pixels += px;
  }
  return (pixels * 4) / 1e9 / (ms / 1000);
}

/** Every sequence encoded in full colour at a level (messages for decoding). */
function recordStreams(level: Level): { width: number; height: number; messages: Uint8Array[] }[] {
  return sequences().map((seq) => {
    const f0 = loadFrame(seq, 0);
    const n = Math.min(frameCount(seq), frameLimit);
    const enc = core.createEncoder({ width: f0.width, height: f0.height, tileSize: TILE, level });
    return { width: f0.width, height: f0.height, messages: Array.from({ length: n }, (_, i) => enc.encode(loadFrame(seq, i).data)) };
  });
}

// Black and white / few colours vs full colour on terminal and document.
for (const seq of ['terminal', 'document']) {
  if (!totals.has(`${seq}/full-colour`)) continue;
  const full = totals.get(`${seq}/full-colour`)!.bytes;
  const bw = full / totals.get(`${seq}/black-and-white`)!.bytes;
  const few = full / totals.get(`${seq}/few-colours`)!.bytes;
  metrics.add(`${seq} black-and-white bytes vs full colour`, 'bytes', 1 / bw);
  metrics.add(`${seq} few-colours bytes vs full colour`, 'bytes', 1 / few);
  target(`black-and-white ${seq}`, bw >= 4, `${bw.toFixed(2)}x fewer bytes than full colour (target >= 4x)`);
  target(`few-colours ${seq}`, few >= 2, `${few.toFixed(2)}x fewer bytes than full colour (target >= 2x)`);
}

// Video-optimised vs JPEG q75 of the changed tiles (their bounding box).
if (sequences().includes('video')) {
  const f0 = loadFrame('video', 0);
  const { width, height } = f0;
  const n = Math.min(frameCount('video'), frameLimit);
  const enc = core.createEncoder({ width, height, mode: 'video-optimised' });
  const dec = core.createDecoder(width, height);
  const differ = core.createEncoder({ width, height, tileSize: TILE });
  dec.decode(enc.encode(f0.data));
  differ.encode(f0.data);
  let ours = 0, jpeg = 0, psnrOurs = 0, psnrJpeg = 0, k = 0;
  for (let i = 1; i < n; i++) {
    const f = loadFrame('video', i);
    differ.inputBuffer().set(f.data);
    const { box } = gatherTiles(f.data, width, height, TILE, differ.diffOnly().map);
    differ.encodeInput({ afterDiff: true });
    const msg = enc.encode(f.data);
    dec.decode(msg);
    if (!box) continue;
    const src = crop(f.data, width, box);
    const fb = dec.framebufferView();
    const got = crop(new Uint8Array(fb.buffer, fb.byteOffset, fb.length), width, box);
    const jpg = await sharp(Buffer.from(src), { raw: { width: box.w, height: box.h, channels: 4 } }).removeAlpha().jpeg({ quality: 75 }).toBuffer();
    const back = new Uint8Array(await sharp(jpg).ensureAlpha().raw().toBuffer());
    ours += msg.length; jpeg += jpg.length; psnrOurs += psnr(src, got); psnrJpeg += psnr(src, back); k++;
  }
  const r = ours / Math.max(1, jpeg);
  const po = psnrOurs / k, pj = psnrJpeg / k;
  metrics.add('video-optimised bytes vs JPEG q75', 'bytes', r);
  target('video-optimised', r < 1 && po >= pj, `${ours} bytes vs JPEG q75 ${jpeg} = ${r.toFixed(2)}x at PSNR ${po.toFixed(2)} dB vs ${pj.toFixed(2)} dB (target < 1x at >= PSNR)`);
}

console.log('');
for (const l of lines) console.log(l);
console.log('');
if (writeBaseline) {
  metrics.write();
  console.log('baseline: written to bench/codec/baseline.json');
} else {
  for (const l of metrics.compare()) console.log(l);
}
