/**
 * Rep permissions against the real appliance (F31): the admin API per user
 * and per team (admin only, CSRF, strict bodies that change nothing when
 * refused), effective permissions merged from a user's teams, `welcome`
 * carrying them, and a live `permissions` message on a connected console
 * (raw WebSocket) when an administrator changes a grant or a team's members.
 */
import t from 'tap';
import { startAppliance } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';
import { adminAgent, createTeam, createUser, signInRep } from './helpers/rep.ts';

const DEFAULT = { screen: 'control', privacyScreen: false, specialActions: false, shell: true, shellJump: false, fileTransfer: 'both', allowedPaths: [] };
const NONE = { screen: 'none', privacyScreen: false, specialActions: false, shell: false, shellJump: false, fileTransfer: 'none', allowedPaths: [] };

t.test('permissions API, effective merge and live updates', async (t) => {
  const app = await startAppliance();
  t.teardown(async () => {
    if (!t.passing()) t.comment(app.output().slice(-4000));
    await app.stop();
  });
  const admin = await adminAgent(app);
  const alId = await createUser(admin, 'al');
  const bobId = await createUser(admin, 'bob');
  const teamId = await createTeam(admin, 'Servers', []);

  await t.test('a new user has the default grant; a new team grants nothing', async (t) => {
    const u = await admin.get(`/api/admin/users/${alId}/permissions`);
    t.equal(u.status, 200);
    t.same(u.json().permissions, DEFAULT);
    t.same(u.json().effective, DEFAULT);
    const tm = await admin.get(`/api/admin/teams/${teamId}/permissions`);
    t.same(tm.json().permissions, NONE);
  });

  await t.test('non-admins, anonymous callers and writes without CSRF are refused', async (t) => {
    const rep = new Agent(app.origin, app.caPem);
    t.equal((await rep.signIn('al', 'al-password')).status, 200);
    const r1 = await rep.get(`/api/admin/users/${alId}/permissions`);
    t.equal(r1.status, 403);
    t.equal(r1.json().error.code, 'FORBIDDEN');
    const r2 = await rep.put(`/api/admin/users/${alId}/permissions`, { ...DEFAULT, specialActions: true });
    t.equal(r2.status, 403);
    const r3 = await rep.put(`/api/admin/teams/${teamId}/permissions`, { ...DEFAULT });
    t.equal(r3.status, 403);
    const anon = new Agent(app.origin, app.caPem);
    t.equal((await anon.get(`/api/admin/users/${alId}/permissions`)).status, 401);
    const noCsrf = await admin.request('PUT', `/api/admin/users/${alId}/permissions`, { body: { ...NONE }, headers: { 'x-csrf-token': 'wrong' } });
    t.equal(noCsrf.status, 403);
    t.equal(noCsrf.json().error.code, 'CSRF');
    t.same((await admin.get(`/api/admin/users/${alId}/permissions`)).json().permissions, DEFAULT, 'nothing changed');
  });

  await t.test('bad bodies get coded errors and change nothing', async (t) => {
    const url = `/api/admin/users/${alId}/permissions`;
    const cases: Array<[unknown, string]> = [
      [{ ...NONE, screen: 'full' }, 'BAD_FIELD'],
      [{ ...NONE, shell: 'no' }, 'BAD_FIELD'],
      [{ ...NONE, extra: true }, 'UNKNOWN_FIELD'],
      [{ screen: 'none' }, 'BAD_FIELD'],
      [{ ...NONE, allowedPaths: 'not-a-list' }, 'BAD_FIELD'],
      [{ ...NONE, allowedPaths: ['relative/dir'] }, 'PATH_NOT_ABSOLUTE'],
      [{ ...NONE, allowedPaths: ['/home/al/../bob'] }, 'PATH_TRAVERSAL'],
      [{ ...NONE, allowedPaths: ['/home/al\u0000x'] }, 'PATH_NUL'],
      [{ ...NONE, allowedPaths: [`/${'x'.repeat(300)}`] }, 'PATH_BAD_NAME'],
      [{ ...NONE, allowedPaths: [`/${Array.from({ length: 20 }, () => 'y'.repeat(250)).join('/')}`] }, 'PATH_TOO_LONG'],
      [[NONE], 'BAD_FIELD'],
    ];
    for (const [body, code] of cases) {
      const r = await admin.put(url, body as object);
      t.equal(r.status >= 400 && r.status < 500, true, `${code}: refused (${r.status})`);
      t.equal(r.json().error.code, code, JSON.stringify(body).slice(0, 80));
    }
    const notJson = await admin.request('PUT', url, { body: 'screen=none', headers: { 'content-type': 'text/plain' } });
    t.equal(notJson.json().error.code, 'BAD_CONTENT_TYPE');
    const unknown = await admin.put('/api/admin/users/AAAAAAAAAAAAAAAAAAAAAA/permissions', NONE);
    t.equal(unknown.status, 404);
    t.equal(unknown.json().error.code, 'UNKNOWN_ID');
    const badTeam = await admin.put('/api/admin/teams/AAAAAAAAAAAAAAAAAAAAAA/permissions', NONE);
    t.equal(badTeam.json().error.code, 'UNKNOWN_ID');
    t.same((await admin.get(url)).json().permissions, DEFAULT, 'still the default grant');
  });

  await t.test('welcome carries the effective permissions; changes arrive live', async (t) => {
    const al = await signInRep(app, 'al');
    t.teardown(() => al.socket.ws.close());
    const bob = await signInRep(app, 'bob');
    t.teardown(() => bob.socket.ws.close());
    t.same(al.welcome.permissions, DEFAULT);

    // Narrow al's own grant: his console hears it, bob's does not.
    const narrow = { ...NONE, screen: 'view', fileTransfer: 'upload', allowedPaths: ['/srv/share'] };
    const put = await admin.put(`/api/admin/users/${alId}/permissions`, narrow);
    t.equal(put.status, 200);
    t.same(put.json().permissions, narrow);
    const live = await al.socket.next((m) => m.t === 'permissions');
    t.same(live.permissions, narrow);

    // A team grant widens its members' effective permissions once al joins.
    const teamGrant = { ...NONE, shell: true, specialActions: true, fileTransfer: 'both', allowedPaths: ['/var/log'] };
    t.equal((await admin.put(`/api/admin/teams/${teamId}/permissions`, teamGrant)).status, 200);
    t.same((await admin.get(`/api/admin/users/${alId}/permissions`)).json().effective, narrow, 'not a member yet: no change');
    t.equal((await admin.patch(`/api/admin/teams/${teamId}`, { members: [{ userId: alId, role: 'member' }] })).status, 200);
    const joined = await al.socket.next((m) => m.t === 'permissions' && m.permissions.shell === true);
    const widened = { screen: 'view', privacyScreen: false, specialActions: true, shell: true, shellJump: false, fileTransfer: 'both', allowedPaths: ['/srv/share', '/var/log'] };
    t.same(joined.permissions, widened);
    t.same((await admin.get(`/api/admin/users/${alId}/permissions`)).json().effective, widened);
    t.same((await admin.get(`/api/admin/users/${alId}/permissions`)).json().permissions, narrow, 'own grant unchanged');

    // Changing the team's grant reaches the member live.
    const n = al.socket.messages.filter((m) => m.t === 'permissions').length;
    t.equal((await admin.put(`/api/admin/teams/${teamId}/permissions`, { ...teamGrant, screen: 'control' })).status, 200);
    await al.socket.next((m) => m.t === 'permissions' && m.permissions.screen === 'control');
    t.equal(al.socket.messages.filter((m) => m.t === 'permissions').length, n + 1);

    // A new console (signing in again replaces the old one) gets the merged set in welcome.
    const again = await signInRep(app, 'al');
    t.teardown(() => again.socket.ws.close());
    t.same(again.welcome.permissions, { ...widened, screen: 'control' });

    // Deleting the team takes its grant away, live.
    t.equal((await admin.del(`/api/admin/teams/${teamId}`)).status, 200);
    await again.socket.next((m) => m.t === 'permissions' && m.permissions.shell === false);
    t.same((await admin.get(`/api/admin/users/${alId}/permissions`)).json().effective, narrow);

    t.notOk(bob.socket.messages.some((m) => m.t === 'permissions'), 'bob was never told: nothing of his changed');
    t.same((await admin.get(`/api/admin/users/${bobId}/permissions`)).json().effective, DEFAULT);
  });
});
