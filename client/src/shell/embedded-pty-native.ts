/**
 * node-pty's native-module finder (`node-pty/lib/utils.js`), replaced in the
 * customer build by scripts/build.mjs: the build carries `pty.node` inside
 * the one downloaded file (module `relaydesk:pty-native`, base64, generated
 * at build time from node_modules/node-pty/build/Release/pty.node), and this
 * writes it into a fresh private folder (mode 0700) only when the first
 * shell is asked for, loads it with `process.dlopen`, and deletes the folder
 * again right away (a loaded library needs no file). Nothing is left behind.
 *
 * pty.node uses N-API, so any Node ≥ 20 loads it; what must match is the
 * operating system and CPU it was built on, checked first for a clear reason.
 * Only this module may import `relaydesk:pty-native`; it exists only inside
 * the esbuild bundle (never in a development run, which uses node_modules).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { arch, base64, platform } from 'relaydesk:pty-native';

/** `assign` as node-pty's own utils.js has it (Object.assign for its option objects). */
export function assign<T extends object>(target: T, ...sources: object[]): T {
  return Object.assign(target, ...sources);
}

/** Folders tried in order: the first whose file system allows loading a library wins. */
function candidateDirs(): string[] {
  const dirs = [os.tmpdir()];
  if (process.env.XDG_RUNTIME_DIR) dirs.push(process.env.XDG_RUNTIME_DIR);
  dirs.push(path.join(os.homedir(), '.cache'));
  return dirs;
}

export function loadNativeModule(name: string): { dir: string; module: unknown } {
  if (name !== 'pty') throw new Error(`this client carries no ${name}.node`);
  if (process.platform !== platform || process.arch !== arch) {
    throw new Error(`this client carries a terminal module for ${platform}-${arch}; this computer is ${process.platform}-${process.arch}`);
  }
  const bytes = Buffer.from(base64, 'base64');
  const failures: string[] = [];
  for (const parent of candidateDirs()) {
    let dir: string | undefined;
    try {
      dir = mkdtempSync(path.join(parent, 'relaydesk-pty-'));
      const file = path.join(dir, 'pty.node');
      writeFileSync(file, bytes, { mode: 0o700 });
      const mod = { exports: {} as unknown };
      process.dlopen(mod, file);
      return { dir, module: mod.exports };
    } catch (err) {
      failures.push(`${parent}: ${(err as Error).message}`);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error(`pty.node would not load (${failures.join('; ')})`);
}
