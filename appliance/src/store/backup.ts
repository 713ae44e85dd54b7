/**
 * Consistent backups of a data folder while the appliance runs, and restores.
 *
 * A backup is a folder:
 *   db/data.mdb     LMDB copy taken inside one read transaction (mdb_env_copy2,
 *                   compacted), so it is a consistent snapshot even while the
 *                   appliance writes
 *   certs/*.pem     the CA and server certificates and keys (mode kept 0600)
 *   manifest.json   { format, createdAt, schemaVersion, files: {path: sha256} }
 * Restoring checks every file against the manifest, refuses while an
 * appliance process still runs on the target folder, and moves the old data
 * aside (never deletes it).
 */
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { open } from 'lmdb';

export const BACKUP_FORMAT = 1;
export const PID_FILE = 'appliance.pid';

export interface BackupManifest {
  format: number;
  createdAt: string;
  schemaVersion: number;
  files: Record<string, string>;
}

function sha256File(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function listFiles(dir: string, base = dir): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listFiles(full, base));
    else out.push(path.relative(base, full));
  }
  return out.sort();
}

/** The pid recorded by a running appliance for `dataDir`, if that process is alive. */
export function runningPid(dataDir: string): number | undefined {
  const file = path.join(dataDir, PID_FILE);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch {
    return undefined;
  }
}

/** Writes a backup of `dataDir` into the new folder `outDir`. Safe while the appliance runs. */
export async function backupDataDir(dataDir: string, outDir: string): Promise<BackupManifest> {
  const dbDir = path.join(dataDir, 'db');
  if (!existsSync(path.join(dbDir, 'data.mdb'))) throw new Error(`no appliance data in ${dataDir}`);
  if (existsSync(outDir) && readdirSync(outDir).length > 0) throw new Error(`${outDir} exists and is not empty`);
  mkdirSync(path.join(outDir, 'db'), { recursive: true, mode: 0o700 });
  // Read-only use: opening does not migrate, and the copy runs in a read transaction.
  const env = open({ path: dbDir, maxDbs: 32, readOnly: true });
  let schemaVersion = 0;
  try {
    schemaVersion = (env.openDB({ name: 'meta', encoding: 'msgpack' }).get('schemaVersion') as number | undefined) ?? 0;
    // The environment is a directory, so the copy target is one too: it receives data.mdb.
    await env.backup(path.join(outDir, 'db'), true);
  } finally {
    await env.close();
  }
  const certDir = path.join(dataDir, 'certs');
  if (existsSync(certDir)) {
    mkdirSync(path.join(outDir, 'certs'), { mode: 0o700 });
    for (const f of readdirSync(certDir)) {
      const target = path.join(outDir, 'certs', f);
      copyFileSync(path.join(certDir, f), target);
      chmodSync(target, statSync(path.join(certDir, f)).mode & 0o777);
    }
  }
  chmodSync(path.join(outDir, 'db', 'data.mdb'), 0o600);
  const files: Record<string, string> = {};
  for (const f of listFiles(outDir)) files[f] = sha256File(path.join(outDir, f));
  const manifest: BackupManifest = { format: BACKUP_FORMAT, createdAt: new Date().toISOString(), schemaVersion, files };
  writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
  return manifest;
}

/** Restores `backupDir` into `dataDir`; returns where the previous data was moved, if any. */
export function restoreDataDir(backupDir: string, dataDir: string): { movedAside?: string } {
  const manifestFile = path.join(backupDir, 'manifest.json');
  if (!existsSync(manifestFile)) throw new Error(`${backupDir} has no manifest.json: not a backup`);
  const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
  if (manifest.format !== BACKUP_FORMAT) throw new Error(`backup format ${manifest.format} is not supported`);
  for (const [rel, sum] of Object.entries(manifest.files)) {
    if (rel.includes('..') || path.isAbsolute(rel)) throw new Error(`manifest names a path outside the backup: ${rel}`);
    const file = path.join(backupDir, rel);
    if (!existsSync(file) || sha256File(file) !== sum) throw new Error(`backup file ${rel} is missing or damaged`);
  }
  const pid = runningPid(dataDir);
  if (pid !== undefined) throw new Error(`an appliance (pid ${pid}) is running on ${dataDir}; stop it before restoring`);
  let movedAside: string | undefined;
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0) {
    movedAside = `${dataDir.replace(/\/+$/, '')}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(dataDir, movedAside);
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  for (const rel of Object.keys(manifest.files)) {
    const target = path.join(dataDir, rel);
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
    copyFileSync(path.join(backupDir, rel), target);
    chmodSync(target, statSync(path.join(backupDir, rel)).mode & 0o777);
  }
  return { movedAside };
}
