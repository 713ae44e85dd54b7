/**
 * Command shells end to end (F23): the real appliance, the real customer
 * client (downloaded, run as a process, with a real pty) and reps on raw
 * WebSockets speaking the shell channel's wire format by hand.
 * Covers typing and output, resize (`tput cols`), two shells side by side,
 * a second member attaching with the scrollback, the event log, stopping,
 * every refusal (no shell permission, not a member, another session's shell
 * id, bad sizes, a click-to-chat customer, a permission taken away while
 * typing), a client whose pty
 * cannot load, a customer who does not consent, and recording with its
 * asciicast and transcript endpoints.
 * Needs `node scripts/build.mjs` first.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { DEFAULT_USER_PERMISSIONS } from '../common/permissions.ts';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient, type ClientRun, type ConsoleRep } from './helpers/customer.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, joinCustomer } from './helpers/rep.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-shell-test-'));
const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
const app = await startAppliance({ dataDir });
t.teardown(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
const admin = await adminAgent(app);
const alice = await consoleRep(app, 'alice');
const bob = await consoleRep(app, 'bob');
const carol = await consoleRep(app, 'carol');
const dave = await consoleRep(app, 'dave');
const cookieOf = (rep: ConsoleRep): string => `__Host-rd_console=${rep.agent.cookies.get('__Host-rd_console')}`;
const setShell = async (rep: ConsoleRep, shell: boolean): Promise<void> => {
  const r = await admin.put(`/api/admin/users/${rep.id}/permissions`, { ...DEFAULT_USER_PERMISSIONS, allowedPaths: [], shell });
  if (r.status !== 200) throw new Error(r.text);
};
await setShell(carol, false);

/** A console viewer of one shell: its socket, everything it printed, and control messages. */
interface Viewer {
  ws: WebSocket;
  text(): string;
  controls: any[];
  until(pattern: RegExp, timeoutMs?: number): Promise<string>;
  control(pred: (m: any) => boolean, timeoutMs?: number): Promise<any>;
  type(s: string): void;
  closed: Promise<number>;
}

function viewer(ticket: string, rep: ConsoleRep): Promise<Viewer> {
  const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${encodeURIComponent(ticket)}`, [], { ca: [app.caPem], headers: { cookie: cookieOf(rep), origin: app.origin } });
  let out = '';
  const controls: any[] = [];
  const listeners = new Set<() => void>();
  ws.on('message', (data, isBinary) => {
    if (isBinary) out += (data as Buffer).toString('utf8');
    else controls.push(JSON.parse(String(data)));
    for (const l of [...listeners]) l();
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  const waitFor = <T>(check: () => T | undefined, what: string, timeoutMs: number): Promise<T> =>
    new Promise((resolve, reject) => {
      const now = check();
      if (now !== undefined) return resolve(now);
      const timer = setTimeout(() => (listeners.delete(l), reject(new Error(`${what} never came in ${timeoutMs} ms; output:\n${out}\ncontrols: ${JSON.stringify(controls)}`))), timeoutMs);
      const l = (): void => {
        const v = check();
        if (v === undefined) return;
        clearTimeout(timer);
        listeners.delete(l);
        resolve(v);
      };
      listeners.add(l);
    });
  return new Promise((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
    ws.once('open', () =>
      resolve({
        ws,
        text: () => out,
        controls,
        closed,
        until: (pattern, timeoutMs = 10_000) => waitFor(() => (pattern.exec(out) ? out : undefined), String(pattern), timeoutMs),
        control: (pred, timeoutMs = 10_000) => waitFor(() => controls.find(pred), 'control message', timeoutMs),
        type: (s) => ws.send(Buffer.from(s, 'utf8')),
      }),
    );
  });
}

async function openShell(rep: ConsoleRep, sessionId: string, cols = 80, rows = 24): Promise<{ id: string; v: Viewer }> {
  const answer = await rep.request({ t: 'shell_open', sessionId, cols, rows });
  if (answer.t !== 'channel_ticket') throw new Error(JSON.stringify(answer));
  const v = await viewer(answer.ticket, rep);
  await v.control((m) => m.t === 'hello');
  return { id: answer.channelId, v };
}

async function events(rep: ConsoleRep, sessionId: string): Promise<any[]> {
  return (await rep.request({ t: 'open_session', sessionId })).events;
}

/** A client session owned by `owner`, accepted. */
async function clientSession(name: string, args: string[] = ['--allow-all'], env: Record<string, string> = {}): Promise<{ sessionId: string; client: ClientRun }> {
  const key = await alice.sessionKey();
  const dir = path.join(work, name);
  mkdirSync(dir);
  const dl = await download(app, '/download/relaydesk-client.mjs', dir);
  const client = runClient(dl.file, ['--key', key.shortKey, '--name', name, '--keep', '--verbose', ...args], { env });
  t.teardown(() => client.kill());
  const s = (await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === name, 15_000)).session;
  await alice.request({ t: 'accept', sessionId: s.id });
  return { sessionId: s.id, client };
}

const main = await clientSession('Cora');
// Bob and Carol join as members: transferred to each, accepted; the previous owners stay.
for (const rep of [bob, carol]) {
  await (rep === bob ? alice : bob).request({ t: 'transfer', sessionId: main.sessionId, to: `rep:${rep.id}` });
  const a = await rep.request({ t: 'accept', sessionId: main.sessionId });
  if (a.t !== 'ack') throw new Error(JSON.stringify(a));
}

let first: { id: string; v: Viewer };

t.test('a shell runs in a real pty: typing, output, resize', async (t) => {
  first = await openShell(alice, main.sessionId, 100, 30);
  const reset = await first.v.control((m) => m.t === 'reset');
  t.same([reset.cols, reset.rows], [100, 30]);
  first.v.type('echo hello-$((6*7))\r');
  await first.v.until(/[\r\n]hello-42\r?\n/);
  t.pass('the command ran in the shell and its output came back');
  first.v.type('tty; stty size\r');
  await first.v.until(/\/dev\/pts\/\d+\s+30 100/);
  t.pass('a real terminal of the asked size');
  first.v.ws.send(JSON.stringify({ t: 'resize', cols: 123, rows: 40 }));
  first.v.type('echo cols=$(tput cols)\r');
  await first.v.until(/cols=123/);
  t.pass('a resize reaches the pty');
  t.match(main.client.output(), /Alice opened a command shell on this computer/);
  const log = await events(alice, main.sessionId);
  t.ok(log.some((e) => e.kind === 'shell_started' && e.actor === 'Alice'), 'event: started using the command shell');
});

t.test('two shells run independently; the second is logged as another shell', async (t) => {
  const second = await openShell(alice, main.sessionId);
  second.v.type('cd /tmp && echo moved-$((1+1))\r');
  await second.v.until(/moved-2/);
  second.v.type('echo "where=$(pwd)"\r');
  first.v.type('echo "where=$(pwd)"\r');
  const a = await second.v.until(/where=\/tmp/);
  const b = await first.v.until(/where=\/[^\r\n]*/);
  t.ok(/where=\/tmp/.test(a), 'the second shell is in /tmp');
  t.notOk(/where=\/tmp\r?\n/.test(b), 'the first shell did not move');
  const list = await alice.request({ t: 'shell_list', sessionId: main.sessionId });
  t.same(list.shells.map((s: any) => s.title), ['Shell 1', 'Shell 2']);
  const log = await events(alice, main.sessionId);
  t.ok(log.some((e) => e.kind === 'shell_opened'), 'event: opened another command shell');
  const closedAt = second.v.closed;
  t.equal((await alice.request({ t: 'shell_close', sessionId: main.sessionId, shellId: second.id })).t, 'ack');
  const exit = await second.v.control((m) => m.t === 'exit', 30_000);
  t.equal(exit.t, 'exit', 'the viewer is told the shell ended');
  t.equal(await closedAt, 1000);
  const after = await events(alice, main.sessionId);
  t.ok(after.some((e) => e.kind === 'shell_closed' && e.params.remaining === '1'), 'event: closed a shell, 1 remaining');
});

t.test('another member attaches: scrollback first, then the live shell, typing from both', async (t) => {
  const answer = await bob.request({ t: 'shell_attach', sessionId: main.sessionId, shellId: first.id });
  t.equal(answer.t, 'channel_ticket');
  const b = await viewer(answer.ticket, bob);
  await b.control((m) => m.t === 'reset');
  await b.until(/hello-42/);
  t.pass('the recent output is replayed on attach');
  b.type('echo from-bob-$((2*3))\r');
  await first.v.until(/from-bob-6/);
  t.pass("Alice sees what Bob's command printed");
  b.ws.close();
});

t.test('refusals over hand-crafted frames change nothing', async (t) => {
  const before = (await alice.request({ t: 'shell_list', sessionId: main.sessionId })).shells.length;
  t.equal((await carol.request({ t: 'shell_open', sessionId: main.sessionId, cols: 80, rows: 24 })).code, 'SHELL_NOT_ALLOWED', 'a member without the shell permission cannot open');
  t.equal((await carol.request({ t: 'shell_attach', sessionId: main.sessionId, shellId: first.id })).code, 'SHELL_NOT_ALLOWED', '…nor attach');
  t.equal((await carol.request({ t: 'shell_close', sessionId: main.sessionId, shellId: first.id })).code, 'SHELL_NOT_ALLOWED', '…nor close');
  t.equal((await dave.request({ t: 'shell_open', sessionId: main.sessionId, cols: 80, rows: 24 })).code, 'SESSION_UNKNOWN', 'a non-member cannot open');
  t.equal((await dave.request({ t: 'shell_attach', sessionId: main.sessionId, shellId: first.id })).code, 'SESSION_UNKNOWN', '…nor attach');
  t.equal((await dave.request({ t: 'shell_list', sessionId: main.sessionId })).code, 'SESSION_UNKNOWN', '…nor list');
  t.equal((await alice.request({ t: 'shell_open', sessionId: main.sessionId, cols: 1, rows: 24 })).code, 'BAD_FIELD', 'a 1-column terminal');
  t.equal((await alice.request({ t: 'shell_open', sessionId: main.sessionId, cols: 80, rows: 100_000 })).code, 'BAD_FIELD', 'absurd rows');
  t.equal((await alice.request({ t: 'shell_attach', sessionId: main.sessionId, shellId: 'A'.repeat(22) })).code, 'SHELL_UNKNOWN', 'a made-up shell id');

  // A second session of Alice's (a raw customer): the first session's shell id is unknown there.
  const k = await alice.sessionKey();
  const other = await joinCustomer(app, { v: 1, key: k.shortKey, name: 'Other' });
  await alice.request({ t: 'accept', sessionId: other.joined.sessionId });
  t.equal((await alice.request({ t: 'shell_attach', sessionId: other.joined.sessionId, shellId: first.id })).code, 'SHELL_UNKNOWN', "another session's shell id");
  t.equal((await alice.request({ t: 'shell_close', sessionId: other.joined.sessionId, shellId: first.id })).code, 'SHELL_UNKNOWN');
  await alice.request({ t: 'end', sessionId: other.joined.sessionId });

  // A click-to-chat customer in a browser has no pty to offer.
  const start = await new Agent(app.origin, app.caPem).post('/api/portal/start', { mode: 'chat', repId: alice.id, name: 'Web' });
  const web = await joinCustomer(app, { v: 1, token: start.json().token });
  await alice.request({ t: 'accept', sessionId: web.joined.sessionId });
  t.equal((await alice.request({ t: 'shell_open', sessionId: web.joined.sessionId, cols: 80, rows: 24 })).code, 'CLIENT_UNSUPPORTED', 'a browser customer');
  await alice.request({ t: 'end', sessionId: web.joined.sessionId });

  const after = (await alice.request({ t: 'shell_list', sessionId: main.sessionId })).shells.length;
  t.equal(after, before, 'the running shells are unchanged');
  first.v.type('echo still-$((3*3))\r');
  await first.v.until(/still-9/);
  t.pass('the shell still works');
});

t.test('a permission taken away applies to a viewer that is already typing', async (t) => {
  const answer = await bob.request({ t: 'shell_attach', sessionId: main.sessionId, shellId: first.id });
  const b = await viewer(answer.ticket, bob);
  await b.control((m) => m.t === 'reset');
  await setShell(bob, false);
  const marker = `bob-after-revoke-${Date.now()}`;
  b.type(`echo ${marker}\r`);
  t.equal(await b.closed, 4403, 'the channel is closed as not allowed');
  first.v.type('echo probe-$((5*5))\r');
  const out = await first.v.until(/probe-25/);
  t.notOk(out.includes(marker), 'the keystrokes never reached the shell');
  await setShell(bob, true);
});

t.test('stopping the last shell is logged as stopping the command shell, even when it ignores hang-ups', async (t) => {
  first.v.type("trap '' HUP; echo hup-ignored-$((4*4))\r");
  await first.v.until(/hup-ignored-16/);
  t.equal((await alice.request({ t: 'shell_close', sessionId: main.sessionId, shellId: first.id })).t, 'ack');
  const exit = await first.v.control((m) => m.t === 'exit', 30_000);
  t.equal(exit.signal, 9, 'a shell that ignores SIGHUP is killed');
  const log = await events(alice, main.sessionId);
  t.equal(log.filter((e) => e.kind.startsWith('shell_')).at(-1)?.kind, 'shell_stopped');
  t.same((await alice.request({ t: 'shell_list', sessionId: main.sessionId })).shells, []);
  t.equal((await alice.request({ t: 'shell_attach', sessionId: main.sessionId, shellId: first.id })).code, 'SHELL_UNKNOWN', 'an ended shell cannot be attached');
});

t.test('recording on: the .cast and the transcript hold the command and its output, for members and admins only', async (t) => {
  t.equal((await admin.put('/api/admin/settings/recording', { recordShells: true })).status, 200);
  const shell = await openShell(alice, main.sessionId);
  shell.v.type('printf "\\033[31m%s\\033[0m\\n" recorded-$((6*7))\r');
  await shell.v.until(/recorded-42/);
  await alice.request({ t: 'shell_close', sessionId: main.sessionId, shellId: shell.id });
  await shell.v.control((m) => m.t === 'exit', 30_000);
  const base = `/api/console/sessions/${main.sessionId}/shell-recordings`;
  let list: any[] = [];
  for (let i = 0; i < 50; i++) {
    list = (await alice.agent.get(base)).json();
    if (list.some((r) => r.shellId === shell.id && r.endedAt !== null)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const rec = list.find((r) => r.shellId === shell.id);
  t.ok(rec && rec.endedAt !== null, 'the recording is listed as complete');
  const cast = await alice.agent.get(`${base}/${shell.id}.cast`);
  t.equal(cast.status, 200);
  const lines = cast.text.trim().split('\n');
  t.match(JSON.parse(lines[0]!), { version: 2, width: 80, height: 24 });
  const output = lines.slice(1).map((l) => JSON.parse(l)).filter((e) => e[1] === 'o').map((e) => e[2]).join('');
  t.match(output, /recorded-\$\(\(6\*7\)\)/, 'the typed command (its echo) is in the cast');
  t.match(output, /\x1b\[31mrecorded-42\x1b\[0m/, 'the output with its colour is in the cast');
  const text = await alice.agent.get(`${base}/${shell.id}.txt`);
  t.equal(text.status, 200);
  t.match(text.text, /printf .*recorded-\$\(\(6\*7\)\)/);
  t.match(text.text, /^recorded-42$/m, 'the output line, without escape codes');
  t.notOk(text.text.includes('\x1b'), 'the transcript is plain text');
  t.equal((await dave.agent.get(`${base}/${shell.id}.cast`)).status, 404, 'a rep who was never a member gets nothing');
  t.equal((await dave.agent.get(base)).status, 404);
  t.equal((await admin.get(`${base}/${shell.id}.txt`)).status, 200, 'an administrator may read it');
  t.equal((await new Agent(app.origin, app.caPem).get(`${base}/${shell.id}.txt`)).status, 401, 'nobody signed in gets nothing');
  t.equal((await alice.agent.get(`${base}/${'B'.repeat(22)}.cast`)).status, 404);
  const reportReply = await admin.get(`/api/reports/sessions/${main.sessionId}`);
  t.equal(reportReply.status, 200, reportReply.text.slice(0, 300));
  const report = reportReply.json().report;
  const att = report.attachments.find((a: any) => a.kind === 'shell' && a.links.some((l: any) => l.href === `${base}/${shell.id}.txt`));
  t.ok(att, 'the session report lists the recording with its links');
  await admin.put('/api/admin/settings/recording', { recordShells: false });
});

t.test('a client that cannot load its pty says why instead of crashing', async (t) => {
  const nowhere = path.join(work, 'no-such-dir');
  const s = await clientSession('Pam', ['--allow-all'], { TMPDIR: nowhere, HOME: nowhere, XDG_RUNTIME_DIR: '' });
  const shell = await openShell(alice, s.sessionId);
  const exit = await shell.v.control((m) => m.t === 'exit', 30_000);
  t.match(exit.reason, /terminal module|pty\.node/, `the console gets the reason: ${exit.reason}`);
  t.equal(s.client.child.exitCode, null, 'the client keeps running');
  await alice.request({ t: 'chat', sessionId: s.sessionId, body: 'still there?' });
  await s.client.waitFor(/still there\?/);
  await alice.request({ t: 'end', sessionId: s.sessionId });
});

t.test('a customer who does not consent gets no shell', async (t) => {
  const s = await clientSession('Nina', []);
  const shell = await openShell(alice, s.sessionId);
  const exit = await shell.v.control((m) => m.t === 'exit', 20_000);
  t.match(exit.reason, /did not allow/);
  await alice.request({ t: 'end', sessionId: s.sessionId });
});

t.test('ending the session ends its shells', async (t) => {
  t.teardown(() => t.comment(main.client.output().slice(-3000)));
  const shell = await openShell(alice, main.sessionId);
  shell.v.type('echo alive\r');
  await shell.v.until(/alive/);
  const owner = carol;
  t.equal((await owner.request({ t: 'end', sessionId: main.sessionId })).t, 'ack');
  t.ok([1000, 4004].includes(await shell.v.closed), 'the viewer channel closed');
  t.equal((await main.client.exited).code, 0, 'the client exits cleanly');
});
