/**
 * Outbound events (F33 webhooks) with a real HTTPS receiver on loopback
 * under its own CA: session events arrive in order with a valid HMAC
 * signature; a receiver that answers 500 gets the same event again (and
 * nothing after it) until it answers 2xx; events queued while the receiver
 * is down survive an appliance restart and are delivered after it; an
 * untrusted receiver certificate is refused and reported; bad settings are
 * refused.
 */
import { createHmac } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ensureCertificatesSync } from '../certs/ca.ts';
import { startAppliance, type RunningAppliance } from './helpers/appliance.ts';
import { adminAgent, createUser, joinCustomer, signInRep } from './helpers/rep.ts';

const work = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-webhooks-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));
const receiverCerts = ensureCertificatesSync(path.join(work, 'receiver'), ['127.0.0.1', 'localhost']);

interface Received {
  body: any;
  raw: string;
  signature: string;
  event: string;
}
const received: Received[] = [];
let failNext = 0;
const server = https.createServer({ key: readFileSync(receiverCerts.serverKey), cert: readFileSync(receiverCerts.serverCert) }, (req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    if (failNext > 0) {
      failNext--;
      res.writeHead(500).end('try later');
      return;
    }
    const raw = Buffer.concat(chunks).toString();
    received.push({ raw, body: JSON.parse(raw), signature: String(req.headers['x-relaydesk-signature']), event: String(req.headers['x-relaydesk-event']) });
    res.writeHead(204).end();
  });
});
await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
const port = (server.address() as AddressInfo).port;
t.teardown(() => new Promise<void>((r) => server.close(() => r())));

const dataDir = path.join(work, 'data');
mkdirSync(dataDir);
let app: RunningAppliance = await startAppliance({ dataDir });
t.teardown(() => app.stop());
let admin = await adminAgent(app);
await createUser(admin, 'alice');

async function until(pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
}

/** A short session: created, accepted, ended by alice. */
async function session(appNow: RunningAppliance, name: string): Promise<string> {
  const alice = await signInRep(appNow, 'alice');
  const key = (await alice.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  const c = await joinCustomer(appNow, { key: key.shortKey, name });
  await alice.request({ t: 'accept', sessionId: c.joined.sessionId });
  await alice.request({ t: 'end', sessionId: c.joined.sessionId });
  alice.socket.ws.close();
  return c.joined.sessionId;
}

let hookId = '';
let secret = '';
t.test('bad settings are refused', async (t) => {
  t.equal((await admin.post('/api/admin/webhooks', { url: `http://127.0.0.1:${port}/hook`, events: [] })).json().error.code, 'BAD_FIELD', 'plain http');
  t.equal((await admin.post('/api/admin/webhooks', { url: `https://127.0.0.1:${port}/hook`, events: ['no_such_event'] })).json().error.code, 'BAD_FIELD');
  t.equal((await admin.post('/api/admin/webhooks', { url: `https://127.0.0.1:${port}/hook`, events: [], caPem: 'not a pem' })).json().error.code, 'BAD_FIELD');
  t.same((await admin.get('/api/admin/webhooks')).json().webhooks, [], 'nothing was stored');
});

t.test('events arrive in order, signed, retried after a 500 without reordering', async (t) => {
  const r = await admin.post('/api/admin/webhooks', { url: `https://127.0.0.1:${port}/hook`, events: ['session_created', 'accepted', 'ended'], caPem: receiverCerts.caCertPem });
  t.equal(r.status, 201);
  hookId = r.json().webhook.id;
  secret = r.json().webhook.secret;
  failNext = 2;
  const sessionId = await session(app, 'Wanda');
  await until(() => received.filter((x) => x.body.sessionId === sessionId).length >= 3);
  const mine = received.filter((x) => x.body.sessionId === sessionId);
  t.same(mine.map((x) => x.body.event), ['session_created', 'accepted', 'ended'], 'in order, after two refusals of the first');
  t.equal(mine[0]!.body.session.customer, 'Wanda');
  t.equal(mine[1]!.body.actor, 'Alice');
  for (const x of mine) t.equal(x.signature, `sha256=${createHmac('sha256', secret).update(x.raw).digest('hex')}`, `${x.event} is signed`);
  t.equal(new Set(mine.map((x) => x.body.id)).size, 3, 'each delivery has its own id');
  const state = (await admin.get('/api/admin/webhooks')).json().webhooks[0];
  t.equal(state.queued, 0);
  t.equal(state.lastError, null);
});

t.test('events queued while the receiver is down survive an appliance restart', async (t) => {
  await new Promise<void>((r) => server.close(() => r()));
  const sessionId = await session(app, 'Xaver');
  await until(() => (admin as any) && false, 1500);
  const before = (await admin.get('/api/admin/webhooks')).json().webhooks[0];
  t.ok(before.queued >= 1, `queued while down (${before.queued})`);
  t.match(before.lastError, /ECONNREFUSED|connect/i, 'the failure is shown');
  await app.stop();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  app = await startAppliance({ dataDir });
  admin = await adminAgent(app);
  await until(() => received.filter((x) => x.body.sessionId === sessionId).length >= 3, 30_000);
  t.same(received.filter((x) => x.body.sessionId === sessionId).map((x) => x.body.event), ['session_created', 'accepted', 'ended'], 'delivered after the restart, in order');
});

t.test('a receiver with an untrusted certificate is refused and reported', async (t) => {
  const bad = await admin.post('/api/admin/webhooks', { url: `https://127.0.0.1:${port}/other`, events: ['test'] });
  t.equal(bad.status, 400, 'test is not a session event');
  const r = await admin.post('/api/admin/webhooks', { url: `https://127.0.0.1:${port}/other`, events: [] });
  const id = r.json().webhook.id;
  const count = received.length;
  t.equal((await admin.post(`/api/admin/webhooks/${id}/test`)).status, 202);
  await until(() => (received.length > count ? true : false), 2500);
  const state = (await admin.get('/api/admin/webhooks')).json().webhooks.find((w: any) => w.id === id);
  t.match(state.lastError, /certificate|self.signed|issuer/i, 'the TLS refusal is the reported error');
  t.equal(received.filter((x) => x.raw.includes('"event":"test"')).length, 0, 'nothing reached the receiver');
  t.equal((await admin.del(`/api/admin/webhooks/${id}`)).status, 200);
  t.equal((await admin.post(`/api/admin/webhooks/${hookId}/test`)).status, 202, 'the trusted one takes a test event');
  await until(() => received.some((x) => x.body.event === 'test'));
  t.ok(received.some((x) => x.body.event === 'test'));
});
