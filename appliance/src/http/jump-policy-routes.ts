/**
 * Jump policies (F15) for administrators: `GET/POST /api/admin/jump-policies`,
 * `PUT/DELETE /api/admin/jump-policies/:id`. A policy is a name, an IANA
 * time zone and weekly windows `{ day: 0–6, from: "HH:MM", to: "HH:MM" }`.
 * Consoles that see items using a changed policy are told at once.
 */
import { AppError } from '../../../common/errors.ts';
import { MAX_WINDOWS, formatClock, parseClock, validTimeZone, type JumpPolicy, type PolicyWindow } from '../../../common/jump-policy.ts';
import { ID_PATTERN, parseShape } from '../../../common/validate.ts';
import type { Context } from '../context.ts';
import { newId } from '../store/ids.ts';
import type { JumpPolicyStore, JumpStore } from '../store/jump-items.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route, type Req } from './kit.ts';

const HEAD = { name: { kind: 'string', min: 1, max: 100 }, timeZone: { kind: 'string', min: 1, max: 64 } } as const;
const WINDOW = { day: { kind: 'int', min: 0, max: 6 }, from: { kind: 'string', min: 5, max: 5 }, to: { kind: 'string', min: 5, max: 5 } } as const;

/** Windows arrive as a list of objects; checked here because the shape table has no nested lists. */
function policyBody(input: unknown): { name: string; timeZone: string; windows: PolicyWindow[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AppError('BAD_FIELD', 'body must be a JSON object');
  const { windows, ...rest } = input as Record<string, unknown>;
  const head = parseShape(HEAD, rest);
  if (!validTimeZone(head.timeZone)) throw new AppError('BAD_FIELD', 'timeZone is not a known time zone');
  if (!Array.isArray(windows) || windows.length > MAX_WINDOWS) throw new AppError('BAD_FIELD', `windows must be a list of at most ${MAX_WINDOWS}`);
  const parsed = windows.map((w, i) => {
    const v = parseShape(WINDOW, w);
    const from = parseClock(v.from);
    const to = parseClock(v.to);
    if (from === undefined || to === undefined || from >= to) throw new AppError('BAD_FIELD', `windows[${i}] needs HH:MM times with from before to`);
    return { day: v.day, from, to };
  });
  const name = head.name.trim();
  if (!name) throw new AppError('BAD_FIELD', 'name is empty');
  return { name, timeZone: head.timeZone, windows: parsed };
}

const view = (p: JumpPolicy) => ({ ...p, windows: p.windows.map((w) => ({ day: w.day, from: formatClock(w.from), to: formatClock(w.to) })) });

export function mountJumpPolicyRoutes(app: TemplatedApp, ctx: Context, policies: JumpPolicyStore, jumps: JumpStore): void {
  const idOf = (req: Req): string => {
    const id = req.params[0] ?? '';
    if (!ID_PATTERN.test(id)) throw new AppError('UNKNOWN_ID');
    return id;
  };
  // Reps read the list too (to pick a policy for their items in the console): either sign-in does.
  route(app, ctx, 'get', '/api/admin/jump-policies', (req, reply) => {
    if (!(ctx.auth.authenticate(req, 'web') ?? ctx.auth.authenticate(req, 'console'))) throw new AppError('AUTH_REQUIRED');
    reply.json(200, { policies: policies.list().map(view) });
  });
  route(app, ctx, 'post', '/api/admin/jump-policies', async (req, reply) => {
    ctx.auth.requireAdmin(req);
    const body = policyBody(await readJson(reply, req));
    reply.json(201, { policy: view(policies.putSync({ id: newId(), ...body })) });
  });
  route(app, ctx, 'put', '/api/admin/jump-policies/:id', async (req, reply) => {
    ctx.auth.requireAdmin(req);
    const id = idOf(req);
    if (!policies.get(id)) throw new AppError('UNKNOWN_ID');
    const body = policyBody(await readJson(reply, req));
    const p = policies.putSync({ id, ...body });
    ctx.jumps.announceAll();
    reply.json(200, { policy: view(p) });
  });
  route(app, ctx, 'del', '/api/admin/jump-policies/:id', (req, reply) => {
    ctx.auth.requireAdmin(req);
    if (!policies.removeSync(idOf(req), jumps)) throw new AppError('UNKNOWN_ID');
    ctx.jumps.announceAll();
    reply.json(200, { ok: true });
  });
}
