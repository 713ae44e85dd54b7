/**
 * Session reports (F32) over HTTP, for any signed-in user of the /login
 * area: `GET /api/reports/sessions` lists (filters `q`, `from`, `to` as ISO
 * dates or ms, `limit`), `GET /api/reports/sessions/:id` reads one with its
 * full event log, chat and attachments, and `…/:id/text` downloads it as
 * plain text. Who may read what is decided in ReportService.
 */
import { AppError } from '../../../common/errors.ts';
import { LANGUAGES, type Lang } from '../../../common/messages.ts';
import { MAX_REPORT_ROWS } from '../../../common/reports.ts';
import { ID_PATTERN } from '../../../common/validate.ts';
import type { Context } from '../context.ts';
import type { ReportService } from '../services/reports.ts';
import type { TemplatedApp } from '../uws.ts';
import { route, type Req } from './kit.ts';

function time(value: string | null, name: string): number | undefined {
  if (value === null || value === '') return undefined;
  const n = /^\d{1,16}$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isFinite(n)) throw new AppError('BAD_FIELD', `${name} must be a date (ISO 8601) or milliseconds`);
  return n;
}

function sessionId(req: Req): string {
  const id = req.params[0] ?? '';
  if (!ID_PATTERN.test(id) || id.length !== 22) throw new AppError('SESSION_UNKNOWN');
  return id;
}

export function mountReportRoutes(app: TemplatedApp, ctx: Context, reports: ReportService): void {
  // Read-only GETs: the /login area's sign-in or the console's both do (no CSRF needed for reads).
  const viewer = (req: Req) => {
    const who = ctx.auth.authenticate(req, 'web') ?? ctx.auth.authenticate(req, 'console');
    if (!who) throw new AppError('AUTH_REQUIRED');
    return { id: who.user.id, admin: who.user.admin };
  };

  route(app, ctx, 'get', '/api/reports/sessions', (req, reply) => {
    const v = viewer(req);
    const q = req.query;
    const text = q.get('q') ?? undefined;
    if (text !== undefined && text.length > 200) throw new AppError('BAD_FIELD', 'q is longer than 200 characters');
    const limitText = q.get('limit');
    const limit = limitText === null ? undefined : Number(limitText);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > MAX_REPORT_ROWS)) throw new AppError('BAD_FIELD', `limit must be 1 to ${MAX_REPORT_ROWS}`);
    reply.json(200, reports.list(v, { text, from: time(q.get('from'), 'from'), to: time(q.get('to'), 'to'), limit }));
  });

  route(app, ctx, 'get', '/api/reports/sessions/:id', (req, reply) => {
    reply.json(200, { report: reports.read(viewer(req), sessionId(req)) });
  });

  route(app, ctx, 'get', '/api/reports/sessions/:id/text', (req, reply) => {
    const id = sessionId(req);
    const asked = req.query.get('lang') ?? 'en';
    const lang: Lang = (LANGUAGES as readonly string[]).includes(asked) ? (asked as Lang) : 'en';
    reply.send(200, reports.text(viewer(req), id, lang), [
      ['Content-Type', 'text/plain; charset=utf-8'],
      ['Content-Disposition', `attachment; filename="session-${id}.txt"`],
    ]);
  });
}
