/**
 * Command-shell recordings (F23) over HTTP, and their admin switch.
 *
 *   GET /api/console/sessions/:id/shell-recordings             → ShellRecordingInfo[]
 *   GET /api/console/sessions/:id/shell-recordings/:shell.cast → asciicast v2
 *   GET /api/console/sessions/:id/shell-recordings/:shell.txt  → plain-text transcript
 *   GET|PUT /api/admin/settings/recording                      → { recordShells }
 *
 * A recording is for the reps who took part in the session (or were members
 * while the shell ran), so it stays readable after the session ended, signed
 * in to the console or to the web pages (session reports), and for
 * administrators. Anyone else gets
 * SESSION_UNKNOWN, the same answer as for a session that does not exist.
 */
import { AppError } from '../../../common/errors.ts';
import type { ReportAttachment } from '../../../common/reports.ts';
import type { ShellRecordingInfo } from '../../../common/shell-protocol.ts';
import { parseShape } from '../../../common/validate.ts';
import type { Context } from '../context.ts';
import { SessionStore } from '../store/sessions.ts';
import { ShellRecordingStore, type RecordingMeta } from '../store/shell-recordings.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route, type Req } from './kit.ts';

const RECORDING_SETTINGS = { recordShells: { kind: 'bool' } } as const;
const ID = /^[A-Za-z0-9_-]{22}$/;
const FILE = /^([A-Za-z0-9_-]{22})\.(cast|txt)$/;

/** Links to a shell's recording and transcript, as the session report lists them. */
export function shellRecordingAttachments(recordings: ShellRecordingStore, sessionId: string): ReportAttachment[] {
  const base = `/api/console/sessions/${sessionId}/shell-recordings`;
  return recordings.list(sessionId).map((m) => ({
    kind: 'shell',
    title: `${m.title} (${m.openedBy})${m.truncated ? ' [truncated]' : ''}`,
    at: m.startedAt,
    links: [
      { label: 'asciicast', href: `${base}/${m.shellId}.cast` },
      { label: 'transcript', href: `${base}/${m.shellId}.txt` },
    ],
  }));
}

export function mountShellRecordingRoutes(app: TemplatedApp, ctx: Context): void {
  const recordings = new ShellRecordingStore(ctx.store);
  const sessions = new SessionStore(ctx.store);

  /** Who asks: a rep signed in to the console or to the web pages (reports); administrators see every session. */
  const reader = (req: Req): { userId: string; admin: boolean } => {
    const who = ctx.auth.authenticate(req, 'console') ?? ctx.auth.authenticate(req, 'web');
    if (!who) throw new AppError('AUTH_REQUIRED');
    return { userId: who.user.id, admin: who.user.admin };
  };
  /** Reps who took part in the session (ever), or who were members while the shell ran. */
  const tookPart = (userId: string, sessionId: string): boolean => {
    const s = sessions.get(sessionId);
    return s !== undefined && (s.participants ?? s.members).includes(userId);
  };
  const allowed = (who: { userId: string; admin: boolean }, sessionId: string, meta: RecordingMeta): boolean =>
    who.admin || meta.members.includes(who.userId) || tookPart(who.userId, sessionId);

  route(app, ctx, 'get', '/api/console/sessions/:id/shell-recordings', (req, reply) => {
    const sessionId = req.params[0]!;
    const who = reader(req);
    if (!ID.test(sessionId)) throw new AppError('SESSION_UNKNOWN');
    const mine = recordings.list(sessionId).filter((m) => allowed(who, sessionId, m));
    if (!who.admin && mine.length === 0 && !tookPart(who.userId, sessionId)) throw new AppError('SESSION_UNKNOWN');
    const list: ShellRecordingInfo[] = mine.map((m) => ({
      shellId: m.shellId,
      title: m.title,
      openedBy: m.openedBy,
      startedAt: m.startedAt,
      endedAt: m.endedAt,
      castBytes: m.castBytes,
      textBytes: m.textBytes,
      truncated: m.truncated,
    }));
    reply.json(200, list);
  });

  route(app, ctx, 'get', '/api/console/sessions/:id/shell-recordings/:file', (req, reply) => {
    const sessionId = req.params[0]!;
    const who = reader(req);
    const file = FILE.exec(req.params[1] ?? '');
    if (!file) throw new AppError('NOT_FOUND');
    const [, shellId, ext] = file;
    const meta = recordings.meta(sessionId, shellId!);
    if (!meta || !allowed(who, sessionId, meta)) throw new AppError('SESSION_UNKNOWN');
    const body = Buffer.from([...recordings.chunks(ext === 'cast' ? 'c' : 't', sessionId, shellId!)].join(''), 'utf8');
    const type = ext === 'cast' ? 'application/x-asciicast; charset=utf-8' : 'text/plain; charset=utf-8';
    reply.send(200, body, [
      ['Content-Type', type],
      ['Cache-Control', 'no-store'],
      ['Content-Disposition', `attachment; filename="${meta.title.replace(/[^A-Za-z0-9 _-]/g, '')}.${ext}"`],
    ]);
  });

  route(app, ctx, 'get', '/api/admin/settings/recording', (req, reply) => {
    ctx.auth.requireAdmin(req);
    reply.json(200, ctx.settings.recording());
  });

  route(app, ctx, 'put', '/api/admin/settings/recording', async (req, reply) => {
    ctx.auth.requireAdmin(req);
    const body = parseShape(RECORDING_SETTINGS, await readJson(reply, req));
    ctx.log.info({ recordShells: body.recordShells }, 'recording settings changed');
    reply.json(200, ctx.settings.setRecordingSync(body));
  });
}
