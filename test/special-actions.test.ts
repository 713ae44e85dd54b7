/**
 * Special actions end to end with the real appliance and the real customer
 * client (built, downloaded, run as a child process): the admin API
 * (predefined Reboot / Shut down, create, strict bodies, edit, delete,
 * admins only); a rep with the permission runs an action that writes a file
 * on the "customer's" machine, the event log shows the run and its end and
 * the console gets the result; a rep without the permission, or not in the
 * session, is refused over hand-crafted frames and nothing runs; a client
 * started with --deny-all refuses and the console is told; a customer cannot
 * report a run it was never sent, and a click-to-chat customer (a browser)
 * is never sent one. Needs `node scripts/build.mjs` first.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient, type ConsoleRep } from './helpers/customer.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent } from './helpers/rep.ts';
import { openSocket } from './helpers/ws.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-actions-test-'));
const app = await startAppliance();
t.teardown(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
const admin = await adminAgent(app);
const alice = await consoleRep(app, 'alice');
const bob = await consoleRep(app, 'bob');
const carol = await consoleRep(app, 'carol');
const GRANT = { screen: 'control', privacyScreen: false, specialActions: true, shell: true, fileTransfer: 'both', allowedPaths: [] };
let folders = 0;

/** Starts the real client on a new key of `rep`, waits for the session, has `rep` accept it. */
async function clientSession(rep: ConsoleRep, name: string, flags: string[]) {
  const dir = path.join(work, `dl-${++folders}`);
  mkdirSync(dir);
  const key = await rep.sessionKey();
  const dl = await download(app, '/download/relaydesk-client.mjs', dir);
  const client = runClient(dl.file, ['--key', key.shortKey, '--name', name, '--keep', ...flags]);
  const entered = await rep.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === name, 10_000);
  const sessionId: string = entered.session.id;
  await client.waitFor(/Waiting for a representative/);
  const ack = await rep.request({ t: 'accept', sessionId });
  if (ack.t !== 'ack') throw new Error(JSON.stringify(ack));
  await client.waitFor(/joined\./);
  return { client, sessionId };
}

async function actionId(name: string): Promise<string> {
  const list = (await admin.get('/api/admin/special-actions')).json().actions as Array<{ id: string; name: string }>;
  return list.find((a) => a.name === name)!.id;
}

t.test('admin API: predefined actions, create, strict bodies, edit, delete', async (t) => {
  const list = (await admin.get('/api/admin/special-actions')).json().actions;
  t.match(list, [
    { name: 'Reboot', command: 'systemctl reboot', elevated: true },
    { name: 'Shut down', command: 'systemctl poweroff', elevated: true },
  ]);
  const bad: Array<[object, string]> = [
    [{ name: '', command: 'true', elevated: false, description: '' }, 'BAD_FIELD'],
    [{ name: '   ', command: 'true', elevated: false, description: '' }, 'BAD_FIELD'],
    [{ name: 'X', command: 'true', description: '' }, 'BAD_FIELD'],
    [{ name: 'X', command: 'true', elevated: 'yes', description: '' }, 'BAD_FIELD'],
    [{ name: 'X', command: 'a\u0000b', elevated: false, description: '' }, 'BAD_FIELD'],
    [{ name: 'X', command: 'x'.repeat(4001), elevated: false, description: '' }, 'BAD_FIELD'],
    [{ name: 'X', command: 'true', elevated: false, description: '', extra: 1 }, 'UNKNOWN_FIELD'],
    [{ name: 'reboot', command: 'true', elevated: false, description: '' }, 'NAME_TAKEN'],
  ];
  for (const [body, code] of bad) {
    const r = await admin.post('/api/admin/special-actions', body);
    t.equal(r.json().error?.code, code, JSON.stringify(body).slice(0, 70));
  }
  t.equal((await admin.get('/api/admin/special-actions')).json().actions.length, 2, 'nothing was added');

  const created = await admin.post('/api/admin/special-actions', { name: 'Temp', command: 'echo temp', elevated: false, description: 'for a moment' });
  t.equal(created.status, 201);
  const id = created.json().action.id;
  const edited = await admin.put(`/api/admin/special-actions/${id}`, { name: 'Temp 2', command: 'echo two', elevated: true, description: '' });
  t.match(edited.json().action, { id, name: 'Temp 2', command: 'echo two', elevated: true });
  t.equal((await admin.put(`/api/admin/special-actions/${id}`, { name: 'Shut down', command: 'x', elevated: false, description: '' })).json().error.code, 'NAME_TAKEN');
  t.equal((await admin.del(`/api/admin/special-actions/${id}`)).status, 200);
  t.equal((await admin.del(`/api/admin/special-actions/${id}`)).json().error.code, 'UNKNOWN_ID');

  // Reps are not administrators.
  t.equal((await alice.agent.get('/api/admin/special-actions')).status, 401, 'a console sign-in is not an admin sign-in');
  t.equal((await alice.agent.post('/api/admin/special-actions', { name: 'Evil', command: 'rm -rf /', elevated: true, description: '' })).status, 401);

  // The predefined ones can be deleted like any other.
  const shutdown = await actionId('Shut down');
  t.equal((await admin.del(`/api/admin/special-actions/${shutdown}`)).status, 200);
  t.notOk((await admin.get('/api/admin/special-actions')).json().actions.some((a: any) => a.name === 'Shut down'));
});

t.test('a permitted rep runs an action; the client writes the file; log and console see it', async (t) => {
  t.equal((await admin.put(`/api/admin/users/${alice.id}/permissions`, GRANT)).status, 200);
  await alice.socket.next((m) => m.t === 'permissions' && m.permissions.specialActions === true);
  const target = path.join(work, 'written-by-action.txt');
  const created = await admin.post('/api/admin/special-actions', { name: 'Write marker', command: `printf 'from %s' "special action" > '${target}'; echo wrote it`, elevated: false, description: 'test' });
  const id = created.json().action.id;
  const listed = await alice.request({ t: 'list_special_actions' });
  t.equal(listed.t, 'special_actions');
  t.ok(listed.actions.some((a: any) => a.id === id && a.name === 'Write marker'));

  const { client, sessionId } = await clientSession(alice, 'Dora', ['--allow-all']);
  t.teardown(() => client.kill());
  const started = await alice.request({ t: 'special_action', sessionId, actionId: id });
  t.equal(started.t, 'special_action_started', JSON.stringify(started));
  t.equal(started.name, 'Write marker');
  const result = await alice.socket.next((m) => m.t === 'special_action_result' && m.runId === started.runId, 15_000);
  t.equal(result.outcome, 'done');
  t.equal(result.exitCode, 0);
  t.match(result.output, /wrote it/);
  t.equal(readFileSync(target, 'utf8'), 'from special action', 'the real client ran the command');
  await client.waitFor(/Alice asks to run "Write marker".*allowed \(--allow-all\)/s);

  const detail = await alice.request({ t: 'open_session', sessionId });
  const run = detail.events.find((e: any) => e.kind === 'special_action_run');
  const done = detail.events.find((e: any) => e.kind === 'special_action_done');
  t.match(run, { actor: 'Alice', params: { name: 'Write marker' } }, 'the log shows who ran what');
  t.match(done, { params: { name: 'Write marker', exitCode: '0' } }, 'and how it ended');
  t.ok(run.seq < done.seq);

  // A failing command reports its exit code.
  const failing = (await admin.post('/api/admin/special-actions', { name: 'Fail', command: 'echo broken >&2; exit 7', elevated: false, description: '' })).json().action.id;
  const s2 = await alice.request({ t: 'special_action', sessionId, actionId: failing });
  const r2 = await alice.socket.next((m) => m.t === 'special_action_result' && m.runId === s2.runId, 15_000);
  t.match(r2, { outcome: 'done', exitCode: 7, output: /broken/ });

  // Hand-crafted frames from reps who may not: nothing runs, nothing is logged.
  rmSync(target);
  const eventsBefore = (await alice.request({ t: 'open_session', sessionId })).events.length;
  const bobTry = await bob.request({ t: 'special_action', sessionId, actionId: id });
  t.equal(bobTry.t, 'error');
  t.equal(bobTry.code, 'PERMISSION_DENIED', 'bob has no special-actions permission');
  t.equal((await bob.request({ t: 'list_special_actions' })).code, 'PERMISSION_DENIED');
  t.equal((await admin.put(`/api/admin/users/${carol.id}/permissions`, GRANT)).status, 200);
  const carolTry = await carol.request({ t: 'special_action', sessionId, actionId: id });
  t.equal(carolTry.t, 'error');
  t.ok(['SESSION_UNKNOWN', 'NOT_MEMBER'].includes(carolTry.code), `carol is not in the session (${carolTry.code})`);
  const unknown = await alice.request({ t: 'special_action', sessionId, actionId: 'AAAAAAAAAAAAAAAAAAAAAA' });
  t.equal(unknown.code, 'UNKNOWN_ID');
  const malformed = await alice.request({ t: 'special_action', sessionId, actionId: '../../etc' });
  t.equal(malformed.code, 'BAD_FIELD');
  t.equal((await alice.request({ t: 'open_session', sessionId })).events.length, eventsBefore, 'no events from refused requests');
  t.notOk(existsSync(target), 'nothing ran');

  // Taking the permission away takes effect at once.
  t.equal((await admin.put(`/api/admin/users/${alice.id}/permissions`, { ...GRANT, specialActions: false })).status, 200);
  await alice.socket.next((m) => m.t === 'permissions' && m.permissions.specialActions === false);
  t.equal((await alice.request({ t: 'special_action', sessionId, actionId: id })).code, 'PERMISSION_DENIED');
  t.notOk(existsSync(target));
  t.equal((await admin.put(`/api/admin/users/${alice.id}/permissions`, GRANT)).status, 200);
  await alice.request({ t: 'end', sessionId });
  await client.exited;
});

t.test('a customer started with --deny-all refuses; the console is told and nothing runs', async (t) => {
  const target = path.join(work, 'must-not-exist.txt');
  const id = (await admin.post('/api/admin/special-actions', { name: 'Forbidden', command: `touch '${target}'`, elevated: false, description: '' })).json().action.id;
  const { client, sessionId } = await clientSession(alice, 'Emil', ['--deny-all']);
  t.teardown(() => client.kill());
  const started = await alice.request({ t: 'special_action', sessionId, actionId: id });
  t.equal(started.t, 'special_action_started');
  const result = await alice.socket.next((m) => m.t === 'special_action_result' && m.runId === started.runId, 15_000);
  t.equal(result.outcome, 'refused');
  t.notOk(existsSync(target));
  await client.waitFor(/refused \(--deny-all\)/);
  const events = (await alice.request({ t: 'open_session', sessionId })).events;
  t.match(
    events.find((e: any) => e.kind === 'special_action_refused'),
    { actor: 'Emil', params: { name: 'Forbidden' } },
  );
  t.notOk(events.some((e: any) => e.kind === 'special_action_done'));
  await alice.request({ t: 'end', sessionId });
});

t.test('a customer cannot report a run it was not sent; an offline customer is reported', async (t) => {
  const key = await alice.sessionKey();
  const customer = await openSocket(app.origin, app.caPem, '/ws/customer', '');
  customer.send({ t: 'hello', v: 1, key: key.shortKey, name: 'Forger' });
  await customer.next((m) => m.t === 'joined');
  const entered = await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Forger');
  await alice.request({ t: 'accept', sessionId: entered.session.id });
  customer.send({ t: 'special_action_result', runId: 'AAAAAAAAAAAAAAAAAAAAAA', outcome: 'done', exitCode: 0, output: 'fake' });
  const err = await customer.next((m) => m.t === 'error');
  t.equal(err.code, 'UNKNOWN_ID');
  t.notOk((await alice.request({ t: 'open_session', sessionId: entered.session.id })).events.some((e: any) => e.kind === 'special_action_done'));

  customer.ws.close();
  await customer.closed;
  await alice.socket.next((m) => m.t === 'session' && m.session.id === entered.session.id && m.session.customerConnected === false);
  const offline = await alice.request({ t: 'special_action', sessionId: entered.session.id, actionId: await actionId('Reboot') });
  t.equal(offline.code, 'CUSTOMER_OFFLINE');
  await alice.request({ t: 'end', sessionId: entered.session.id });
});

t.test('a click-to-chat customer (browser) is never sent an action', async (t) => {
  const start = await new Agent(app.origin, app.caPem).post('/api/portal/start', { mode: 'chat', name: 'Webby', repId: alice.id });
  t.equal(start.status, 201, start.text);
  const customer = await openSocket(app.origin, app.caPem, '/ws/customer', '');
  t.teardown(() => customer.ws.close());
  customer.send({ t: 'hello', v: 1, token: start.json().token, name: 'Webby' });
  await customer.next((m) => m.t === 'joined');
  const entered = await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Webby');
  t.equal(entered.session.kind, 'browser');
  await alice.request({ t: 'accept', sessionId: entered.session.id });
  const refused = await alice.request({ t: 'special_action', sessionId: entered.session.id, actionId: await actionId('Reboot') });
  t.equal(refused.code, 'CLIENT_UNSUPPORTED');
  t.notOk(customer.messages.some((m) => m.t === 'special_action'), 'the browser got nothing');
  await alice.request({ t: 'end', sessionId: entered.session.id });
});
