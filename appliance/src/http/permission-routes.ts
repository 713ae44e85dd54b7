/**
 * Administration API for rep permissions (F31): read and replace the grant
 * of a user or a team. Admin only, with the CSRF token on writes (through
 * `requireAdmin`). A PUT body is the whole grant, checked strictly by
 * `parsePermissions`; a bad body is a coded error and changes nothing. A
 * changed grant is pushed to the affected users' open consoles by the
 * permission store's listener (wired in app.ts).
 */
import { AppError } from '../../../common/errors.ts';
import { parsePermissions } from '../../../common/permissions.ts';
import { ID_PATTERN } from '../../../common/validate.ts';
import type { Context } from '../context.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route, type Req } from './kit.ts';

function pathId(req: Req): string {
  const id = req.params[0] ?? '';
  if (!ID_PATTERN.test(id)) throw new AppError('UNKNOWN_ID', 'malformed id');
  return id;
}

export function mountPermissionRoutes(app: TemplatedApp, ctx: Context): void {
  const { auth, users, teams, permissions } = ctx;

  const user = (req: Req): string => {
    const id = pathId(req);
    if (!users.get(id)) throw new AppError('UNKNOWN_ID', 'user');
    return id;
  };
  const team = (req: Req): string => {
    const id = pathId(req);
    if (!teams.get(id)) throw new AppError('UNKNOWN_ID', 'team');
    return id;
  };

  route(app, ctx, 'get', '/api/admin/users/:id/permissions', (req, reply) => {
    auth.requireAdmin(req);
    const id = user(req);
    reply.json(200, { permissions: permissions.userGrant(id), effective: permissions.effective(id) });
  });

  route(app, ctx, 'put', '/api/admin/users/:id/permissions', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = user(req);
    const grant = parsePermissions(await readJson(reply, req));
    const saved = permissions.setUserGrantSync(id, grant);
    ctx.log.info({ by: who.user.username, user: users.get(id)?.username, permissions: saved }, 'user permissions changed');
    reply.json(200, { permissions: saved, effective: permissions.effective(id) });
  });

  route(app, ctx, 'get', '/api/admin/teams/:id/permissions', (req, reply) => {
    auth.requireAdmin(req);
    reply.json(200, { permissions: permissions.teamGrant(team(req)) });
  });

  route(app, ctx, 'put', '/api/admin/teams/:id/permissions', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = team(req);
    const grant = parsePermissions(await readJson(reply, req));
    const saved = permissions.setTeamGrantSync(id, grant);
    ctx.log.info({ by: who.user.username, team: teams.get(id)?.name, permissions: saved }, 'team permissions changed');
    reply.json(200, { permissions: saved });
  });
}
