/** The session state machine: every transition's rule and result, and who may see what. */
import t from 'tap';
import { accept, canSee, end, leave, pause, personalQueue, repGone, teamQueue, transfer, type Actor, type SessionRecord } from './sessions.ts';

const ALICE = 'a'.repeat(22);
const BOB = 'b'.repeat(22);
const CAROL = 'c'.repeat(22);
const TEAM = 't'.repeat(22);
const OTHER_TEAM = 'o'.repeat(22);

const actor = (id: string, teams: string[] = []): Actor => ({ id, name: id[0]!.toUpperCase(), queues: new Set([personalQueue(id), ...teams.map(teamQueue)]) });
const alice = actor(ALICE, [TEAM]);
const bob = actor(BOB, [TEAM]);
const carol = actor(CAROL, [OTHER_TEAM]);

function waiting(queue = teamQueue(TEAM)): SessionRecord {
  return {
    id: 's'.repeat(22),
    kind: 'client',
    source: 'issue',
    state: 'waiting',
    queue,
    originTeam: TEAM,
    owner: null,
    members: [],
    customer: { name: 'Cust', details: '', hostname: 'h', os: 'Linux', user: 'u', privateIps: [], publicIp: '127.0.0.1' },
    customerConnected: true,
    createdAt: 1,
    endedAt: null,
    issue: null,
    resumeHash: 'x',
  };
}

t.test('only reps of the queue see and accept a waiting session', (t) => {
  const s = waiting();
  t.ok(canSee(alice, s));
  t.notOk(canSee(carol, s), 'another team does not see it');
  t.throws(() => accept(s, carol), { code: 'SESSION_UNKNOWN' });
  const { next, event } = accept(s, alice);
  t.equal(next.state, 'active');
  t.equal(next.owner, ALICE);
  t.same(next.members, [ALICE]);
  t.equal(next.queue, personalQueue(ALICE));
  t.equal(event.kind, 'accepted');
  t.equal(s.state, 'waiting', 'the input record is not mutated');
  t.notOk(canSee(bob, next), 'once accepted, team mates no longer see it');
  t.throws(() => accept(next, alice), { code: 'SESSION_NOT_WAITING' });
  t.end();
});

t.test('transfer: owner moves an active session; old owner stays as participant', (t) => {
  const active = accept(waiting(), alice).next;
  t.throws(() => transfer(active, bob, teamQueue(OTHER_TEAM), 'Other'), { code: 'SESSION_UNKNOWN' }, 'a non-member cannot');
  const { next, event } = transfer(active, alice, teamQueue(OTHER_TEAM), 'Other');
  t.equal(next.state, 'waiting');
  t.equal(next.owner, null);
  t.same(next.members, [ALICE], 'alice stays as a participant');
  t.same(event.params, { to: 'Other' });
  t.ok(canSee(carol, next), 'the target team sees it');
  t.throws(() => pause(next, alice), { code: 'NOT_OWNER' }, 'owner-only actions are no longer hers');
  const taken = accept(next, carol).next;
  t.equal(taken.owner, CAROL);
  t.same(taken.members, [ALICE, CAROL]);
  t.throws(() => end(taken, alice, 5), { code: 'NOT_OWNER' });
  const left = leave(taken, alice).next;
  t.same(left.members, [CAROL]);
  t.throws(() => leave(taken, carol), { code: 'OWNER_CANNOT_LEAVE' });
  t.end();
});

t.test('a waiting session can be transferred by anyone who sees its queue', (t) => {
  const s = waiting();
  t.equal(transfer(s, bob, personalQueue(CAROL), 'Carol').next.queue, personalQueue(CAROL));
  t.throws(() => transfer(s, carol, personalQueue(CAROL), 'Carol'), { code: 'SESSION_UNKNOWN' });
  t.end();
});

t.test('pause returns the session to the owner personal queue; others stay', (t) => {
  let s = accept(waiting(), alice).next;
  s = { ...s, members: [ALICE, BOB] };
  const { next } = pause(s, alice);
  t.equal(next.state, 'waiting');
  t.equal(next.queue, personalQueue(ALICE));
  t.same(next.members, [BOB]);
  t.ok(canSee(alice, next), 'it waits in her personal queue');
  t.end();
});

t.test('end closes the session for everyone', (t) => {
  const s = accept(waiting(), alice).next;
  const { next } = end(s, alice, 99);
  t.equal(next.state, 'ended');
  t.equal(next.endedAt, 99);
  t.same(next.members, []);
  t.notOk(canSee(alice, next));
  t.end();
});

t.test('a vanished owner sends the session back to its origin team, else to their queue', (t) => {
  const fromTeam = accept(waiting(), alice).next;
  const r = repGone(fromTeam, ALICE, 'A')!;
  t.equal(r.next.queue, teamQueue(TEAM));
  t.equal(r.next.state, 'waiting');
  t.equal(r.event.kind, 'requeued_after_disconnect');
  const fromKey = accept({ ...waiting(personalQueue(ALICE)), originTeam: null }, alice).next;
  t.equal(repGone(fromKey, ALICE, 'A')!.next.queue, personalQueue(ALICE));
  t.equal(repGone(fromKey, BOB, 'B'), undefined, 'nothing for someone not in it');
  t.end();
});
