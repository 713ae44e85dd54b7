/**
 * The screen pipeline on the frame corpus without X: every frame of a
 * sequence goes the way a captured frame goes — RGBA → BGRX (what X
 * delivers), media-core encode (client CPU), UPDATE chunks through the real
 * relay logic (ScreenFanout with one viewer that acknowledges at once;
 * appliance CPU), join and decode (console CPU) — per colour mode. Printed:
 * frames/s through the whole chain on one core, bytes/frame and bytes/s on
 * the wire at the corpus's own capture pace (manifest.json offsets), CPU ms
 * per frame on client and appliance. Baselines in the same run: the same
 * changed rectangles (runs of changed 32 px tiles per tile row, as a
 * rectangle-based protocol such as Guacamole sends them) as PNG and as JPEG
 * quality 90 with sharp, bytes and encode ms, and their ratio to ours.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { updateFrames, UPDATE_HEADER } from '../../common/screen-protocol.ts';
import { ScreenFanout, type Peer } from '../../appliance/src/relay/screen-fanout.ts';
import { loadCore } from '../../wasm/test-support/ensure-built.ts';
import { CORPUS_DIR, frameCount, loadFrame, sequences, toBgrx } from '../../wasm/test-support/corpus.ts';
import { MODE_NAMES, DEFAULT_TILE_SIZE, type ColourMode } from '../../wasm/src/modes.ts';

const TILE = DEFAULT_TILE_SIZE;
const now = (): number => performance.now();
const enc = (o: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(o));

interface Rect { x: number; y: number; w: number; h: number }

/** Runs of changed tiles in each tile row, as rectangles. */
function rects(map: Uint8Array, width: number, height: number): Rect[] {
  const tx = Math.ceil(width / TILE);
  const out: Rect[] = [];
  for (let row = 0; row * tx < map.length; row++) {
    let start = -1;
    for (let c = 0; c <= tx; c++) {
      const on = c < tx && map[row * tx + c];
      if (on && start < 0) start = c;
      if (!on && start >= 0) {
        const x = start * TILE;
        const y = row * TILE;
        out.push({ x, y, w: Math.min(c * TILE, width) - x, h: Math.min(TILE, height - y) });
        start = -1;
      }
    }
  }
  return out;
}

function cropRgb(rgba: Uint8Array, width: number, r: Rect): Buffer {
  const out = Buffer.alloc(r.w * r.h * 3);
  for (let y = 0; y < r.h; y++) for (let x = 0; x < r.w; x++) {
    const s = ((r.y + y) * width + r.x + x) * 4;
    const d = (y * r.w + x) * 3;
    out[d] = rgba[s]!; out[d + 1] = rgba[s + 1]!; out[d + 2] = rgba[s + 2]!;
  }
  return out;
}

export interface PipelineRow {
  seq: string;
  mode: string;
  fps: number;
  bytesPerFrame: number;
  bytesPerSec: number;
  clientMs: number;
  applianceMs: number;
  consoleMs: number;
}

export async function runPipeline(frameLimit: number): Promise<{ rows: PipelineRow[]; baselines: Map<string, { png: number; jpeg: number; pngMs: number; jpegMs: number; frames: number }> }> {
  const core = await loadCore();
  const manifest = JSON.parse(readFileSync(path.join(CORPUS_DIR, 'manifest.json'), 'utf8')) as { sequences: Array<{ name: string; captureOffsetsMs: number[] }> };
  const rows: PipelineRow[] = [];
  const baselines = new Map<string, { png: number; jpeg: number; pngMs: number; jpegMs: number; frames: number }>();
  for (const seq of sequences()) {
    const n = Math.min(frameCount(seq), frameLimit);
    const frames = Array.from({ length: n }, (_, i) => loadFrame(seq, i));
    const { width, height } = frames[0]!;
    const offsets = manifest.sequences.find((s) => s.name === seq)?.captureOffsetsMs ?? [];
    const seconds = offsets.length >= n && n > 1 ? (offsets[n - 1]! - offsets[0]!) / 1000 : (n - 1) / 5;

    // Baselines: the changed rectangles of each frame pair, PNG and JPEG q90.
    const differ = core.createEncoder({ width, height, tileSize: TILE });
    differ.encode(frames[0]!.data);
    const b = { png: 0, jpeg: 0, pngMs: 0, jpegMs: 0, frames: n - 1 };
    for (let i = 1; i < n; i++) {
      differ.inputBuffer().set(frames[i]!.data);
      const { map } = differ.diffOnly();
      const list = rects(map.slice(), width, height);
      differ.encodeInput({ motion: false });
      for (const r of list) {
        const raw = cropRgb(frames[i]!.data, width, r);
        const img = () => sharp(raw, { raw: { width: r.w, height: r.h, channels: 3 } });
        let t0 = now();
        b.png += (await img().png().toBuffer()).length;
        b.pngMs += now() - t0;
        t0 = now();
        b.jpeg += (await img().jpeg({ quality: 90 }).toBuffer()).length;
        b.jpegMs += now() - t0;
      }
    }
    baselines.set(seq, b);

    const bgrx = frames.map((f) => toBgrx(f.data));
    for (const mode of MODE_NAMES as ColourMode[]) {
      const encoder = core.createEncoder({ width, height, mode });
      const decoder = core.createDecoder(width, height);
      // The real relay: one viewer that acknowledges each frame as soon as it has it.
      let parts: Uint8Array[] = [];
      let fanout!: ScreenFanout;
      let viewer!: Peer;
      viewer = {
        send(data, binary) {
          if (!binary) return;
          const u = data as Uint8Array;
          parts.push(u.subarray(UPDATE_HEADER));
          if (u[1]! & 2) {
            const all = Buffer.concat(parts);
            parts = [];
            const t0 = now();
            decoder.decode(all);
            consoleMs += now() - t0;
            fanout.viewerMessage(viewer, enc({ t: 'ack', frame: new DataView(u.buffer, u.byteOffset).getUint32(2, true) }), false);
          }
        },
        buffered: () => 0,
        close: () => undefined,
      };
      const producer: Peer = { send: () => undefined, buffered: () => 0, close: () => undefined };
      fanout = new ScreenFanout({ canView: () => true, canControl: () => true, canPrivacy: () => true, openControl: () => undefined, event: () => undefined, customerName: () => 'bench' });
      fanout.producerOpen(producer);
      fanout.viewerOpen(viewer, { id: 'u', name: 'bench' });
      fanout.producerMessage(enc({ t: 'hello', allowed: true }), false);
      let clientMs = 0;
      let applianceMs = 0;
      let consoleMs = 0;
      let bytes = 0;
      const t0 = now();
      for (let i = 0; i < n; i++) {
        const c0 = now();
        const msg = encoder.encode(bgrx[i]!, { format: 'bgrx', keyFrame: i === 0 });
        const chunks = updateFrames(i, msg, i === 0);
        const c1 = now();
        if (i > 0) clientMs += c1 - c0;
        if (i > 0) bytes += msg.length;
        const cBefore = consoleMs;
        const a0 = now();
        for (const ch of chunks) fanout.producerMessage(ch, true);
        if (i > 0) applianceMs += now() - a0 - (consoleMs - cBefore);
        else consoleMs = 0;
      }
      const total = now() - t0;
      const f = n - 1;
      rows.push({ seq, mode, fps: (n / total) * 1000, bytesPerFrame: bytes / f, bytesPerSec: bytes / seconds, clientMs: clientMs / f, applianceMs: applianceMs / f, consoleMs: consoleMs / f });
    }
  }
  return { rows, baselines };
}
