/** Start tickets over time: a key works until it expires, and only once. */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import t from 'tap';
import { openStoreSync } from '../store/db.ts';
import { IssueStore } from '../store/issues.ts';
import { PrefsStore } from '../store/prefs.ts';
import { SessionStore } from '../store/sessions.ts';
import { SettingsStore } from '../store/settings.ts';
import { StartTokenStore } from '../store/start-tokens.ts';
import { TeamChatStore } from '../store/team-chat.ts';
import { TeamStore } from '../store/teams.ts';
import { UserStore } from '../store/users.ts';
import { SessionService } from './session-service.ts';

t.test('a session key is refused once expired, and once used', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-svc-'));
  const store = openStoreSync(dir);
  t.teardown(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let now = 1_000_000;
  const users = new UserStore(store);
  const starts = new StartTokenStore(store);
  const svc = new SessionService({
    log: pino({ level: 'silent' }),
    users,
    teams: new TeamStore(store),
    sessions: new SessionStore(store),
    starts,
    issues: new IssueStore(store),
    prefs: new PrefsStore(store),
    teamChat: new TeamChatStore(store),
    settings: new SettingsStore(store),
    now: () => now,
  });
  svc.attach({ publishConsole: () => {}, publishCustomer: () => {}, setUserTopic: () => {}, closeCustomer: () => {}, isOnline: () => false });
  const rep = users.createSync({ username: 'rep', displayName: 'Rep', admin: false, passwordHash: 'x' });
  const make = () =>
    starts.createSync(
      { queue: `rep:${rep.id}`, source: 'key', repId: rep.id, customerName: '', details: '', issue: null, originTeam: null, createdAt: now, expiresAt: now + 10 * 60_000, oneTime: true },
      true,
    );
  const a = make();
  now += 10 * 60_000 - 1;
  t.ok(svc.ticketFor({ key: a.shortKey! }), 'valid until the last millisecond');
  now += 1;
  t.throws(() => svc.ticketFor({ key: a.shortKey! }), { code: 'KEY_EXPIRED' });
  t.throws(() => svc.ticketFor({ token: a.token }), { code: 'KEY_EXPIRED' }, 'the link expires with the key');

  const b = make();
  const started = svc.startSession(svc.ticketFor({ key: b.shortKey! }), { name: 'C' }, '127.0.0.1');
  t.throws(() => svc.ticketFor({ key: b.shortKey! }), { code: 'KEY_USED' });
  now += 60 * 60_000;
  t.equal(svc.resume(started.resume).id, started.record.id, 'the expiry bounds the start, not the session');
  t.throws(() => svc.ticketFor({ key: '9999999' }), { code: 'KEY_UNKNOWN' });
});
