// Test and benchmark helper: the real desktop frame corpus, read from
// ../shared/frames beside the repository (never shipped with it).

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PNG } from 'pngjs';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CORPUS_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'frames');

export interface Frame {
  width: number;
  height: number;
  /** RGBA, 4 bytes a pixel, alpha 255. */
  data: Uint8Array;
}

export function corpusAvailable(): boolean {
  return existsSync(path.join(CORPUS_DIR, 'manifest.json'));
}

export const CORPUS_SKIP_MESSAGE = `frame corpus not found at ${CORPUS_DIR}; corpus tests skipped`;

export function sequences(): string[] {
  if (!corpusAvailable()) return [];
  return readdirSync(CORPUS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

export function frameCount(sequence: string): number {
  return readdirSync(path.join(CORPUS_DIR, sequence)).filter((f) => f.endsWith('.png')).length;
}

const cache = new Map<string, Frame>();

/** Frame `index` (0-based) of a sequence, decoded once and kept. */
export function loadFrame(sequence: string, index: number): Frame {
  const file = path.join(CORPUS_DIR, sequence, `${String(index + 1).padStart(4, '0')}.png`);
  let f = cache.get(file);
  if (!f) {
    const png = PNG.sync.read(readFileSync(file));
    f = { width: png.width, height: png.height, data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.length) };
    cache.set(file, f);
  }
  return f;
}

/** Frames used by the normal test run, or every frame when CODEC_FULL=1. */
export function testFrameIndices(sequence: string, normal = 3): number[] {
  const n = frameCount(sequence);
  const count = process.env.CODEC_FULL === '1' ? n : Math.min(n, normal);
  return Array.from({ length: count }, (_, i) => i);
}

/** RGBA → BGRX (X byte set to 0, as X11 leaves it). */
export function toBgrx(rgba: Uint8Array): Uint8Array {
  const out = new Uint8Array(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    out[i] = rgba[i + 2]!;
    out[i + 1] = rgba[i + 1]!;
    out[i + 2] = rgba[i]!;
    out[i + 3] = 0;
  }
  return out;
}
