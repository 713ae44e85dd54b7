/**
 * The integration APIs (F33), in the shapes help-desk integrations already
 * speak (SPEC "Integration APIs"):
 *
 * - `POST /oauth2/token`: client credentials (HTTP Basic) → a bearer token
 *   for an hour; errors in the RFC 6749 JSON form.
 * - `/api/command?action=…` (GET, or POST form-encoded): session keys,
 *   logged-in reps, teams, transfer / terminate / chat, custom attributes,
 *   API info and health. Answers are XML; failures are `<error>…</error>`
 *   with a fitting HTTP status.
 * - `/api/reporting?generate_report=…`: SupportSession (by `lsid`/`lsids`
 *   or by start date/time and duration), SupportSessionListing, SupportTeam
 *   and JumpItem, as XML.
 *
 * Every request is authenticated by its bearer token and checked against
 * its account's permissions (command, reporting). What an account does is
 * logged, and shown in session logs as "API: <account name>".
 *
 * Not offered: `join_session` and `leave_session` (an API account is not a
 * rep), and `/api/client_script`; both answer with a clear error.
 */
import { AppError } from '../../../common/errors.ts';
import { MESSAGES, format, type MessageKey } from '../../../common/messages.ts';
import { EVENT_KINDS, isQueueId, type QueueId, type SessionEvent, type ChatMessage } from '../../../common/sessions.ts';
import type { Context } from '../context.ts';
import { personalQueue, teamQueue, type SessionRecord } from '../domain/sessions.ts';
import { invitationMail } from '../domain/invitation-mail.ts';
import { readBody, route, type Reply, type Req } from '../http/kit.ts';
import type { TemplatedApp } from '../uws.ts';
import { ApiAccounts, toPublicAccount, type ApiAccount } from './api-accounts.ts';
import { x, xmlDocument, type XmlElement } from './xml.ts';
import type { WebhookEndpoint, Webhooks } from './webhooks.ts';
import { ID_PATTERN, parseShape } from '../../../common/validate.ts';
import { readJson } from '../http/kit.ts';

const API_VERSION = '1.0';
/** Form bodies are small: 16 KiB. */
const MAX_FORM = 16 * 1024;
const SESSION_KEY_TTL = { min: 60, max: 86_400, default: 3600 };

class ApiFailure extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function xmlReply(reply: Reply, status: number, root: XmlElement): void {
  reply.send(status, xmlDocument(root), [
    ['Content-Type', 'application/xml; charset=utf-8'],
    ['Cache-Control', 'no-store'],
  ]);
}

/** Query parameters, plus a form-encoded body for POST. */
async function params(reply: Reply, req: Req): Promise<URLSearchParams> {
  const out = new URLSearchParams(req.query);
  if (req.method === 'POST') {
    const type = req.headers['content-type'] ?? '';
    const body = await readBody(reply, req, MAX_FORM);
    if (body.length > 0) {
      if (!/^application\/x-www-form-urlencoded(\s*;|$)/i.test(type)) throw new ApiFailure(415, 'POST bodies must be application/x-www-form-urlencoded');
      for (const [k, v] of new URLSearchParams(body.toString('utf8'))) out.append(k, v);
    }
  }
  return out;
}

function bearer(req: Req): string {
  const m = /^Bearer\s+([A-Za-z0-9_-]{20,100})$/.exec(req.headers.authorization ?? '');
  return m?.[1] ?? '';
}

const iso = (ms: number): string => new Date(ms).toISOString().replace('.000Z', 'Z');
const seconds = (ms: number): number => Math.floor(ms / 1000);
function hms(ms: number): string {
  const t = Math.max(0, Math.round(ms / 1000));
  return `${String(Math.floor(t / 3600)).padStart(2, '0')}:${String(Math.floor(t / 60) % 60).padStart(2, '0')}:${String(t % 60).padStart(2, '0')}`;
}

function required(p: URLSearchParams, name: string, pattern = /^.{1,255}$/s): string {
  const v = p.get(name);
  if (v === null || v === '') throw new ApiFailure(400, `${name} is required`);
  if (!pattern.test(v)) throw new ApiFailure(400, `${name} is not valid`);
  return v;
}

const LSID = /^[A-Za-z0-9_-]{22}$/;

export function mountIntegrationRoutes(app: TemplatedApp, ctx: Context, accounts: ApiAccounts): void {
  const { log } = ctx;

  /** The session, or a 404 in XML terms. */
  const session = (lsid: string): SessionRecord => {
    if (!LSID.test(lsid)) throw new ApiFailure(400, 'lsid is not valid');
    try {
      return ctx.sessions.record(lsid);
    } catch {
      throw new ApiFailure(404, 'no session with this lsid');
    }
  };

  /** `general`, `rep:<id>`, `team:<id>`, `rep_username:<name>`, `issue:<code_name>` → a queue. */
  const queueOf = (value: string): QueueId => {
    if (value === 'general') {
      // The general queue is the oldest team's: the one an appliance is set up with first.
      const first = ctx.teams.list().sort((a, b) => a.createdAt - b.createdAt)[0];
      if (!first) throw new ApiFailure(400, 'there is no team to be the general queue');
      return teamQueue(first.id);
    }
    if (value.startsWith('rep_username:')) {
      const u = ctx.users.byUsername(value.slice('rep_username:'.length));
      if (!u || u.disabled) throw new ApiFailure(400, 'no such rep');
      return personalQueue(u.id);
    }
    if (value.startsWith('issue:')) {
      const issue = ctx.issues.get(value.slice('issue:'.length));
      if (!issue) throw new ApiFailure(400, 'no such issue');
      return teamQueue(issue.teamId);
    }
    if (!isQueueId(value) || !ctx.sessions.queueExists(value)) throw new ApiFailure(400, 'queue_id is not a queue');
    return value;
  };

  const repXml = (id: string): XmlElement => {
    const u = ctx.users.get(id);
    return x('rep', { id }, x('display_name', {}, u?.displayName ?? ''), x('public_display_name', {}, u?.displayName ?? ''), x('username', {}, u?.username ?? ''), x('type', {}, 'normal'));
  };

  const eventXml = (e: SessionEvent): XmlElement => {
    const text = format(MESSAGES.en[`event.${e.kind}` as MessageKey] ?? e.kind, { actor: e.actor ?? '—', ...e.params });
    return x('event', { timestamp: seconds(e.at), event_type: e.kind }, x('performed_by', {}, e.actor ?? ''), x('body', {}, text));
  };
  const chatXml = (c: ChatMessage): XmlElement =>
    x('event', { timestamp: seconds(c.at), event_type: 'Chat Message' }, x('performed_by', { type: c.from.kind === 'rep' ? 'representative' : c.from.kind }, c.from.kind === 'system' ? 'System' : c.from.name), x('body', {}, c.body));

  const sessionXml = (s: SessionRecord, full: boolean): XmlElement => {
    const reps = s.participants ?? s.members;
    const c = s.customer;
    const details: XmlElement[] = [];
    if (full) {
      const events = ctx.reports.read({ id: '', admin: true }, s.id);
      const merged = [...events.events.map((e) => ({ at: e.at, el: eventXml(e) })), ...events.chat.map((m) => ({ at: m.at, el: chatXml(m) }))].sort((a, b) => a.at - b.at);
      details.push(x('session_details', {}, ...merged.map((m) => m.el)));
    }
    return x(
      full ? 'session' : 'session_summary',
      { lsid: s.id },
      x('session_type', {}, 'support'),
      x('state', {}, s.state),
      x('start_time', { timestamp: seconds(s.createdAt) }, iso(s.createdAt)),
      s.endedAt ? x('end_time', { timestamp: seconds(s.endedAt) }, iso(s.endedAt)) : x('end_time'),
      x('duration', {}, hms((s.endedAt ?? Date.now()) - s.createdAt)),
      x('queue', {}, ctx.sessions.queueName(s.queue)),
      x('issue', {}, s.issue ?? ''),
      x(
        'customer_list',
        {},
        x('customer', {}, x('username', {}, c.name), x('hostname', {}, c.hostname), x('os', {}, c.os), x('public_ip', {}, c.publicIp), x('private_ip', {}, c.privateIps.join(',')), x('details', {}, c.details)),
      ),
      x('rep_list', {}, ...reps.map((id) => x('representative', { id, primary: s.owner === id ? 'true' : undefined }, x('username', {}, ctx.users.get(id)?.username ?? ''), x('display_name', {}, ctx.users.get(id)?.displayName ?? '')))),
      x('custom_attributes', {}, ...Object.entries(s.custom ?? {}).map(([k, v]) => x('custom_attribute', { code_name: k }, x('value', {}, v)))),
      ...details,
    );
  };

  const supportTeams = (): XmlElement =>
    x(
      'support_teams',
      {},
      ...ctx.teams.list().map((t) =>
        x(
          'support_team',
          { id: t.id },
          x('name', {}, t.name),
          x('queue_id', {}, teamQueue(t.id)),
          x('issues', {}, ...ctx.issues.list().filter((i) => i.teamId === t.id).map((i) => x('issue', { code_name: i.codeName }, i.description))),
          x('members', {}, ...t.members.map((m) => x('rep', { id: m.userId, role: m.role, logged_in: ctx.hub.isOnline(m.userId) ? 'true' : 'false' }, ctx.users.get(m.userId)?.displayName ?? ''))),
        ),
      ),
    );

  type Action = (p: URLSearchParams, account: ApiAccount) => XmlElement | Promise<XmlElement>;
  const by = (a: ApiAccount): string => `API: ${a.name}`;

  const commands: Record<string, Action> = {
    generate_session_key(p, a) {
      const type = p.get('type') ?? 'support';
      if (type !== 'support') throw new ApiFailure(400, 'type must be support');
      const queue = queueOf(required(p, 'queue_id'));
      const ttlText = p.get('ttl');
      const ttl = ttlText === null ? SESSION_KEY_TTL.default : Number(ttlText);
      if (!Number.isInteger(ttl) || ttl < SESSION_KEY_TTL.min || ttl > SESSION_KEY_TTL.max) throw new ApiFailure(400, `ttl must be ${SESSION_KEY_TTL.min} to ${SESSION_KEY_TTL.max} seconds`);
      const now = Date.now();
      const { token, shortKey, ticket } = ctx.starts.createSync(
        { queue, source: 'key', repId: queue.startsWith('rep:') ? queue.slice(4) : null, customerName: '', details: '', issue: null, originTeam: queue.startsWith('team:') ? queue.slice(5) : null, createdAt: now, expiresAt: now + ttl * 1000, oneTime: true },
        true,
      );
      const url = `${ctx.publicOrigin}/?ak=${token}`;
      const mail = invitationMail({ shortKey: shortKey!, url, repName: ctx.sessions.queueName(queue), expiresAt: ticket.expiresAt }, p.get('lang') === 'de' ? 'de' : 'en');
      log.info({ api: a.name, queue }, 'session key generated by an integration');
      return x(
        'session_key',
        { type: 'support' },
        x('short_key', {}, shortKey!),
        x('key_url', {}, url),
        x('ttl', {}, ttl),
        x('expires', { timestamp: seconds(ticket.expiresAt) }, iso(ticket.expiresAt)),
        x('queue', {}, ctx.sessions.queueName(queue)),
        x('queue_id', {}, queue),
        x('mail_subject', {}, mail.subject),
        x('mail_body', {}, mail.body),
      );
    },
    get_logged_in_reps() {
      return x('logged_in_reps', {}, ...ctx.hub.onlineUsers().map(repXml));
    },
    get_support_teams: () => supportTeams(),
    transfer_session(p, a) {
      const s = session(required(p, 'lsid'));
      const queue = queueOf(required(p, 'queue_id'));
      ctx.sessions.apiTransfer(s.id, queue, by(a));
      return x('success', {}, 'session transferred');
    },
    terminate_session(p, a) {
      const s = session(required(p, 'lsid'));
      ctx.sessions.apiEnd(s.id, by(a));
      return x('success', {}, 'session terminated');
    },
    async send_chat_message(p) {
      const s = session(required(p, 'lsid'));
      await ctx.sessions.apiChat(s.id, required(p, 'body', /^[\s\S]{1,4000}$/));
      return x('success', {}, 'chat message sent');
    },
    set_session_attributes(p) {
      const s = session(required(p, 'lsid'));
      const attrs: Record<string, string> = {};
      for (const [k, v] of p) {
        const m = /^session\.custom\.([a-z0-9_]{1,64})$/.exec(k);
        if (m) {
          if (v.length > 1024) throw new ApiFailure(400, `${k} is longer than 1024 characters`);
          attrs[m[1]!] = v;
        } else if (k.startsWith('session.')) throw new ApiFailure(400, `${k} is not a custom attribute (session.custom.<code_name>, code names a-z 0-9 _)`);
      }
      if (Object.keys(attrs).length === 0) throw new ApiFailure(400, 'give at least one session.custom.<code_name>');
      ctx.sessions.apiSetAttributes(s.id, attrs);
      return x('success', {}, 'attributes set');
    },
    get_session_attributes(p) {
      const s = session(required(p, 'lsid'));
      return x('custom_attributes', {}, ...Object.entries(s.custom ?? {}).map(([k, v]) => x('custom_attribute', { code_name: k }, x('value', {}, v))));
    },
    join_session() {
      throw new ApiFailure(400, 'join_session needs a representative; API accounts cannot join sessions');
    },
    leave_session() {
      throw new ApiFailure(400, 'leave_session needs a representative; API accounts cannot leave sessions');
    },
    get_api_info(_p, a) {
      return x(
        'api_info',
        {},
        x('api_version', {}, API_VERSION),
        x('timestamp', {}, seconds(Date.now())),
        x('permissions', {}, x('perm_command', {}, a.permissions.command ? 'true' : 'false'), x('perm_reporting', {}, a.permissions.reporting ? 'true' : 'false')),
      );
    },
    check_health() {
      return x('appliances', {}, x('appliance', { id: ctx.publicOrigin }, x('host', {}, new URL(ctx.publicOrigin).hostname), x('status', {}, 'ok'), x('failover_role', {}, 'primary')));
    },
  };

  const reports: Record<string, Action> = {
    SupportSession(p) {
      const ids = p.get('lsid') ? [p.get('lsid')!] : p.get('lsids') ? p.get('lsids')!.split(',').slice(0, 100) : undefined;
      if (ids) return x('session_list', {}, ...ids.map((id) => sessionXml(session(id.trim()), true)));
      return x('session_list', {}, ...range(p).map((s) => sessionXml(s, true)));
    },
    SupportSessionListing(p) {
      return x('session_summary_list', {}, ...range(p).map((s) => sessionXml(s, false)));
    },
    SupportTeam: () => supportTeams(),
    JumpItem() {
      return x(
        'jump_items',
        {},
        ...ctx.jumps.allItems().map((i) => x('jump_item', { id: i.id }, x('name', {}, i.name), x('group', {}, i.groupName), x('method', {}, i.method), x('hostname', {}, i.hostname), x('os', {}, i.os), x('online', {}, i.online ? 'true' : 'false'), x('last_accessed', {}, i.lastAccessed ? iso(i.lastAccessed) : ''))),
      );
    },
  };

  /** Sessions started in [start, start + duration): `start_date` (YYYY-MM-DD, UTC), optional `start_time` (HH:MM:SS), `duration` in seconds (0 = until now). */
  const range = (p: URLSearchParams): SessionRecord[] => {
    const date = required(p, 'start_date', /^\d{4}-\d{2}-\d{2}$/);
    const time = p.get('start_time') ?? '00:00:00';
    if (!/^\d{2}:\d{2}(:\d{2})?$/.test(time)) throw new ApiFailure(400, 'start_time is not HH:MM:SS');
    const start = Date.parse(`${date}T${time.length === 5 ? `${time}:00` : time}Z`);
    if (!Number.isFinite(start)) throw new ApiFailure(400, 'start_date is not a date');
    const duration = Number(p.get('duration') ?? '0');
    if (!Number.isInteger(duration) || duration < 0) throw new ApiFailure(400, 'duration is not a number of seconds');
    const end = duration === 0 ? Number.POSITIVE_INFINITY : start + duration * 1000;
    const rows = ctx.reports.list({ id: '', admin: true }, { from: start, to: Number.isFinite(end) ? end : undefined, limit: 200 }).rows;
    return rows.map((r) => ctx.sessions.record(r.id)).sort((a, b) => a.createdAt - b.createdAt);
  };

  const api = (path: string, table: Record<string, Action>, selector: string, permission: keyof ApiAccount['permissions']) => {
    const handle = async (req: Req, reply: Reply): Promise<void> => {
      try {
        const account = accounts.authenticate(bearer(req));
        if (!account) throw new ApiFailure(401, 'a valid bearer token is required (POST /oauth2/token)');
        if (!account.permissions[permission]) throw new ApiFailure(403, `this API account may not use the ${permission} API`);
        const p = await params(reply, req);
        const name = p.get(selector) ?? '';
        const action = Object.prototype.hasOwnProperty.call(table, name) ? table[name] : undefined;
        if (!action) throw new ApiFailure(400, `unknown ${selector}: ${name.slice(0, 60)}`);
        xmlReply(reply, 200, await action(p, account));
      } catch (err) {
        if (err instanceof ApiFailure) return xmlReply(reply, err.status, x('error', {}, err.message));
        if (err instanceof AppError) return xmlReply(reply, err.status, x('error', { code: err.code }, err.message));
        log.error({ err }, 'integration API failed');
        xmlReply(reply, 500, x('error', {}, 'internal error; the appliance keeps running'));
      }
    };
    route(app, ctx, 'get', path, handle);
    route(app, ctx, 'post', path, handle);
  };
  api('/api/command', commands, 'action', 'command');
  api('/api/reporting', reports, 'generate_report', 'reporting');

  route(app, ctx, 'post', '/oauth2/token', async (req, reply) => {
    const oauth = (status: number, error: string, description: string): void =>
      reply.json(status, { error, error_description: description }, status === 401 ? [['WWW-Authenticate', 'Basic realm="relaydesk"']] : []);
    const m = /^Basic\s+([A-Za-z0-9+/=]+)$/.exec(req.headers.authorization ?? '');
    const decoded = m ? Buffer.from(m[1]!, 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    if (colon < 1) return oauth(401, 'invalid_client', 'HTTP Basic client credentials are required');
    let p: URLSearchParams;
    try {
      p = await params(reply, { ...req, method: 'POST' });
    } catch (err) {
      if (err instanceof ApiFailure) return oauth(400, 'invalid_request', err.message);
      throw err;
    }
    if (p.get('grant_type') !== 'client_credentials') return oauth(400, 'unsupported_grant_type', 'only client_credentials');
    const issued = accounts.issueToken(decodeURIComponent(decoded.slice(0, colon)), decodeURIComponent(decoded.slice(colon + 1)));
    if (!issued) return oauth(401, 'invalid_client', 'unknown client, wrong secret, or the account is disabled');
    reply.json(200, { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn });
  });

  // ---- administration of API accounts ---------------------------------------------

  const ACCOUNT = {
    name: { kind: 'string', min: 1, max: 100 },
    command: { kind: 'bool' },
    reporting: { kind: 'bool' },
  } as const;
  const EDIT = {
    name: { kind: 'string', min: 1, max: 100, optional: true },
    command: { kind: 'bool', optional: true },
    reporting: { kind: 'bool', optional: true },
    enabled: { kind: 'bool', optional: true },
  } as const;
  const idOf = (req: Req): string => {
    const id = req.params[0] ?? '';
    if (!ID_PATTERN.test(id)) throw new AppError('UNKNOWN_ID');
    return id;
  };
  route(app, ctx, 'get', '/api/admin/api-accounts', (req, reply) => {
    ctx.auth.requireAdmin(req);
    reply.json(200, { accounts: accounts.list().map(toPublicAccount) });
  });
  route(app, ctx, 'post', '/api/admin/api-accounts', async (req, reply) => {
    const who = ctx.auth.requireAdmin(req);
    const body = parseShape(ACCOUNT, await readJson(reply, req));
    const { account, secret } = accounts.createSync(body.name.trim(), { command: body.command, reporting: body.reporting });
    log.info({ by: who.user.username, account: account.name }, 'API account created');
    reply.json(201, { account: toPublicAccount(account), clientSecret: secret });
  });
  route(app, ctx, 'patch', '/api/admin/api-accounts/:id', async (req, reply) => {
    ctx.auth.requireAdmin(req);
    const id = idOf(req);
    const body = parseShape(EDIT, await readJson(reply, req));
    const a = accounts.updateSync(id, (acc) => {
      if (body.name !== undefined) acc.name = body.name.trim();
      if (body.enabled !== undefined) acc.enabled = body.enabled;
      if (body.command !== undefined || body.reporting !== undefined) acc.permissions = { command: body.command ?? acc.permissions.command, reporting: body.reporting ?? acc.permissions.reporting };
    });
    reply.json(200, { account: toPublicAccount(a) });
  });
  route(app, ctx, 'post', '/api/admin/api-accounts/:id/secret', (req, reply) => {
    const who = ctx.auth.requireAdmin(req);
    const id = idOf(req);
    const secret = accounts.regenerateSync(id);
    log.info({ by: who.user.username, account: id }, 'API account secret regenerated');
    reply.json(200, { clientSecret: secret });
  });
  route(app, ctx, 'del', '/api/admin/api-accounts/:id', (req, reply) => {
    ctx.auth.requireAdmin(req);
    accounts.removeSync(idOf(req));
    reply.json(200, { ok: true });
  });
}

const WEBHOOK = {
  url: { kind: 'string', min: 9, max: 2000 },
  events: { kind: 'stringList', max: 40, itemMax: 40 },
  caPem: { kind: 'string', max: 20_000, optional: true },
} as const;
const WEBHOOK_EDIT = {
  url: { kind: 'string', min: 9, max: 2000, optional: true },
  events: { kind: 'stringList', max: 40, itemMax: 40, optional: true },
  caPem: { kind: 'string', max: 20_000, optional: true },
  enabled: { kind: 'bool', optional: true },
} as const;

/** Administration of outbound event endpoints (`/api/admin/webhooks`). */
export function mountWebhookRoutes(app: TemplatedApp, ctx: Context, hooks: Webhooks): void {
  const events = (list: readonly string[] | undefined): string[] | undefined => {
    if (list === undefined) return undefined;
    for (const e of list) if (!(EVENT_KINDS as readonly string[]).includes(e)) throw new AppError('BAD_FIELD', `unknown event ${e.slice(0, 40)}`);
    return [...new Set(list)];
  };
  const pem = (v: string | undefined): string | undefined => {
    if (v === undefined || v.trim() === '') return v === undefined ? undefined : '';
    if (!v.includes('-----BEGIN CERTIFICATE-----')) throw new AppError('BAD_FIELD', 'caPem must be a PEM certificate');
    return v;
  };
  const view = (e: WebhookEndpoint) => ({ ...e, queued: hooks.queued(e.id) });
  const idOf = (req: Req): string => {
    const id = req.params[0] ?? '';
    if (!ID_PATTERN.test(id)) throw new AppError('UNKNOWN_ID');
    return id;
  };
  route(app, ctx, 'get', '/api/admin/webhooks', (req, reply) => {
    ctx.auth.requireAdmin(req);
    reply.json(200, { webhooks: hooks.list().map(view), events: EVENT_KINDS });
  });
  route(app, ctx, 'post', '/api/admin/webhooks', async (req, reply) => {
    const who = ctx.auth.requireAdmin(req);
    const body = parseShape(WEBHOOK, await readJson(reply, req));
    const ep = hooks.createSync(body.url.trim(), events(body.events)!, pem(body.caPem) ?? '');
    ctx.log.info({ by: who.user.username, url: ep.url }, 'webhook added');
    reply.json(201, { webhook: view(ep) });
  });
  route(app, ctx, 'patch', '/api/admin/webhooks/:id', async (req, reply) => {
    ctx.auth.requireAdmin(req);
    const id = idOf(req);
    const body = parseShape(WEBHOOK_EDIT, await readJson(reply, req));
    const ev = events(body.events);
    const ca = pem(body.caPem);
    const ep = hooks.updateSync(id, (e) => {
      if (body.url !== undefined) e.url = body.url.trim();
      if (ev !== undefined) e.events = ev;
      if (ca !== undefined) e.caPem = ca;
      if (body.enabled !== undefined) e.enabled = body.enabled;
    });
    hooks.start();
    reply.json(200, { webhook: view(ep) });
  });
  route(app, ctx, 'del', '/api/admin/webhooks/:id', (req, reply) => {
    ctx.auth.requireAdmin(req);
    hooks.removeSync(idOf(req));
    reply.json(200, { ok: true });
  });
  route(app, ctx, 'post', '/api/admin/webhooks/:id/test', (req, reply) => {
    ctx.auth.requireAdmin(req);
    hooks.test(idOf(req));
    reply.json(202, { ok: true });
  });
}
