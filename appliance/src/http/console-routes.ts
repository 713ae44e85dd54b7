/**
 * Console HTTP endpoints that are request/response by nature (F10):
 * generating a session key and sending its invitation by server mail.
 * Everything live (queues, chat, accept…) runs over /ws/console.
 */
import { AppError } from '../../../common/errors.ts';
import { parseShape } from '../../../common/validate.ts';
import { invitationMail } from '../domain/invitation-mail.ts';
import { personalQueue } from '../domain/sessions.ts';
import type { Context } from '../context.ts';
import type { TemplatedApp } from '../uws.ts';
import { readJson, route } from './kit.ts';

/** A key may be valid from 1 minute to 7 days; the console offers common choices. */
export const KEY_TTL_MINUTES = { min: 1, max: 7 * 24 * 60 } as const;

const NEW_KEY = {
  ttlMinutes: { kind: 'int', ...KEY_TTL_MINUTES },
  lang: { kind: 'enum', values: ['en', 'de'], optional: true },
} as const;

const EMAIL = {
  /** The access token from the key's URL: proves the rep holds this key. */
  token: { kind: 'string', min: 20, max: 64, pattern: /^[A-Za-z0-9_-]+$/ },
  to: { kind: 'string', min: 3, max: 254, pattern: /^[^\s@<>,;"]+@[^\s@<>,;"]+\.[^\s@<>,;"]+$/ },
  lang: { kind: 'enum', values: ['en', 'de'], optional: true },
} as const;

export function mountConsoleRoutes(app: TemplatedApp, ctx: Context): void {
  const requireConsole = (req: Parameters<typeof ctx.auth.require>[0]) => {
    const who = ctx.auth.require(req, 'console');
    if (!ctx.settings.security().allowWebConsole) throw new AppError('CONSOLE_DISABLED');
    return who;
  };

  route(app, ctx, 'post', '/api/console/session-keys', async (req, reply) => {
    const who = requireConsole(req);
    const body = parseShape(NEW_KEY, await readJson(reply, req));
    const now = Date.now();
    const { token, shortKey, ticket } = ctx.starts.createSync(
      {
        queue: personalQueue(who.user.id),
        source: 'key',
        repId: who.user.id,
        customerName: '',
        details: '',
        issue: null,
        originTeam: null,
        createdAt: now,
        expiresAt: now + body.ttlMinutes * 60_000,
        oneTime: true,
      },
      true,
    );
    const url = `${ctx.publicOrigin}/?ak=${token}`;
    const mail = invitationMail({ shortKey: shortKey!, url, repName: who.user.displayName, expiresAt: ticket.expiresAt }, body.lang ?? 'en');
    ctx.log.info({ rep: who.user.username, ttlMinutes: body.ttlMinutes }, 'session key generated');
    reply.json(201, {
      shortKey,
      token,
      url,
      expiresAt: ticket.expiresAt,
      portal: ctx.publicOrigin,
      mailSubject: mail.subject,
      mailBody: mail.body,
      mailto: `mailto:?subject=${encodeURIComponent(mail.subject)}&body=${encodeURIComponent(mail.body)}`,
    });
  });

  route(app, ctx, 'post', '/api/console/session-keys/email', async (req, reply) => {
    const who = requireConsole(req);
    const body = parseShape(EMAIL, await readJson(reply, req));
    const found = ctx.starts.byToken(body.token);
    // Only the rep who made the key may mail it; others learn nothing about it.
    if (!found || found.ticket.repId !== who.user.id) throw new AppError('KEY_UNKNOWN');
    if (found.ticket.usedAt !== null) throw new AppError('KEY_USED');
    if (found.ticket.expiresAt <= Date.now()) throw new AppError('KEY_EXPIRED');
    const url = `${ctx.publicOrigin}/?ak=${body.token}`;
    const mail = invitationMail({ shortKey: found.ticket.shortKey ?? '', url, repName: who.user.displayName, expiresAt: found.ticket.expiresAt }, body.lang ?? 'en');
    await ctx.mailer.send({ to: body.to, subject: mail.subject, text: mail.body });
    ctx.log.info({ rep: who.user.username }, 'session key mailed');
    reply.json(200, { sent: true });
  });
}
