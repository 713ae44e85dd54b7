/**
 * The client's side of file-transfer permissions: every path a rep names is
 * checked here before anything on disk is touched, whatever the appliance
 * already checked. Two passes:
 *
 *   1. lexical: absolute, normalised, no NUL, no `.`/`..`, not overlong, and
 *      inside `allowedPaths` (common/permissions.ts);
 *   2. resolved: `realpath` of the path (or of its parent folder, for a name
 *      that is about to be created, renamed or deleted) must again be inside
 *      an allowed path, so a symlink cannot lead out of one.
 *
 * Allowed paths that are themselves reached through symlinks are compared in
 * both forms (as written and resolved). Errors are coded AppErrors; a refused
 * path has had nothing done to it. There is a window between the check and
 * the use (a local user could swap a folder for a symlink in between); the
 * check is against the rep, not against the customer's own machine.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../common/errors.ts';
import { modeAllows, type FilesChannelParams } from '../../../common/files-protocol.ts';
import {
  FILE_TRANSFER_LEVELS,
  MAX_ALLOWED_PATHS,
  MAX_REMOTE_NAME_BYTES,
  pathAllowed,
  validateRemotePath,
  type FileTransferPermission,
} from '../../../common/permissions.ts';
import { fsError } from './fs-errors.ts';

export interface FilePolicy {
  readonly mode: FileTransferPermission;
  readonly allowedPaths: readonly string[];
}

/** Nothing allowed: what malformed channel parameters turn into. */
export const DENY_ALL: FilePolicy = Object.freeze({ mode: 'none', allowedPaths: Object.freeze([]) as readonly string[] });

/** Reads the policy out of channel parameters strictly; anything malformed denies everything. */
export function policyFromParams(params: Readonly<Record<string, unknown>>): FilePolicy {
  const mode = params.mode;
  const paths = params.allowedPaths;
  if (typeof mode !== 'string' || !FILE_TRANSFER_LEVELS.includes(mode as FileTransferPermission)) return DENY_ALL;
  if (!Array.isArray(paths) || paths.length > MAX_ALLOWED_PATHS) return DENY_ALL;
  if (!paths.every((p) => typeof p === 'string' && !validateRemotePath(p))) return DENY_ALL;
  return { mode: mode as FileTransferPermission, allowedPaths: [...(paths as string[])] };
}

/** Throws PERMISSION_DENIED unless the mode allows the operation. */
export function requireMode(policy: FilePolicy, op: FilesChannelParams['op']): void {
  if (!modeAllows(policy.mode, op)) {
    throw new AppError('PERMISSION_DENIED', op === 'download' ? 'downloads are not allowed' : 'file transfer is not allowed');
  }
}

/** Pass 1: a valid absolute path inside the allowed paths. Returns it unchanged. */
export function checkLexical(policy: FilePolicy, p: string): string {
  const invalid = validateRemotePath(p);
  if (invalid) throw invalid;
  if (!pathAllowed(policy.allowedPaths, p)) throw new AppError('PATH_NOT_ALLOWED', p);
  return p;
}

/** A single new name (mkdir, rename target, upload): not empty, not . or .., no / or NUL, at most 255 bytes. */
export function checkName(name: string): string {
  if (name.includes('\u0000')) throw new AppError('PATH_NUL');
  if (name === '' || name === '.' || name === '..' || name.includes('/')) throw new AppError('PATH_BAD_NAME', `invalid name ${JSON.stringify(name.slice(0, 80))}`);
  if (Buffer.byteLength(name) > MAX_REMOTE_NAME_BYTES) throw new AppError('PATH_BAD_NAME', `a name is longer than ${MAX_REMOTE_NAME_BYTES} bytes`);
  return name;
}

async function realpathOrSelf(p: string): Promise<string> {
  try {
    return await fs.realpath(p);
  } catch {
    return p;
  }
}

/** The allowed paths as written and as resolved (for allowed paths reached through symlinks). */
async function resolvedAllowed(policy: FilePolicy): Promise<string[]> {
  if (policy.allowedPaths.length === 0) return [];
  const resolved = await Promise.all(policy.allowedPaths.map(realpathOrSelf));
  return [...new Set([...policy.allowedPaths, ...resolved])];
}

async function requireResolvedAllowed(policy: FilePolicy, real: string, asked: string): Promise<void> {
  if (policy.allowedPaths.length === 0) return;
  if (!pathAllowed(await resolvedAllowed(policy), real)) throw new AppError('PATH_NOT_ALLOWED', `${asked} leads to ${real}`);
}

/**
 * An existing path, followed through symlinks (list, download): both passes;
 * returns the resolved path. Throws FILE_NOT_FOUND when it does not exist.
 */
export async function resolveExisting(policy: FilePolicy, p: string): Promise<string> {
  checkLexical(policy, p);
  let real: string;
  try {
    real = await fs.realpath(p);
  } catch (err) {
    throw fsError(err, p);
  }
  await requireResolvedAllowed(policy, real, p);
  return real;
}

/**
 * An entry itself, not what it points to (mkdir, rename, delete, upload
 * target): both passes on the path and on its resolved parent folder.
 * Returns `{ dir, name, full }` with `dir` resolved; `full` may not exist.
 */
export async function resolveEntry(policy: FilePolicy, p: string): Promise<{ dir: string; name: string; full: string }> {
  checkLexical(policy, p);
  if (p === '/') throw new AppError('PATH_BAD_NAME', 'the root folder itself');
  const name = checkName(path.posix.basename(p));
  const parent = path.posix.dirname(p);
  let dir: string;
  try {
    dir = await fs.realpath(parent);
  } catch (err) {
    throw fsError(err, parent);
  }
  const full = path.posix.join(dir, name);
  await requireResolvedAllowed(policy, full, p);
  return { dir, name, full };
}
