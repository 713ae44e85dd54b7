/**
 * The browse operations of a file view: list a folder, make a folder, rename
 * and delete (files and folders, recursively; there is no recycle bin). Each
 * takes the caller's policy and checks every path with path-policy.ts before
 * touching the disk; failures are coded AppErrors (fs-errors.ts).
 *
 * Listing does not follow symlinks for the entries themselves: a symlink is
 * shown as one, with its target and what the target is when resolvable.
 * Renaming never replaces an existing entry.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../common/errors.ts';
import { MAX_LIST_ENTRIES, type EntryType, type FileEntry } from '../../../common/files-protocol.ts';
import { fsError } from './fs-errors.ts';
import { requireMode, resolveEntry, resolveExisting, type FilePolicy } from './path-policy.ts';

function typeOf(st: Stats): EntryType {
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isDirectory()) return 'dir';
  if (st.isFile()) return 'file';
  return 'other';
}

async function describe(dir: string, name: string): Promise<FileEntry | undefined> {
  const full = path.posix.join(dir, name);
  let st: Stats;
  try {
    st = await fs.lstat(full);
  } catch {
    return undefined; // gone between readdir and lstat
  }
  const entry: FileEntry = { name, type: typeOf(st), size: st.isFile() ? st.size : 0, mtime: Math.round(st.mtimeMs) };
  if (entry.type === 'symlink') {
    try {
      entry.target = await fs.readlink(full);
      const target = await fs.stat(full);
      entry.targetType = typeOf(target);
      if (target.isFile()) entry.size = target.size;
    } catch {
      // A dangling link: shown with its target text only.
    }
  }
  return entry;
}

/** Folders first, then by name. */
function compareEntries(a: FileEntry, b: FileEntry): number {
  const da = a.type === 'dir' || a.targetType === 'dir' ? 0 : 1;
  const db = b.type === 'dir' || b.targetType === 'dir' ? 0 : 1;
  return da - db || a.name.localeCompare(b.name);
}

/** Lists a folder (following a symlinked folder, within the policy). `path` in the result is the resolved folder. */
export async function listDir(policy: FilePolicy, p: string): Promise<{ path: string; entries: FileEntry[]; more: number }> {
  requireMode(policy, 'browse');
  const real = await resolveExisting(policy, p);
  let names: string[];
  try {
    names = await fs.readdir(real);
  } catch (err) {
    throw fsError(err, p);
  }
  const more = Math.max(0, names.length - MAX_LIST_ENTRIES);
  names.sort();
  const entries: FileEntry[] = [];
  // In slices, so a huge folder does not open thousands of lstat calls at once.
  for (let i = 0; i < Math.min(names.length, MAX_LIST_ENTRIES); i += 64) {
    const part = await Promise.all(names.slice(i, Math.min(i + 64, MAX_LIST_ENTRIES)).map((n) => describe(real, n)));
    for (const e of part) if (e) entries.push(e);
  }
  entries.sort(compareEntries);
  return { path: real, entries, more };
}

/** The allowed folders themselves stay: a rep may change what is inside them, not remove or move them. */
function requireNotAllowedRoot(policy: FilePolicy, p: string): void {
  if (policy.allowedPaths.includes(p)) throw new AppError('PATH_NOT_ALLOWED', `${p} is an allowed folder itself`);
}

export async function makeDir(policy: FilePolicy, p: string): Promise<void> {
  requireMode(policy, 'upload');
  const { full } = await resolveEntry(policy, p);
  try {
    await fs.mkdir(full, { mode: 0o755 });
  } catch (err) {
    throw fsError(err, p);
  }
}

/** Renames or moves an entry (the link itself for a symlink); never replaces an existing one. */
export async function renameEntry(policy: FilePolicy, from: string, to: string): Promise<void> {
  requireMode(policy, 'upload');
  requireNotAllowedRoot(policy, from);
  const src = await resolveEntry(policy, from);
  const dst = await resolveEntry(policy, to);
  try {
    await fs.lstat(src.full);
  } catch (err) {
    throw fsError(err, from);
  }
  if (dst.full === src.full) return;
  if (dst.full.startsWith(`${src.full}/`)) throw new AppError('PATH_NOT_ALLOWED', 'a folder cannot move into itself');
  try {
    await fs.lstat(dst.full);
    throw new AppError('FILE_EXISTS', to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw fsError(err, to);
  }
  try {
    await fs.rename(src.full, dst.full);
  } catch (err) {
    throw fsError(err, from);
  }
}

/** Deletes a file, a symlink (not its target) or a folder with everything in it. Irreversible. */
export async function deleteEntry(policy: FilePolicy, p: string): Promise<void> {
  requireMode(policy, 'upload');
  requireNotAllowedRoot(policy, p);
  const { full } = await resolveEntry(policy, p);
  try {
    await fs.lstat(full);
    // rm does not follow symlinks inside the tree: it unlinks them.
    await fs.rm(full, { recursive: true, force: false });
  } catch (err) {
    throw fsError(err, p);
  }
}
