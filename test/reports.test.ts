/**
 * Session reports over HTTP against the real appliance: a rep who took part
 * (even one who left) reads the full event log and chat; a rep who did not
 * gets SESSION_UNKNOWN and does not see it listed; an administrator sees
 * everything; search and dates filter; the text download carries the
 * events and chat in the asked language; bad filters are refused.
 */
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, createTeam, createUser, joinCustomer, signInRep } from './helpers/rep.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const admin = await adminAgent(app);
const aliceId = await createUser(admin, 'alice');
const bobId = await createUser(admin, 'bob');
await createUser(admin, 'carol');
await createTeam(admin, 'Tier 1', [[aliceId, 'member'], [bobId, 'member']]);
const alice = await signInRep(app, 'alice');
const bob = await signInRep(app, 'bob');
const carol = await signInRep(app, 'carol');

/** A web (/login area) sign-in for `username`, which is what the report pages use. */
async function web(username: string): Promise<Agent> {
  const a = new Agent(app.origin, app.caPem);
  const r = await a.signIn(username, `${username}-password`);
  if (r.status !== 200) throw new Error(r.text);
  return a;
}

const startedBefore = Date.now();
const key = (await alice.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
const customer = await joinCustomer(app, { key: key.shortKey, name: 'Ruth Report', hostname: 'ruth-pc' });
const sessionId: string = customer.joined.sessionId;
await alice.request({ t: 'accept', sessionId });
customer.socket.send({ t: 'chat', body: 'My screen is blue' });
await alice.socket.next((m) => m.t === 'chat' && m.msg.body === 'My screen is blue');
await alice.request({ t: 'chat', sessionId, body: 'Let us look.\nOne moment.' });
// Bob joins through a transfer and back, then leaves: he took part and keeps the report.
await alice.request({ t: 'transfer', sessionId, to: `rep:${bobId}` });
await bob.request({ t: 'accept', sessionId });
await bob.request({ t: 'transfer', sessionId, to: `rep:${aliceId}` });
await alice.request({ t: 'accept', sessionId });
await bob.request({ t: 'leave', sessionId });
await alice.request({ t: 'end', sessionId });

t.test('a rep who took part reads the whole report', async (t) => {
  const a = await web('alice');
  const list = (await a.get('/api/reports/sessions')).json();
  t.same(list.rows.map((r: any) => r.id), [sessionId], 'alice sees her one session');
  const r = (await a.get(`/api/reports/sessions/${sessionId}`)).json().report;
  t.equal(r.customer.name, 'Ruth Report');
  t.equal(r.state, 'ended');
  t.ok(r.endedAt >= r.createdAt && r.durationMs === r.endedAt - r.createdAt, 'duration is start to end');
  t.same(r.reps.map((p: any) => p.name).sort(), ['Alice', 'Bob'], 'every rep who took part, also one who left');
  t.same(r.chat.map((c: any) => c.body), ['My screen is blue', 'Let us look.\nOne moment.']);
  const kinds = r.events.map((e: any) => e.kind);
  for (const k of ['session_created', 'accepted', 'transferred', 'rep_left', 'ended']) t.ok(kinds.includes(k), `has ${k}`);

  const b = await web('bob');
  t.equal((await b.get(`/api/reports/sessions/${sessionId}`)).status, 200, 'bob left but keeps the report');
});

t.test('a rep who did not take part neither sees nor reads it', async (t) => {
  const c = await web('carol');
  t.same((await c.get('/api/reports/sessions')).json().rows, []);
  const r = await c.get(`/api/reports/sessions/${sessionId}`);
  t.equal(r.status, 404);
  t.equal(r.json().error.code, 'SESSION_UNKNOWN');
  t.equal((await new Agent(app.origin, app.caPem).get('/api/reports/sessions')).status, 401, 'signed out');
  t.equal((await carol.agent.get('/api/reports/sessions')).status, 200, 'a console sign-in can read reports too');
});

t.test('an administrator sees every session; search and dates filter', async (t) => {
  const all = (await admin.get('/api/reports/sessions')).json();
  t.ok(all.rows.some((r: any) => r.id === sessionId));
  t.equal((await admin.get('/api/reports/sessions?q=ruth-PC')).json().rows.length, 1, 'host name, any case');
  t.equal((await admin.get('/api/reports/sessions?q=bob')).json().rows.length, 1, 'a rep name');
  t.equal((await admin.get('/api/reports/sessions?q=nobody-like-this')).json().rows.length, 0);
  t.equal((await admin.get(`/api/reports/sessions?from=${Date.now() + 60_000}`)).json().rows.length, 0, 'from after the start');
  t.equal((await admin.get(`/api/reports/sessions?to=${new Date(startedBefore - 60_000).toISOString()}`)).json().rows.length, 0, 'to before the start');
  t.equal((await admin.get(`/api/reports/sessions?from=${new Date(startedBefore - 60_000).toISOString()}`)).json().rows.length, 1);
});

t.test('bad filters are refused with a clear error', async (t) => {
  for (const q of ['limit=0', 'limit=201', 'limit=x', 'from=yesterday', `q=${'x'.repeat(201)}`]) {
    const r = await admin.get(`/api/reports/sessions?${q}`);
    t.equal(r.status, 400, q);
    t.equal(r.json().error.code, 'BAD_FIELD');
  }
  t.equal((await admin.get('/api/reports/sessions/not-an-id')).status, 404);
});

t.test('the text download has the events and the chat, in the asked language', async (t) => {
  const a = await web('alice');
  const en = await a.get(`/api/reports/sessions/${sessionId}/text`);
  t.equal(en.status, 200);
  t.match(en.headers['content-type'], /^text\/plain/);
  t.match(en.headers['content-disposition'], new RegExp(`attachment; filename="session-${sessionId}.txt"`));
  t.match(en.text, /Alice accepted the session/);
  t.match(en.text, /Ruth Report: My screen is blue/);
  t.match(en.text, /Alice: Let us look\.\n\s+One moment\./);
  const de = await a.get(`/api/reports/sessions/${sessionId}/text?lang=de`);
  t.match(de.text, /Sitzungsbericht/);
  t.match(de.text, /Alice hat die Sitzung beendet/);
});
