/**
 * The `files` channel kind (F24) and the console messages that open one.
 *
 *   files_open    → a browse channel: JSON requests (volumes, list, mkdir,
 *                   rename, delete) from the console, replies from the client;
 *   file_transfer → one channel per upload or download carrying the bytes.
 *
 * Both check, before the client is asked: the rep is a member of the live
 * session and their effective permissions allow it (file transfer not
 * 'none'; downloads only with 'both'; the path valid and inside the allowed
 * paths). On a browse channel every request is checked again here, against
 * the rep's permissions as they are now, before it is passed on; a refused
 * one is answered by the appliance and never reaches the client. The client
 * checks everything a third time, with symlinks resolved.
 *
 * Bytes pass through a PairRelay: flow control is end-to-end credit
 * (common/flow.ts), so a stream holds at most about a window here.
 * Completed transfers, deletes, renames and new folders go into the
 * session's event log (and so into its report), once the client has
 * confirmed them.
 */
import { AppError } from '../../../common/errors.ts';
import {
  decodeFilesRequest,
  errorReply,
  FilesRequestError,
  modeAllows,
  requestPaths,
  type FilesChannelParams,
  type FilesRequest,
} from '../../../common/files-protocol.ts';
import { pathAllowed, validateRemotePath, type RepPermissions } from '../../../common/permissions.ts';
import type { ReportAttachment } from '../../../common/reports.ts';
import type { SessionEvent, SessionEventKind } from '../../../common/sessions.ts';
import type { PermissionStore } from '../store/permissions.ts';
import type { ConsoleHub, ExtraHandlers } from '../ws/console-socket.ts';
import { end, type ChannelKind, type ChannelService, type ChannelWs } from './channels.ts';
import { PairRelay } from './pair.ts';

/** Close code for a frame the files kind refuses (binary on a browse channel, bytes the wrong way). */
const CLOSE_REFUSED = 4002;

/** What the relay remembers about one open files channel. */
interface ChannelInfo {
  sessionId: string;
  userId: string;
  /** The rep's socket of this channel (closing it closes the pair). */
  console: ChannelWs;
  params: FilesChannelParams;
  /** Browse requests that change something, by id, logged once the client confirms them. */
  changes: Map<number, FilesRequest>;
}

/** Throws the coded refusal when `p` is not a valid path inside the rep's allowed paths. */
export function requireAllowedPath(perms: RepPermissions, p: string): void {
  const invalid = validateRemotePath(p);
  if (invalid) throw invalid;
  if (!pathAllowed(perms.allowedPaths, p)) throw new AppError('PATH_NOT_ALLOWED', p);
}

/** Throws PERMISSION_DENIED unless the rep's file-transfer mode allows `op`. */
export function requireFileMode(perms: RepPermissions, op: FilesChannelParams['op']): void {
  if (!modeAllows(perms.fileTransfer, op)) {
    throw new AppError('PERMISSION_DENIED', op === 'download' ? 'downloads are not allowed' : 'file transfer is not allowed');
  }
}

export class FilesKind implements ChannelKind {
  readonly kind = 'files';
  private readonly info = new Map<string, ChannelInfo>();
  private readonly relay: PairRelay;

  constructor(
    private readonly channels: ChannelService,
    private readonly permissions: PermissionStore,
  ) {
    this.relay = new PairRelay({
      frame: (channelId, from, data, isBinary) => this.observe(channelId, from, data, isBinary),
      closed: (channelId) => this.info.delete(channelId),
    });
  }

  open(ws: ChannelWs): void {
    const { ticket } = ws.getUserData();
    if (ticket.side === 'console' && ticket.userId) {
      this.info.set(ticket.channelId, {
        sessionId: ticket.sessionId,
        userId: ticket.userId,
        console: ws,
        params: ticket.params as unknown as FilesChannelParams,
        changes: new Map(),
      });
    }
    this.relay.open(ws);
  }

  message(ws: ChannelWs, data: Buffer, isBinary: boolean): void {
    const { ticket } = ws.getUserData();
    const op = (ticket.params as { op?: unknown }).op;
    if (ticket.side === 'console') {
      if (op === 'browse') {
        if (isBinary) return end(ws, CLOSE_REFUSED, 'binary frame on a file view');
        const refusal = this.checkRequest(ticket.channelId, ticket.userId!, data);
        if (refusal) return void ws.send(JSON.stringify(refusal), false);
      } else if (op === 'download' && isBinary) {
        return end(ws, CLOSE_REFUSED, 'bytes from the console on a download');
      }
    } else if (op === 'upload' && isBinary) {
      return end(ws, CLOSE_REFUSED, 'bytes from the client on an upload');
    }
    this.relay.message(ws, data, isBinary);
  }

  close(ws: ChannelWs, code: number): void {
    this.relay.close(ws, code);
  }

  /**
   * An administrator changed these reps' permissions: their file views and
   * transfers that the new grant no longer allows are closed at once (4002,
   * PERMISSION_DENIED or PATH_NOT_ALLOWED); a cut upload leaves nothing behind.
   */
  revoke(userIds: readonly string[]): void {
    const users = new Set(userIds);
    for (const info of [...this.info.values()]) {
      if (!users.has(info.userId)) continue;
      const perms = this.permissions.effective(info.userId);
      const { op, path } = info.params;
      let refusal: string | undefined;
      try {
        requireFileMode(perms, op);
        if (path !== undefined) requireAllowedPath(perms, path);
      } catch (err) {
        refusal = err instanceof AppError ? err.code : 'PERMISSION_DENIED';
      }
      if (refusal) end(info.console, CLOSE_REFUSED, refusal);
    }
  }

  /** The refusal to send back for a browse request, or undefined to pass it on. */
  private checkRequest(channelId: string, userId: string, data: Buffer): Record<string, unknown> | undefined {
    let req: FilesRequest;
    try {
      req = decodeFilesRequest(data.toString('utf8'));
    } catch (err) {
      if (err instanceof FilesRequestError) return { id: err.id ?? -1, ...errorReply(err.error) };
      return { id: -1, ...errorReply(err instanceof AppError ? err : new AppError('WS_BAD_FRAME')) };
    }
    try {
      // The rep's permissions as they are now: an administrator's change applies to the next request.
      const perms = this.permissions.effective(userId);
      requireFileMode(perms, 'browse');
      for (const p of requestPaths(req)) requireAllowedPath(perms, p);
    } catch (err) {
      return { id: req.id, ...errorReply(err instanceof AppError ? err : new AppError('INTERNAL')) };
    }
    if (req.t === 'mkdir' || req.t === 'rename' || req.t === 'delete') this.info.get(channelId)?.changes.set(req.id, req);
    return undefined;
  }

  /** Watches the client's text frames for confirmations worth an event line. */
  private observe(channelId: string, from: 'customer' | 'console', data: Buffer, isBinary: boolean): boolean {
    if (from !== 'customer' || isBinary) return true;
    const info = this.info.get(channelId);
    if (!info) return true;
    let msg: { t?: unknown; id?: unknown; size?: unknown };
    try {
      msg = JSON.parse(data.toString('utf8')) as typeof msg;
    } catch {
      return true;
    }
    const log = (kind: SessionEventKind, params: Record<string, string>): void => {
      try {
        this.channels.recordEvent(info.sessionId, kind, info.userId, params);
      } catch {
        // The session ended meanwhile: nothing to log into.
      }
    };
    const { op, path } = info.params;
    if (op === 'browse' && typeof msg.id === 'number') {
      const req = info.changes.get(msg.id);
      if (!req) return true;
      info.changes.delete(msg.id);
      if (msg.t !== 'result') return true;
      if (req.t === 'delete') log('file_deleted', { path: req.path });
      else if (req.t === 'rename') log('file_renamed', { from: req.from, to: req.to });
      else if (req.t === 'mkdir') log('folder_created', { path: req.path });
    } else if (op === 'upload' && msg.t === 'done') {
      log('file_uploaded', { path: path ?? '', size: String(msg.size) });
    } else if (op === 'download' && msg.t === 'end') {
      log('file_downloaded', { path: path ?? '', size: String(msg.size) });
    }
    return true;
  }
}

/** The console messages that open files channels. */
export function filesHandlers(channels: ChannelService, hub: ConsoleHub, permissions: PermissionStore): ExtraHandlers {
  const openChannel = (userId: string, sessionId: string, rid: number, params: FilesChannelParams, ws: Parameters<ConsoleHub['send']>[0]): void => {
    const channelId = channels.newChannelId();
    const p = params as unknown as Record<string, unknown>;
    channels.callCustomer(sessionId, { kind: 'files', channelId, params: p });
    const ticket = channels.issueConsoleTicket({ kind: 'files', sessionId, userId, channelId, params: p });
    hub.send(ws, { t: 'channel_ticket', rid, channelId, ticket });
  };
  return {
    files_open(ws, body) {
      const userId = ws.getUserData().userId;
      const sessionId = body.sessionId as string;
      channels.requireMember(userId, sessionId);
      const perms = permissions.effective(userId);
      requireFileMode(perms, 'browse');
      openChannel(userId, sessionId, body.rid as number, { op: 'browse', mode: perms.fileTransfer, allowedPaths: perms.allowedPaths }, ws);
    },
    file_transfer(ws, body) {
      const userId = ws.getUserData().userId;
      const sessionId = body.sessionId as string;
      channels.requireMember(userId, sessionId);
      const perms = permissions.effective(userId);
      const direction = body.direction as 'upload' | 'download';
      requireFileMode(perms, direction);
      const path = body.path as string;
      requireAllowedPath(perms, path);
      const params: FilesChannelParams = { op: direction, mode: perms.fileTransfer, allowedPaths: perms.allowedPaths, path };
      if (direction === 'upload') {
        if (typeof body.size !== 'number') throw new AppError('BAD_FIELD', 'size is required for an upload');
        params.size = body.size;
        params.overwrite = body.overwrite === true;
      }
      openChannel(userId, sessionId, body.rid as number, params, ws);
    },
  };
}

/** The files that moved in a session, for its report: one line per completed upload or download. */
export function movedFilesAttachments(events: readonly SessionEvent[]): ReportAttachment[] {
  const out: ReportAttachment[] = [];
  for (const e of events) {
    if (e.kind !== 'file_uploaded' && e.kind !== 'file_downloaded') continue;
    const verb = e.kind === 'file_uploaded' ? 'uploaded' : 'downloaded';
    out.push({ kind: 'file', title: `${e.params.path} ${verb} by ${e.actor ?? '—'} (${e.params.size} bytes, SHA-256 checked)`, at: e.at, links: [] });
  }
  return out;
}
