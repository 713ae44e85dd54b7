// Hostile input: random bytes, random bytes behind a valid header,
// bit-flipped and truncated real messages. The decoder must reject with a
// CodecError (or accept a message that happens to be valid), never trap,
// never hang, and never damage its state: a key frame afterwards must still
// decode exactly.

import t, { type Test } from 'tap';
import fc from 'fast-check';
import { loadCore } from '../test-support/ensure-built.ts';
import { syntheticFrame } from '../test-support/synthetic.ts';
import { corpusAvailable, loadFrame } from '../test-support/corpus.ts';
import { firstDifference, reduceFrame } from '../test-support/reference.ts';
import { CodecError } from './errors.ts';
import { MODE_NAMES, isLossless } from './modes.ts';
import type { Decoder } from './decoder.ts';
import { FORMAT_VERSION } from './index.ts';

const core = await loadCore();
const RUNS = process.env.CODEC_FULL === '1' ? 5000 : 400;

/** Decodes; returns 'ok' or the error code. Anything but a CodecError fails the test. */
function tryDecode(dec: Decoder, msg: Uint8Array): string {
  try {
    dec.decode(msg);
    return 'ok';
  } catch (e) {
    if (e instanceof CodecError) return e.code;
    throw e;
  }
}

const W = 150, H = 90;

/** A short recorded stream in every mode: key frame, then changes. */
function recordStream(): { mode: string; messages: Uint8Array[]; frames: Uint8Array[] }[] {
  const configs = [...MODE_NAMES.map((mode) => ({ mode, level: 'fast' as const })), { mode: 'full-colour' as const, level: 'compact' as const }];
  return configs.map(({ mode, level }) => {
    const enc = core.createEncoder({ width: W, height: H, mode, tileSize: 32, level });
    const frames = [1, 2, 3].map((s) => syntheticFrame(W, H, s));
    // Scroll the third frame so a copy record appears in lossless modes.
    const scrolled = new Uint8Array(frames[1]!.length);
    scrolled.set(frames[1]!.subarray(W * 4 * 24));
    frames[2] = scrolled;
    return { mode, frames, messages: frames.map((f) => enc.encode(f)) };
  });
}

const streams = recordStream();

function keyCheck(t: Test, dec: Decoder): void {
  const enc = core.createEncoder({ width: W, height: H });
  const frame = syntheticFrame(W, H, 42);
  dec.decode(enc.encode(frame));
  const fb = dec.framebufferView();
  t.equal(firstDifference(new Uint8Array(fb.buffer, fb.byteOffset, fb.length), frame), -1, 'a key frame still decodes exactly');
}

t.test('random bytes are rejected without traps', async (t) => {
  const dec = core.createDecoder(W, H);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
    tryDecode(dec, bytes);
  }), { numRuns: RUNS, seed: 1 });
  keyCheck(t, dec);
});

t.test('random bodies behind a valid header are rejected without traps', async (t) => {
  const dec = core.createDecoder(W, H);
  const header = (mode: number, tileLog2: number, copies: number, records: number) => {
    const h = new Uint8Array(16);
    const v = new DataView(h.buffer);
    h[0] = FORMAT_VERSION; h[2] = mode; h[3] = tileLog2;
    v.setUint16(4, W, true); v.setUint16(6, H, true); v.setUint16(8, copies, true); v.setUint32(12, records, true);
    return h;
  };
  const codes = new Set<string>();
  fc.assert(fc.property(
    fc.integer({ min: 0, max: 4 }), fc.integer({ min: 4, max: 7 }), fc.integer({ min: 0, max: 3 }),
    fc.integer({ min: 0, max: 40 }), fc.uint8Array({ maxLength: 3000 }),
    (mode, log2, copies, records, body) => {
      const h = header(mode, log2, copies, records);
      const msg = new Uint8Array(h.length + body.length);
      msg.set(h); msg.set(body, 16);
      codes.add(tryDecode(dec, msg));
    }), { numRuns: RUNS, seed: 2 });
  t.ok(codes.size > 3, `several distinct outcomes: ${[...codes].join(', ')}`);
  keyCheck(t, dec);
});

t.test('bit-flipped real messages are rejected or decode, never trap; a rejected one changes nothing', async (t) => {
  for (const { mode, messages } of streams) {
    const dec = core.createDecoder(W, H);
    let before = dec.snapshot();
    let untouched = 0, rejected = 0;
    fc.assert(fc.property(
      fc.integer({ min: 0, max: messages.length - 1 }),
      fc.array(fc.nat(), { minLength: 1, maxLength: 8 }),
      (which, flips) => {
        const msg = messages[which]!.slice();
        for (const f of flips) msg[(f >> 3) % msg.length]! ^= 1 << (f & 7);
        const code = tryDecode(dec, msg);
        const after = dec.snapshot();
        if (code !== 'ok') {
          rejected++;
          if (Buffer.from(after).equals(Buffer.from(before))) untouched++;
        }
        before = after;
      }), { numRuns: RUNS, seed: 3 });
    t.equal(untouched, rejected, `${mode}: ${rejected} rejected messages left the framebuffer as it was`);
    keyCheck(t, dec);
    t.pass(`${mode}: ${RUNS} flipped messages`);
  }
});

t.test('every truncation of a real message is rejected', async (t) => {
  for (const { mode, messages } of streams) {
    const dec = core.createDecoder(W, H);
    let rejected = 0, total = 0;
    for (const msg of messages) {
      const step = Math.max(1, Math.floor(msg.length / 300));
      for (let n = 0; n < msg.length; n += step) {
        total++;
        if (tryDecode(dec, msg.subarray(0, n)) !== 'ok') rejected++;
      }
    }
    t.equal(rejected, total, `${mode}: ${total} truncations rejected`);
    keyCheck(t, dec);
  }
});

t.test('a valid stream still decodes exactly after the attacks', async (t) => {
  for (const { mode, messages, frames } of streams) {
    if (!isLossless(mode as never)) continue;
    const dec = core.createDecoder(W, H);
    messages.forEach((m) => dec.decode(m));
    const fb = dec.framebufferView();
    t.equal(firstDifference(new Uint8Array(fb.buffer, fb.byteOffset, fb.length), reduceFrame(frames[2]!, mode as never)), -1, mode);
  }
});

t.test('flipped corpus messages', { skip: corpusAvailable() ? false : 'frame corpus not found; skipped' }, async (t) => {
  const a = loadFrame('terminal', 0), b = loadFrame('terminal', 1);
  const enc = core.createEncoder({ width: a.width, height: a.height });
  const key = enc.encode(a.data);
  const delta = enc.encode(b.data);
  const dec = core.createDecoder(a.width, a.height);
  const runs = Math.min(RUNS, 150);
  fc.assert(fc.property(fc.boolean(), fc.array(fc.nat(), { minLength: 1, maxLength: 4 }), (useKey, flips) => {
    const msg = (useKey ? key : delta).slice();
    for (const f of flips) msg[(f >> 3) % msg.length]! ^= 1 << (f & 7);
    tryDecode(dec, msg);
  }), { numRuns: runs, seed: 4 });
  t.pass(`${runs} flipped 1920x1080 messages`);
});

// The entropy-coded tiles take arbitrary bytes as range-coder input, so
// random bodies reach deep into their models. One tile record of the given
// kind, in a mode where it is legal, with a random body.
t.test('random context and predictive tile bodies are rejected or decode, never trap', async (t) => {
  const dec = core.createDecoder(W, H);
  const TILE_CONTEXT = 6, TILE_PREDICT = 7;
  const outcomes = new Map<string, number>();
  fc.assert(fc.property(
    fc.constantFrom([TILE_CONTEXT, 0], [TILE_CONTEXT, 2], [TILE_CONTEXT, 3], [TILE_CONTEXT, 1], [TILE_PREDICT, 0]),
    fc.oneof(fc.integer({ min: 2, max: 3 }), fc.integer({ min: 2, max: 256 })), fc.uint8Array({ minLength: 200, maxLength: 1500 }),
    ([kind, mode], n, bytes) => {
      // Context bodies start with n - 1 and a palette; give them a valid one
      // so the bytes reach the range decoder.
      // Predictive tiles need some 2-6 KB of random bits to reach their end.
      let body = kind === TILE_PREDICT ? Uint8Array.from({ length: bytes.length * 4 }, (_, i) => bytes[i % bytes.length]! ^ (i >> 8)) : bytes;
      if (kind === TILE_CONTEXT) {
        const bpp = mode === 0 ? 3 : mode === 1 ? 2 : 1;
        const colours = Math.min(n, bpp === 1 ? 256 : 16);
        const palette = Array.from({ length: colours * bpp }, (_, i) => (mode === 3 ? i & 1 : (i * 37) & 255));
        body = Uint8Array.of(colours - 1, ...palette, ...bytes);
      }
      const head = new Uint8Array(16);
      const v = new DataView(head.buffer);
      head[0] = FORMAT_VERSION; head[2] = mode!; head[3] = 5;
      v.setUint16(4, W, true); v.setUint16(6, H, true); v.setUint32(12, 1, true);
      const len: number[] = [];
      for (let l = body.length; ; l >>= 7) { len.push((l > 0x7f ? 0x80 : 0) | (l & 0x7f)); if (l <= 0x7f) break; }
      const msg = Uint8Array.of(...head, 0, kind!, ...len, ...body);
      const code = `${kind === TILE_PREDICT ? 'predict' : 'context'} ${tryDecode(dec, msg)}`;
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }), { numRuns: RUNS * 2, seed: 5 });
  t.ok(outcomes.size >= 3, `outcomes: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  keyCheck(t, dec);
});

// Photo tiles: a message with the table flag, three tables and one
// TILE_PHOTO record. Tables are either a valid complete code (every symbol
// 8 bits, or a real message's) so the random body reaches the bit reader,
// or random bytes, which must fail the table checks cleanly.
t.test('random photo tables and bodies are rejected or decode, never trap', async (t) => {
  const dec = core.createDecoder(W, H);
  const TILE_PHOTO = 8, FLAG_TABLES = 2;
  const flat = Uint8Array.of(255, ...new Array<number>(128).fill(0x88));
  const outcomes = new Map<string, number>();
  fc.assert(fc.property(
    fc.oneof(fc.constant(flat), fc.uint8Array({ minLength: 1, maxLength: 200 })),
    fc.integer({ min: 4, max: 7 }), fc.uint8Array({ maxLength: 3000 }), fc.boolean(),
    (table, log2, random, exact) => {
      // With 8-bit codes each of the three streams takes exactly a byte a
      // pixel: such a body decodes (to whatever pixels), any other length
      // is rejected.
      const tilePixels = Math.min(1 << log2, W) * Math.min(1 << log2, H);
      const varint = (n: number) => { const b: number[] = []; for (let l = n; ; l >>= 7) { b.push((l > 0x7f ? 0x80 : 0) | (l & 0x7f)); if (l <= 0x7f) break; } return b; };
      const body = exact
        ? Uint8Array.of(...varint(tilePixels), ...varint(tilePixels), ...Array.from({ length: tilePixels * 3 }, (_, i) => random[i % Math.max(1, random.length)] ?? i))
        : random;
      const head = new Uint8Array(16);
      const v = new DataView(head.buffer);
      head[0] = FORMAT_VERSION; head[1] = FLAG_TABLES; head[2] = 0; head[3] = log2;
      v.setUint16(4, W, true); v.setUint16(6, H, true); v.setUint32(12, 1, true);
      const tables = table === flat ? [...flat, ...flat, ...flat] : [...table];
      const len: number[] = [];
      for (let l = body.length; ; l >>= 7) { len.push((l > 0x7f ? 0x80 : 0) | (l & 0x7f)); if (l <= 0x7f) break; }
      const msg = Uint8Array.of(...head, ...tables, 0, TILE_PHOTO, ...len, ...body);
      const code = `${table === flat ? 'valid tables' : 'random tables'} ${tryDecode(dec, msg)}`;
      outcomes.set(code, (outcomes.get(code) ?? 0) + 1);
    }), { numRuns: RUNS * 2, seed: 6 });
  t.ok(outcomes.size >= 3, `outcomes: ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  // A photo tile without tables, and tables in a mode without photo tiles.
  const enc = core.createEncoder({ width: W, height: H });
  const real = enc.encode(syntheticFrame(W, H, 1));
  t.ok(real[1]! & FLAG_TABLES, 'a full-colour key frame of a noisy frame carries tables');
  const noTables = real.slice();
  noTables[1] = noTables[1]! & ~FLAG_TABLES;
  t.not(tryDecode(dec, noTables), 'ok', 'photo tiles without tables are rejected');
  const otherMode = real.slice();
  otherMode[2] = 1;
  t.equal(tryDecode(dec, otherMode), 'HEADER', 'tables outside full colour are rejected');
  keyCheck(t, dec);
});

t.test('recorded streams exercise the entropy-coded tiles', async (t) => {
  const kinds = new Set<string>();
  for (const level of ['fast', 'compact'] as const) {
    for (const mode of MODE_NAMES) {
      const enc = core.createEncoder({ width: W, height: H, mode, tileSize: 32, level });
      for (const s of [1, 2]) {
        enc.encode(syntheticFrame(W, H, s));
        for (const [k, n] of Object.entries(enc.lastStats!.tiles)) if (n > 0) kinds.add(k);
      }
    }
  }
  t.ok(kinds.has('context') && kinds.has('predict') && kinds.has('photo'), `tile kinds in the fuzzed streams: ${[...kinds].join(', ')}`);
});

t.test('size and parameter validation', async (t) => {
  t.throws(() => core.createDecoder(0, 10), CodecError);
  t.throws(() => core.createDecoder(20000, 10), CodecError);
  t.throws(() => core.createEncoder({ width: 10, height: 10, tileSize: 256 }), CodecError);
  const dec = core.createDecoder(W, H);
  const other = core.createEncoder({ width: W + 1, height: H });
  t.equal(tryDecode(dec, other.encode(syntheticFrame(W + 1, H, 1))), 'SIZE');
  const msg = streams[0]!.messages[0]!.slice();
  msg[0] = 1;
  t.equal(tryDecode(dec, msg), 'VERSION');
});
