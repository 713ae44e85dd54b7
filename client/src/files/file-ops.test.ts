/**
 * File operations and the path policy against real temporary folders:
 * listing (symlinks shown as such), new folder, rename, recursive delete;
 * and every refusal — `..`, NUL, relative, overlong, absolute outside the
 * allowed paths, a symlink leading out, an upload-only or no-transfer mode —
 * leaves the disk exactly as it was.
 */
import { mkdtempSync, mkdirSync, readdirSync, realpathSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { AppError } from '../../../common/errors.ts';
import { deleteEntry, listDir, makeDir, renameEntry } from './file-ops.ts';
import { checkLexical, policyFromParams, resolveExisting, type FilePolicy } from './path-policy.ts';
import { openDownload } from './download-source.ts';
import { parseMountinfo } from './volumes.ts';

function tree(t: { teardown(fn: () => void): void }): { root: string; allowed: string; outside: string } {
  const root = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'rd-files-')));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const allowed = path.join(root, 'allowed');
  const outside = path.join(root, 'outside');
  mkdirSync(path.join(allowed, 'docs', 'deep'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(allowed, 'a.txt'), 'hello');
  writeFileSync(path.join(allowed, 'docs', 'deep', 'b.bin'), Buffer.alloc(1000, 7));
  writeFileSync(path.join(outside, 'secret.txt'), 'secret');
  symlinkSync(outside, path.join(allowed, 'escape'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(allowed, 'escape-file'));
  symlinkSync('docs', path.join(allowed, 'inside-link'));
  return { root, allowed, outside };
}

/** Snapshot of every name under a folder, to show a refusal changed nothing. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: false }).map(String).sort();
}

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof AppError ? err.code : `not coded: ${(err as Error).message}`;
  }
}

const both = (allowed: string[]): FilePolicy => ({ mode: 'both', allowedPaths: allowed });

t.test('lists a folder: folders (and links to folders) first, symlinks as such with their target', async (t) => {
  const { allowed } = tree(t);
  const r = await listDir(both([allowed]), allowed);
  t.equal(r.path, allowed);
  t.same(r.entries.map((e) => e.name), ['docs', 'escape', 'inside-link', 'a.txt', 'escape-file']);
  const a = r.entries.find((e) => e.name === 'a.txt')!;
  t.equal(a.type, 'file');
  t.equal(a.size, 5);
  t.ok(a.mtime > 0);
  const link = r.entries.find((e) => e.name === 'inside-link')!;
  t.equal(link.type, 'symlink');
  t.equal(link.target, 'docs');
  t.equal(link.targetType, 'dir');
  t.equal(r.entries.find((e) => e.name === 'escape')!.type, 'symlink');
});

t.test('new folder, rename, recursive delete', async (t) => {
  const { allowed } = tree(t);
  const p = both([allowed]);
  await makeDir(p, `${allowed}/new`);
  t.ok(existsSync(`${allowed}/new`));
  t.equal(await code(makeDir(p, `${allowed}/new`)), 'FILE_EXISTS');
  await renameEntry(p, `${allowed}/a.txt`, `${allowed}/new/a2.txt`);
  t.ok(existsSync(`${allowed}/new/a2.txt`));
  t.notOk(existsSync(`${allowed}/a.txt`));
  t.equal(await code(renameEntry(p, `${allowed}/docs`, `${allowed}/new`)), 'FILE_EXISTS', 'rename never replaces');
  t.equal(await code(renameEntry(p, `${allowed}/docs`, `${allowed}/docs/deep/x`)), 'PATH_NOT_ALLOWED', 'not into itself');
  await deleteEntry(p, `${allowed}/docs`);
  t.notOk(existsSync(`${allowed}/docs`), 'folder deleted with its contents');
  t.equal(await code(deleteEntry(p, `${allowed}/docs`)), 'FILE_NOT_FOUND');
  // Deleting a symlink removes the link, never what it points to.
  await deleteEntry(p, `${allowed}/escape-file`);
  t.notOk(existsSync(`${allowed}/escape-file`));
  t.ok(existsSync(path.join(allowed, '..', 'outside', 'secret.txt')));
  t.equal(await code(deleteEntry(p, allowed)), 'PATH_NOT_ALLOWED', 'an allowed folder itself stays');
});

t.test('bad paths are refused with a clear code and touch nothing', async (t) => {
  const { root, allowed, outside } = tree(t);
  const p = both([allowed]);
  const before = snapshot(root);
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['.. traversal', () => deleteEntry(p, `${allowed}/../outside/secret.txt`), 'PATH_TRAVERSAL'],
    ['. segment', () => makeDir(p, `${allowed}/./x`), 'PATH_TRAVERSAL'],
    ['NUL', () => deleteEntry(p, `${allowed}/a.txt\u0000`), 'PATH_NUL'],
    ['relative', () => makeDir(p, 'allowed/x'), 'PATH_NOT_ABSOLUTE'],
    ['empty', () => listDir(p, ''), 'PATH_NOT_ABSOLUTE'],
    ['overlong path', () => makeDir(p, `${allowed}/${'d/'.repeat(2100)}x`), 'PATH_TOO_LONG'],
    ['overlong name', () => makeDir(p, `${allowed}/${'n'.repeat(256)}`), 'PATH_BAD_NAME'],
    ['trailing slash', () => makeDir(p, `${allowed}/x/`), 'PATH_BAD_NAME'],
    ['absolute outside', () => deleteEntry(p, `${outside}/secret.txt`), 'PATH_NOT_ALLOWED'],
    ['prefix lookalike', () => makeDir(p, `${allowed}-twin`), 'PATH_NOT_ALLOWED'],
    ['symlinked folder leaving', () => listDir(p, `${allowed}/escape`), 'PATH_NOT_ALLOWED'],
    ['through a symlinked folder', () => deleteEntry(p, `${allowed}/escape/secret.txt`), 'PATH_NOT_ALLOWED'],
    ['new name through a symlink', () => makeDir(p, `${allowed}/escape/new`), 'PATH_NOT_ALLOWED'],
    ['rename out through a symlink', () => renameEntry(p, `${allowed}/a.txt`, `${allowed}/escape/a.txt`), 'PATH_NOT_ALLOWED'],
    ['download a symlinked file', () => openDownload(p, `${allowed}/escape-file`), 'PATH_NOT_ALLOWED'],
    ['download a symlinked folder', () => openDownload(p, `${allowed}/escape`), 'PATH_NOT_ALLOWED'],
  ];
  for (const [name, run, expected] of cases) t.equal(await code(run()), expected, name);
  t.same(snapshot(root), before, 'nothing changed on disk');
  // A symlink that stays inside the allowed folder is fine.
  t.equal((await listDir(p, `${allowed}/inside-link`)).path, `${allowed}/docs`);
});

t.test('modes: none refuses everything, upload-only may browse and change but not download', async (t) => {
  const { root, allowed } = tree(t);
  const before = snapshot(root);
  const none: FilePolicy = { mode: 'none', allowedPaths: [] };
  t.equal(await code(listDir(none, allowed)), 'PERMISSION_DENIED');
  t.equal(await code(makeDir(none, `${allowed}/x`)), 'PERMISSION_DENIED');
  t.equal(await code(openDownload(none, `${allowed}/a.txt`)), 'PERMISSION_DENIED');
  const up: FilePolicy = { mode: 'upload', allowedPaths: [] };
  t.equal(await code(openDownload(up, `${allowed}/a.txt`)), 'PERMISSION_DENIED');
  t.equal(await code(openDownload(up, `${allowed}/docs`)), 'PERMISSION_DENIED');
  t.same(snapshot(root), before);
  t.equal((await listDir(up, allowed)).entries.length, 5);
});

t.test('channel parameters: anything malformed denies all', async (t) => {
  t.same(policyFromParams({ mode: 'both', allowedPaths: ['/home'] }), { mode: 'both', allowedPaths: ['/home'] });
  t.equal(policyFromParams({ mode: 'all', allowedPaths: [] }).mode, 'none');
  t.equal(policyFromParams({ mode: 'both' }).mode, 'none');
  t.equal(policyFromParams({ mode: 'both', allowedPaths: ['relative'] }).mode, 'none');
  t.equal(policyFromParams({ mode: 'both', allowedPaths: ['/a/../b'] }).mode, 'none');
  t.throws(() => checkLexical({ mode: 'both', allowedPaths: ['/home/al'] }, '/home/alice'), { code: 'PATH_NOT_ALLOWED' });
});

t.test('an allowed path reached through a symlink still works', async (t) => {
  const { root, allowed } = tree(t);
  const alias = path.join(root, 'alias');
  symlinkSync(allowed, alias);
  const p = both([alias]);
  t.equal(await resolveExisting(p, `${alias}/a.txt`), `${allowed}/a.txt`);
  await makeDir(p, `${alias}/via-alias`);
  t.ok(existsSync(`${allowed}/via-alias`));
});

t.test('mountinfo: real file systems and the user-visible tmp only', async (t) => {
  const text = [
    '22 27 0:21 / /proc rw,relatime - proc proc rw',
    '27 1 254:0 / / rw,relatime - ext4 /dev/vda rw',
    '28 27 0:25 / /dev/shm rw - tmpfs tmpfs rw',
    '29 27 0:26 / /tmp rw - tmpfs tmpfs rw',
    '30 27 8:1 / /media/usb\\040stick rw - vfat /dev/sdb1 rw',
    '31 23 0:28 / /sys/fs/cgroup rw - cgroup2 cgroup2 rw',
    'garbage',
  ].join('\n');
  t.same(parseMountinfo(text), [
    { path: '/', fsType: 'ext4' },
    { path: '/tmp', fsType: 'tmpfs' },
    { path: '/media/usb stick', fsType: 'vfat' },
  ]);
});
