/**
 * bench/shell-jump: a Shell Jump through the real appliance to a real
 * OpenSSH server on 127.0.0.1 (test/helpers/sshd.ts, key login), next to a
 * direct ssh2 connection from this process to the same server, measured in
 * the same run:
 *
 * - connect: `shell_jump_start` until the session's shell answers a command,
 *   against ssh2 connect + shell until the same; median of CONNECTS (10);
 * - keystroke echo latency: KEYSTROKES (200) bytes typed one after the other
 *   into `cat` (non-canonical, no kernel echo); median and p99;
 * - output throughput: `cat` of a BENCH_SHELL_JUMP_MB (32) MiB text file,
 *   MB/s until an end marker arrives.
 * Each figure is printed with its ratio to the direct connection. The console
 * side is this process on a raw channel WebSocket. Bounded: each keystroke
 * waits at most 5 s, each `cat` 120 s. Needs root (sshd) and
 * `node scripts/build.mjs`. Run: `npm run bench -- shell-jump`.
 */
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, rmSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import ssh2 from 'ssh2';
import WebSocket from 'ws';
import { startAppliance } from '../../test/helpers/appliance.ts';
import { consoleRep } from '../../test/helpers/customer.ts';
import { adminAgent } from '../../test/helpers/rep.ts';
import { DEFAULT_USER_PERMISSIONS } from '../../common/permissions.ts';
import { SSH_TEST_USER, sshdUnavailable, startSshd } from '../../test/helpers/sshd.ts';
import { keystrokeEchoes, waitFor, type Tty } from '../shell/tty.ts';

const MB = 1024 * 1024;
const CONNECTS = 10;
const KEYSTROKES = 200;
const SIZE = Number(process.env.BENCH_SHELL_JUMP_MB ?? 32) * MB;
const MARKER = 'END-OF-BENCH-OUTPUT';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p99 = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * 0.99))]!;

async function ready(tty: Tty): Promise<void> {
  const answered = waitFor(tty, (all) => all.includes('READY-42'), 15_000, 'shell start');
  tty.write('echo READY-$((6*7))\r');
  await answered;
}

async function echoLatency(tty: Tty): Promise<number[]> {
  await ready(tty);
  tty.write('stty -echo -icanon min 1 time 0; exec cat\r');
  const first = waitFor(tty, (all) => all.endsWith('!'), 10_000, 'cat start');
  const probe = setInterval(() => tty.write('!'), 200);
  await first.finally(() => clearInterval(probe));
  await new Promise((r) => setTimeout(r, 300));
  return keystrokeEchoes(tty, KEYSTROKES, 5_000);
}

async function throughput(tty: Tty, file: string): Promise<number> {
  await ready(tty);
  let bytes = 0;
  tty.onData((c) => (bytes += c.length));
  const t0 = performance.now();
  const done = waitFor(tty, (all) => all.includes(MARKER), 120_000, 'cat');
  tty.write(`cat ${file}; echo ${MARKER.slice(0, 6)}''${MARKER.slice(6)}\r`);
  await done;
  if (bytes < SIZE) throw new Error(`only ${bytes} of ${SIZE} bytes arrived`);
  return bytes / MB / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const why = sshdUnavailable();
  if (why) {
    console.log(`bench/shell-jump skipped: ${why}`);
    return;
  }
  const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-bench-shelljump-'));
  chmodSync(work, 0o755);
  const file = path.join(work, 'output.txt');
  const out = createWriteStream(file, { mode: 0o644 });
  for (let done = 0; done < SIZE; ) {
    const chunk = Buffer.from(randomBytes(57 * 1024).toString('base64').replace(/(.{76})/g, '$1\n'));
    const piece = chunk.subarray(0, Math.min(chunk.length, SIZE - done));
    done += piece.length;
    if (!out.write(piece)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  const sshd = await startSshd();
  let app: Awaited<ReturnType<typeof startAppliance>> | undefined;
  try {
    app = await startAppliance({ env: { RELAYDESK_LOG_LEVEL: 'warn' } });
    const admin = await consoleRep(app, 'alice');
    const granted = await (await adminAgent(app)).put(`/api/admin/users/${admin.id}/permissions`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [], shellJump: true });
    if (granted.status !== 200) throw new Error(granted.text);
    const item = (await admin.request({ t: 'shell_jump_save', name: 'Bench', host: '127.0.0.1', port: sshd.port, username: SSH_TEST_USER, group: 'personal', policyId: '', fingerprint: sshd.fingerprint })).item;
    if (!item) throw new Error('the item could not be created');
    const cookie = `__Host-rd_console=${admin.agent.cookies.get('__Host-rd_console')}`;
    const appliance = app;

    const direct = async (): Promise<Tty> => {
      const client = new ssh2.Client();
      const readyP = once(client, 'ready');
      client.connect({ host: '127.0.0.1', port: sshd.port, username: SSH_TEST_USER, privateKey: sshd.clientKey, hostVerifier: () => true });
      await readyP;
      const stream = await new Promise<ssh2.ClientChannel>((resolve, reject) => client.shell({ term: 'xterm-256color', cols: 120, rows: 40 }, (err, s) => (err ? reject(err) : resolve(s))));
      const listeners: Array<(c: Buffer) => void> = [];
      stream.on('data', (d: Buffer) => listeners.forEach((l) => l(d)));
      return { write: (d) => stream.write(d), onData: (fn) => void listeners.push(fn), close: () => client.end() };
    };
    const jumped = async (): Promise<Tty> => {
      const started = await admin.request({ t: 'shell_jump_start', itemId: item.id, cols: 120, rows: 40, privateKey: sshd.clientKey });
      if (started.t !== 'shell_jump_started') throw new Error(JSON.stringify(started));
      const list = await admin.request({ t: 'shell_list', sessionId: started.sessionId });
      const answer = await admin.request({ t: 'shell_attach', sessionId: started.sessionId, shellId: list.shells[0].id });
      const ws = new WebSocket(`${appliance.origin.replace(/^https/, 'wss')}/ws/channel?t=${answer.ticket}`, [], { ca: [appliance.caPem], headers: { cookie, origin: appliance.origin } });
      await once(ws, 'open');
      const listeners: Array<(c: Buffer) => void> = [];
      ws.on('message', (data, isBinary) => {
        if (isBinary) listeners.forEach((l) => l(data as Buffer));
      });
      return { write: (d) => ws.send(Buffer.from(d, 'latin1')), onData: (fn) => void listeners.push(fn), close: () => (ws.close(), void admin.request({ t: 'end', sessionId: started.sessionId })) };
    };

    const connectTimes = async (open: () => Promise<Tty>): Promise<number[]> => {
      const times: number[] = [];
      for (let i = 0; i < CONNECTS; i++) {
        const t0 = performance.now();
        const tty = await open();
        await ready(tty);
        times.push(performance.now() - t0);
        tty.close();
      }
      return times;
    };
    const cDirect = await connectTimes(direct);
    const cJump = await connectTimes(jumped);
    let tty = await direct();
    const eDirect = await echoLatency(tty);
    tty.close();
    tty = await jumped();
    const eJump = await echoLatency(tty);
    tty.close();
    tty = await direct();
    const tDirect = await throughput(tty, file);
    tty.close();
    tty = await jumped();
    const tJump = await throughput(tty, file);
    tty.close();

    const ms = (v: number): string => `${v.toFixed(2)} ms`;
    console.log(`connect to a running shell (median of ${CONNECTS}): direct ssh2 ${ms(median(cDirect))}, Shell Jump ${ms(median(cJump))}  ratio ${(median(cJump) / median(cDirect)).toFixed(2)}`);
    console.log(`keystroke echo (${KEYSTROKES}): direct median ${ms(median(eDirect))} p99 ${ms(p99(eDirect))}; Shell Jump median ${ms(median(eJump))} p99 ${ms(p99(eJump))}  ratio (median) ${(median(eJump) / median(eDirect)).toFixed(2)}`);
    console.log(`cat ${SIZE / MB} MiB: direct ${tDirect.toFixed(1)} MB/s, Shell Jump ${tJump.toFixed(1)} MB/s  ratio ${(tJump / tDirect).toFixed(2)}`);
  } finally {
    await app?.stop();
    await sshd.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
