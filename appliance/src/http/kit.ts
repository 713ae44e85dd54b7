/**
 * The small HTTP toolkit every route file uses on top of uWebSockets.js:
 * a request snapshot taken synchronously (uWS `HttpRequest` is only valid
 * until the handler returns or first awaits), bounded JSON body reading,
 * replies that respect aborts and cork, security headers on every answer, and
 * one place that turns an `AppError` into its coded reply.
 */
import type { Logger } from 'pino';
import { AppError, type ErrorCode } from '../../../common/errors.ts';
import type { HttpRequest, HttpResponse, TemplatedApp } from '../uws.ts';

/** 64 KiB: the largest JSON body any endpoint accepts (user and team forms are far smaller). */
export const MAX_JSON_BODY = 64 * 1024;

/** Sent with every response. Scripts only from this origin (no inline script); wasm allowed for the media core. */
export const SECURITY_HEADERS: ReadonlyArray<readonly [string, string]> = [
  [
    'Content-Security-Policy',
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
      "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  ],
  ['Strict-Transport-Security', 'max-age=31536000; includeSubDomains'],
  ['X-Content-Type-Options', 'nosniff'],
  ['X-Frame-Options', 'DENY'],
  ['Referrer-Policy', 'no-referrer'],
  ['Cross-Origin-Opener-Policy', 'same-origin'],
  ['Permissions-Policy', 'camera=(), microphone=(), geolocation=()'],
];

/** What a handler may know about the request after the synchronous phase. */
export interface Req {
  readonly method: string;
  readonly url: string;
  readonly query: URLSearchParams;
  readonly params: readonly string[];
  readonly headers: Readonly<Record<string, string>>;
  readonly remote: string;
  readonly cookies: ReadonlyMap<string, string>;
}

/** Per-response state: uWS forbids touching a response after it was aborted. */
export class Reply {
  aborted = false;
  done = false;
  constructor(readonly res: HttpResponse) {}

  send(status: number, body: string | Uint8Array, headers: ReadonlyArray<readonly [string, string]> = []): void {
    if (this.aborted || this.done) return;
    this.done = true;
    this.res.cork(() => {
      this.res.writeStatus(statusLine(status));
      for (const [k, v] of SECURITY_HEADERS) this.res.writeHeader(k, v);
      for (const [k, v] of headers) this.res.writeHeader(k, v);
      this.res.end(body);
    });
  }

  json(status: number, value: unknown, headers: ReadonlyArray<readonly [string, string]> = []): void {
    this.send(status, JSON.stringify(value), [['Content-Type', 'application/json; charset=utf-8'], ['Cache-Control', 'no-store'], ...headers]);
  }

  error(err: AppError, headers: ReadonlyArray<readonly [string, string]> = []): void {
    this.json(err.status, err.toBody(), headers);
  }
}

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No Content', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  413: 'Payload Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable',
};

export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? 'Status'}`;
}

export function parseCookies(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    if (!out.has(name)) out.set(name, part.slice(i + 1).trim());
  }
  return out;
}

/** Headers handlers may read; copied in the synchronous phase. */
const READ_HEADERS = ['cookie', 'origin', 'host', 'content-type', 'content-length', 'x-csrf-token', 'x-requested-with', 'accept-language', 'if-none-match', 'accept-encoding', 'authorization', 'user-agent'];

export function snapshot(res: HttpResponse, req: HttpRequest, paramCount: number): Req {
  const headers: Record<string, string> = {};
  for (const h of READ_HEADERS) {
    const v = req.getHeader(h);
    if (v) headers[h] = v;
  }
  const params: string[] = [];
  for (let i = 0; i < paramCount; i++) params.push(decodeURIComponent(req.getParameter(i) ?? ''));
  return {
    method: req.getMethod().toUpperCase(),
    url: req.getUrl(),
    query: new URLSearchParams(req.getQuery() ?? ''),
    params,
    headers,
    remote: Buffer.from(res.getRemoteAddressAsText()).toString(),
    cookies: parseCookies(headers.cookie ?? ''),
  };
}

/** Reads the body up to `limit` bytes; rejects with BODY_TOO_LARGE as soon as it is exceeded. */
export function readBody(reply: Reply, req: Req, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0');
  if (declared > limit) return Promise.reject(new AppError('BODY_TOO_LARGE', `limit ${limit} bytes`));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    reply.res.onData((chunk, isLast) => {
      if (failed) return;
      size += chunk.byteLength;
      if (size > limit) {
        failed = true;
        reject(new AppError('BODY_TOO_LARGE', `limit ${limit} bytes`));
        return;
      }
      // The chunk is neutered after this callback: copy it.
      chunks.push(Buffer.from(new Uint8Array(chunk).slice()));
      if (isLast) resolve(Buffer.concat(chunks, size));
    });
  });
}

export async function readJson(reply: Reply, req: Req, limit = MAX_JSON_BODY): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) {
    // Drain nothing: the connection is answered now; uWS discards the rest.
    throw new AppError('BAD_CONTENT_TYPE');
  }
  const body = await readBody(reply, req, limit);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new AppError('BAD_JSON');
  }
}

export type Handler = (req: Req, reply: Reply) => void | Promise<void>;

export interface RouteDeps {
  readonly log: Logger;
}

/**
 * Registers `handler` for `method pattern`. Errors thrown or rejected become
 * coded replies; anything that is not an AppError is logged and answered 500.
 */
export function route(app: TemplatedApp, deps: RouteDeps, method: 'get' | 'post' | 'patch' | 'put' | 'del', pattern: string, handler: Handler): void {
  const paramCount = (pattern.match(/\/:/g) ?? []).length;
  app[method](pattern, (res, req) => {
    const reply = new Reply(res);
    res.onAborted(() => {
      reply.aborted = true;
    });
    let parsed: Req;
    try {
      parsed = snapshot(res, req, paramCount);
    } catch {
      reply.error(new AppError('NOT_FOUND', 'malformed address'));
      return;
    }
    const fail = (err: unknown): void => {
      if (err instanceof AppError) {
        const extra: Array<[string, string]> = [];
        if (err.code === 'THROTTLED' && err.detail) extra.push(['Retry-After', err.detail.replace(/\D/g, '') || '30']);
        reply.error(err, extra);
      } else {
        deps.log.error({ err, url: parsed.url }, 'request failed');
        reply.error(new AppError('INTERNAL'));
      }
    };
    try {
      const result = handler(parsed, reply);
      if (result instanceof Promise) result.catch(fail);
    } catch (err) {
      fail(err);
    }
  });
}

export function fail(code: ErrorCode, detail?: string): never {
  throw new AppError(code, detail);
}
