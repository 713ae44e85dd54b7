/**
 * The appliance is killed with SIGKILL during a waiting and an active
 * session and started again on the same data and port: both sessions are
 * still there (the waiting one still queued), chat history is intact, a
 * reconnecting console sees them in its welcome, and a customer resumes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { adminAgent, createUser, joinCustomer, signInRep } from './helpers/rep.ts';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-restart-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

t.test('waiting and active sessions survive kill -9', async (t) => {
  const first = await startAppliance({ dataDir });
  const admin = await adminAgent(first);
  await createUser(admin, 'rita');
  const rep = await signInRep(first, 'rita');
  const k1 = (await rep.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  const k2 = (await rep.agent.post('/api/console/session-keys', { ttlMinutes: 10 })).json();
  const waiting = await joinCustomer(first, { key: k1.shortKey, name: 'Wendy' });
  const active = await joinCustomer(first, { key: k2.shortKey, name: 'Arne' });
  t.equal((await rep.request({ t: 'accept', sessionId: active.joined.sessionId })).t, 'ack');
  t.equal((await rep.request({ t: 'chat', sessionId: active.joined.sessionId, body: 'before the crash' })).t, 'ack');
  active.socket.send({ t: 'chat', body: 'customer line before the crash' });
  await rep.socket.next((m) => m.t === 'chat' && m.msg.body === 'customer line before the crash');

  await first.kill('SIGKILL');
  const second = await startAppliance({ dataDir, port: first.port });
  t.teardown(() => second.stop(true));
  t.equal(second.port, first.port, 'the restart got its port back');

  const again = await signInRep(second, 'rita');
  const sessions = again.welcome.sessions;
  const w = sessions.find((s: any) => s.id === waiting.joined.sessionId);
  const a = sessions.find((s: any) => s.id === active.joined.sessionId);
  t.equal(w?.state, 'waiting', 'the waiting session is still queued');
  t.equal(w?.queueName, 'Rita');
  t.equal(a?.state, 'active', 'the active session is still hers');
  t.equal(a?.customerConnected, false, 'customers are away until they reconnect');
  const detail = await again.request({ t: 'open_session', sessionId: active.joined.sessionId });
  t.same(
    detail.chat.map((m: any) => m.body),
    ['before the crash', 'customer line before the crash'],
    'chat history is intact',
  );

  const resumed = await joinCustomer(second, { resume: active.joined.resume });
  t.equal(resumed.joined.sessionId, active.joined.sessionId, 'the customer resumes the same session');
  t.equal(resumed.joined.chat.length, 2);
  const back = await again.socket.next((m) => m.t === 'session' && m.session.id === active.joined.sessionId && m.session.customerConnected);
  t.equal(back.session.state, 'active');
});
