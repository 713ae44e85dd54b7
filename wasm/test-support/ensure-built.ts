// Test helper: builds the .wasm when it is missing (a fresh clone can run
// `npx tap` directly) and loads it.

import { existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadMediaCoreFile, DEFAULT_WASM_PATH } from '../src/node.ts';
import type { MediaCore } from '../src/index.ts';

const BUILD_SCRIPT = fileURLToPath(new URL('../build.mjs', import.meta.url));

export function ensureBuilt(): string {
  if (!existsSync(DEFAULT_WASM_PATH)) {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
  }
  return DEFAULT_WASM_PATH;
}

export async function loadCore(): Promise<MediaCore> {
  ensureBuilt();
  return loadMediaCoreFile();
}
