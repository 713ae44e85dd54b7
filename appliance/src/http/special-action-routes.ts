/**
 * Administration API for special actions: list, create, replace and delete
 * (admin only, CSRF on writes through `requireAdmin`). Bodies are checked
 * strictly against SPECIAL_ACTION_BODY; a refused body changes nothing.
 */
import { AppError } from '../../../common/errors.ts';
import { SPECIAL_ACTION_BODY } from '../../../common/special-actions.ts';
import { ID_PATTERN, parseShape } from '../../../common/validate.ts';
import type { Context } from '../context.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route, type Req } from './kit.ts';

function pathId(req: Req): string {
  const id = req.params[0] ?? '';
  if (!ID_PATTERN.test(id)) throw new AppError('UNKNOWN_ID', 'malformed id');
  return id;
}

function body(input: unknown): { name: string; command: string; elevated: boolean; description: string } {
  const b = parseShape(SPECIAL_ACTION_BODY, input);
  return { name: b.name.trim(), command: b.command, elevated: b.elevated, description: b.description.trim() };
}

export function mountSpecialActionRoutes(app: TemplatedApp, ctx: Context): void {
  const { auth, actions } = ctx;

  route(app, ctx, 'get', '/api/admin/special-actions', (req, reply) => {
    auth.requireAdmin(req);
    reply.json(200, { actions: actions.list() });
  });

  route(app, ctx, 'post', '/api/admin/special-actions', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const action = actions.createSync(body(await readJson(reply, req)));
    ctx.log.info({ by: who.user.username, action: action.name, elevated: action.elevated }, 'special action created');
    reply.json(201, { action });
  });

  route(app, ctx, 'put', '/api/admin/special-actions/:id', async (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = pathId(req);
    const action = actions.replaceSync(id, body(await readJson(reply, req)));
    ctx.log.info({ by: who.user.username, action: action.name, elevated: action.elevated }, 'special action changed');
    reply.json(200, { action });
  });

  route(app, ctx, 'del', '/api/admin/special-actions/:id', (req, reply) => {
    const who = auth.requireAdmin(req);
    const id = pathId(req);
    const name = actions.get(id)?.name;
    actions.removeSync(id);
    ctx.log.info({ by: who.user.username, action: name }, 'special action deleted');
    reply.json(200, { removed: id });
  });
}
