/**
 * The vault (F18) for administrators: `GET/POST /api/admin/vault`,
 * `PUT/DELETE /api/admin/vault/:id`, `POST /api/admin/vault/:id/checkin`.
 * `GET` answers `{ credentials, log, users, teams }`: every credential
 * without its secret (`hasPassphrase` says whether a key passphrase is
 * set; who holds it checked out, since when, for which session), the newest
 * 200 log entries, and the users and teams to choose from. A `PUT` with an
 * empty `secret` keeps the stored one: a secret can be replaced, never read.
 */
import { AppError } from '../../../common/errors.ts';
import { ID_PATTERN, parseShape } from '../../../common/validate.ts';
import type { Context } from '../context.ts';
import type { CredentialBroker } from '../vault/broker.ts';
import { MAX_VAULT_SECRET, type Vault, type VaultInput } from '../vault/vault.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route, type Req } from './kit.ts';

const BODY = {
  name: { kind: 'string', min: 1, max: 100 },
  username: { kind: 'string', min: 1, max: 64 },
  kind: { kind: 'enum', values: ['password', 'private_key'] },
  secret: { kind: 'string', max: MAX_VAULT_SECRET },
  passphrase: { kind: 'string', max: 1024, optional: true },
  description: { kind: 'string', max: 500, optional: true },
  userIds: { kind: 'idList', max: 500 },
  teamIds: { kind: 'idList', max: 500 },
  hostPattern: { kind: 'string', max: 253, optional: true },
} as const;

function vaultBody(input: unknown): VaultInput {
  const b = parseShape(BODY, input);
  return { ...b, passphrase: b.passphrase ?? '', description: b.description ?? '', hostPattern: (b.hostPattern ?? '').trim() };
}

export function mountVaultRoutes(app: TemplatedApp, ctx: Context, vault: Vault, broker: CredentialBroker): void {
  const idOf = (req: Req): string => {
    const id = req.params[0] ?? '';
    if (!ID_PATTERN.test(id)) throw new AppError('UNKNOWN_ID');
    return id;
  };
  route(app, ctx, 'get', '/api/admin/vault', (req, reply) => {
    ctx.auth.requireAdmin(req);
    reply.json(200, {
      credentials: vault.all(),
      log: vault.history(200),
      users: ctx.users.list().filter((u) => !u.disabled).map((u) => ({ id: u.id, name: u.displayName })),
      teams: ctx.teams.list().map((t) => ({ id: t.id, name: t.name })),
    });
  });
  route(app, ctx, 'post', '/api/admin/vault', async (req, reply) => {
    const who = ctx.auth.requireAdmin(req);
    const body = vaultBody(await readJson(reply, req));
    reply.json(201, { credential: vault.create(body, who.user.displayName) });
  });
  route(app, ctx, 'put', '/api/admin/vault/:id', async (req, reply) => {
    const who = ctx.auth.requireAdmin(req);
    const id = idOf(req);
    const body = vaultBody(await readJson(reply, req));
    reply.json(200, { credential: vault.update(id, body, who.user.displayName) });
  });
  route(app, ctx, 'del', '/api/admin/vault/:id', (req, reply) => {
    const who = ctx.auth.requireAdmin(req);
    vault.remove(idOf(req), who.user.displayName);
    reply.json(200, { ok: true });
  });
  route(app, ctx, 'post', '/api/admin/vault/:id/checkin', (req, reply) => {
    const who = ctx.auth.requireAdmin(req);
    broker.checkIn(who.user.id, idOf(req));
    reply.json(200, { ok: true });
  });
}
