/**
 * What a representative may do in a session (F31 "permissions"), shared by
 * appliance, console and customer client. A grant is stored per user and per
 * team; a rep's effective permissions are their own grant merged with the
 * grants of every team they belong to, the most permissive value winning.
 *
 * Remote paths: `allowedPaths` lists absolute POSIX paths on the customer's
 * system that file transfer may touch; an empty list means "anywhere".
 * `pathAllowed` is a pure, lexical check (the customer client also resolves
 * symlinks with realpath before deciding); `validateRemotePath` says why a
 * path is refused with a coded error. Portable: no DOM, no Node.
 */
import { AppError } from './errors.ts';

export type ScreenPermission = 'none' | 'view' | 'control';
export type FileTransferPermission = 'none' | 'upload' | 'both';

export interface RepPermissions {
  /** Screen sharing: not at all, view only, or view and control. */
  screen: ScreenPermission;
  /** May blank the customer's screen while controlling it. */
  privacyScreen: boolean;
  /** May run the administrator-defined special actions. */
  specialActions: boolean;
  /** May open a command shell on the remote system. */
  shell: boolean;
  /** May create Shell Jump items (SSH hosts); administrators always may. */
  shellJump: boolean;
  /** File transfer: none, upload to the remote system only, or both ways. */
  fileTransfer: FileTransferPermission;
  /** Absolute paths on the remote system file transfer may use; empty = no restriction. */
  allowedPaths: string[];
}

export const SCREEN_LEVELS: readonly ScreenPermission[] = ['none', 'view', 'control'];
export const FILE_TRANSFER_LEVELS: readonly FileTransferPermission[] = ['none', 'upload', 'both'];

/** Grants nothing; what a team grant starts as. */
export const NO_PERMISSIONS: Readonly<RepPermissions> = Object.freeze({
  screen: 'none',
  privacyScreen: false,
  specialActions: false,
  shell: false,
  shellJump: false,
  fileTransfer: 'none',
  allowedPaths: Object.freeze([]) as unknown as string[],
});

/** What every user's own grant starts as (new and existing users). */
export const DEFAULT_USER_PERMISSIONS: Readonly<RepPermissions> = Object.freeze({
  screen: 'control',
  privacyScreen: false,
  specialActions: false,
  shell: true,
  shellJump: false,
  fileTransfer: 'both',
  allowedPaths: Object.freeze([]) as unknown as string[],
});

/** Longest path accepted (bytes of UTF-8), as Linux PATH_MAX. */
export const MAX_REMOTE_PATH_BYTES = 4096;
/** Longest single name in a path (bytes of UTF-8), as Linux NAME_MAX. */
export const MAX_REMOTE_NAME_BYTES = 255;
/** At most this many allowed paths in one grant. */
export const MAX_ALLOWED_PATHS = 100;

function higher<T>(levels: readonly T[], a: T, b: T): T {
  return levels.indexOf(a) >= levels.indexOf(b) ? a : b;
}

/**
 * The most permissive combination of two grants. Paths: a side that grants no
 * file transfer gives no path access, so its list is ignored; otherwise, if
 * either side is unrestricted (empty list) the result is unrestricted, else
 * the union (first-seen order, no duplicates).
 */
export function mergePermissions(a: Readonly<RepPermissions>, b: Readonly<RepPermissions>): RepPermissions {
  const usesA = a.fileTransfer !== 'none';
  const usesB = b.fileTransfer !== 'none';
  let allowedPaths: string[];
  if (usesA && !usesB) allowedPaths = [...a.allowedPaths];
  else if (usesB && !usesA) allowedPaths = [...b.allowedPaths];
  else if (a.allowedPaths.length === 0 || b.allowedPaths.length === 0) allowedPaths = [];
  else allowedPaths = [...new Set([...a.allowedPaths, ...b.allowedPaths])];
  return {
    screen: higher(SCREEN_LEVELS, a.screen, b.screen),
    privacyScreen: a.privacyScreen || b.privacyScreen,
    specialActions: a.specialActions || b.specialActions,
    shell: a.shell || b.shell,
    shellJump: Boolean(a.shellJump || b.shellJump),
    fileTransfer: higher(FILE_TRANSFER_LEVELS, a.fileTransfer, b.fileTransfer),
    allowedPaths,
  };
}

/** UTF-8 length of `s` without encoding it (a lone surrogate counts 3, as TextEncoder writes U+FFFD). */
function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** True when `s` is longer than `limit` bytes of UTF-8; counts only when the character count leaves doubt. */
function overBytes(s: string, limit: number): boolean {
  if (s.length > limit) return true;
  if (s.length * 3 <= limit) return false;
  return utf8Length(s) > limit;
}

/**
 * Why `p` is not an acceptable absolute, normalised remote path, or undefined
 * when it is. Checks, in this order: NUL (PATH_NUL), length over 4096 bytes
 * (PATH_TOO_LONG), not starting with `/` (PATH_NOT_ABSOLUTE), a `.` or `..`
 * segment (PATH_TRAVERSAL), an empty segment (`//`, trailing `/`) or a name
 * over 255 bytes (PATH_BAD_NAME). `/` itself is valid.
 */
export function validateRemotePath(p: unknown): AppError | undefined {
  if (typeof p !== 'string' || p === '') return new AppError('PATH_NOT_ABSOLUTE', 'empty');
  const code = remotePathProblem(p);
  switch (code) {
    case undefined:
      return undefined;
    case 'PATH_TOO_LONG':
      return new AppError(code, `limit ${MAX_REMOTE_PATH_BYTES} bytes`);
    case 'PATH_BAD_NAME':
      return new AppError(code, `an empty name, or one longer than ${MAX_REMOTE_NAME_BYTES} bytes`);
    default:
      return new AppError(code);
  }
}

type PathProblem = 'PATH_NUL' | 'PATH_TOO_LONG' | 'PATH_NOT_ABSOLUTE' | 'PATH_TRAVERSAL' | 'PATH_BAD_NAME';

/** The checks of validateRemotePath without building an error (pathAllowed runs them on every call). */
function remotePathProblem(p: string): PathProblem | undefined {
  if (p.includes('\u0000')) return 'PATH_NUL';
  if (overBytes(p, MAX_REMOTE_PATH_BYTES)) return 'PATH_TOO_LONG';
  if (p.charCodeAt(0) !== 0x2f) return 'PATH_NOT_ABSOLUTE';
  if (p.length === 1) return undefined;
  let badName = false;
  let start = 1;
  for (let i = 1; i <= p.length; i++) {
    if (i < p.length && p.charCodeAt(i) !== 0x2f) continue;
    const len = i - start;
    if (len === 0) badName = true;
    else if (len <= 2 && p.charCodeAt(start) === 0x2e && (len === 1 || p.charCodeAt(start + 1) === 0x2e)) return 'PATH_TRAVERSAL';
    else if (len * 3 > MAX_REMOTE_NAME_BYTES && overBytes(p.slice(start, i), MAX_REMOTE_NAME_BYTES)) badName = true;
    start = i + 1;
  }
  return badName ? 'PATH_BAD_NAME' : undefined;
}

/**
 * True when `absPath` is a valid normalised absolute path equal to or below
 * one of `allowedPaths` (segment-wise: /home/al does not allow /home/alice).
 * An empty list allows every valid path; invalid entries in the list allow
 * nothing.
 */
export function pathAllowed(allowedPaths: readonly string[], absPath: string): boolean {
  if (typeof absPath !== 'string' || remotePathProblem(absPath)) return false;
  if (allowedPaths.length === 0) return true;
  for (const base of allowedPaths) {
    // Cheap lexical match first; an entry is validated only when it would allow the path.
    const below = base === '/' || absPath === base || (absPath.length > base.length && absPath.charCodeAt(base.length) === 0x2f && absPath.startsWith(base));
    if (below && typeof base === 'string' && base !== '' && !remotePathProblem(base)) return true;
  }
  return false;
}

/**
 * True when two grants allow the same (path lists compared as sets, and not
 * at all when the grant has no file transfer, since then they allow nothing).
 */
export function samePermissions(a: Readonly<RepPermissions>, b: Readonly<RepPermissions>): boolean {
  const pa = new Set(a.allowedPaths);
  const pb = new Set(b.allowedPaths);
  return (
    a.screen === b.screen &&
    a.privacyScreen === b.privacyScreen &&
    a.specialActions === b.specialActions &&
    a.shell === b.shell &&
    Boolean(a.shellJump) === Boolean(b.shellJump) &&
    a.fileTransfer === b.fileTransfer &&
    (a.fileTransfer === 'none' || (pa.size === pb.size && [...pa].every((x) => pb.has(x))))
  );
}

/**
 * Checks an untrusted grant (an admin's PUT body) strictly: every field
 * present with the right type, no other field, every path valid. Throws a
 * coded AppError naming the field; returns a fresh copy with paths de-duplicated.
 */
export function parsePermissions(input: unknown): RepPermissions {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AppError('BAD_FIELD', 'body must be a JSON object');
  const r = input as Record<string, unknown>;
  const fields = ['screen', 'privacyScreen', 'specialActions', 'shell', 'fileTransfer', 'allowedPaths'];
  // shellJump came later: a grant written without it grants none.
  for (const key of Object.keys(r)) if (!fields.includes(key) && key !== 'shellJump') throw new AppError('UNKNOWN_FIELD', key);
  if (r.shellJump !== undefined && typeof r.shellJump !== 'boolean') throw new AppError('BAD_FIELD', 'shellJump must be true or false');
  for (const key of fields) if (r[key] === undefined) throw new AppError('BAD_FIELD', `${key} is required`);
  if (!SCREEN_LEVELS.includes(r.screen as ScreenPermission)) throw new AppError('BAD_FIELD', `screen must be one of ${SCREEN_LEVELS.join(', ')}`);
  if (!FILE_TRANSFER_LEVELS.includes(r.fileTransfer as FileTransferPermission)) {
    throw new AppError('BAD_FIELD', `fileTransfer must be one of ${FILE_TRANSFER_LEVELS.join(', ')}`);
  }
  for (const key of ['privacyScreen', 'specialActions', 'shell']) {
    if (typeof r[key] !== 'boolean') throw new AppError('BAD_FIELD', `${key} must be true or false`);
  }
  const paths = r.allowedPaths;
  if (!Array.isArray(paths) || paths.length > MAX_ALLOWED_PATHS) throw new AppError('BAD_FIELD', `allowedPaths must be a list of at most ${MAX_ALLOWED_PATHS}`);
  paths.forEach((p, i) => {
    const err = validateRemotePath(p);
    if (err) throw new AppError(err.code, `allowedPaths[${i}]${err.detail ? `: ${err.detail}` : ''}`);
  });
  return {
    screen: r.screen as ScreenPermission,
    privacyScreen: r.privacyScreen as boolean,
    specialActions: r.specialActions as boolean,
    shell: r.shell as boolean,
    shellJump: r.shellJump === true,
    fileTransfer: r.fileTransfer as FileTransferPermission,
    allowedPaths: [...new Set(paths as string[])],
  };
}
