/**
 * Backup while the appliance runs and writes, then restore into a data
 * folder and start an appliance on it: everything from before the backup is
 * there, and the same CA is kept. Restore refuses while an appliance runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { ADMIN_PASSWORD, REPO_ROOT, startAppliance } from './helpers/appliance.ts';
import { Agent } from './helpers/http.ts';

const run = promisify(execFile);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-backup-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const script = (name: string, args: string[]) => run(process.execPath, ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', name), ...args], { cwd: REPO_ROOT });

t.test('backup under write load, restore, start on the restored data', async (t) => {
  const dataDir = path.join(tmp, 'data');
  const app = await startAppliance({ dataDir });
  const admin = new Agent(app.origin, app.caPem);
  await admin.signIn('admin', ADMIN_PASSWORD);
  for (let i = 0; i < 5; i++) await admin.post('/api/admin/users', { username: `before${i}`, displayName: `B${i}`, password: `before${i}-password` });

  // Writes keep coming while the backup runs (bounded: 20 users).
  const writing = (async () => {
    for (let i = 0; i < 20; i++) await admin.post('/api/admin/users', { username: `during${i}`, displayName: `D${i}`, password: `during${i}-password` });
  })();
  const backupDir = path.join(tmp, 'backup1');
  const out = await script('backup.ts', ['--data', dataDir, '--out', backupDir]);
  t.match(out.stdout, /backup of .* written to/);
  await writing;

  const refused = await script('restore.ts', ['--from', backupDir, '--data', dataDir]).catch((e) => e);
  t.match(String(refused.stderr), /is running on/, 'restore refuses while the appliance runs');
  await app.stop(true);

  const restored = path.join(tmp, 'restored');
  const res = await script('restore.ts', ['--from', backupDir, '--data', restored]);
  t.match(res.stdout, /restored/);
  const again = await startAppliance({ dataDir: restored });
  t.teardown(() => again.stop(true));
  t.equal(again.caPem, app.caPem, 'the restored appliance keeps its CA, so pinned clients still trust it');
  const a2 = new Agent(again.origin, again.caPem);
  t.equal((await a2.signIn('admin', ADMIN_PASSWORD)).status, 200);
  const names: string[] = (await a2.get('/api/admin/users')).json().users.map((u: any) => u.username);
  for (let i = 0; i < 5; i++) t.ok(names.includes(`before${i}`), `before${i} is in the backup`);
  t.equal((await new Agent(again.origin, again.caPem).signIn('before3', 'before3-password')).status, 200, 'password hashes survived');
});

t.test('a damaged backup is refused and the target is untouched', async (t) => {
  const dataDir = path.join(tmp, 'data2');
  const app = await startAppliance({ dataDir });
  const backupDir = path.join(tmp, 'backup2');
  await script('backup.ts', ['--data', dataDir, '--out', backupDir]);
  await app.stop(true);
  const { appendFileSync, existsSync } = await import('node:fs');
  appendFileSync(path.join(backupDir, 'certs', 'ca.cert.pem'), 'tampered');
  const target = path.join(tmp, 'target');
  const err = await script('restore.ts', ['--from', backupDir, '--data', target]).catch((e) => e);
  t.match(String(err.stderr), /missing or damaged/);
  t.equal(existsSync(target), false, 'nothing was written');
});
