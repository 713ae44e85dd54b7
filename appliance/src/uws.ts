/**
 * Loads uWebSockets.js from `@trufflesuite/uws-js-unofficial` and insists on
 * the native binary. That package silently falls back to a slow pure-JS shim
 * when its binary does not load; the appliance refuses to run on the shim, so
 * this module loads the binary by path and throws a clear error instead.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as UwsTypes from '@trufflesuite/uws-js-unofficial';

const require = createRequire(import.meta.url);

export type Uws = typeof UwsTypes;
export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, us_listen_socket } from '@trufflesuite/uws-js-unofficial';

function loadNative(): Uws {
  const pkgDir = path.dirname(require.resolve('@trufflesuite/uws-js-unofficial/package.json'));
  const file = path.join(pkgDir, 'binaries', `uws_${process.platform}_${process.arch}_${process.versions.modules}.node`);
  try {
    const native = require(file) as Uws;
    if (typeof native.SSLApp !== 'function') throw new Error('the binary exports no SSLApp');
    return native;
  } catch (err) {
    throw new Error(
      `uWebSockets.js native binary did not load (${file}): ${(err as Error).message}. ` +
        'The appliance does not run on the JavaScript fallback; use Node 20 on x64/arm64 Linux with glibc 2.36 or newer.',
    );
  }
}

export const uws: Uws = loadNative();
