/**
 * F28 and F29 over raw WebSocket against the real appliance: the owner
 * invites a rep or a team (the invited see it, join as members or decline;
 * the owner withdraws; invitations end when ownership moves), takes
 * another rep out of the session (that rep loses it at once; others may
 * not do this), and disconnects the customer while the reps stay (the
 * customer is told, cannot resume, and the session goes on until ended).
 */
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { openSocket } from './helpers/ws.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, createTeam, createUser, joinCustomer, signInRep } from './helpers/rep.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const admin = await adminAgent(app);
const aliceId = await createUser(admin, 'alice');
const bobId = await createUser(admin, 'bob');
await createTeam(admin, 'Desk', [[aliceId, 'member'], [bobId, 'member']]);
const carolId = await createUser(admin, 'carol');
const daveId = await createUser(admin, 'dave');
const night = await createTeam(admin, 'Night shift', [[carolId, 'member'], [daveId, 'member']]);
const alice = await signInRep(app, 'alice');
const bob = await signInRep(app, 'bob');
const carol = await signInRep(app, 'carol');
const dave = await signInRep(app, 'dave');

/** A session owned by alice with bob as a second member; returns the customer too. */
async function sharedSession(name: string) {
  const key = (await alice.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  const customer = await joinCustomer(app, { key: key.shortKey, name });
  const id: string = customer.joined.sessionId;
  await alice.request({ t: 'accept', sessionId: id });
  // Through bob and back: bob stays a member, alice owns it again.
  await alice.request({ t: 'transfer', sessionId: id, to: `rep:${bobId}` });
  await bob.request({ t: 'accept', sessionId: id });
  await bob.request({ t: 'transfer', sessionId: id, to: `rep:${aliceId}` });
  await alice.request({ t: 'accept', sessionId: id });
  const detail = await alice.request({ t: 'open_session', sessionId: id });
  if (detail.session.members.length !== 2) throw new Error(`expected two members: ${JSON.stringify(detail.session.members)}`);
  return { id, customer };
}

t.test('the owner removes a member; nobody else may', async (t) => {
  const { id } = await sharedSession('Mia');
  t.equal((await bob.request({ t: 'remove_member', sessionId: id, userId: aliceId })).code, 'NOT_OWNER', 'bob is not the owner');
  t.equal((await alice.request({ t: 'remove_member', sessionId: id, userId: aliceId })).code, 'OWNER_CANNOT_LEAVE');
  t.equal((await alice.request({ t: 'remove_member', sessionId: id, userId: 'A'.repeat(22) })).code, 'NOT_MEMBER');
  t.equal((await alice.request({ t: 'remove_member', sessionId: id, userId: bobId })).t, 'ack');
  const seen = await bob.socket.next((m) => (m.t === 'session' && m.session.id === id && !m.session.members.some((x: any) => x.id === bobId)) || (m.t === 'session_gone' && m.sessionId === id));
  t.ok(seen, 'bob is told he is out');
  t.equal((await bob.request({ t: 'chat', sessionId: id, body: 'still here?' })).code, 'NOT_MEMBER', 'and can no longer chat in it');
  const detail = await alice.request({ t: 'open_session', sessionId: id });
  t.ok(detail.events.some((e: any) => e.kind === 'rep_removed' && e.actor === 'Alice' && e.params.name === 'Bob'), 'the log says who removed whom');
  await alice.request({ t: 'end', sessionId: id });
});

t.test('the owner disconnects the customer and the reps stay', async (t) => {
  const { id, customer } = await sharedSession('Noah');
  t.equal((await bob.request({ t: 'dismiss_customer', sessionId: id })).code, 'NOT_OWNER');
  t.equal((await alice.request({ t: 'dismiss_customer', sessionId: id })).t, 'ack');
  const end = await customer.socket.next((m) => m.t === 'end');
  t.equal(end.reason, 'disconnected', 'the customer is told');
  t.equal((await customer.socket.closed).code, 4004);
  // The old resume secret is dead: the customer cannot come back into the session.
  const again = await openSocket(app.origin, app.caPem, '/ws/customer', '');
  again.send({ t: 'hello', v: 1, resume: customer.joined.resume });
  t.equal((await again.next((m) => m.t === 'error')).code, 'RESUME_UNKNOWN');
  const detail = await alice.request({ t: 'open_session', sessionId: id });
  t.equal(detail.session.state, 'active', 'the session goes on');
  t.equal(detail.session.customerConnected, false);
  t.equal((await bob.request({ t: 'chat', sessionId: id, body: 'just us now' })).t, 'ack', 'the reps still chat');
  t.ok(detail.events.some((e: any) => e.kind === 'customer_dismissed' && e.actor === 'Alice'));
  t.equal((await alice.request({ t: 'end', sessionId: id })).t, 'ack', 'and the owner ends it later');
});

t.test('invitations: a rep and a team are invited, join or decline, the owner withdraws, a transfer ends them', async (t) => {
  const key = (await alice.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  const customer = await joinCustomer(app, { key: key.shortKey, name: 'Olga' });
  const id: string = customer.joined.sessionId;
  await alice.request({ t: 'accept', sessionId: id });

  t.equal((await bob.request({ t: 'invite', sessionId: id, to: `team:${night}` })).code, 'SESSION_UNKNOWN', 'only the owner invites');
  t.equal((await alice.request({ t: 'invite', sessionId: id, to: `rep:${aliceId}` })).code, 'BAD_FIELD', 'not herself');
  t.equal((await alice.request({ t: 'invite', sessionId: id, to: 'team:AAAAAAAAAAAAAAAAAAAAAA' })).code, 'QUEUE_UNKNOWN');
  t.equal((await alice.request({ t: 'invite', sessionId: id, to: `rep:${bobId}` })).t, 'ack');
  t.equal((await alice.request({ t: 'invite', sessionId: id, to: `rep:${bobId}` })).code, 'INVITATION_EXISTS', 'never two for the same rep');
  t.equal((await alice.request({ t: 'invite', sessionId: id, to: `team:${night}` })).t, 'ack');

  const forBob = await bob.socket.next((m) => m.t === 'session' && m.session.id === id && m.session.invitations.some((i: any) => i.to === `rep:${bobId}`));
  const bobInv = forBob.session.invitations.find((i: any) => i.to === `rep:${bobId}`);
  t.equal(bobInv.by.name, 'Alice');
  const forDave = await dave.socket.next((m) => m.t === 'session' && m.session.id === id && m.session.invitations.some((i: any) => i.to === `team:${night}`));
  const teamInv = forDave.session.invitations.find((i: any) => i.to === `team:${night}`);
  t.equal(teamInv.toName, 'Night shift', 'the team sees the invitation');
  t.equal((await bob.request({ t: 'invite_answer', sessionId: id, invitationId: teamInv.id, join: true })).code, 'INVITATION_UNKNOWN', 'bob is not in that team');

  t.equal((await bob.request({ t: 'invite_answer', sessionId: id, invitationId: bobInv.id, join: true })).t, 'ack');
  t.equal((await bob.request({ t: 'chat', sessionId: id, body: 'Bob here' })).t, 'ack', 'bob joined as a member');
  t.equal((await bob.request({ t: 'end', sessionId: id })).code, 'NOT_OWNER', 'but alice stays the owner');

  t.equal((await carol.request({ t: 'invite_answer', sessionId: id, invitationId: teamInv.id, join: false })).t, 'ack', 'carol declines for the team');
  t.equal((await dave.request({ t: 'invite_answer', sessionId: id, invitationId: teamInv.id, join: true })).code, 'INVITATION_UNKNOWN', 'declined is gone for the whole team');

  t.equal((await alice.request({ t: 'invite', sessionId: id, to: `rep:${daveId}` })).t, 'ack');
  const detail = await alice.request({ t: 'open_session', sessionId: id });
  const daveInv = detail.session.invitations.find((i: any) => i.to === `rep:${daveId}`);
  t.equal((await alice.request({ t: 'invite_withdraw', sessionId: id, invitationId: daveInv.id })).t, 'ack');
  t.equal((await dave.request({ t: 'invite_answer', sessionId: id, invitationId: daveInv.id, join: true })).code, 'INVITATION_UNKNOWN', 'withdrawn');

  t.equal((await alice.request({ t: 'invite', sessionId: id, to: `rep:${daveId}` })).t, 'ack');
  t.equal((await alice.request({ t: 'transfer', sessionId: id, to: `team:${night}` })).t, 'ack');
  const moved = await alice.request({ t: 'open_session', sessionId: id });
  t.same(moved.session.invitations, [], 'a transfer ends every invitation');
  const kinds = moved.events.map((e: any) => e.kind);
  for (const k of ['invited', 'rep_joined', 'invitation_declined', 'invitation_withdrawn']) t.ok(kinds.includes(k), `logged ${k}`);
  await carol.request({ t: 'accept', sessionId: id });
  await carol.request({ t: 'end', sessionId: id });
});

t.test('joining or leaving a team updates an open console at once: queues, waiting sessions, live updates', async (t) => {
  const erin = await createUser(admin, 'erin');
  const erinRep = await signInRep(app, 'erin');
  t.same(erinRep.welcome.queues.map((q: any) => q.name), ['Erin']);
  const team = await createTeam(admin, 'Late shift', []);
  await admin.post('/api/admin/issues', { codeName: 'late', description: 'Late problems', teamId: team });
  const start = (await new Agent(app.origin, app.caPem).post('/api/portal/start', { mode: 'issue', issue: 'late', name: 'Quinn' })).json();
  const customer = await joinCustomer(app, { token: start.token });

  t.equal((await admin.patch(`/api/admin/teams/${team}`, { members: [{ userId: erin, role: 'member' }] })).status, 200);
  const fresh = await erinRep.socket.next((m) => m.t === 'welcome' && m.queues.some((q: any) => q.name === 'Late shift'));
  t.ok(fresh.sessions.some((s: any) => s.id === customer.joined.sessionId), 'the waiting session of her new team is there');
  customer.socket.send({ t: 'chat', body: 'anyone?' });
  // Live updates now reach her through the team queue's topic.
  const key2 = (await new Agent(app.origin, app.caPem).post('/api/portal/start', { mode: 'issue', issue: 'late', name: 'Rosa' })).json();
  await joinCustomer(app, { token: key2.token });
  await erinRep.socket.next((m) => m.t === 'session' && m.entered && m.session.customer.name === 'Rosa');
  t.equal((await erinRep.request({ t: 'accept', sessionId: customer.joined.sessionId })).t, 'ack', 'and she can take it');
  await erinRep.request({ t: 'end', sessionId: customer.joined.sessionId });

  t.equal((await admin.patch(`/api/admin/teams/${team}`, { members: [] })).status, 200);
  const after = await erinRep.socket.next((m) => m.t === 'welcome' && m !== erinRep.welcome && m !== fresh);
  t.same(after.queues.map((q: any) => q.name), ['Erin'], 'the team queue is gone from her console');
  t.notOk(after.sessions.some((s: any) => s.customer.name === 'Rosa'), 'a team she left shows her nothing more');
});
