/**
 * Loads node-pty on demand, once. Nothing of it is touched before the first
 * shell is asked for, so a computer where the native terminal module cannot
 * load (another operating system or CPU than the build's, a missing C
 * library, a temp folder mounted noexec) still runs the client; the shell
 * request is then answered "unavailable" with the reason.
 *
 * In a development run this is the package from node_modules. In the
 * customer build, scripts/build.mjs swaps node-pty's native-module finder
 * for client/src/shell/embedded-pty-native.ts, which carries `pty.node`
 * inside the one downloaded file.
 */
import type * as NodePty from 'node-pty';

export type PtyModule = typeof NodePty;
export type PtyLoad = { ok: true; pty: PtyModule } | { ok: false; reason: string };

let loading: Promise<PtyLoad> | undefined;

export function loadPty(): Promise<PtyLoad> {
  loading ??= import('node-pty').then(
    (m): PtyLoad => {
      // CommonJS through ESM interop: the functions sit on `default` in some loaders.
      const pty = ((m as { default?: PtyModule }).default ?? m) as PtyModule;
      if (typeof pty.spawn !== 'function') return { ok: false, reason: 'the terminal module has no spawn function' };
      return { ok: true, pty };
    },
    (err: unknown): PtyLoad => ({ ok: false, reason: `the terminal module cannot load on this computer: ${(err as Error).message ?? String(err)}` }),
  );
  return loading;
}
