// Test and benchmark helper: builds the .wasm when it is missing (a fresh
// clone can run `npx tap` directly) or older than any source under
// wasm/assembly (a stale build would measure and test old code), then loads it.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadMediaCoreFile, DEFAULT_WASM_PATH } from '../src/node.ts';
import type { MediaCore } from '../src/index.ts';

const BUILD_SCRIPT = fileURLToPath(new URL('../build.mjs', import.meta.url));
const SOURCES = fileURLToPath(new URL('../assembly/', import.meta.url));

function stale(): boolean {
  if (!existsSync(DEFAULT_WASM_PATH)) return true;
  const built = statSync(DEFAULT_WASM_PATH).mtimeMs;
  return readdirSync(SOURCES).some((f) => statSync(SOURCES + f).mtimeMs > built);
}

export function ensureBuilt(): string {
  if (stale()) {
    execFileSync(process.execPath, [BUILD_SCRIPT], { stdio: 'inherit' });
  }
  return DEFAULT_WASM_PATH;
}

export async function loadCore(): Promise<MediaCore> {
  ensureBuilt();
  return loadMediaCoreFile();
}
