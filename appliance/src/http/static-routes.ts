/**
 * Serves the browser pages and bundles from `dist/web` (built by
 * scripts/build.mjs). Files are read once at start with a strong ETag;
 * their gzip and brotli variants are made on first request and kept, so
 * start-up does not wait for brotli's slowest level on megabytes of bundles
 * and source maps, and later requests are a map lookup.
 * Page routes: `/` portal, `/login` + `/account` + `/admin` admin UI,
 * `/console` rep console. Assets live under `/assets/`.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants as zc, gzipSync } from 'node:zlib';
import { AppError } from '../../../common/errors.ts';
import type { Context } from '../context.ts';
import type { TemplatedApp } from '../uws.ts';
import { route, type Reply, type Req } from './kit.ts';

interface Asset {
  readonly type: string;
  readonly etag: string;
  readonly raw: Buffer;
  readonly compressible: boolean;
  /** Made on first use. */
  gzip?: Buffer;
  br?: Buffer;
  /** Hashed bundle names could be cached forever; pages must revalidate. */
  readonly cache: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.map': 'application/json',
  '.json': 'application/json',
};

/** Below 1 KiB compression costs more than it saves. */
const MIN_COMPRESS_BYTES = 1024;

function loadAsset(file: string): Asset {
  const raw = readFileSync(file);
  const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
  const compressible = raw.length >= MIN_COMPRESS_BYTES && !type.startsWith('image/png');
  return {
    type,
    raw,
    etag: `"${createHash('sha256').update(raw).digest('base64url').slice(0, 27)}"`,
    compressible,
    cache: type.startsWith('text/html') ? 'no-cache' : 'public, max-age=300',
  };
}

export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  if (!existsSync(dir)) return out;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out.set('/' + path.relative(dir, full).split(path.sep).join('/'), loadAsset(full));
    }
  };
  walk(dir);
  return out;
}

function serve(asset: Asset, req: Req, reply: Reply): void {
  const headers: Array<[string, string]> = [
    ['Content-Type', asset.type],
    ['ETag', asset.etag],
    ['Cache-Control', asset.cache],
    ['Vary', 'Accept-Encoding'],
  ];
  if (req.headers['if-none-match'] === asset.etag) {
    reply.send(304, '', headers);
    return;
  }
  const accept = req.headers['accept-encoding'] ?? '';
  if (asset.compressible && /\bbr\b/.test(accept)) {
    asset.br ??= brotliCompressSync(asset.raw, { params: { [zc.BROTLI_PARAM_QUALITY]: 11 } });
    reply.send(200, asset.br, [...headers, ['Content-Encoding', 'br']]);
  } else if (asset.compressible && /\bgzip\b/.test(accept)) {
    asset.gzip ??= gzipSync(asset.raw, { level: 9 });
    reply.send(200, asset.gzip, [...headers, ['Content-Encoding', 'gzip']]);
  } else reply.send(200, asset.raw, headers);
}

export function mountStaticRoutes(app: TemplatedApp, ctx: Context, webDir: string): void {
  const assets = loadAssets(webDir);
  if (!assets.has('/console.html')) ctx.log.warn({ webDir }, 'browser bundle missing: run `npm run build`');
  const page = (name: string) => (req: Req, reply: Reply) => {
    const asset = assets.get(`/${name}.html`);
    if (!asset) throw new AppError('NOT_FOUND', 'the web pages were not built');
    serve(asset, req, reply);
  };
  route(app, ctx, 'get', '/', page('portal'));
  for (const p of ['/login', '/account', '/reports', '/admin', '/admin/*']) route(app, ctx, 'get', p, page('login'));
  route(app, ctx, 'get', '/console', page('console'));
  route(app, ctx, 'get', '/assets/*', (req, reply) => {
    const asset = assets.get(req.url.slice('/assets'.length));
    if (!asset || req.url.includes('..')) throw new AppError('NOT_FOUND');
    serve(asset, req, reply);
  });
  route(app, ctx, 'get', '/ca.pem', (req, reply) => {
    // The public CA certificate, for operators who want to trust it in a browser.
    reply.send(200, ctx.certs.caCertPem, [['Content-Type', 'application/x-pem-file'], ['Content-Disposition', 'attachment; filename="relaydesk-ca.pem"']]);
  });
}
