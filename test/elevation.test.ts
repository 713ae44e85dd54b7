/**
 * Elevation from click-to-chat to the full client (F26) with real
 * processes: the rep offers the client; the customer's chat page gets a
 * one-time download; the real client downloaded from it joins the same
 * session (no new one): the session becomes a client session with the
 * computer's facts, chat goes on, and data channels work from then on.
 * Only the owner may offer it, only for a browser session, and the
 * download works once.
 * Needs `node scripts/build.mjs` first.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { consoleRep, download, runClient } from './helpers/customer.ts';
import { Agent } from './helpers/http.ts';
import { joinCustomer } from './helpers/rep.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-elevate-'));
const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
const app = await startAppliance({ dataDir });
t.teardown(async () => {
  await app.stop();
  rmSync(work, { recursive: true, force: true });
});
const alice = await consoleRep(app, 'alice');
const bob = await consoleRep(app, 'bob');

const start = await new Agent(app.origin, app.caPem).post('/api/portal/start', { mode: 'chat', repId: alice.id, name: 'Hanna' });
const web = await joinCustomer(app, { v: 1, token: start.json().token });
const sessionId: string = web.joined.sessionId;
await alice.request({ t: 'accept', sessionId });

t.test('the offer: owner only, browser sessions only; the page gets a download', async (t) => {
  t.equal((await alice.request({ t: 'probe_open', sessionId })).code, 'CLIENT_UNSUPPORTED', 'no channels in a browser chat');
  t.equal((await bob.request({ t: 'elevate', sessionId })).code, 'SESSION_UNKNOWN');
  t.equal((await alice.request({ t: 'elevate', sessionId })).t, 'ack');
  const offer = await web.socket.next((m) => m.t === 'elevate');
  t.match(offer.download, /^\/download\/relaydesk-client\.mjs\?ak=[A-Za-z0-9_-]{20,}$/);
});

t.test('the real client from that download joins the same session', async (t) => {
  const offer = await web.socket.next((m) => m.t === 'elevate');
  const dl = await download(app, offer.download, work);
  t.equal(dl.status, 200);
  const client = runClient(dl.file, ['--keep', '--allow-all']);
  t.teardown(() => client.kill());
  const changed = await alice.socket.next((m) => m.t === 'session' && m.session.id === sessionId && m.session.kind === 'client', 15_000);
  t.equal(changed.session.customer.name, 'Hanna', 'still the same customer');
  t.equal(changed.session.customer.hostname, os.hostname(), 'now with the computer facts');
  t.equal(changed.session.owner.name, 'Alice', 'and the same owner');
  await client.waitFor(/Alice/);
  t.equal((await alice.request({ t: 'chat', sessionId, body: 'Welcome to the client' })).t, 'ack');
  await client.waitFor(/Alice: Welcome to the client/);
  const probe = await alice.request({ t: 'probe_open', sessionId });
  t.equal(probe.t, 'channel_ticket', 'data channels work now');
  const detail = await alice.request({ t: 'open_session', sessionId });
  const kinds = detail.events.map((e: any) => e.kind);
  t.ok(kinds.includes('elevation_offered') && kinds.includes('customer_elevated'), 'the log says so');
  t.equal((await alice.request({ t: 'elevate', sessionId })).code, 'ALREADY_CLIENT');
  const again = await download(app, offer.download, work, 'again.mjs');
  t.not(again.status, 200, 'the download link worked once');
  await alice.request({ t: 'end', sessionId });
  t.equal((await client.exited).code, 0);
});
