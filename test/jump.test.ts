/**
 * Jump clients end to end (F12, F13, F16) with real processes: a customer
 * client in a session, pinned by its rep, installs a copy of itself with a
 * 0600 configuration and starts it detached; the jump client shows online
 * to the reps who may see it and to nobody else; the first client still
 * ends and removes itself, while the jump client keeps waiting; a jump
 * starts a session owned by the rep (chat works, events say so; a special
 * action and a command shell run unattended); ending it
 * leaves the jump client waiting; a team item is seen by the team, a
 * personal one only by its rep; a wrong secret is refused; removing the
 * item makes the jump client uninstall itself and exit.
 * Needs `node scripts/build.mjs` first.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import t from 'tap';
import WebSocket from 'ws';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient } from './helpers/customer.ts';
import { adminAgent, createTeam, signInRep } from './helpers/rep.ts';
import { openSocket } from './helpers/ws.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-jump-test-'));
const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
const app = await startAppliance({ dataDir });
const jumpDir = path.join(work, 'jump');
const alice = await consoleRep(app, 'alice');
const bob = await consoleRep(app, 'bob');
const carol = await consoleRep(app, 'carol');
const admin = await adminAgent(app);
const team = await createTeam(admin, 'Servers', [
  [alice.id, 'member'],
  [carol.id, 'lead'],
]);

/** Kills the detached jump client, if it still runs. */
function killJump(): void {
  try {
    const pid = Number(readFileSync(path.join(jumpDir, 'jump.pid'), 'utf8'));
    if (pid > 1) process.kill(pid, 'SIGKILL');
  } catch {
    // Not running or already removed.
  }
}
t.teardown(async () => {
  killJump();
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});

async function listUntil(rep: typeof alice, pred: (items: any[]) => boolean, timeoutMs = 15_000): Promise<any[]> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const r = await rep.request({ t: 'jump_list' });
    if (r.t !== 'jump_items') throw new Error(JSON.stringify(r));
    if (pred(r.items) || Date.now() > until) return r.items;
    await new Promise((res) => setTimeout(res, 150));
  }
}

// A session with a real client, pinned to the Servers team by alice.
const key = await alice.sessionKey();
const dl = await download(app, '/download/relaydesk-client.mjs', work);
const first = runClient(dl.file, ['--key', key.shortKey, '--name', 'Build box', '--jump-dir', jumpDir]);
t.teardown(() => first.kill());
const session = (await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Build box', 15_000)).session;
await alice.request({ t: 'accept', sessionId: session.id });

t.test('only the owner pins, to their own list or one of their teams', async (t) => {
  t.equal((await bob.request({ t: 'jump_pin', sessionId: session.id, group: 'personal' })).code, 'SESSION_UNKNOWN', 'bob is no member');
  t.equal((await alice.request({ t: 'jump_pin', sessionId: session.id, group: 'A'.repeat(22) })).code, 'QUEUE_UNKNOWN', 'not a team of hers');
  t.equal((await alice.request({ t: 'jump_pin', sessionId: session.id, group: '../etc' })).code, 'BAD_FIELD');
});

let itemId = '';
t.test('pinning installs and starts a jump client that shows online to the team', async (t) => {
  const ack = await alice.request({ t: 'jump_pin', sessionId: session.id, group: team, name: 'Build server' });
  t.equal(ack.t, 'ack');
  await first.waitFor(/pinned this computer as "Build server"/);
  const configFile = path.join(jumpDir, 'jump.json');
  t.ok(existsSync(path.join(jumpDir, 'relaydesk-client.mjs')), 'a copy of the client');
  t.equal(statSync(configFile).mode & 0o777, 0o600, 'the configuration with the secret is private');
  const items = await listUntil(carol, (i) => i.some((x: any) => x.name === 'Build server' && x.online));
  const item = items.find((x: any) => x.name === 'Build server');
  t.ok(item?.online, 'carol (team lead) sees it online');
  itemId = item.id;
  t.equal(item.groupName, 'Servers');
  t.equal(item.hostname, os.hostname());
  t.same((await bob.request({ t: 'jump_list' })).items, [], 'bob is not in the team');
  const detail = await alice.request({ t: 'open_session', sessionId: session.id });
  t.ok(detail.events.some((e: any) => e.kind === 'jump_pinned' && e.params.name === 'Build server'), 'the event log says so');
});

t.test('the first client ends and removes itself; the jump client stays online', async (t) => {
  t.equal((await alice.request({ t: 'end', sessionId: session.id })).t, 'ack');
  t.equal((await first.exited).code, 0);
  t.notOk(existsSync(dl.file), 'the downloaded client removed itself');
  await new Promise((r) => setTimeout(r, 300));
  const items = await listUntil(alice, (i) => i.some((x: any) => x.id === itemId));
  t.ok(items.find((x: any) => x.id === itemId)?.online);
});

t.test('a jump starts a session owned by the rep; chat reaches the jump client; it keeps waiting after', async (t) => {
  t.equal((await bob.request({ t: 'jump_start', itemId })).code, 'JUMP_UNKNOWN', 'bob may not');
  t.equal((await carol.request({ t: 'jump_start', itemId })).t, 'ack');
  const s = (await carol.socket.next((m) => m.t === 'session' && m.session.source === 'jump' && m.session.state === 'active', 15_000)).session;
  t.equal(s.owner.name, 'Carol', 'carol owns it from the start');
  t.equal(s.customer.name, 'Build server');
  t.equal((await carol.request({ t: 'chat', sessionId: s.id, body: 'checking the disks' })).t, 'ack');
  const log = path.join(jumpDir, 'jump.log');
  const until = Date.now() + 10_000;
  while (!readFileSync(log, 'utf8').includes('Carol: checking the disks') && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.match(readFileSync(log, 'utf8'), /chat Carol: checking the disks/, 'the jump session got the chat');
  const detail = await carol.request({ t: 'open_session', sessionId: s.id });
  t.ok(detail.events.some((e: any) => e.kind === 'jump_started' && e.actor === 'Carol'));

  // Unattended (F14): nobody is at the computer; what carol may do runs without a prompt, and the log says why.
  await admin.put(`/api/admin/users/${carol.id}/permissions`, { screen: 'control', privacyScreen: false, specialActions: true, shell: true, fileTransfer: 'both', allowedPaths: [] });
  await carol.socket.next((m) => m.t === 'permissions' && m.permissions.specialActions === true);
  const marker = path.join(work, 'unattended.txt');
  const action = (await admin.post('/api/admin/special-actions', { name: 'Mark', command: `echo unattended > '${marker}'`, elevated: false, description: '' })).json().action.id;
  const started = await carol.request({ t: 'special_action', sessionId: s.id, actionId: action });
  t.equal(started.t, 'special_action_started', JSON.stringify(started));
  const result = await carol.socket.next((m) => m.t === 'special_action_result' && m.runId === started.runId, 15_000);
  t.equal(result.outcome, 'done');
  t.equal(readFileSync(marker, 'utf8'), 'unattended\n', 'the jump client ran it with nobody there to ask');
  t.match(readFileSync(path.join(jumpDir, 'jump.log'), 'utf8'), /asks to run "Mark".*allowed \(unattended jump client\)/);
  // A command shell too, with nobody there to ask.
  const shell = await carol.request({ t: 'shell_open', sessionId: s.id, cols: 80, rows: 24 });
  t.equal(shell.t, 'channel_ticket', JSON.stringify(shell));
  const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${shell.ticket}`, [], {
    ca: [app.caPem],
    headers: { cookie: `__Host-rd_console=${carol.agent.cookies.get('__Host-rd_console')}`, origin: app.origin },
  });
  let out = '';
  ws.on('message', (data, isBinary) => {
    if (isBinary) out += String(data);
  });
  await once(ws, 'open');
  ws.send(Buffer.from('echo jump-$((6*7))\r'));
  const shellUntil = Date.now() + 15_000;
  while (!/[\r\n]jump-42\r?\n/.test(out) && Date.now() < shellUntil) await new Promise((r) => setTimeout(r, 100));
  t.match(out, /[\r\n]jump-42\r?\n/, 'the jump client runs a shell unattended');
  ws.close();
  t.equal((await carol.request({ t: 'end', sessionId: s.id })).t, 'ack');
  await new Promise((r) => setTimeout(r, 500));
  const items = await listUntil(carol, (i) => i.some((x: any) => x.id === itemId && x.online && x.lastAccessed));
  t.ok(items.find((x: any) => x.id === itemId)?.lastAccessed, 'last accessed is set');
  t.ok(items.find((x: any) => x.id === itemId)?.online, 'still online after the session');
});

t.test('a wrong secret is refused on /ws/jump', async (t) => {
  const ws = await openSocket(app.origin, app.caPem, '/ws/jump', '');
  ws.send({ t: 'hello', v: 1, jumpId: itemId, secret: 'x'.repeat(32) });
  const err = await ws.next((m) => m.t === 'error');
  t.equal(err.code, 'JUMP_UNKNOWN');
  t.equal((await ws.closed).code, 4002);
});

t.test('a jump policy limits when the item may be used; an administrator may override', async (t) => {
  for (const bad of [
    { name: 'x', timeZone: 'Mars/Olympus', windows: [] },
    { name: 'x', timeZone: 'UTC', windows: [{ day: 1, from: '18:00', to: '08:00' }] },
    { name: 'x', timeZone: 'UTC', windows: [{ day: 7, from: '08:00', to: '18:00' }] },
    { name: '', timeZone: 'UTC', windows: [] },
  ]) t.equal((await admin.post('/api/admin/jump-policies', bad)).status, 400, JSON.stringify(bad));
  t.same((await admin.get('/api/admin/jump-policies')).json().policies, [], 'nothing stored');
  const other = (new Date().getUTCDay() + 3) % 7;
  const created = await admin.post('/api/admin/jump-policies', { name: 'Maintenance day', timeZone: 'UTC', windows: [{ day: other, from: '00:00', to: '24:00' }] });
  t.equal(created.status, 201);
  const policyId = created.json().policy.id;
  t.equal((await bob.request({ t: 'jump_set_policy', itemId, policyId })).code, 'JUMP_UNKNOWN');
  t.equal((await carol.request({ t: 'jump_set_policy', itemId, policyId })).t, 'ack', 'a team lead sets it');
  const listed = (await alice.request({ t: 'jump_list' })).items.find((i: any) => i.id === itemId);
  t.equal(listed.policyName, 'Maintenance day');
  const refused = await carol.request({ t: 'jump_start', itemId });
  t.equal(refused.code, 'JUMP_POLICY');
  const next = Date.parse(refused.detail);
  t.equal(new Date(next).getUTCDay(), other, 'the next allowed time is on the allowed day');
  t.equal(new Date(next).getUTCHours(), 0);
  t.equal((await carol.request({ t: 'jump_start', itemId, override: true })).code, 'JUMP_POLICY', 'only administrators override');
  const boss = await signInRep(app, 'admin');
  t.equal((await boss.request({ t: 'jump_start', itemId, override: true })).t, 'ack', 'an administrator may');
  const s = (await boss.socket.next((m) => m.t === 'session' && m.session.source === 'jump' && m.session.owner?.name === 'Administrator', 15_000)).session;
  await boss.request({ t: 'end', sessionId: s.id });
  t.equal((await admin.del(`/api/admin/jump-policies/${policyId}`)).status, 200);
  const after = (await carol.request({ t: 'jump_list' })).items.find((i: any) => i.id === itemId);
  t.equal(after.policyId, null, 'deleting the policy frees its items');
  boss.socket.ws.close();
});

t.test('removing the item uninstalls the jump client', async (t) => {
  t.equal((await bob.request({ t: 'jump_remove', itemId })).code, 'JUMP_UNKNOWN', 'bob cannot even see it');
  const pid = Number(readFileSync(path.join(jumpDir, 'jump.pid'), 'utf8'));
  t.equal((await carol.request({ t: 'jump_remove', itemId })).t, 'ack', 'a team lead may remove it');
  const gone = await alice.socket.next((m) => m.t === 'jump_gone' && m.itemId === itemId);
  t.ok(gone, 'consoles that saw it are told');
  const until = Date.now() + 10_000;
  const alive = (): boolean => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  while ((alive() || existsSync(jumpDir)) && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
  t.notOk(alive(), 'the jump client exited');
  t.notOk(existsSync(jumpDir), 'and removed its folder');
  t.same((await alice.request({ t: 'jump_list' })).items, []);
});
