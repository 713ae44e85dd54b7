/**
 * Administration API behind /login (F31, first part): users, teams and the
 * security settings. Every handler starts with `requireAdmin`, which also
 * enforces the CSRF token on writes. Writes are one LMDB transaction each.
 */
import { AppError } from '../../../common/errors.ts';
import { ID_PATTERN, USERNAME_PATTERN, parseShape } from '../../../common/validate.ts';
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH, TEAM_ROLES, toPublicUser, wouldRemoveLastAdmin, type TeamMember } from '../domain/accounts.ts';
import { hashPassword } from '../auth/password.ts';
import type { Context } from '../context.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route, type Req } from './kit.ts';

const PASSWORD = { kind: 'string', min: 1, max: MAX_PASSWORD_LENGTH } as const;
const DISPLAY_NAME = { kind: 'string', min: 1, max: 100 } as const;
const TEAM_NAME = { kind: 'string', min: 1, max: 100 } as const;

const NEW_USER = {
  username: { kind: 'string', max: 64, pattern: USERNAME_PATTERN },
  displayName: DISPLAY_NAME,
  password: PASSWORD,
  admin: { kind: 'bool', optional: true },
} as const;

const EDIT_USER = {
  displayName: { ...DISPLAY_NAME, optional: true },
  admin: { kind: 'bool', optional: true },
  disabled: { kind: 'bool', optional: true },
} as const;

const RESET_PASSWORD = { password: PASSWORD } as const;

const SECURITY = { allowWebConsole: { kind: 'bool' } } as const;

function checkPassword(pw: string): void {
  if ([...pw].length < MIN_PASSWORD_LENGTH) throw new AppError('WEAK_PASSWORD');
}

function pathId(req: Req): string {
  const id = req.params[0] ?? '';
  if (!ID_PATTERN.test(id)) throw new AppError('UNKNOWN_ID', 'malformed id');
  return id;
}

/** Team members arrive as `[{userId, role}]`; checked here because the shape table has no nested lists. */
function parseMembers(ctx: Context, value: unknown): TeamMember[] {
  if (!Array.isArray(value) || value.length > 1000) throw new AppError('BAD_FIELD', 'members must be a list of at most 1000');
  const seen = new Set<string>();
  return value.map((m, i) => {
    const parsed = parseShape({ userId: { kind: 'string', max: 22, pattern: ID_PATTERN }, role: { kind: 'enum', values: TEAM_ROLES } }, m);
    if (!ctx.users.get(parsed.userId)) throw new AppError('UNKNOWN_ID', `members[${i}].userId`);
    if (seen.has(parsed.userId)) throw new AppError('BAD_FIELD', `members[${i}] repeats a user`);
    seen.add(parsed.userId);
    return { userId: parsed.userId, role: parsed.role };
  });
}

function teamBody(ctx: Context, input: unknown, partial: boolean): { name?: string; members?: TeamMember[] } {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new AppError('BAD_FIELD', 'body must be a JSON object');
  const { members, ...rest } = input as Record<string, unknown>;
  const named = parseShape({ name: { ...TEAM_NAME, optional: partial } }, rest);
  const out: { name?: string; members?: TeamMember[] } = {};
  if (named.name !== undefined) out.name = named.name.trim();
  if (out.name === '') throw new AppError('BAD_FIELD', 'name is empty');
  if (members !== undefined) out.members = parseMembers(ctx, members);
  else if (!partial) out.members = [];
  return out;
}

export function mountAdminRoutes(app: TemplatedApp, ctx: Context): void {
  const { auth, users, teams } = ctx;

  route(app, ctx, 'get', '/api/admin/users', (req, reply) => {
    auth.requireAdmin(req);
    reply.json(200, { users: users.list().map(toPublicUser) });
  });

  route(app, ctx, 'post', '/api/admin/users', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const body = parseShape(NEW_USER, await readJson(reply, req));
    checkPassword(body.password);
    if (users.byUsername(body.username)) throw new AppError('NAME_TAKEN', body.username);
    const passwordHash = await hashPassword(body.password);
    const user = users.createSync({ username: body.username, displayName: body.displayName.trim(), admin: body.admin ?? false, passwordHash });
    ctx.log.info({ by: who.user.username, user: user.username }, 'user created');
    reply.json(201, { user: toPublicUser(user) });
  });

  route(app, ctx, 'patch', '/api/admin/users/:id', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = pathId(req);
    const body = parseShape(EDIT_USER, await readJson(reply, req));
    const target = users.get(id);
    if (!target) throw new AppError('UNKNOWN_ID', 'user');
    const next = { admin: body.admin ?? target.admin, disabled: body.disabled ?? target.disabled };
    if (wouldRemoveLastAdmin(users.list(), target, next)) throw new AppError('LAST_ADMIN');
    const disabling = next.disabled && !target.disabled;
    const updated = users.updateSync(id, (u) => {
      if (body.displayName !== undefined) u.displayName = body.displayName.trim();
      u.admin = next.admin;
      u.disabled = next.disabled;
      if (disabling) u.credentialEpoch++;
    });
    if (disabling) auth.revokeUser(id);
    ctx.log.info({ by: who.user.username, user: updated.username, change: Object.keys(body) }, 'user changed');
    reply.json(200, { user: toPublicUser(updated) });
  });

  route(app, ctx, 'post', '/api/admin/users/:id/password', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = pathId(req);
    const body = parseShape(RESET_PASSWORD, await readJson(reply, req));
    checkPassword(body.password);
    if (!users.get(id)) throw new AppError('UNKNOWN_ID', 'user');
    const passwordHash = await hashPassword(body.password);
    const updated = users.updateSync(id, (u) => {
      u.passwordHash = passwordHash;
      u.credentialEpoch++;
    });
    auth.revokeUser(id);
    ctx.log.info({ by: who.user.username, user: updated.username }, 'password reset');
    reply.json(200, { user: toPublicUser(updated) });
  });

  route(app, ctx, 'get', '/api/admin/teams', (req, reply) => {
    auth.requireAdmin(req);
    reply.json(200, { teams: teams.list() });
  });

  route(app, ctx, 'post', '/api/admin/teams', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const body = teamBody(ctx, await readJson(reply, req), false);
    const team = teams.createSync(body.name!, body.members ?? []);
    ctx.log.info({ by: who.user.username, team: team.name }, 'team created');
    reply.json(201, { team });
  });

  route(app, ctx, 'patch', '/api/admin/teams/:id', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = pathId(req);
    const body = teamBody(ctx, await readJson(reply, req), true);
    const before = teams.get(id)?.members.map((m) => m.userId) ?? [];
    const team = teams.updateSync(id, (t) => {
      if (body.name !== undefined) t.name = body.name;
      if (body.members !== undefined) t.members = body.members;
    });
    // Joining or leaving a team changes what its grant adds to a rep's permissions.
    if (body.members !== undefined) ctx.permissions.notify([...before, ...team.members.map((m) => m.userId)]);
    ctx.log.info({ by: who.user.username, team: team.name }, 'team changed');
    reply.json(200, { team });
  });

  route(app, ctx, 'del', '/api/admin/teams/:id', (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = pathId(req);
    const former = teams.get(id)?.members.map((m) => m.userId) ?? [];
    teams.removeSync(id);
    ctx.permissions.removeTeamGrantSync(id);
    ctx.permissions.notify(former);
    ctx.log.info({ by: who.user.username, team: id }, 'team removed');
    reply.json(200, { removed: id });
  });

  route(app, ctx, 'get', '/api/admin/settings/security', (req, reply) => {
    auth.requireAdmin(req);
    reply.json(200, ctx.settings.security());
  });

  route(app, ctx, 'put', '/api/admin/settings/security', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const body = parseShape(SECURITY, await readJson(reply, req));
    const next = ctx.settings.setSecuritySync({ ...ctx.settings.security(), allowWebConsole: body.allowWebConsole });
    if (!next.allowWebConsole) ctx.hub.signOut(ctx.authSessions.revokeKindSync('console'), 'disabled');
    ctx.log.info({ by: who.user.username, allowWebConsole: next.allowWebConsole }, 'security settings changed');
    reply.json(200, next);
  });
}

const ISSUE = {
  codeName: { kind: 'string', min: 1, max: 64, pattern: /^[a-z0-9_-]+$/ },
  description: { kind: 'string', min: 1, max: 200 },
  teamId: { kind: 'string', min: 22, max: 22, pattern: ID_PATTERN },
} as const;

const SMTP = {
  host: { kind: 'string', min: 1, max: 255, pattern: /^[A-Za-z0-9.:-]+$/ },
  port: { kind: 'int', min: 1, max: 65535 },
  security: { kind: 'enum', values: ['none', 'starttls', 'tls'] },
  username: { kind: 'string', max: 255, optional: true },
  /** Omitted: keep the stored password. */
  password: { kind: 'string', max: 1024, optional: true },
  /** True: remove the stored password (a blank field in the form means "keep"). */
  clearPassword: { kind: 'bool', optional: true },
  from: { kind: 'string', min: 3, max: 254, pattern: /^[^\s<>,;"]+@[^\s<>,;"]+$/ },
  caPem: { kind: 'string', max: 20_000, optional: true },
} as const;

const SESSION_SETTINGS = { repGraceSeconds: { kind: 'int', min: 0, max: 3600 } } as const;

/** Portal issues (problem types → team queue), mail server, session rules (F11, F10, F30). */
export function mountAdminSessionRoutes(app: TemplatedApp, ctx: Context): void {
  const { auth } = ctx;

  route(app, ctx, 'get', '/api/admin/issues', (req, reply) => {
    auth.requireAdmin(req);
    reply.json(200, { issues: ctx.issues.list() });
  });

  route(app, ctx, 'post', '/api/admin/issues', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const body = parseShape(ISSUE, await readJson(reply, req));
    if (!ctx.teams.get(body.teamId)) throw new AppError('UNKNOWN_ID', 'team');
    if (ctx.issues.get(body.codeName)) throw new AppError('NAME_TAKEN', body.codeName);
    const issue = ctx.issues.putSync({ codeName: body.codeName, description: body.description.trim(), teamId: body.teamId });
    ctx.log.info({ by: who.user.username, issue: issue.codeName }, 'portal issue saved');
    reply.json(201, { issue });
  });

  route(app, ctx, 'del', '/api/admin/issues/:code', (req, reply) => {
    auth.requireAdmin(req);
    const code = req.params[0] ?? '';
    if (!/^[a-z0-9_-]{1,64}$/.test(code)) throw new AppError('ISSUE_UNKNOWN');
    ctx.issues.removeSync(code);
    reply.json(200, { removed: code });
  });

  route(app, ctx, 'get', '/api/admin/settings/smtp', (req, reply) => {
    auth.requireAdmin(req);
    const smtp = ctx.settings.smtp();
    reply.json(200, { smtp: smtp ? { ...smtp, password: undefined, hasPassword: smtp.password !== '' } : null });
  });

  route(app, ctx, 'put', '/api/admin/settings/smtp', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const body = parseShape(SMTP, await readJson(reply, req));
    const old = ctx.settings.smtp();
    ctx.settings.setSmtpSync({
      host: body.host,
      port: body.port,
      security: body.security,
      username: body.username ?? '',
      password: body.clearPassword ? '' : (body.password ?? old?.password ?? ''),
      from: body.from,
      caPem: body.caPem ?? '',
    });
    ctx.log.info({ by: who.user.username, host: body.host }, 'mail settings changed');
    reply.json(200, { saved: true });
  });

  route(app, ctx, 'get', '/api/admin/settings/sessions', (req, reply) => {
    auth.requireAdmin(req);
    reply.json(200, ctx.settings.sessions());
  });

  route(app, ctx, 'put', '/api/admin/settings/sessions', async (req, reply) => {
    auth.requireAdmin(req);
    const body = parseShape(SESSION_SETTINGS, await readJson(reply, req));
    reply.json(200, ctx.settings.setSessionsSync(body));
  });
}
