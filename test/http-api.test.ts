/**
 * The HTTP API against the real appliance process over real TLS: cookie
 * flags and rotation, security headers, CSRF, throttling, revocation,
 * authorization, and bad input on every endpoint answered with a coded 4xx
 * that stores nothing while the appliance keeps serving.
 */
import t from 'tap';
import { ADMIN_PASSWORD, startAppliance } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';

const app = await startAppliance();
t.teardown(() => app.stop());
const agent = (): Agent => new Agent(app.origin, app.caPem);

const admin = agent();
t.equal((await admin.signIn('admin', ADMIN_PASSWORD)).status, 200, 'the first administrator signs in with the password from the environment');

async function createUser(username: string, extra: object = {}): Promise<string> {
  const r = await admin.post('/api/admin/users', { username, displayName: username.toUpperCase(), password: `${username}-password`, ...extra });
  if (r.status !== 201) throw new Error(r.text);
  return r.json().user.id;
}

t.test('sign-in cookie flags, rotation, and security headers', async (t) => {
  const a = agent();
  const r1 = await a.signIn('admin', ADMIN_PASSWORD);
  const cookie = String(r1.headers['set-cookie']);
  t.match(cookie, /^__Host-rd_web=[A-Za-z0-9_-]{43};/);
  for (const flag of ['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/']) t.match(cookie, flag);
  const first = a.cookies.get('__Host-rd_web')!;
  await a.signIn('admin', ADMIN_PASSWORD);
  const second = a.cookies.get('__Host-rd_web')!;
  t.not(first, second, 'a new sign-in gets a new token');
  const stale = agent();
  stale.cookies.set('__Host-rd_web', first);
  t.equal((await stale.get('/api/auth/me')).status, 401, 'the token it replaced no longer works');

  const csp = String(r1.headers['content-security-policy']);
  t.match(csp, "script-src 'self'");
  t.notMatch(csp, 'unsafe-inline');
  t.match(csp, "frame-ancestors 'none'");
  t.match(String(r1.headers['strict-transport-security']), /max-age=\d+/);
  t.equal(r1.headers['x-content-type-options'], 'nosniff');
  t.notMatch(JSON.stringify(r1.json()), /passwordHash|scrypt/, 'no hash leaves the appliance');
});

t.test('CSRF: writes without the token, or sign-ins from elsewhere, are refused and change nothing', async (t) => {
  const before = (await admin.get('/api/admin/users')).json().users.length;
  const noToken = await admin.request('POST', '/api/admin/users', {
    body: { username: 'csrf1', displayName: 'x', password: 'csrf1-password' },
    headers: { 'x-csrf-token': '' },
  });
  t.equal(noToken.status, 403);
  t.equal(noToken.json().error.code, 'CSRF');
  const wrong = await admin.request('PUT', '/api/admin/settings/security', { body: { allowWebConsole: true }, headers: { 'x-csrf-token': 'A'.repeat(32) } });
  t.equal(wrong.json().error.code, 'CSRF');
  t.equal((await admin.get('/api/admin/users')).json().users.length, before, 'no user was created');
  t.equal((await admin.get('/api/admin/settings/security')).json().allowWebConsole, false, 'the setting did not change');

  const a = agent();
  const plain = await a.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { headers: { 'x-requested-with': '' } });
  t.equal(plain.json().error.code, 'CSRF', 'a sign-in a plain cross-site form could send is refused');
  const foreign = await a.post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD }, { headers: { origin: 'https://evil.example' } });
  t.equal(foreign.json().error.code, 'CSRF', 'a sign-in from a foreign origin is refused');
  t.equal(a.cookies.size, 0, 'no cookie was set');
});

t.test('authorization: reps cannot reach admin endpoints; signed-out cookies are useless', async (t) => {
  await createUser('rep-a');
  const rep = agent();
  t.equal((await rep.signIn('rep-a', 'rep-a-password')).status, 200);
  const someId = 'A'.repeat(22);
  const calls: Array<[string, string, object?]> = [
    ['GET', '/api/admin/users'],
    ['POST', '/api/admin/users', { username: 'sneaky', displayName: 'x', password: 'sneaky-password', admin: true }],
    ['PATCH', `/api/admin/users/${someId}`, { admin: true }],
    ['POST', `/api/admin/users/${someId}/password`, { password: 'new-password-1' }],
    ['GET', '/api/admin/teams'],
    ['POST', '/api/admin/teams', { name: 'x' }],
    ['PATCH', `/api/admin/teams/${someId}`, { name: 'y' }],
    ['DELETE', `/api/admin/teams/${someId}`],
    ['GET', '/api/admin/settings/security'],
    ['PUT', '/api/admin/settings/security', { allowWebConsole: true }],
  ];
  const anon = agent();
  for (const [method, path, body] of calls) {
    const r = await rep.request(method, path, body ? { body } : {});
    t.equal(r.status, 403, `rep: ${method} ${path}`);
    t.equal(r.json().error.code, 'FORBIDDEN');
    const r2 = await anon.request(method, path, body ? { body } : {});
    t.equal(r2.status, 401, `anonymous: ${method} ${path}`);
  }
  t.equal((await admin.get('/api/admin/users')).json().users.some((u: any) => u.username === 'sneaky'), false);

  const token = rep.cookies.get('__Host-rd_web')!;
  t.equal((await rep.post('/api/auth/logout')).status, 200);
  const replay = agent();
  replay.cookies.set('__Host-rd_web', token);
  t.equal((await replay.get('/api/auth/me')).status, 401, 'the cookie of a signed-out session is refused at once');
});

t.test('password reset and disabling end existing sign-ins; a disabled user cannot sign in', async (t) => {
  const id = await createUser('rep-b');
  const rep = agent();
  await rep.signIn('rep-b', 'rep-b-password');
  t.equal((await rep.get('/api/auth/me')).status, 200);
  t.equal((await admin.post(`/api/admin/users/${id}/password`, { password: 'rep-b-new-password' })).status, 200);
  t.equal((await rep.get('/api/auth/me')).status, 401, 'the reset ended the sign-in');
  t.equal((await rep.signIn('rep-b', 'rep-b-password')).status, 401, 'the old password is gone');
  t.equal((await rep.signIn('rep-b', 'rep-b-new-password')).status, 200);
  t.equal((await admin.patch(`/api/admin/users/${id}`, { disabled: true })).json().user.disabled, true);
  t.equal((await rep.get('/api/auth/me')).status, 401, 'disabling ended the sign-in');
  const again = await agent().signIn('rep-b', 'rep-b-new-password');
  t.equal(again.status, 403);
  t.equal(again.json().error.code, 'ACCOUNT_DISABLED');
});

t.test('the last active administrator cannot be disabled or demoted', async (t) => {
  const me = (await admin.get('/api/auth/me')).json().user.id;
  t.equal((await admin.patch(`/api/admin/users/${me}`, { disabled: true })).json().error.code, 'LAST_ADMIN');
  t.equal((await admin.patch(`/api/admin/users/${me}`, { admin: false })).json().error.code, 'LAST_ADMIN');
  t.equal((await admin.get('/api/auth/me')).status, 200);
});

t.test('teams: members with roles; bad members refused', async (t) => {
  const a = await createUser('team-a');
  const b = await createUser('team-b');
  const r = await admin.post('/api/admin/teams', { name: 'Tier 1', members: [{ userId: a, role: 'member' }, { userId: b, role: 'lead' }] });
  t.equal(r.status, 201);
  const team = r.json().team;
  t.same(team.members, [{ userId: a, role: 'member' }, { userId: b, role: 'lead' }]);
  const up = await admin.patch(`/api/admin/teams/${team.id}`, { members: [{ userId: a, role: 'manager' }] });
  t.same(up.json().team.members, [{ userId: a, role: 'manager' }]);
  t.equal((await admin.post('/api/admin/teams', { name: 'tier 1' })).json().error.code, 'NAME_TAKEN');
  const member = agent();
  await member.signIn('team-a', 'team-a-password');
  t.same((await member.get('/api/auth/me')).json().teams, [{ id: team.id, name: 'Tier 1', role: 'manager' }], 'My Account shows the team and role');
  t.equal((await admin.del(`/api/admin/teams/${team.id}`)).status, 200);
  t.equal((await admin.del(`/api/admin/teams/${team.id}`)).json().error.code, 'UNKNOWN_ID');
});

t.test('bad input on every endpoint: coded 4xx, nothing stored, appliance keeps serving', async (t) => {
  const snapshot = async () => JSON.stringify([(await admin.get('/api/admin/users')).json(), (await admin.get('/api/admin/teams')).json(), (await admin.get('/api/admin/settings/security')).json()]);
  const before = await snapshot();
  const userId = (await admin.get('/api/admin/users')).json().users[0].id;
  const unknown = 'Z'.repeat(22);
  const huge = { username: 'big', displayName: 'x'.repeat(70_000), password: 'big-password' };
  type Case = [method: string, path: string, body: unknown, code: string, raw?: { type?: string; text?: string }];
  const cases: Case[] = [
    ['POST', '/api/admin/users', {}, 'BAD_FIELD'],
    ['POST', '/api/admin/users', { username: 'x1', displayName: 'x', password: 'long-password', role: 'root' }, 'UNKNOWN_FIELD'],
    ['POST', '/api/admin/users', { username: 12, displayName: 'x', password: 'long-password' }, 'BAD_FIELD'],
    ['POST', '/api/admin/users', { username: 'bad name!', displayName: 'x', password: 'long-password' }, 'BAD_FIELD'],
    ['POST', '/api/admin/users', { username: 'nul\u0000', displayName: 'x', password: 'long-password' }, 'BAD_FIELD'],
    ['POST', '/api/admin/users', { username: 'short', displayName: 'x', password: 'short' }, 'WEAK_PASSWORD'],
    ['POST', '/api/admin/users', { username: 'admin', displayName: 'x', password: 'long-password' }, 'NAME_TAKEN'],
    ['POST', '/api/admin/users', { username: 'x2', displayName: 'x', password: 'long-password', admin: 'yes' }, 'BAD_FIELD'],
    ['POST', '/api/admin/users', [1, 2], 'BAD_FIELD'],
    ['POST', '/api/admin/users', huge, 'BODY_TOO_LARGE'],
    ['POST', '/api/admin/users', null, 'BAD_JSON', { text: '{"username": "x3",' }],
    ['POST', '/api/admin/users', null, 'BAD_CONTENT_TYPE', { type: 'text/plain', text: 'username=x4' }],
    ['PATCH', `/api/admin/users/${unknown}`, { admin: true }, 'UNKNOWN_ID'],
    ['PATCH', '/api/admin/users/..%2F..%2Fetc', { admin: true }, 'UNKNOWN_ID'],
    ['PATCH', `/api/admin/users/${userId}`, { disabled: 'no' }, 'BAD_FIELD'],
    ['PATCH', `/api/admin/users/${userId}`, { passwordHash: 'x' }, 'UNKNOWN_FIELD'],
    ['POST', `/api/admin/users/${unknown}/password`, { password: 'long-password' }, 'UNKNOWN_ID'],
    ['POST', `/api/admin/users/${userId}/password`, { password: 'tiny' }, 'WEAK_PASSWORD'],
    ['POST', '/api/admin/teams', { name: '' }, 'BAD_FIELD'],
    ['POST', '/api/admin/teams', { name: 'T', members: [{ userId: unknown, role: 'member' }] }, 'UNKNOWN_ID'],
    ['POST', '/api/admin/teams', { name: 'T', members: [{ userId, role: 'boss' }] }, 'BAD_FIELD'],
    ['POST', '/api/admin/teams', { name: 'T', members: [{ userId, role: 'member' }, { userId, role: 'lead' }] }, 'BAD_FIELD'],
    ['POST', '/api/admin/teams', { name: 'T', members: 'everyone' }, 'BAD_FIELD'],
    ['PATCH', `/api/admin/teams/${unknown}`, { name: 'T' }, 'UNKNOWN_ID'],
    ['PUT', '/api/admin/settings/security', { allowWebConsole: 1 }, 'BAD_FIELD'],
    ['PUT', '/api/admin/settings/security', { allowWebConsole: true, extra: 1 }, 'UNKNOWN_FIELD'],
    ['POST', '/api/auth/login', { username: 'admin' }, 'BAD_FIELD'],
    ['POST', '/api/console/login', { username: 'admin', password: ADMIN_PASSWORD, remember: true }, 'UNKNOWN_FIELD'],
    ['POST', '/api/console/ticket', { ticket: 'short' }, 'BAD_FIELD'],
    ['POST', '/api/console/ticket', { ticket: 'x'.repeat(40) }, 'CONSOLE_DISABLED'],
    ['POST', '/api/account/console-ticket', { x: 1 }, 'UNKNOWN_FIELD'],
    ['GET', '/api/no-such-endpoint', undefined, 'NOT_FOUND'],
    ['GET', '/assets/../../etc/passwd', undefined, 'NOT_FOUND'],
  ];
  for (const [method, path, body, code, raw] of cases) {
    const r = raw
      ? await admin.request(method, path, { body: raw.text ?? '', headers: { 'content-type': raw.type ?? 'application/json' } })
      : await admin.request(method, path, body === undefined ? {} : { body: body as object });
    t.ok(r.status >= 400 && r.status < 500, `${method} ${path} → ${r.status}`);
    t.equal(r.json().error?.code, code, `${method} ${path} ${JSON.stringify(body)?.slice(0, 60)} → ${code}`);
  }
  t.equal(await snapshot(), before, 'nothing changed in users, teams or settings');
  t.equal((await agent().get('/api/health')).status, 200, 'the appliance still serves');
});

t.test('throttling: repeated wrong passwords lock the account, even for the right one', async (t) => {
  await createUser('victim');
  const a = agent();
  for (let i = 0; i < 5; i++) t.equal((await a.signIn('victim', 'wrong-password')).status, 401);
  const locked = await a.signIn('victim', 'victim-password');
  t.equal(locked.status, 429);
  t.equal(locked.json().error.code, 'THROTTLED');
  t.match(String(locked.headers['retry-after']), /^\d+$/);
  t.equal((await agent().signIn('admin', ADMIN_PASSWORD)).status, 200, 'other accounts are not locked');
});

t.test('web console setting (F2), console tickets and one console at a time (F6)', async (t) => {
  await createUser('rep-c');
  const rep = agent();
  const refused = await rep.signIn('rep-c', 'rep-c-password', 'console');
  t.equal(refused.status, 403);
  t.equal(refused.json().error.code, 'CONSOLE_DISABLED', 'off by default, the console refuses with a clear code');
  const web = agent();
  await web.signIn('rep-c', 'rep-c-password');
  t.equal((await web.post('/api/account/console-ticket')).json().error.code, 'CONSOLE_DISABLED');
  t.equal((await web.get('/api/auth/me')).json().allowWebConsole, false, 'My Account learns the button must stay hidden');

  await admin.put('/api/admin/settings/security', { allowWebConsole: true });
  t.equal((await web.get('/api/auth/me')).json().allowWebConsole, true);
  t.equal((await rep.signIn('rep-c', 'rep-c-password', 'console')).status, 200);
  t.equal((await rep.get('/api/console/me')).status, 200);

  const ticket = (await web.post('/api/account/console-ticket')).json();
  t.match(ticket.url, /^\/console#ticket=/);
  const tab = agent();
  const viaTicket = await tab.post('/api/console/ticket', { ticket: ticket.ticket });
  t.equal(viaTicket.status, 200, 'the ticket signs the new tab into the console');
  t.equal((await agent().post('/api/console/ticket', { ticket: ticket.ticket })).json().error.code, 'BAD_TICKET', 'a ticket works once');
  t.equal((await rep.get('/api/console/me')).status, 401, 'the ticket sign-in moved the console: the first one is signed out');

  await admin.put('/api/admin/settings/security', { allowWebConsole: false });
  t.equal((await tab.get('/api/console/me')).status, 401, 'turning the setting off ends every console sign-in');
  await admin.put('/api/admin/settings/security', { allowWebConsole: true });
});
