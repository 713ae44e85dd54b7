/**
 * Data channels end to end: the real appliance, the real customer client
 * (downloaded and run as a process) and a rep on raw WebSockets. The probe
 * kind (the client echoes every frame) shows the whole path: a rep's
 * request, the client's pinned channel socket, the console's socket with
 * ticket and cookie, text and binary frames both ways. Then what must be
 * refused: reused and unknown tickets, a console ticket without its rep's
 * cookie or with another rep's, non-members, browser customers; and the
 * channel closing when the session ends.
 * Needs `node scripts/build.mjs` first.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import WebSocket from 'ws';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient } from './helpers/customer.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, joinCustomer } from './helpers/rep.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-channels-test-'));
const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
const app = await startAppliance({ dataDir });
t.teardown(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
const alice = await consoleRep(app, 'alice');
const bob = await consoleRep(app, 'bob');
const cookieOf = (rep: typeof alice): string => `__Host-rd_console=${rep.agent.cookies.get('__Host-rd_console')}`;

/** Opens a channel socket; resolves when open, rejects with the refused HTTP status. */
function channel(ticket: string, cookie: string, origin = app.origin): Promise<WebSocket> {
  const ws = new WebSocket(`${app.origin.replace(/^https/, 'wss')}/ws/channel?t=${encodeURIComponent(ticket)}`, [], { ca: [app.caPem], headers: { cookie, origin } });
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`refused ${res.statusCode}`), { status: res.statusCode })));
    ws.once('error', reject);
  });
}

function nextFrame(ws: WebSocket, timeoutMs = 10_000): Promise<{ data: Buffer; isBinary: boolean }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no frame')), timeoutMs);
    ws.once('message', (data, isBinary) => {
      clearTimeout(timer);
      resolve({ data: data as Buffer, isBinary });
    });
  });
}

/** The HTTP status an upgrade was refused with (0 if it was accepted). */
async function refusal(p: Promise<WebSocket>): Promise<number> {
  try {
    (await p).close();
    return 0;
  } catch (err) {
    return (err as { status?: number }).status ?? -1;
  }
}

const closed = (ws: WebSocket): Promise<number> => new Promise((resolve) => ws.once('close', (code) => resolve(code)));

// One customer client session that alice owns, for the tests below.
const key = await alice.sessionKey();
const dl = await download(app, '/download/relaydesk-client.mjs', work);
const client = runClient(dl.file, ['--key', key.shortKey, '--name', 'Cora', '--keep']);
t.teardown(() => client.kill());
const session = (await alice.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Cora', 15_000)).session;
await alice.request({ t: 'accept', sessionId: session.id });

t.test('a probe channel carries text and binary frames to the client and back', async (t) => {
  const answer = await alice.request({ t: 'probe_open', sessionId: session.id });
  t.equal(answer.t, 'channel_ticket');
  t.match(answer.channelId, /^[A-Za-z0-9_-]{22}$/);
  const ws = await channel(answer.ticket, cookieOf(alice));
  ws.send('hello through the relay');
  const text = await nextFrame(ws);
  t.equal(text.data.toString(), 'hello through the relay');
  t.notOk(text.isBinary, 'text stays text');
  const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7) & 0xff));
  ws.send(bytes);
  const echo = await nextFrame(ws);
  t.ok(echo.isBinary, 'binary stays binary');
  t.ok(echo.data.equals(bytes), '300 KB came back intact');
  ws.close();
});

t.test('the admin status page counts connections, channels and sessions', async (t) => {
  const admin = await adminAgent(app);
  const answer = await alice.request({ t: 'probe_open', sessionId: session.id });
  const ws = await channel(answer.ticket, cookieOf(alice));
  ws.send('x');
  await nextFrame(ws);
  const s = (await admin.get('/api/admin/status')).json();
  t.equal(s.connections.customers, 1, 'the one customer client');
  t.equal(s.connections.channels, 2, 'both ends of the probe channel');
  t.equal(s.connections.repsOnline, 2, 'alice and bob');
  t.equal(s.sessions.active, 1);
  t.ok(s.certificate.names.includes('127.0.0.1'));
  t.ok(s.certificate.notAfter > Date.now() + 300 * 86_400_000, 'a fresh certificate has over 300 days left');
  t.match(s.certificate.serverSpkiSha256, /^[A-Za-z0-9+/]{43}=$/);
  t.ok(s.storeBytes > 0 && s.memory.rssBytes > 0);
  const closing = closed(ws);
  ws.close();
  await closing;
  await new Promise((r) => setTimeout(r, 100));
  t.equal((await admin.get('/api/admin/status')).json().connections.channels, 0, 'closing one end closes the other');
  const forbidden = await alice.agent.get('/api/admin/status');
  t.ok([401, 403].includes(forbidden.status), 'not for reps');
});

t.test('tickets are one-time, bound to their rep, and need a same-host Origin', async (t) => {
  const answer = await alice.request({ t: 'probe_open', sessionId: session.id });
  t.equal(await refusal(channel(answer.ticket, cookieOf(bob))), 401, "another rep's cookie is refused");
  // The refusal used the ticket up: a second try with the right cookie fails too.
  t.equal(await refusal(channel(answer.ticket, cookieOf(alice))), 401, 'a ticket works once');
  const again = await alice.request({ t: 'probe_open', sessionId: session.id });
  t.equal(await refusal(channel(again.ticket, '')), 401, 'no cookie');
  const third = await alice.request({ t: 'probe_open', sessionId: session.id });
  t.equal(await refusal(channel(third.ticket, cookieOf(alice), 'https://evil.example')), 403, 'a foreign Origin');
  t.equal(await refusal(channel('x'.repeat(32), cookieOf(alice))), 401, 'an unknown ticket');
  t.equal(await refusal(channel('', '')), 401, 'no ticket');
});

t.test('only members of the session may open channels', async (t) => {
  const refused = await bob.request({ t: 'probe_open', sessionId: session.id });
  t.equal(refused.t, 'error');
  t.equal(refused.code, 'SESSION_UNKNOWN', "bob cannot even see alice's session");
  const garbage = await alice.request({ t: 'probe_open', sessionId: 'not-a-session' });
  t.equal(garbage.code, 'BAD_FIELD');
  const unknown = await alice.request({ t: 'probe_open', sessionId: 'A'.repeat(22) });
  t.equal(unknown.code, 'SESSION_UNKNOWN');
});

t.test('a browser (click-to-chat) customer gets no channels; an offline client is reported', async (t) => {
  const portal = new Agent(app.origin, app.caPem);
  const start = await portal.post('/api/portal/start', { mode: 'chat', repId: alice.id, name: 'Web' });
  t.equal(start.status, 201, start.text);
  const web = await joinCustomer(app, { v: 1, token: start.json().token });
  t.equal((await alice.request({ t: 'accept', sessionId: web.joined.sessionId })).t, 'ack');
  const browser = await alice.request({ t: 'probe_open', sessionId: web.joined.sessionId });
  t.equal(browser.code, 'CLIENT_UNSUPPORTED');

  const k = await alice.sessionKey();
  const raw = await joinCustomer(app, { v: 1, key: k.shortKey, name: 'Gone' });
  await alice.request({ t: 'accept', sessionId: raw.joined.sessionId });
  raw.socket.ws.close();
  await raw.socket.closed;
  await new Promise((r) => setTimeout(r, 200));
  const offline = await alice.request({ t: 'probe_open', sessionId: raw.joined.sessionId });
  t.equal(offline.code, 'CUSTOMER_OFFLINE');
  for (const id of [web.joined.sessionId, raw.joined.sessionId]) await alice.request({ t: 'end', sessionId: id });
});

t.test('ending the session closes its channels', async (t) => {
  const answer = await alice.request({ t: 'probe_open', sessionId: session.id });
  const ws = await channel(answer.ticket, cookieOf(alice));
  ws.send('ping');
  await nextFrame(ws);
  const code = closed(ws);
  t.equal((await alice.request({ t: 'end', sessionId: session.id })).t, 'ack');
  t.equal(await code, 4004, 'closed with "ended"');
  t.equal((await client.exited).code, 0, 'the client exits as before');
  const after = await alice.request({ t: 'probe_open', sessionId: session.id });
  t.equal(after.t, 'error');
  t.ok(['SESSION_ENDED', 'SESSION_UNKNOWN'].includes(after.code), `refused (${after.code})`);
});
