/**
 * Support buttons (F25) with real processes: the session's owner leaves a
 * button; the real client installs a private launcher; after the session,
 * running the launcher starts a new session straight in the button's team
 * queue with the customer's name; a rep who may not see the button cannot
 * remove it; once removed, the launcher is refused and deletes itself.
 * Needs `node scripts/build.mjs` first.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient } from './helpers/customer.ts';
import { adminAgent, createTeam } from './helpers/rep.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-button-test-'));
const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
const app = await startAppliance({ dataDir });
t.teardown(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
const alice = await consoleRep(app, 'alice');
const bob = await consoleRep(app, 'bob');
const admin = await adminAgent(app);
const team = await createTeam(admin, 'Helpdesk', [[alice.id, 'member']]);
// Her open console learns of the new team's queue at once.
await alice.socket.next((m) => m.t === 'welcome' && m.queues.some((q: any) => q.name === 'Helpdesk'));
const buttonDir = path.join(work, 'button');
const xdg = path.join(work, 'xdg');

/** Runs the launcher as a customer would (no terminal); resolves with its exit and output. */
function runLauncher(): { done: Promise<{ code: number | null; out: string }>; kill: () => void } {
  const child = spawn('sh', [path.join(buttonDir, 'support.sh')], { env: { ...process.env, NODE_OPTIONS: '', XDG_DATA_HOME: xdg }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return { done: new Promise((r) => child.once('exit', (code) => (clearTimeout(timer), r({ code, out })))), kill: () => child.kill('SIGTERM') };
}

const key = await alice.sessionKey();
const dl = await download(app, '/download/relaydesk-client.mjs', work);
const first = runClient(dl.file, ['--key', key.shortKey, '--name', 'Greta', '--button-dir', buttonDir], { env: { XDG_DATA_HOME: xdg } });
t.teardown(() => first.kill());
const session = (await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Greta', 15_000)).session;
await alice.request({ t: 'accept', sessionId: session.id });

let buttonId = '';
t.test('the owner leaves a button; the client installs a private launcher and a menu entry', async (t) => {
  t.equal((await bob.request({ t: 'button_deploy', sessionId: session.id, description: 'x', group: 'personal', days: 1 })).code, 'SESSION_UNKNOWN');
  const r = await alice.request({ t: 'button_deploy', sessionId: session.id, description: 'Call the helpdesk', group: team, days: 30 });
  t.equal(r.t, 'buttons', JSON.stringify(r));
  buttonId = r.buttons[0].id;
  t.equal(r.buttons[0].queueName, 'Helpdesk');
  t.ok(r.buttons[0].expiresAt > Date.now() + 29 * 86_400_000);
  await first.waitFor(/left a support button here \("Call the helpdesk"\)/);
  t.equal(statSync(buttonDir).mode & 0o777, 0o700, 'the folder with the token is private');
  t.ok(existsSync(path.join(buttonDir, 'relaydesk-client.mjs')));
  const entry = readFileSync(path.join(xdg, 'applications', `relaydesk-support-${buttonId}.desktop`), 'utf8');
  t.match(entry, /Name=Call the helpdesk/);
  t.match(entry, new RegExp(`Exec=${buttonDir}/support.sh`));
  await alice.request({ t: 'end', sessionId: session.id });
  t.equal((await first.exited).code, 0);
});

t.test('running the launcher later lands in the team queue with the customer known', async (t) => {
  const run = runLauncher();
  // A launcher that exits before its session shows says why in its output.
  const s = (await Promise.race([
    alice.socket.next((m) => m.t === 'session' && m.entered && m.session.source === 'button', 45_000),
    run.done.then(({ code, out }) => { throw new Error(`the launcher exited (${code}) before its session arrived: ${out}`); }),
  ])).session;
  t.equal(s.queueName, 'Helpdesk');
  t.equal(s.customer.name, 'Greta');
  t.equal(s.customer.details, 'Call the helpdesk');
  await alice.request({ t: 'accept', sessionId: s.id });
  await alice.request({ t: 'end', sessionId: s.id });
  const done = await run.done;
  t.equal(done.code, 0);
  t.ok(existsSync(path.join(buttonDir, 'support.sh')), 'the launcher stays for next time');
});

t.test('removal: others may not; once removed the launcher is refused and deletes itself', async (t) => {
  t.equal((await bob.request({ t: 'button_remove', buttonId })).code, 'BUTTON_UNKNOWN');
  t.same((await bob.request({ t: 'button_list' })).buttons, []);
  t.equal((await alice.request({ t: 'button_remove', buttonId })).t, 'ack');
  const done = await runLauncher().done;
  t.equal(done.code, 2, 'refused');
  t.match(done.out, /no longer valid and was removed/);
  t.notOk(existsSync(buttonDir), 'the launcher folder is gone');
  t.notOk(existsSync(path.join(xdg, 'applications', `relaydesk-support-${buttonId}.desktop`)), 'and its menu entry');
});
