// Node helper: reads the built .wasm from disk and loads it.

import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { loadMediaCore, type MediaCore } from './index.ts';

/** wasm/build/media-core.wasm, as written by `node wasm/build.mjs`. */
export const DEFAULT_WASM_PATH = fileURLToPath(new URL('../build/media-core.wasm', import.meta.url));

export async function loadMediaCoreFile(path: string = DEFAULT_WASM_PATH): Promise<MediaCore> {
  return loadMediaCore(await readFile(path));
}
