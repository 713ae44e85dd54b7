/**
 * The store: migrations run forward once and refuse a newer store; a failed
 * transaction leaves nothing behind; and a process killed with SIGKILL right
 * after its writes returned keeps every one of them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t, { type Test } from 'tap';
import { openStoreSync } from './db.ts';
import { MIGRATIONS, runMigrations, SCHEMA_VERSION, schemaVersionOf, type Migration } from './migrations.ts';
import { UserStore } from './users.ts';

function tempDir(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-store-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

t.test('a fresh store is migrated to the newest schema with web console off', async (t) => {
  const store = openStoreSync(tempDir(t));
  t.equal(schemaVersionOf(store), SCHEMA_VERSION);
  t.same(store.spaces.settings.get('security'), { allowWebConsole: false });
  t.equal(runMigrations(store), 0, 'running again applies nothing');
  await store.close();
});

t.test('new migrations apply in order, once, each in its transaction', async (t) => {
  const store = openStoreSync(tempDir(t));
  const seen: number[] = [];
  const extra: Migration[] = [
    ...MIGRATIONS,
    { version: SCHEMA_VERSION + 1, what: 'add a', up: (s) => (seen.push(1), s.spaces.meta.putSync('a', 1)) },
    { version: SCHEMA_VERSION + 2, what: 'add b', up: (s) => (seen.push(2), s.spaces.meta.putSync('b', 2)) },
  ];
  t.equal(runMigrations(store, extra), 2);
  t.same(seen, [1, 2]);
  t.equal(schemaVersionOf(store), SCHEMA_VERSION + 2);
  t.equal(runMigrations(store, extra), 0);
  t.throws(() => runMigrations(store, MIGRATIONS), /newer than this appliance knows/, 'an older appliance refuses the newer store');
  await store.close();
});

t.test('a migration that throws leaves the version and its writes unchanged', async (t) => {
  const store = openStoreSync(tempDir(t));
  const broken: Migration[] = [
    ...MIGRATIONS,
    {
      version: SCHEMA_VERSION + 1,
      what: 'fails half way',
      up: (s) => {
        s.spaces.meta.putSync('half', true);
        throw new Error('boom');
      },
    },
  ];
  t.throws(() => runMigrations(store, broken), /boom/);
  t.equal(schemaVersionOf(store), SCHEMA_VERSION);
  t.equal(store.spaces.meta.get('half'), undefined);
  await store.close();
});

t.test('a user and its name index are written together or not at all', async (t) => {
  const store = openStoreSync(tempDir(t));
  const users = new UserStore(store);
  const a = users.createSync({ username: 'Alice', displayName: 'A', admin: false, passwordHash: 'x' });
  t.equal(users.byUsername('alice')?.id, a.id, 'names are case-insensitive');
  t.throws(() => users.createSync({ username: 'ALICE', displayName: 'B', admin: false, passwordHash: 'x' }), { code: 'NAME_TAKEN' });
  t.equal(users.count(), 1, 'the refused user left no record');
  t.throws(() =>
    users.updateSync(a.id, (u) => {
      u.username = 'alice2';
      throw new Error('abort');
    }),
  );
  t.equal(users.byUsername('alice2'), undefined, 'an aborted rename left no index entry');
  t.equal(users.get(a.id)?.username, 'Alice');
  await store.close();
});

const here = path.dirname(fileURLToPath(import.meta.url));

t.test('records committed before SIGKILL are all there after restart', async (t) => {
  const dir = tempDir(t);
  const writer = path.join(here, 'fixtures', 'kill-writer.ts');
  const child = spawn(process.execPath, ['--import', 'tsx', writer, dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  let acked = 0;
  let buffer = '';
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (d: Buffer) => {
      buffer += d.toString();
      const lines = buffer.split('\n');
      buffer = lines.pop()!;
      for (const line of lines) if (/^committed \d+$/.test(line)) acked = Number(line.split(' ')[1]);
      // Kill in the middle of a stream of commits, without warning.
      if (acked >= 150 && child.exitCode === null) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', () => resolve());
  });
  if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  t.ok(acked >= 150, `the writer acknowledged ${acked} commits before it was killed`);
  const store = openStoreSync(dir);
  const users = new UserStore(store);
  let missing = 0;
  for (let i = 1; i <= acked; i++) if (!users.byUsername(`user${i}`)) missing++;
  t.equal(missing, 0, 'every acknowledged user survived');
  await store.close();
});
