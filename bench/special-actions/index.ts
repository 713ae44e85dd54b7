/**
 * bench/special-actions: how long a special action takes from the rep's
 * request to its result, through the real appliance and the real customer
 * client (built, downloaded, started with --allow-all) on loopback, next to
 * the floor of the same work — spawning `/bin/sh -c <command>` in this
 * process — measured in the same run. Median and p99 of RUNS sequential
 * runs each, printed with their ratio; the difference is what the path
 * (console socket, appliance checks and log writes, customer socket, consent,
 * result back) adds.
 * Bounded: RUNS runs, each waiting at most 10 s. Run: `npm run bench -- special-actions`
 * (needs `node scripts/build.mjs`). Knob: BENCH_RUNS (100).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAppliance } from '../../test/helpers/appliance.ts';
import { consoleRep, download, runClient } from '../../test/helpers/customer.ts';
import { adminAgent } from '../../test/helpers/rep.ts';
import { quantile } from '../sessions/stats.ts';

const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const COMMAND = 'echo ok';

function spawnOnce(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', COMMAND], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout.resume();
    child.stderr.resume();
    child.on('error', reject);
    child.on('close', () => resolve());
  });
}

function row(name: string, ms: number[], base?: number[]): string {
  const p50 = quantile(ms, 0.5);
  const ratio = base ? `${(p50 / quantile(base, 0.5)).toFixed(1)}x` : '1.0x';
  return `${name.padEnd(40)} ${p50.toFixed(2).padStart(8)} ${quantile(ms, 0.99).toFixed(2).padStart(8)} ${ratio.padStart(8)}`;
}

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-bench-actions-'));
const app = await startAppliance({ env: { RELAYDESK_LOG_LEVEL: 'warn' } });
try {
  const admin = await adminAgent(app);
  const rep = await consoleRep(app, 'benchrep');
  await admin.put(`/api/admin/users/${rep.id}/permissions`, { screen: 'none', privacyScreen: false, specialActions: true, shell: false, fileTransfer: 'none', allowedPaths: [] });
  const actionId = (await admin.post('/api/admin/special-actions', { name: 'Echo', command: COMMAND, elevated: false, description: '' })).json().action.id;
  const key = await rep.sessionKey();
  const dl = await download(app, '/download/relaydesk-client.mjs', work);
  const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Bench', '--keep', '--allow-all']);
  const entered = await rep.socket.next((m) => m.t === 'session' && m.entered, 10_000);
  const sessionId = entered.session.id;
  await rep.request({ t: 'accept', sessionId });
  await client.waitFor(/joined/);

  const base: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    await spawnOnce();
    base.push(performance.now() - t0);
  }
  const through: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    const started = await rep.request({ t: 'special_action', sessionId, actionId });
    if (started.t !== 'special_action_started') throw new Error(JSON.stringify(started));
    const result = await rep.socket.next((m) => m.t === 'special_action_result' && m.runId === started.runId, 10_000);
    if (result.outcome !== 'done' || result.exitCode !== 0) throw new Error(JSON.stringify(result));
    through.push(performance.now() - t0);
  }
  console.log(`${RUNS} sequential runs of \`${COMMAND}\` each`);
  console.log(`${'run'.padEnd(40)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'vs spawn'.padStart(8)}`);
  console.log(row('spawn /bin/sh -c here (baseline)', base));
  console.log(row('special action: console → client → back', through, base));
  console.log(`the path adds ${(quantile(through, 0.5) - quantile(base, 0.5)).toFixed(2)} ms at the median`);
  await rep.request({ t: 'end', sessionId });
  await client.exited;
} finally {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
}
process.exit(0);
