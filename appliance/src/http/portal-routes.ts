/**
 * The public portal's API (F10, F11) and the customer-client download (F34).
 * No sign-in: everything here is for customers. Starting a session always
 * yields an access token; the customer client (or, for click-to-chat, the
 * portal page itself) presents it on /ws/customer, which creates the session.
 */
import { AppError } from '../../../common/errors.ts';
import { ID_PATTERN, parseShape } from '../../../common/validate.ts';
import { personalQueue, teamQueue } from '../domain/sessions.ts';
import { Throttle } from '../domain/throttle.ts';
import { CLIENT_FILE_NAME } from '../builds/customer-build.ts';
import type { Context } from '../context.ts';
import type { StartTicket } from '../store/start-tokens.ts';
import type { TemplatedApp } from '../uws.ts';
import { KEY_GUESS_LIMITS } from '../ws/customer-socket.ts';
import { readJson, route, type Req } from './kit.ts';

/** Portal starts (rep pick, issue, click-to-chat) may be used for 30 minutes. */
const PORTAL_START_TTL_MS = 30 * 60_000;

const KEY = { key: { kind: 'string', min: 7, max: 12, pattern: /^\d+$/ } } as const;
const TOKEN = { token: { kind: 'string', min: 20, max: 64, pattern: /^[A-Za-z0-9_-]+$/ } } as const;

const START = {
  mode: { kind: 'enum', values: ['rep', 'issue', 'chat'] },
  name: { kind: 'string', min: 1, max: 100 },
  details: { kind: 'string', max: 2000, optional: true },
  repId: { kind: 'string', min: 22, max: 22, pattern: ID_PATTERN, optional: true },
  issue: { kind: 'string', min: 1, max: 64, optional: true },
} as const;

export function mountPortalRoutes(app: TemplatedApp, ctx: Context): void {
  const guesses = new Throttle(KEY_GUESS_LIMITS);
  const checkThrottle = (req: Req) => {
    const wait = guesses.retryAfter(req.remote, Date.now());
    if (wait > 0) throw new AppError('THROTTLED', `${Math.ceil(wait / 1000)}`);
  };

  const availableReps = () =>
    ctx.hub
      .onlineUsers()
      .map((id) => ctx.users.get(id))
      .filter((u) => u && !u.disabled)
      .map((u) => ({ id: u!.id, name: u!.displayName }))
      .sort((a, b) => a.name.localeCompare(b.name));

  route(app, ctx, 'get', '/api/portal/info', (_req, reply) => {
    const build = ctx.builds.available() ? ctx.builds.build() : undefined;
    reply.json(200, {
      reps: availableReps(),
      issues: ctx.issues.list().map((i) => ({ codeName: i.codeName, description: i.description })),
      client: build ? { file: CLIENT_FILE_NAME, sha256: build.sha256, size: build.bytes.length, url: `/download/${CLIENT_FILE_NAME}` } : null,
    });
  });

  /** Checks a typed session key without using it up; the client uses it. */
  route(app, ctx, 'post', '/api/portal/key', async (req, reply) => {
    checkThrottle(req);
    const body = parseShape(KEY, await readJson(reply, req));
    try {
      ctx.sessions.ticketFor({ key: body.key });
    } catch (err) {
      if (err instanceof AppError && err.code === 'KEY_UNKNOWN') guesses.fail(req.remote, Date.now());
      throw err;
    }
    reply.json(200, { key: body.key, download: `/download/${CLIENT_FILE_NAME}`, command: `node ${CLIENT_FILE_NAME} --key ${body.key}` });
  });

  /** Checks the access token of a key URL (`/?ak=…`). */
  route(app, ctx, 'post', '/api/portal/token', async (req, reply) => {
    checkThrottle(req);
    const body = parseShape(TOKEN, await readJson(reply, req));
    try {
      ctx.sessions.ticketFor({ token: body.token });
    } catch (err) {
      if (err instanceof AppError && err.code === 'KEY_UNKNOWN') guesses.fail(req.remote, Date.now());
      throw err;
    }
    reply.json(200, { download: `/download/${CLIENT_FILE_NAME}?ak=${body.token}` });
  });

  route(app, ctx, 'post', '/api/portal/start', async (req, reply) => {
    const body = parseShape(START, await readJson(reply, req));
    let queue: StartTicket['queue'];
    let originTeam: string | null = null;
    let issue: string | null = null;
    if (body.mode === 'rep' || (body.mode === 'chat' && body.repId)) {
      if (!body.repId) throw new AppError('BAD_FIELD', 'repId is required');
      if (!availableReps().some((r) => r.id === body.repId)) throw new AppError('REP_UNAVAILABLE');
      queue = personalQueue(body.repId);
    } else {
      const found = body.issue ? ctx.issues.get(body.issue) : undefined;
      if (!found || !ctx.teams.get(found.teamId)) throw new AppError('ISSUE_UNKNOWN');
      queue = teamQueue(found.teamId);
      originTeam = found.teamId;
      issue = found.description;
    }
    const now = Date.now();
    const { token } = ctx.starts.createSync(
      {
        queue,
        source: body.mode === 'chat' ? 'click_to_chat' : body.mode,
        repId: null,
        customerName: body.name.trim(),
        details: body.details?.trim() ?? '',
        issue,
        originTeam,
        createdAt: now,
        expiresAt: now + PORTAL_START_TTL_MS,
        oneTime: true,
      },
      false,
    );
    reply.json(201, body.mode === 'chat' ? { token } : { token, download: `/download/${CLIENT_FILE_NAME}?ak=${token}` });
  });

  route(app, ctx, 'get', `/download/${CLIENT_FILE_NAME}`, (req, reply) => {
    if (!ctx.builds.available()) throw new AppError('NOT_FOUND', 'the customer client was not built');
    const token = req.query.get('ak') ?? undefined;
    if (token !== undefined) {
      if (!/^[A-Za-z0-9_-]{20,64}$/.test(token)) throw new AppError('KEY_UNKNOWN');
      ctx.sessions.ticketFor({ token });
    }
    const build = ctx.builds.build(token);
    reply.send(200, build.bytes, [
      ['Content-Type', 'text/javascript; charset=utf-8'],
      ['Content-Disposition', `attachment; filename="${CLIENT_FILE_NAME}"`],
      ['X-Content-SHA256', build.sha256],
      ['Cache-Control', 'no-store'],
    ]);
  });
}
