/**
 * The file-transfer channel protocol (F24), shared by the console, the
 * appliance (which checks every request) and the customer client. Each file
 * view is one channel (`op: 'browse'`) carrying JSON text requests with ids;
 * each transfer is its own channel (`op: 'upload'` or `'download'`) carrying
 * the bytes as binary frames between a few JSON text control frames. See
 * docs/PROTOCOL.md "File transfer" for the sequence of frames.
 *
 *   browse:   console {t:list,id,path}          → client {t:result,id,…} | {t:error,id,code,…}
 *   upload:   client {t:ready} ← console bytes… {t:end,sha256} → client {t:done,size,sha256}
 *             (client {t:ack,bytes} as bytes reach its disk)
 *   download: console {t:ack,bytes:0} → client {t:meta,…} bytes… {t:end,size,sha256}
 *             (console {t:ack,bytes} as bytes reach the rep's disk)
 *
 * Flow control is by credit (common/flow.ts): the sender of bytes keeps at
 * most WINDOW of them unacknowledged, and the receiver acknowledges what it
 * has written, so no hop holds more than about one window.
 *
 * Portable: no DOM, no Node.
 */
import { AppError, type ErrorCode } from './errors.ts';
import type { FileTransferPermission } from './permissions.ts';
import { parseShape, type Parsed, type Shape } from './validate.ts';

/** Binary frames carry at most 256 KiB of file data (below the 1 MiB channel limit). */
export const FILE_CHUNK_BYTES = 256 * 1024;
/** A listing returns at most 5000 entries (the rest are counted in `more`). */
export const MAX_LIST_ENTRIES = 5000;
/** Largest accepted path string before the byte check (4096 UTF-8 bytes), with room for a clear PATH_TOO_LONG. */
const PATH_FIELD = { kind: 'string', max: 16_384 } as const;
const REQ_ID = { kind: 'int', min: 0, max: 2 ** 31 } as const;
const SHA256_HEX = { kind: 'string', min: 64, max: 64, pattern: /^[0-9a-f]{64}$/ } as const;

/** What the appliance passes to the client with each files channel; the client checks it again. */
export interface FilesChannelParams {
  op: 'browse' | 'upload' | 'download';
  mode: FileTransferPermission;
  /** Absolute remote paths file transfer may use; empty = anywhere. */
  allowedPaths: string[];
  /** Transfers: the remote file (upload: where it ends up; download: file or folder). */
  path?: string;
  /** Upload: the exact number of bytes that will follow. */
  size?: number;
  /** Upload: replace an existing file of that name. */
  overwrite?: boolean;
}

/** Requests on a browse channel, console → client. */
export const FILES_REQUESTS = {
  volumes: { id: REQ_ID },
  list: { id: REQ_ID, path: PATH_FIELD },
  mkdir: { id: REQ_ID, path: PATH_FIELD },
  rename: { id: REQ_ID, from: PATH_FIELD, to: PATH_FIELD },
  delete: { id: REQ_ID, path: PATH_FIELD },
} as const satisfies Record<string, Shape>;

export type FilesRequestType = keyof typeof FILES_REQUESTS;
export type FilesRequest = { [T in FilesRequestType]: { t: T } & Parsed<(typeof FILES_REQUESTS)[T]> }[FilesRequestType];

/** Control frames on a transfer channel, console → client. */
export const TRANSFER_CONTROL = {
  /** Upload: every byte was sent; the console's SHA-256 of them. */
  end: { sha256: SHA256_HEX },
  /** Download: the console has written this many bytes in total (credit, common/flow.ts). */
  ack: { bytes: { kind: 'int', min: 0, max: Number.MAX_SAFE_INTEGER } },
  /** Either direction: stop; the client removes a partial upload. */
  cancel: {},
} as const satisfies Record<string, Shape>;

export type TransferControl = { [T in keyof typeof TRANSFER_CONTROL]: { t: T } & Parsed<(typeof TRANSFER_CONTROL)[T]> }[keyof typeof TRANSFER_CONTROL];

export type EntryType = 'file' | 'dir' | 'symlink' | 'other';

export interface FileEntry {
  name: string;
  type: EntryType;
  /** Bytes (files); 0 for others. */
  size: number;
  /** Last modification, ms since the epoch. */
  mtime: number;
  /** Symlinks: what the link points to (as stored) and what that is, when it can be resolved. */
  target?: string;
  targetType?: EntryType;
}

export interface Volume {
  path: string;
  /** `home` for the user's home folder, else the file system type (ext4, btrfs…). */
  kind: string;
}

/** Replies on a browse channel, client → console. */
export type FilesReply =
  | { t: 'result'; id: number; volumes: Volume[]; home: string }
  | { t: 'result'; id: number; path: string; entries: FileEntry[]; more: number }
  | { t: 'result'; id: number }
  | { t: 'error'; id: number; code: ErrorCode; message: string; detail?: string };

/** Control frames on a transfer channel, client → console. */
export type TransferReply =
  /** Upload: the target is acceptable and the temporary file exists; send the bytes. */
  | { t: 'ready' }
  /** Upload: the client has written this many bytes in total (credit, common/flow.ts). */
  | { t: 'ack'; bytes: number }
  /** Upload: the file is in place; `sha256` is what the client computed (it matched). */
  | { t: 'done'; size: number; sha256: string }
  /** Download: what follows. `size` is null for a folder archive (length not known ahead). */
  | { t: 'meta'; name: string; size: number | null; archive: boolean }
  /** Download: every byte was sent; the client's SHA-256 of them. */
  | { t: 'end'; size: number; sha256: string }
  | { t: 'error'; code: ErrorCode; message: string; detail?: string };

/** Keys of request fields that hold remote paths. */
export const PATH_KEYS = ['path', 'from', 'to'] as const;

function parseObject(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new AppError('WS_BAD_FRAME', 'not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new AppError('WS_BAD_FRAME', 'not an object');
  return value as Record<string, unknown>;
}

/**
 * Decodes a browse request. A path with a NUL is PATH_NUL (not a generic
 * BAD_FIELD), so the rep sees why; the paths themselves are checked by the
 * caller against the permissions. The id, when readable, comes back on the
 * error so the console can match it.
 */
export function decodeFilesRequest(text: string): FilesRequest {
  const o = parseObject(text);
  const { t, ...rest } = o;
  const id = typeof rest.id === 'number' && Number.isInteger(rest.id) ? rest.id : undefined;
  try {
    if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(FILES_REQUESTS, t)) throw new AppError('WS_UNKNOWN_TYPE', String(t).slice(0, 40));
    for (const k of PATH_KEYS) if (typeof rest[k] === 'string' && (rest[k] as string).includes('\u0000')) throw new AppError('PATH_NUL', k);
    return { t, ...parseShape(FILES_REQUESTS[t as FilesRequestType], rest) } as FilesRequest;
  } catch (err) {
    if (err instanceof AppError) throw new FilesRequestError(err, id);
    throw err;
  }
}

/** A refused request, with the id to answer it under (if it had one). */
export class FilesRequestError extends Error {
  constructor(readonly error: AppError, readonly id: number | undefined) {
    super(error.message);
  }
}

export function decodeTransferControl(text: string): TransferControl {
  const { t, ...rest } = parseObject(text);
  if (typeof t !== 'string' || !Object.prototype.hasOwnProperty.call(TRANSFER_CONTROL, t)) throw new AppError('WS_UNKNOWN_TYPE', String(t).slice(0, 40));
  return { t, ...parseShape(TRANSFER_CONTROL[t as keyof typeof TRANSFER_CONTROL], rest) } as TransferControl;
}

/** The paths a request names. */
export function requestPaths(req: FilesRequest): string[] {
  switch (req.t) {
    case 'volumes':
      return [];
    case 'rename':
      return [req.from, req.to];
    default:
      return [req.path];
  }
}

/** Whether a transfer mode allows an operation: browsing and changes need any mode, download needs 'both'. */
export function modeAllows(mode: FileTransferPermission, op: 'browse' | 'upload' | 'download'): boolean {
  if (mode === 'none') return false;
  return op !== 'download' || mode === 'both';
}

/** The error reply for an AppError. */
export function errorReply(err: AppError): { t: 'error'; code: ErrorCode; message: string; detail?: string } {
  const out: { t: 'error'; code: ErrorCode; message: string; detail?: string } = { t: 'error', code: err.code, message: err.message };
  if (err.detail !== undefined) out.detail = err.detail;
  return out;
}
