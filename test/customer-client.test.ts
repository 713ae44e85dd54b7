/**
 * The customer client end to end: the real build, downloaded from the real
 * appliance into a temporary folder and run as a child process (no TTY),
 * against a rep on the console socket. Covers reproducible downloads, the
 * key and per-session-build joins with system information, chat both ways,
 * the rep ending the session (the client exits 0 and deletes itself), keys
 * the appliance refuses (exit 2), a look-alike server with another CA or
 * another key (refused, exit 3, never sees a hello), and an appliance killed
 * mid-session and restarted on the same data behind the same address (the
 * client resumes the same session by itself).
 * Needs `node scripts/build.mjs` first.
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { WebSocketServer } from 'ws';
import { CustomerBuilds } from '../appliance/src/builds/customer-build.ts';
import { ensureCertificatesSync, spkiSha256 } from '../certs/ca.ts';
import { ERRORS } from '../common/errors.ts';
import { currentUser, osDescription, privateAddresses } from '../client/src/sysinfo/system-info.ts';
import { REPO_ROOT, startAppliance, type RunningAppliance } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';
import { consoleRep, download, runClient, type ConsoleRep } from './helpers/customer.ts';

const TEMPLATE = path.join(REPO_ROOT, 'dist', 'client', 'relaydesk-client.mjs');
if (!existsSync(TEMPLATE)) throw new Error('dist/client/relaydesk-client.mjs is missing: run `node scripts/build.mjs` first');

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-client-test-'));
const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
let app: RunningAppliance = await startAppliance({ dataDir });
t.teardown(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
let alice: ConsoleRep = await consoleRep(app, 'alice');

/** A fresh folder per download, as a customer's Downloads folder. */
let folders = 0;
function folder(): string {
  const dir = path.join(work, `dl-${++folders}`);
  mkdirSync(dir);
  return dir;
}

/** Waits for the console to announce the session of the customer called `name` entering a queue. */
function entered(rep: ConsoleRep, name: string): Promise<any> {
  return rep.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === name, 10_000).then((m) => m.session);
}

/** Polls `open_session` until `pred` holds on the detail (chat arrives asynchronously). */
async function detailUntil(rep: ConsoleRep, sessionId: string, pred: (d: any) => boolean, timeoutMs = 10_000): Promise<any> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const d = await rep.request({ t: 'open_session', sessionId });
    if (pred(d) || Date.now() > until) return d;
    await new Promise((r) => setTimeout(r, 100));
  }
}

t.test('downloads are reproducible and carry their SHA-256', async (t) => {
  const a = await download(app, '/download/relaydesk-client.mjs', folder());
  const b = await download(app, '/download/relaydesk-client.mjs', folder());
  t.equal(a.status, 200);
  t.ok(a.bytes.equals(b.bytes), 'two downloads are byte-identical');
  const sha = createHash('sha256').update(a.bytes).digest('hex');
  t.equal(a.sha256Header, sha, 'X-Content-SHA256 is the hash of the body');
  const info = (await new Agent(app.origin, app.caPem).get('/api/portal/info')).json();
  t.equal(info.client.sha256, sha, 'the portal publishes the same hash');
  t.equal(info.client.size, a.bytes.length);
  t.match(a.bytes.toString('utf8', 0, 200), /^#!\/usr\/bin\/env node/, 'a runnable script');
});

t.test('with a session key: joins, shows system info, chats both ways, ends, removes itself', async (t) => {
  const key = await alice.sessionKey();
  const dl = await download(app, '/download/relaydesk-client.mjs', folder());
  const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Cora', '--say', 'My printer is on fire'], { typing: true });
  const session = await entered(alice, 'Cora');
  t.equal(session.queueKind, 'personal', 'the key lands in the rep personal queue');
  t.equal(session.customer.hostname, os.hostname());
  t.equal(session.customer.os, osDescription());
  t.equal(session.customer.user, currentUser());
  t.same(session.customer.privateIps, privateAddresses());
  t.equal(session.customer.publicIp, '127.0.0.1');
  await client.waitFor(/Waiting for a representative…/);

  t.equal((await alice.request({ t: 'accept', sessionId: session.id })).t, 'ack');
  await client.waitFor(/Alice joined\./);
  const detail = await detailUntil(alice, session.id, (d) => d.chat.some((c: any) => c.body === 'My printer is on fire'));
  t.ok(detail.chat.some((c: any) => c.from.kind === 'customer' && c.from.name === 'Cora' && c.body === 'My printer is on fire'), '--say reached the rep');
  client.type('It smells of toner');
  const live = await alice.socket.next((m) => m.t === 'chat' && m.sessionId === session.id && m.msg.body === 'It smells of toner');
  t.equal(live.msg.from.kind, 'customer', 'a typed line arrives live');
  t.equal((await alice.request({ t: 'chat', sessionId: session.id, body: 'Unplug it, please.\nThen wait.' })).t, 'ack');
  await client.waitFor(/\[\d\d:\d\d\] Alice: Unplug it, please\.\n\s+Then wait\./);

  t.equal((await alice.request({ t: 'end', sessionId: session.id })).t, 'ack');
  const exit = await client.exited;
  t.equal(exit.code, 0, 'exits 0 when the rep ends the session');
  t.match(client.stdout(), /The session has ended/);
  t.notOk(existsSync(dl.file), 'the build removed itself');
});

t.test('a per-session build (?ak=token) joins with no flags; --keep keeps the file', async (t) => {
  const key = await alice.sessionKey();
  const dl = await download(app, `/download/relaydesk-client.mjs?ak=${key.token}`, folder());
  t.equal(dl.status, 200);
  const again = await download(app, `/download/relaydesk-client.mjs?ak=${key.token}`, folder());
  t.ok(dl.bytes.equals(again.bytes), 'per-session builds are reproducible too');
  const client = runClient(dl.file, ['--keep']);
  const session = await entered(alice, currentUser());
  t.equal(session.customer.hostname, os.hostname());
  await client.waitFor(/Waiting for a representative…/);
  await alice.request({ t: 'accept', sessionId: session.id });
  await alice.request({ t: 'end', sessionId: session.id });
  t.equal((await client.exited).code, 0);
  t.ok(existsSync(dl.file), '--keep kept the file');
});

t.test('refused keys end the client with exit 2 and the catalogue text', async (t) => {
  const key = await alice.sessionKey();
  const dl = await download(app, '/download/relaydesk-client.mjs', folder());
  const first = runClient(dl.file, ['--key', key.shortKey, '--name', 'First', '--keep']);
  await entered(alice, 'First');
  const second = runClient(dl.file, ['--key', key.shortKey, '--keep']);
  t.equal((await second.exited).code, 2, 'a used key');
  t.match(second.stdout(), ERRORS.KEY_USED.text);
  await first.kill();
  t.equal((await first.exited).code, 0, 'a customer who leaves (SIGTERM) exits 0');

  const unknown = runClient(dl.file, ['--key', '0000000', '--keep']);
  t.equal((await unknown.exited).code, 2, 'an unknown key');
  t.match(unknown.stdout(), ERRORS.KEY_UNKNOWN.text);

  const other = runClient(dl.file, ['--key', '1234567', '--appliance', 'wss://127.0.0.1:1', '--keep']);
  t.equal((await other.exited).code, 1, 'a build cannot be pointed elsewhere');
  t.match(other.output(), /trusts only that appliance/);
  t.ok(existsSync(dl.file));
});

/** A look-alike WSS server on loopback with the certificates in `dir`; counts what reaches it. */
async function lookAlike(t: Test, dir: string): Promise<{ port: number; upgrades: () => number; hellos: () => number }> {
  const server = https.createServer({ key: readFileSync(path.join(dir, 'certs', 'server.key.pem')), cert: readFileSync(path.join(dir, 'certs', 'server.cert.pem')) });
  const wss = new WebSocketServer({ server });
  let upgrades = 0;
  let hellos = 0;
  wss.on('connection', (ws) => {
    upgrades++;
    ws.on('message', (data) => {
      if (String(data).includes('hello')) hellos++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (wss.close(), server.close(() => r()), server.closeAllConnections())));
  return { port: (server.address() as net.AddressInfo).port, upgrades: () => upgrades, hellos: () => hellos };
}

/** A build that embeds the real appliance's CA and key pin but points at `port`. */
function buildFor(port: number, dir: string): string {
  const serverSpkiSha256 = spkiSha256(readFileSync(path.join(app.dataDir, 'certs', 'server.cert.pem'), 'utf8'));
  const build = new CustomerBuilds(TEMPLATE, { url: `wss://localhost:${port}`, caPem: app.caPem, serverSpkiSha256 }).build();
  const file = path.join(dir, 'relaydesk-client.mjs');
  writeFileSync(file, build.bytes);
  return file;
}

t.test('a look-alike server with a certificate from another CA is refused before anything is sent', async (t) => {
  const other = path.join(work, 'other-ca');
  ensureCertificatesSync(other, ['localhost', '127.0.0.1']);
  const fake = await lookAlike(t, other);
  // Node's global switch to skip certificate checks must not reach the client's pinned socket either.
  const client = runClient(buildFor(fake.port, folder()), ['--key', '1234567'], { env: { NODE_TLS_REJECT_UNAUTHORIZED: '0' } });
  t.equal((await client.exited).code, 3);
  t.match(client.stdout(), /certificate/i);
  t.equal(fake.upgrades(), 0, 'no WebSocket upgrade reached it');
  t.equal(fake.hellos(), 0, 'no hello reached it');
});

t.test('a server with the appliance CA but another key fails the key pin', async (t) => {
  const same = path.join(work, 'same-ca');
  mkdirSync(path.join(same, 'certs'), { recursive: true });
  for (const f of ['ca.cert.pem', 'ca.key.pem']) copyFileSync(path.join(app.dataDir, 'certs', f), path.join(same, 'certs', f));
  ensureCertificatesSync(same, ['localhost', '127.0.0.1']);
  const fake = await lookAlike(t, same);
  const client = runClient(buildFor(fake.port, folder()), ['--key', '1234567']);
  t.equal((await client.exited).code, 3);
  t.match(client.stdout(), /pinned key/);
  t.equal(fake.hellos(), 0);
});

/**
 * A TCP forwarder on a fixed loopback port to wherever the appliance listens
 * now. The restarted appliance cannot bind its old port while the killed
 * one's connections sit in TIME_WAIT (its listen socket has no SO_REUSEADDR),
 * so the client's address stays fixed here instead. TLS passes through
 * untouched: the client still checks the appliance's own certificate.
 */
async function forwarder(t: Test, initialTarget: number): Promise<{ port: number; retarget(port: number): void }> {
  let target = initialTarget;
  const server = net.createServer((down) => {
    const up = net.connect(target, '127.0.0.1');
    down.pipe(up).pipe(down);
    const cut = (): void => {
      down.destroy();
      up.destroy();
    };
    down.on('error', cut).on('close', cut);
    up.on('error', cut).on('close', cut);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as net.AddressInfo).port, retarget: (port) => (target = port) };
}

t.test('the appliance is killed mid-session: the client reconnects by itself and resumes', async (t) => {
  const key = await alice.sessionKey();
  const front = await forwarder(t, app.port);
  const file = buildFor(front.port, folder());
  const client = runClient(file, ['--key', key.shortKey, '--name', 'Rita', '--verbose'], { typing: true });
  const session = await entered(alice, 'Rita');
  await alice.request({ t: 'accept', sessionId: session.id });
  await alice.request({ t: 'chat', sessionId: session.id, body: 'Before the cut' });
  await client.waitFor(/Alice: Before the cut/);

  await app.kill('SIGKILL');
  await client.waitFor(/Connection lost \(.*\), reconnecting in [\d.]+ s…/);
  client.type('Typed while the appliance was down');
  app = await startAppliance({ dataDir });
  front.retarget(app.port);
  await client.waitFor(/Reconnected\./, 20_000);

  alice = await consoleRep(app, 'alice', false);
  const detail = await detailUntil(alice, session.id, (d) => d.session?.customerConnected === true && d.chat.some((c: any) => c.body === 'Typed while the appliance was down'));
  t.equal(detail.t, 'session_detail');
  t.equal(detail.session.customerConnected, true, 'the same session has its customer back');
  t.ok(detail.chat.some((c: any) => c.body === 'Before the cut'), 'chat from before the kill is kept');
  t.ok(detail.chat.some((c: any) => c.body === 'Typed while the appliance was down'), 'a line typed while cut off was sent after the resume');
  t.equal(client.stdout().split('Alice: Before the cut').length, 2, 'the resume did not show old chat twice');

  await alice.request({ t: 'end', sessionId: session.id });
  t.equal((await client.exited).code, 0);
  t.notOk(existsSync(file), 'the build removed itself');
});
