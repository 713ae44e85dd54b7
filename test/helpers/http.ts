/**
 * A tiny HTTPS client for tests that trusts only the appliance's CA (no
 * "ignore certificate errors") and keeps cookies and the CSRF token like a
 * browser tab would.
 */
import https from 'node:https';

export interface HttpResult {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = any>(): T;
}

export interface RequestOptions {
  headers?: Record<string, string>;
  /** Raw body; objects are sent as JSON. */
  body?: string | Buffer | object;
}

export class Agent {
  readonly cookies = new Map<string, string>();
  csrf = '';

  constructor(
    readonly origin: string,
    readonly caPem: string,
  ) {}

  async request(method: string, path: string, opts: RequestOptions = {}): Promise<HttpResult> {
    const url = new URL(path, this.origin);
    const headers: Record<string, string> = { ...opts.headers };
    let body: Buffer | undefined;
    if (opts.body !== undefined) {
      if (typeof opts.body === 'string' || Buffer.isBuffer(opts.body)) body = Buffer.from(opts.body);
      else {
        body = Buffer.from(JSON.stringify(opts.body));
        headers['content-type'] ??= 'application/json';
      }
      headers['content-length'] = String(body.length);
    }
    if (this.cookies.size) headers.cookie ??= [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf && method !== 'GET') headers['x-csrf-token'] ??= this.csrf;
    headers['x-requested-with'] ??= 'relaydesk';
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        { method, headers, ca: [this.caPem], servername: 'localhost', checkServerIdentity: () => undefined },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            for (const c of ([] as string[]).concat(res.headers['set-cookie'] ?? [])) {
              const [pair] = c.split(';');
              const i = pair!.indexOf('=');
              const name = pair!.slice(0, i);
              const value = pair!.slice(i + 1);
              if (value === '' || /Max-Age=0/i.test(c)) this.cookies.delete(name);
              else this.cookies.set(name, value);
            }
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
          });
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  get(path: string, opts?: RequestOptions): Promise<HttpResult> {
    return this.request('GET', path, opts);
  }
  post(path: string, body?: object | string, opts: RequestOptions = {}): Promise<HttpResult> {
    return this.request('POST', path, { ...opts, body: body ?? {} });
  }
  patch(path: string, body: object): Promise<HttpResult> {
    return this.request('PATCH', path, { body });
  }
  put(path: string, body: object): Promise<HttpResult> {
    return this.request('PUT', path, { body });
  }
  del(path: string): Promise<HttpResult> {
    return this.request('DELETE', path);
  }

  /** Signs in at /login (kind web) or /console (kind console) and keeps the CSRF token. */
  async signIn(username: string, password: string, door: 'web' | 'console' = 'web'): Promise<HttpResult> {
    const r = await this.post(door === 'web' ? '/api/auth/login' : '/api/console/login', { username, password });
    if (r.status === 200) this.csrf = r.json().csrf;
    return r;
  }
}
