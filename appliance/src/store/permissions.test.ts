/**
 * The permission store on a real LMDB environment: the migration gives users
 * that existed before it the default grant, a team grant starts empty, and
 * `effective` merges a user's grant with every team they belong to; change
 * listeners hear the users concerned.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { DEFAULT_USER_PERMISSIONS, NO_PERMISSIONS } from '../../../common/permissions.ts';
import { openStoreSync } from './db.ts';
import { runMigrations, schemaVersionOf } from './migrations.ts';
import { PermissionStore } from './permissions.ts';
import { TeamStore } from './teams.ts';
import { UserStore } from './users.ts';

t.test('migration, defaults, merge and change listeners', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-perms-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = openStoreSync(dir);
  t.teardown(() => store.close());
  const users = new UserStore(store);
  const teams = new TeamStore(store);

  // A store from before permissions: version 2 with a user and no grants.
  store.txSync(() => store.spaces.meta.putSync('schemaVersion', 2));
  const old = users.createSync({ username: 'old', displayName: 'Old', admin: false, passwordHash: 'x' });
  t.equal(store.spaces.permissions.get(`user:${old.id}`), undefined);
  t.equal(runMigrations(store), 2);
  t.equal(schemaVersionOf(store), 4);
  t.same(store.spaces.permissions.get(`user:${old.id}`), DEFAULT_USER_PERMISSIONS, 'the existing user got the default grant');

  const perms = new PermissionStore(store, teams);
  const heard: string[][] = [];
  perms.onChange((ids) => heard.push([...ids]));
  const fresh = users.createSync({ username: 'fresh', displayName: 'Fresh', admin: false, passwordHash: 'x' });
  t.same(perms.userGrant(fresh.id), DEFAULT_USER_PERMISSIONS, 'no stored grant: the default');
  const team = teams.createSync('Ops', [{ userId: fresh.id, role: 'member' }]);
  t.same(perms.teamGrant(team.id), NO_PERMISSIONS);
  t.same(perms.effective(fresh.id), DEFAULT_USER_PERMISSIONS, 'an empty team grant adds nothing');

  perms.setUserGrantSync(fresh.id, { ...NO_PERMISSIONS, fileTransfer: 'upload', allowedPaths: ['/home/fresh'] });
  t.same(heard, [[fresh.id]]);
  perms.setTeamGrantSync(team.id, { ...NO_PERMISSIONS, screen: 'view', fileTransfer: 'both', allowedPaths: ['/srv'] });
  t.same(heard[1], [fresh.id], 'team members hear a team grant change');
  t.same(perms.effective(fresh.id), { ...NO_PERMISSIONS, screen: 'view', fileTransfer: 'both', allowedPaths: ['/home/fresh', '/srv'] });
  t.same(perms.effective(old.id), DEFAULT_USER_PERMISSIONS, 'non-members unaffected');

  // The store hands out copies: changing one does not change what is stored.
  perms.effective(fresh.id).allowedPaths.push('/etc');
  perms.userGrant(fresh.id).allowedPaths.push('/etc');
  t.same(perms.userGrant(fresh.id).allowedPaths, ['/home/fresh']);

  perms.removeTeamGrantSync(team.id);
  t.same(perms.teamGrant(team.id), NO_PERMISSIONS);
});

t.test('effective stays right across cached reads: grant writes and team changes drop the cache', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-perms-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const store = openStoreSync(dir);
  t.teardown(() => store.close());
  const users = new UserStore(store);
  const teams = new TeamStore(store);
  const perms = new PermissionStore(store, teams);
  const u = users.createSync({ username: 'u', displayName: 'U', admin: false, passwordHash: 'x' }).id;
  perms.setUserGrantSync(u, { ...NO_PERMISSIONS });
  const team = teams.createSync('T', []);
  perms.setTeamGrantSync(team.id, { ...NO_PERMISSIONS, shell: true });
  t.equal(perms.effective(u).shell, false);
  t.equal(perms.effective(u).shell, false, 'cached read');
  teams.updateSync(team.id, (x) => (x.members = [{ userId: u, role: 'member' }]));
  t.equal(perms.effective(u).shell, true, 'joining a team is seen at once');
  perms.setTeamGrantSync(team.id, { ...NO_PERMISSIONS, shell: false, specialActions: true });
  t.same([perms.effective(u).shell, perms.effective(u).specialActions], [false, true], 'a team grant change is seen at once');
  const other = teams.createSync('Other', [{ userId: u, role: 'member' }]);
  perms.setTeamGrantSync(other.id, { ...NO_PERMISSIONS, screen: 'view' });
  t.equal(perms.effective(u).screen, 'view');
  teams.removeSync(other.id);
  t.equal(perms.effective(u).screen, 'none', 'a removed team grants nothing, even before its grant is dropped');
  perms.setUserGrantSync(u, { ...NO_PERMISSIONS, screen: 'control' });
  t.equal(perms.effective(u).screen, 'control', 'a user grant change is seen at once');
});
