/**
 * bench/http: requests/s and p99 latency over TLS on loopback for
 *   (a) an authenticated JSON endpoint (`GET /api/auth/me` with a cookie),
 *   (b) a static asset (`/assets/console.js`, brotli),
 * next to a bare uWS hello-world on the same certificate, measured in the
 * same run, and printed as ratios. Bounded: each load runs DURATION_S seconds
 * with CONNECTIONS connections, on 127.0.0.1 only.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import autocannon from 'autocannon';
import { ADMIN_PASSWORD, REPO_ROOT, startAppliance } from '../../test/helpers/appliance.ts';
import { Agent } from '../../test/helpers/http.ts';

const DURATION_S = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = 50;
const PIPELINING = 1;

interface Figures {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(name: string, url: string, headers: Record<string, string> = {}): Promise<Figures> {
  const r = await autocannon({ url, connections: CONNECTIONS, pipelining: PIPELINING, duration: DURATION_S, headers });
  const bad = r.non2xx + r.errors + r.timeouts;
  return { name, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: bad };
}

async function startHello(keyFile: string, certFile: string, assetFile: string): Promise<{ port: number; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'bench', 'http', 'hello-uws.ts'), keyFile, certFile, assetFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (c) => reject(new Error(`hello server exited ${c}`)));
  });
  return { port, stop: () => child.kill('SIGTERM') };
}

export async function runHttpBench(): Promise<void> {
  const app = await startAppliance({ env: { RELAYDESK_LOG_LEVEL: 'warn' } });
  const hello = await startHello(path.join(app.dataDir, 'certs', 'server.key.pem'), path.join(app.dataDir, 'certs', 'server.cert.pem'), path.join(REPO_ROOT, 'dist', 'web', 'console.js'));
  try {
    const agent = new Agent(app.origin, app.caPem);
    await agent.signIn('admin', ADMIN_PASSWORD);
    const cookie = [...agent.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const base = await load('uWS hello-world (baseline)', `https://127.0.0.1:${hello.port}/hello`);
    const me = await load('GET /api/auth/me (signed in)', `${app.origin}/api/auth/me`, { cookie });
    const asset = await load('GET /assets/console.js (br)', `${app.origin}/assets/console.js`, { 'accept-encoding': 'br' });
    const bareAsset = await load('uWS same bytes, bare (baseline)', `https://127.0.0.1:${hello.port}/asset`);
    console.log(`\nbench/http — ${CONNECTIONS} connections, ${DURATION_S} s each, TLS on 127.0.0.1`);
    console.log('name'.padEnd(34), 'req/s'.padStart(9), 'p50 ms'.padStart(7), 'p99 ms'.padStart(7), 'errors'.padStart(7), 'vs baseline'.padStart(12));
    const rows: Array<[Figures, Figures]> = [[base, base], [me, base], [bareAsset, bareAsset], [asset, bareAsset]];
    for (const [f, against] of rows) {
      console.log(f.name.padEnd(34), f.rps.toFixed(0).padStart(9), String(f.p50).padStart(7), String(f.p99).padStart(7), String(f.errors).padStart(7), `${(f.rps / against.rps).toFixed(2)}x`.padStart(12));
    }
    console.log('(the JSON endpoint is compared with hello-world; the asset with the same bytes served bare)');
  } finally {
    hello.stop();
    await app.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runHttpBench();
