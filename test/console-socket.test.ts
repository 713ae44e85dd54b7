/**
 * The console WebSocket against the real appliance: only a console sign-in
 * may open it, the hello/version handshake, bad frames answered with codes
 * and the socket closed when they keep coming (others unaffected), and the
 * live "signed out elsewhere" push of F6.
 */
import t from 'tap';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';
import { openSocket } from './helpers/ws.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const admin = new Agent(app.origin, app.caPem);
await admin.signIn('admin', ADMIN_PASSWORD);
await admin.put('/api/admin/settings/security', { allowWebConsole: true });
await admin.post('/api/admin/users', { username: 'rep', displayName: 'Rep Resa', password: 'rep-password-1' });

async function consoleCookie(): Promise<string> {
  const a = new Agent(app.origin, app.caPem);
  const r = await a.signIn('rep', 'rep-password-1', 'console');
  if (r.status !== 200) throw new Error(r.text);
  return `__Host-rd_console=${a.cookies.get('__Host-rd_console')}`;
}

t.test('the socket opens only with a console sign-in from this origin', async (t) => {
  const refused = (p: Promise<unknown>) => p.then(() => 0, (e: { status?: number }) => e.status);
  t.equal(await refused(openSocket(app.origin, app.caPem, '/ws/console', '')), 401);
  const webCookie = `__Host-rd_web=${admin.cookies.get('__Host-rd_web')}`;
  t.equal(await refused(openSocket(app.origin, app.caPem, '/ws/console', webCookie)), 401, 'a /login cookie is not a console sign-in');
  t.equal(await refused(openSocket(app.origin, app.caPem, '/ws/console', await consoleCookie(), { origin: 'https://evil.example' })), 403, 'a foreign page cannot ride the cookie');
});

t.test('hello/welcome with the protocol version; ping/pong', async (t) => {
  const s = await openSocket(app.origin, app.caPem, '/ws/console', await consoleCookie());
  s.send({ t: 'ping', n: 1 });
  t.equal((await s.next((m) => m.t === 'error')).code, 'WS_HELLO_FIRST');
  s.send({ t: 'hello', v: 1 });
  const welcome = await s.next((m) => m.t === 'welcome');
  t.same(welcome.user.displayName, 'Rep Resa');
  s.send({ t: 'ping', n: 42 });
  t.equal((await s.next((m) => m.t === 'pong')).n, 42);
  s.ws.close();
});

t.test('a wrong protocol version is refused with a clear code and closed', async (t) => {
  const s = await openSocket(app.origin, app.caPem, '/ws/console', await consoleCookie());
  s.send({ t: 'hello', v: 999 });
  t.equal((await s.next((m) => m.t === 'error')).code, 'WS_VERSION');
  t.equal((await s.closed).code, 4002);
});

t.test('bad frames get coded errors; a socket that keeps sending garbage is closed; others carry on', async (t) => {
  // Two tabs of one console sign-in: one misbehaves, the other must not notice.
  const cookie = await consoleCookie();
  const good = await openSocket(app.origin, app.caPem, '/ws/console', cookie);
  good.send({ t: 'hello', v: 1 });
  await good.next((m) => m.t === 'welcome');
  const bad = await openSocket(app.origin, app.caPem, '/ws/console', cookie);
  const frames = ['not json', '[1,2]', JSON.stringify({ t: 'launch_missiles' }), JSON.stringify({ t: 'ping', n: 'x' }), JSON.stringify({ t: 'hello', v: 1, extra: true }), JSON.stringify({ t: 'ping' })];
  for (const f of frames) bad.send(f);
  const { code } = await bad.closed;
  t.equal(code, 4002, 'closed after too many bad frames');
  const codes = bad.messages.filter((m) => m.t === 'error').map((m) => m.code);
  t.same(codes.slice(0, 5), ['WS_BAD_FRAME', 'WS_BAD_FRAME', 'WS_UNKNOWN_TYPE', 'BAD_FIELD', 'UNKNOWN_FIELD']);
  t.ok(codes.includes('WS_TOO_MANY_ERRORS'));
  good.send({ t: 'ping', n: 7 });
  t.equal((await good.next((m) => m.t === 'pong')).n, 7, 'the well-behaved socket still works');
  good.ws.close();
});

t.test('signing in elsewhere pushes signed_out to the first console and closes it (F6)', async (t) => {
  const first = await openSocket(app.origin, app.caPem, '/ws/console', await consoleCookie());
  first.send({ t: 'hello', v: 1 });
  await first.next((m) => m.t === 'welcome');
  await consoleCookie(); // a second browser signs in
  t.same(await first.next((m) => m.t === 'signed_out'), { t: 'signed_out', reason: 'elsewhere' });
  t.equal((await first.closed).code, 4001);
});

t.test('logout and the admin turning the console off both close live consoles with the reason', async (t) => {
  const a = new Agent(app.origin, app.caPem);
  await a.signIn('rep', 'rep-password-1', 'console');
  const s = await openSocket(app.origin, app.caPem, '/ws/console', `__Host-rd_console=${a.cookies.get('__Host-rd_console')}`);
  await a.post('/api/console/logout');
  t.equal((await s.next((m) => m.t === 'signed_out')).reason, 'logout');

  const b = new Agent(app.origin, app.caPem);
  await b.signIn('rep', 'rep-password-1', 'console');
  const s2 = await openSocket(app.origin, app.caPem, '/ws/console', `__Host-rd_console=${b.cookies.get('__Host-rd_console')}`);
  await admin.put('/api/admin/settings/security', { allowWebConsole: false });
  t.equal((await s2.next((m) => m.t === 'signed_out')).reason, 'disabled');
  await admin.put('/api/admin/settings/security', { allowWebConsole: true });
});
