/**
 * Support sessions over raw WebSocket and HTTP against the real appliance:
 * queues and authorization (reps see and act only on what their queues and
 * memberships allow; customers only on their own session), the portal's rep
 * pick and issue form landing in the right queue, transfer/pause/end/leave,
 * bad frames, and the grace period that requeues a vanished rep's session.
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
const carolId = await createUser(admin, 'carol');
const tier1 = await createTeam(admin, 'Tier 1', [[aliceId, 'member'], [bobId, 'lead']]);
const tier2 = await createTeam(admin, 'Tier 2', [[carolId, 'member']]);
await admin.post('/api/admin/issues', { codeName: 'printer', description: 'Printer problems', teamId: tier1 });
await admin.post('/api/admin/issues', { codeName: 'vpn', description: 'VPN', teamId: tier2 });
// Short grace so the requeue test is quick: 1 s.
await admin.put('/api/admin/settings/sessions', { repGraceSeconds: 1 });

const alice = await signInRep(app, 'alice');
const bob = await signInRep(app, 'bob');
const carol = await signInRep(app, 'carol');
const portal = new Agent(app.origin, app.caPem);

t.test('welcome lists the rep queues: personal and one per team', async (t) => {
  t.same(alice.welcome.queues.map((q: any) => [q.kind, q.name]), [['personal', 'Alice'], ['team', 'Tier 1']]);
  t.same(carol.welcome.queues.map((q: any) => q.name), ['Carol', 'Tier 2']);
  t.ok(alice.welcome.targets.teams.length === 2 && alice.welcome.targets.reps.length >= 4, 'transfer targets list teams and reps');
});

t.test('portal: the issue form lands in the team queue; only that team sees it', async (t) => {
  const info = (await portal.get('/api/portal/info')).json();
  t.same(info.issues.map((i: any) => i.codeName).sort(), ['printer', 'vpn']);
  t.ok(info.reps.some((r: any) => r.name === 'Alice'), 'reps with a live console are available');
  const start = (await portal.post('/api/portal/start', { mode: 'issue', issue: 'printer', name: 'Pat', details: 'Paper jam' })).json();
  t.match(start.download, /^\/download\/relaydesk-client\.mjs\?ak=/);
  const { joined } = await joinCustomer(app, { token: start.token, hostname: 'pat-pc' });
  const seen = await alice.socket.next((m) => m.t === 'session' && m.session.id === joined.sessionId);
  t.equal(seen.entered, true, 'it entered a queue of hers: the console pops up a notice');
  t.equal(seen.session.queueName, 'Tier 1');
  t.equal(seen.session.customer.name, 'Pat');
  t.equal(seen.session.customer.details, 'Paper jam');
  t.equal(seen.session.issue, 'Printer problems');
  await bob.socket.next((m) => m.t === 'session' && m.session.id === joined.sessionId);
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(carol.socket.messages.some((m) => m.t === 'session' && m.session.id === joined.sessionId), 'Tier 2 never heard of it');

  t.equal((await carol.request({ t: 'accept', sessionId: joined.sessionId })).code, 'SESSION_UNKNOWN', 'another team cannot accept');
  t.equal((await carol.request({ t: 'open_session', sessionId: joined.sessionId })).code, 'SESSION_UNKNOWN', 'nor read it');
  t.equal((await carol.request({ t: 'chat', sessionId: joined.sessionId, body: 'hi' })).code, 'NOT_MEMBER', 'nor chat in it');
  t.equal((await bob.request({ t: 'chat', sessionId: joined.sessionId, body: 'hi' })).code, 'NOT_MEMBER', 'a queue member is not a session member before accepting');
  t.equal((await alice.request({ t: 'accept', sessionId: joined.sessionId })).t, 'ack');
  t.equal((await bob.request({ t: 'accept', sessionId: joined.sessionId })).code, 'SESSION_UNKNOWN', 'once taken, others cannot take it');
  const gone = await bob.socket.next((m) => m.t === 'session' && m.session.id === joined.sessionId && m.session.state === 'active');
  t.equal(gone.session.owner.name, 'Alice', 'team mates learn it was taken (and drop it from the queue)');
});

t.test('portal: picking a rep lands in that rep personal queue; unavailable reps are refused', async (t) => {
  const start = (await portal.post('/api/portal/start', { mode: 'rep', repId: bobId, name: 'Rita' })).json();
  const { joined } = await joinCustomer(app, { token: start.token });
  const seen = await bob.socket.next((m) => m.t === 'session' && m.session.id === joined.sessionId);
  t.equal(seen.session.queueKind, 'personal');
  t.equal(seen.session.queueName, 'Bob');
  const offline = await portal.post('/api/portal/start', { mode: 'rep', repId: 'Z'.repeat(22), name: 'X' });
  t.equal(offline.json().error.code, 'REP_UNAVAILABLE');
  t.equal((await portal.post('/api/portal/start', { mode: 'issue', issue: 'nope', name: 'X' })).json().error.code, 'ISSUE_UNKNOWN');
  t.equal((await portal.post('/api/portal/start', { mode: 'shell', name: 'X' })).json().error.code, 'BAD_FIELD');
});

t.test('click-to-chat sessions are browser sessions', async (t) => {
  const start = (await portal.post('/api/portal/start', { mode: 'chat', issue: 'printer', name: 'Bea' })).json();
  t.notOk(start.download, 'no client download for a browser chat');
  const { joined } = await joinCustomer(app, { token: start.token });
  const seen = await alice.socket.next((m) => m.t === 'session' && m.session.id === joined.sessionId);
  t.equal(seen.session.kind, 'browser');
});

t.test('session keys: one-time, rep-bound, and refused clearly when used or unknown', async (t) => {
  const key = (await alice.agent.post('/api/console/session-keys', { ttlMinutes: 5 })).json();
  t.match(key.shortKey, /^\d{7}$/);
  t.match(key.url, /\/\?ak=[A-Za-z0-9_-]{20,}$/);
  t.ok(key.expiresAt > Date.now() + 4 * 60_000);
  t.match(key.mailto, /^mailto:\?subject=.*&body=.*\d{7}/);
  t.equal((await portal.post('/api/portal/key', { key: key.shortKey })).status, 200, 'the portal accepts the typed key');
  const { joined, socket } = await joinCustomer(app, { key: key.shortKey, name: 'Kim', privateIps: ['10.1.2.3'] });
  const seen = await alice.socket.next((m) => m.t === 'session' && m.session.id === joined.sessionId);
  t.equal(seen.session.queueName, 'Alice');
  t.same(seen.session.customer.privateIps, ['10.1.2.3']);
  t.equal(seen.session.customer.publicIp, '127.0.0.1');
  await t.rejects(joinCustomer(app, { key: key.shortKey }), { code: 'KEY_USED' });
  t.equal((await portal.post('/api/portal/key', { key: key.shortKey })).json().error.code, 'KEY_USED');
  await t.rejects(joinCustomer(app, { key: '0000001' }), { code: 'KEY_UNKNOWN' });
  t.equal((await portal.post('/api/portal/key', { key: '12ab' })).json().error.code, 'BAD_FIELD');

  // A customer can speak only in its own session: chat goes to its session, whatever it claims.
  socket.send({ t: 'chat', body: 'mine', sessionId: 'x'.repeat(22) });
  t.equal((await socket.next((m) => m.t === 'error')).code, 'UNKNOWN_FIELD', 'there is no field to name another session');
  await alice.request({ t: 'accept', sessionId: joined.sessionId });
  socket.send({ t: 'chat', body: 'hello from Kim' });
  const chat = await alice.socket.next((m) => m.t === 'chat' && m.sessionId === joined.sessionId);
  t.same(chat.msg.from, { kind: 'customer', name: 'Kim' });
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(bob.socket.messages.some((m) => m.t === 'chat' && m.sessionId === joined.sessionId), 'a non-member never receives its chat');
});

t.test('transfer to another team: old owner stays, new rep accepts, then ends; the customer is told', async (t) => {
  const key = (await alice.agent.post('/api/console/session-keys', { ttlMinutes: 5 })).json();
  const cust = await joinCustomer(app, { key: key.shortKey, name: 'Tom' });
  const id = cust.joined.sessionId;
  await alice.request({ t: 'accept', sessionId: id });
  await alice.request({ t: 'chat', sessionId: id, body: 'let me get a colleague' });
  t.equal((await carol.request({ t: 'transfer', sessionId: id, to: `team:${tier2}` })).code, 'SESSION_UNKNOWN', 'only the owner moves an active session');
  t.equal((await alice.request({ t: 'transfer', sessionId: id, to: 'team:' + 'Q'.repeat(22) })).code, 'QUEUE_UNKNOWN');
  t.equal((await alice.request({ t: 'transfer', sessionId: id, to: `team:${tier2}` })).t, 'ack');
  const entered = await carol.socket.next((m) => m.t === 'session' && m.session.id === id);
  t.equal(entered.entered, true);
  t.equal(entered.session.queueName, 'Tier 2');
  t.equal((await alice.request({ t: 'end', sessionId: id })).code, 'NOT_OWNER', 'the old owner can no longer end it');
  t.equal((await carol.request({ t: 'accept', sessionId: id })).t, 'ack');
  const detail = await carol.request({ t: 'open_session', sessionId: id });
  t.same(detail.session.members.map((m: any) => m.name), ['Alice', 'Carol'], 'Alice stays as a participant');
  t.ok(detail.chat.some((m: any) => m.body === 'let me get a colleague'), 'Carol sees the earlier chat');
  t.same(detail.events.map((e: any) => e.kind), ['session_created', 'accepted', 'transferred', 'accepted']);
  t.equal((await alice.request({ t: 'leave', sessionId: id })).t, 'ack');
  t.equal((await carol.request({ t: 'end', sessionId: id })).t, 'ack');
  t.same(await cust.socket.next((m) => m.t === 'end'), { t: 'end', reason: 'ended' });
  t.equal((await cust.socket.closed).code, 4004);
  t.equal((await carol.request({ t: 'chat', sessionId: id, body: 'x' })).code, 'NOT_MEMBER', 'nothing more happens in an ended session');
});

t.test('pause sends the session back to the owner queue while the customer stays', async (t) => {
  const key = (await bob.agent.post('/api/console/session-keys', { ttlMinutes: 5 })).json();
  const cust = await joinCustomer(app, { key: key.shortKey });
  const id = cust.joined.sessionId;
  await bob.request({ t: 'accept', sessionId: id });
  t.equal((await bob.request({ t: 'pause', sessionId: id })).t, 'ack');
  const st = await cust.socket.next((m) => m.t === 'state' && m.state === 'waiting');
  t.same(st.reps, []);
  const back = await bob.socket.next((m) => m.t === 'session' && m.session.id === id && m.session.state === 'waiting');
  t.equal(back.session.queueName, 'Bob');
  t.equal(back.session.customerConnected, true);
  t.equal((await bob.request({ t: 'accept', sessionId: id })).t, 'ack', 'and can be taken up again');
});

t.test('bad frames on both sockets are answered with codes; sockets that keep at it are closed', async (t) => {
  const r = alice;
  for (const bad of [{ t: 'accept', rid: 1 }, { t: 'accept', rid: 1, sessionId: 'short' }, { t: 'transfer', rid: 1, sessionId: 'x'.repeat(22), to: 'everyone' }, { t: 'chat', rid: 1, sessionId: 'x'.repeat(22), body: '' }]) {
    r.socket.send(bad);
    t.equal((await r.socket.next((m) => m.t === 'error' && m.rid === 1 && !m.seen)).code, 'BAD_FIELD', JSON.stringify(bad));
    r.socket.messages.filter((m) => m.t === 'error').forEach((m) => (m.seen = true));
  }
  t.equal((await r.request({ t: 'accept', sessionId: 'x'.repeat(22) })).code, 'SESSION_UNKNOWN');
  const { openSocket } = await import('./helpers/ws.ts');
  const c = await openSocket(app.origin, app.caPem, '/ws/customer', '');
  c.send({ t: 'chat', body: 'before hello' });
  t.equal((await c.next((m) => m.t === 'error')).code, 'WS_HELLO_FIRST');
  t.equal((await c.closed).code, 4002, 'a customer socket that does not start with hello is closed');
  const c2 = await openSocket(app.origin, app.caPem, '/ws/customer', '');
  c2.send({ t: 'hello', v: 1, key: '1234567', token: 'x'.repeat(30) });
  t.equal((await c2.next((m) => m.t === 'error')).code, 'BAD_FIELD', 'exactly one way to start');
});

t.test('a rep whose console vanishes past the grace period loses the session to its queue', async (t) => {
  const start = (await portal.post('/api/portal/start', { mode: 'issue', issue: 'printer', name: 'Gus' })).json();
  const cust = await joinCustomer(app, { token: start.token });
  const id = cust.joined.sessionId;
  const dave = await signInRep(app, 'bob');
  await dave.request({ t: 'accept', sessionId: id });
  // Bob has two consoles open (bob, dave); close both.
  bob.socket.ws.close();
  dave.socket.ws.close();
  const back = await alice.socket.next((m) => m.t === 'session' && m.session.id === id && m.session.state === 'waiting', 8000);
  t.equal(back.session.queueName, 'Tier 1', 'back in the team queue it came from');
  t.equal(back.entered, true);
});

t.test('a customer whose joined reply was lost can come back with the same key, once disconnected', async (t) => {
  const key = (await alice.agent.post('/api/console/session-keys', { ttlMinutes: 5 })).json();
  const first = await joinCustomer(app, { key: key.shortKey, name: 'Lou' });
  await t.rejects(joinCustomer(app, { key: key.shortKey }), { code: 'KEY_USED' }, 'not while the first connection is there');
  first.socket.ws.terminate();
  await alice.socket.next((m) => m.t === 'session' && m.session.id === first.joined.sessionId && !m.session.customerConnected);
  const again = await joinCustomer(app, { key: key.shortKey });
  t.equal(again.joined.sessionId, first.joined.sessionId, 'it re-attaches to the same session');
  t.not(again.joined.resume, first.joined.resume, 'with a fresh resume secret');
  await t.rejects(joinCustomer(app, { resume: first.joined.resume }), { code: 'RESUME_UNKNOWN' }, 'the old secret is void');
});

t.test('team chat reaches only the team; stars are per rep and only for own teams', async (t) => {
  const a = await signInRep(app, 'alice');
  const c = await signInRep(app, 'carol');
  t.equal((await a.request({ t: 'team_chat', teamId: tier1, body: 'anyone free?' })).t, 'ack');
  const got = await a.socket.next((m) => m.t === 'team_chat');
  t.same([got.msg.body, got.msg.from.name], ['anyone free?', 'Alice']);
  t.equal((await c.request({ t: 'team_chat', teamId: tier1, body: 'sneaky' })).code, 'QUEUE_UNKNOWN', 'not a member of that team');
  await new Promise((r) => setTimeout(r, 200));
  t.notOk(c.socket.messages.some((m) => m.t === 'team_chat'), 'other teams never see it');
  // Signing in again moves Alice's console (F6); the new one gets the history.
  const later = await signInRep(app, 'alice');
  t.ok(later.welcome.teamChat.some((m: any) => m.body === 'anyone free?'), 'history comes with the welcome');

  t.equal((await later.request({ t: 'favourite', teamId: tier1, on: true })).t, 'ack');
  const queues = await later.socket.next((m) => m.t === 'queues');
  t.equal(queues.queues.find((q: any) => q.kind === 'team').favourite, true);
  t.equal((await c.request({ t: 'favourite', teamId: tier1, on: true })).code, 'QUEUE_UNKNOWN');
});
