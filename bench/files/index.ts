/**
 * bench/files: file transfer throughput through the real appliance and the
 * real customer client (built, downloaded, started) on loopback, next to a
 * direct loopback copy of the same file in the same run — a TCP socket from
 * this process to itself, reading the file, hashing it with SHA-256 on both
 * ends and writing it to disk, as a transfer does but without TLS, WebSocket
 * framing, the relay and the credit round trips. Prints MB/s of upload and
 * download with their ratio to the direct copy, and the peak resident memory
 * (VmHWM-style sampling of VmRSS every 20 ms) of the appliance, the client
 * and this process (which stands in for the rep's browser).
 * Bounded: one file of BENCH_FILE_MB (200) each way, each transfer stalls out
 * after 60 s without progress. Run: `npm run bench -- files` (needs
 * `node scripts/build.mjs`).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startAppliance } from '../../test/helpers/appliance.ts';
import { consoleRep, download, runClient } from '../../test/helpers/customer.ts';
import { downloadFile, uploadFile } from '../../test/helpers/file-transfer.ts';
import { adminAgent } from '../../test/helpers/rep.ts';

const MB = 1024 * 1024;
const SIZE = Number(process.env.BENCH_FILE_MB ?? 200) * MB;

function rss(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

async function writeRandomFile(file: string, size: number): Promise<string> {
  const out = createWriteStream(file);
  const hash = createHash('sha256');
  for (let done = 0; done < size; done += MB) {
    const chunk = randomBytes(Math.min(MB, size - done));
    hash.update(chunk);
    if (!out.write(chunk)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  return hash.digest('hex');
}

/** The baseline: the same file over a loopback TCP socket, hashed on both ends, written to disk. */
async function directCopy(src: string, dst: string): Promise<{ seconds: number; sha256: string }> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  const received = new Promise<string>((resolve) =>
    server.once('connection', (sock) => {
      const hash = createHash('sha256');
      const out = createWriteStream(dst);
      sock.on('data', (c: Buffer) => {
        hash.update(c);
        if (!out.write(c)) {
          sock.pause();
          out.once('drain', () => sock.resume());
        }
      });
      sock.on('end', () => {
        out.end();
        out.once('close', () => resolve(hash.digest('hex')));
      });
    }),
  );
  const t0 = performance.now();
  const sock = net.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(src, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    if (!sock.write(chunk)) await once(sock, 'drain');
  }
  sock.end();
  const sha256 = await received;
  const seconds = (performance.now() - t0) / 1000;
  server.close();
  if (sha256 !== hash.digest('hex')) throw new Error('direct copy: checksums differ');
  return { seconds, sha256 };
}

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-bench-files-'));
const home = path.join(work, 'home');
mkdirSync(home);
const app = await startAppliance({ env: { RELAYDESK_LOG_LEVEL: 'warn' } });
try {
  const admin = await adminAgent(app);
  const rep = await consoleRep(app, 'benchrep');
  await admin.put(`/api/admin/users/${rep.id}/permissions`, { screen: 'none', privacyScreen: false, specialActions: false, shell: false, fileTransfer: 'both', allowedPaths: [] });
  const key = await rep.sessionKey();
  const dl = await download(app, '/download/relaydesk-client.mjs', work);
  const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Bench', '--keep'], { env: { HOME: home }, lifetimeMs: 600_000 });
  const entered = await rep.socket.next((m) => m.t === 'session' && m.entered, 10_000);
  const sessionId = entered.session.id;
  await rep.request({ t: 'accept', sessionId });
  await client.waitFor(/joined/);

  const src = path.join(work, 'source.bin');
  const sha256 = await writeRandomFile(src, SIZE);

  const pids = { appliance: app.child.pid!, client: client.child.pid!, console: process.pid };
  const base = { appliance: rss(pids.appliance), client: rss(pids.client), console: rss(pids.console) };
  const peak = { ...base };
  const sampler = setInterval(() => {
    for (const k of Object.keys(pids) as Array<keyof typeof pids>) peak[k] = Math.max(peak[k], rss(pids[k]));
  }, 20);

  const direct = await directCopy(src, path.join(work, 'direct.bin'));
  rmSync(path.join(work, 'direct.bin'));

  let t0 = performance.now();
  const up = await uploadFile(app, rep, sessionId, src, SIZE, path.join(home, 'up.bin'));
  const upSeconds = (performance.now() - t0) / 1000;
  if (up.reply.t !== 'done' || up.reply.sha256 !== sha256) throw new Error(`upload failed: ${JSON.stringify(up.reply)}`);

  t0 = performance.now();
  const down = await downloadFile(app, rep, sessionId, path.join(home, 'up.bin'), path.join(work, 'down.bin'));
  const downSeconds = (performance.now() - t0) / 1000;
  if (down.end?.sha256 !== sha256 || down.sha256 !== sha256) throw new Error(`download failed: ${JSON.stringify(down.end ?? down.meta)}`);
  clearInterval(sampler);

  const rate = (s: number): number => SIZE / MB / s;
  const line = (name: string, seconds: number): string =>
    `${name.padEnd(44)} ${rate(seconds).toFixed(0).padStart(7)} MB/s ${(direct.seconds / seconds).toFixed(2).padStart(7)}x`;
  console.log(`${SIZE / MB} MB of random bytes, SHA-256 on both ends, written to disk; ratio = throughput / direct copy`);
  console.log(line('direct loopback TCP copy (baseline)', direct.seconds));
  console.log(line('upload through the appliance (wss, relay)', upSeconds));
  console.log(line('download through the appliance (wss, relay)', downSeconds));
  const mb = (n: number): string => `${(n / MB).toFixed(0)} MB`;
  console.log('\npeak resident memory (before → peak during the run)');
  for (const k of Object.keys(pids) as Array<keyof typeof pids>) console.log(`  ${k.padEnd(10)} ${mb(base[k]).padStart(7)} → ${mb(peak[k]).padStart(7)}  (+${mb(peak[k] - base[k])})`);
  await client.kill();
} finally {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
}
