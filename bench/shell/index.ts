/**
 * bench/shell: the command shell through the real appliance and the real
 * customer client (built, downloaded, started, with its real pty) on
 * loopback, next to the same work on a local pty in this process, measured
 * in the same run:
 *
 * - keystroke echo latency: one byte typed, time until it comes back, over
 *   KEYSTROKES (300) keystrokes typed one after the other into `cat` with the
 *   terminal in non-canonical mode and kernel echo off (so each byte comes
 *   back once, from cat); median and p99, and their ratio to the local pty;
 * - output throughput: `cat` of a generated text file of BENCH_SHELL_MB (64)
 *   MiB, MB/s until an end marker arrives, and the ratio to the local pty;
 *   plus the peak resident memory of the appliance and the client meanwhile.
 *
 * The console side is this process on a raw WebSocket (the browser's xterm.js
 * rendering is not part of it). Bounded: each keystroke waits at most 5 s,
 * each `cat` at most 120 s. Run: `npm run bench -- shell` (needs
 * `node scripts/build.mjs`).
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import * as pty from 'node-pty';
import WebSocket from 'ws';
import { loginShell } from '../../client/src/shell/login-shell.ts';
import { startAppliance } from '../../test/helpers/appliance.ts';
import { consoleRep, download, runClient } from '../../test/helpers/customer.ts';
import { keystrokeEchoes, waitFor, type Tty } from './tty.ts';

const MB = 1024 * 1024;
const KEYSTROKES = 300;
const KEY_TIMEOUT_MS = 5_000;
const CAT_TIMEOUT_MS = 120_000;
const SIZE = Number(process.env.BENCH_SHELL_MB ?? 64) * MB;
/** Non-canonical, no kernel echo: every byte cat reads comes straight back, once. */
const ECHO_COMMAND = 'stty -echo -icanon min 1 time 0; exec cat\r';
const MARKER = 'END-OF-BENCH-OUTPUT';

function rss(pid: number | undefined): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Keystroke round trips: one byte out, wait for it to come back. */
async function echoLatency(tty: Tty): Promise<number[]> {
  return (await keystrokeEchoes(tty, KEYSTROKES, KEY_TIMEOUT_MS)).sort((a, b) => a - b);
}

/** MB/s of `cat file` until the marker arrives. */
async function throughput(tty: Tty, file: string, sample?: () => void): Promise<number> {
  let bytes = 0;
  tty.onData((c) => (bytes += c.length));
  const timer = sample ? setInterval(sample, 20) : undefined;
  const t0 = performance.now();
  const done = waitFor(tty, (all) => all.includes(MARKER), CAT_TIMEOUT_MS, 'cat');
  tty.write(`cat ${file}; echo ${MARKER.slice(0, 6)}''${MARKER.slice(6)}\r`);
  await done;
  const seconds = (performance.now() - t0) / 1000;
  if (timer) clearInterval(timer);
  if (bytes < SIZE) throw new Error(`only ${bytes} of ${SIZE} bytes arrived`);
  return bytes / MB / seconds;
}

function localPty(): Tty {
  const program = loginShell();
  const p = pty.spawn(program.file, program.args, { name: 'xterm-256color', cols: 120, rows: 40, cwd: program.cwd, env: program.env, encoding: null } as pty.IPtyForkOptions);
  return {
    write: (d) => p.write(d),
    onData: (fn) => void p.onData((d) => fn(d as unknown as Buffer)),
    close: () => p.kill('SIGHUP'),
  };
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-bench-shell-'));
  const file = path.join(work, 'output.txt');
  const out = createWriteStream(file);
  // Printable lines, like real command output (base64 of random bytes, 76 characters a line).
  for (let done = 0; done < SIZE; ) {
    const chunk = Buffer.from(randomBytes(57 * 1024).toString('base64').replace(/(.{76})/g, '$1\n'));
    const piece = chunk.subarray(0, Math.min(chunk.length, SIZE - done));
    done += piece.length;
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');

  const app = await startAppliance({ env: { RELAYDESK_LOG_LEVEL: 'warn' } });
  const alice = await consoleRep(app, 'alice');
  const key = await alice.sessionKey();
  const dl = await download(app, '/download/relaydesk-client.mjs', work);
  const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Bench', '--keep', '--allow-all']);
  try {
    const session = (await alice.socket.next((m) => m.t === 'session' && m.entered, 15_000)).session;
    await alice.request({ t: 'accept', sessionId: session.id });
    const cookie = `__Host-rd_console=${alice.agent.cookies.get('__Host-rd_console')}`;

    const remote = async (): Promise<Tty> => {
      const answer = await alice.request({ t: 'shell_open', sessionId: session.id, cols: 120, rows: 40 });
      if (answer.t !== 'channel_ticket') throw new Error(JSON.stringify(answer));
      const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${answer.ticket}`, [], { ca: [app.caPem], headers: { cookie, origin: app.origin } });
      await once(ws, 'open');
      const listeners: Array<(c: Buffer) => void> = [];
      ws.on('message', (data, isBinary) => {
        if (isBinary) for (const l of listeners) l(data as Buffer);
      });
      return { write: (d) => ws.send(Buffer.from(d, 'latin1')), onData: (fn) => void listeners.push(fn), close: () => ws.close() };
    };
    const ready = async (tty: Tty): Promise<void> => {
      // The prompt is up when the shell answers a command.
      const answered = waitFor(tty, (all) => all.includes('READY-42'), 15_000, 'shell start');
      tty.write('echo READY-$((6*7))\r');
      await answered;
    };
    const echoMode = async (tty: Tty): Promise<void> => {
      await ready(tty);
      tty.write(ECHO_COMMAND);
      // Give stty and exec a moment; then the first echoed byte proves cat is reading.
      const first = waitFor(tty, (all) => all.endsWith('!'), 10_000, 'cat start');
      const probe = setInterval(() => tty.write('!'), 200);
      await first.finally(() => clearInterval(probe));
      await new Promise((r) => setTimeout(r, 300));
    };

    const localEcho = localPty();
    await echoMode(localEcho);
    const local = await echoLatency(localEcho);
    localEcho.close();
    const remoteEcho = await remote();
    await echoMode(remoteEcho);
    const viaAppliance = await echoLatency(remoteEcho);
    remoteEcho.close();

    const localCat = localPty();
    await ready(localCat);
    const localRate = await throughput(localCat, file);
    localCat.close();
    const remoteCat = await remote();
    await ready(remoteCat);
    let peakApp = 0;
    let peakClient = 0;
    const remoteRate = await throughput(remoteCat, file, () => {
      peakApp = Math.max(peakApp, rss(app.child.pid));
      peakClient = Math.max(peakClient, rss(client.child.pid));
    });
    remoteCat.close();

    const ms = (v: number): string => `${v.toFixed(2)} ms`;
    const med = [percentile(local, 50), percentile(viaAppliance, 50)] as const;
    const p99 = [percentile(local, 99), percentile(viaAppliance, 99)] as const;
    console.log(`keystroke echo, ${KEYSTROKES} keystrokes:`);
    console.log(`  local pty          median ${ms(med[0])}  p99 ${ms(p99[0])}`);
    console.log(`  through appliance  median ${ms(med[1])}  p99 ${ms(p99[1])}`);
    console.log(`  ratio              median ${(med[1] / med[0]).toFixed(1)}x  p99 ${(p99[1] / p99[0]).toFixed(1)}x`);
    console.log(`output throughput, cat of ${SIZE / MB} MiB of text:`);
    console.log(`  local pty          ${localRate.toFixed(1)} MB/s`);
    console.log(`  through appliance  ${remoteRate.toFixed(1)} MB/s  (${(remoteRate / localRate).toFixed(2)}x of local)`);
    console.log(`  peak RSS meanwhile: appliance ${(peakApp / MB).toFixed(0)} MB, client ${(peakClient / MB).toFixed(0)} MB`);
  } finally {
    await client.kill();
    await app.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
