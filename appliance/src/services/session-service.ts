/**
 * Orchestrates support sessions: applies the domain's transitions, stores
 * them with their events, and publishes the results to the right audiences.
 *
 * Topics (uWS pub/sub; the console and customer sockets subscribe):
 *   q/<queueId>   summaries of sessions entering, waiting in or leaving a queue
 *   s/<sessionId> chat, events and summaries for the reps who are members
 *   c/<sessionId> what the customer of that session sees (customer protocol)
 *   t/<teamId>    team chat
 * A console learns only what its subscriptions carry, and it is subscribed
 * only to queues it belongs to and sessions it is a member of.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../../../common/errors.ts';
import type { ApplianceToCustomer } from '../../../common/customer-protocol.ts';
import type { ApplianceToConsole, QueueInfo, TransferTargets } from '../../../common/protocol.ts';
import {
  HISTORY_LIMIT,
  isQueueId,
  type ChatAuthor,
  type ChatMessage,
  type CustomerInfo,
  type QueueId,
  type SessionEvent,
  type SessionEventKind,
  type SessionSummary,
} from '../../../common/sessions.ts';
import * as sm from '../domain/sessions.ts';
import type { IssueStore } from '../store/issues.ts';
import { newId } from '../store/ids.ts';
import type { PrefsStore } from '../store/prefs.ts';
import type { SessionStore } from '../store/sessions.ts';
import type { SettingsStore } from '../store/settings.ts';
import type { StartTicket, StartTokenStore } from '../store/start-tokens.ts';
import type { TeamChatStore } from '../store/team-chat.ts';
import type { TeamStore } from '../store/teams.ts';
import type { UserStore } from '../store/users.ts';

export interface Publisher {
  publishConsole(topic: string, msg: ApplianceToConsole): void;
  publishCustomer(topic: string, msg: ApplianceToCustomer): void;
  /** (Un)subscribes every console socket of `userId` to `topic`. */
  setUserTopic(userId: string, topic: string, on: boolean): void;
  /** Closes every customer socket of a session (after `end`). */
  closeCustomer(sessionId: string): void;
  isOnline(userId: string): boolean;
}

export interface SessionDeps {
  readonly log: Logger;
  readonly users: UserStore;
  readonly teams: TeamStore;
  readonly sessions: SessionStore;
  readonly starts: StartTokenStore;
  readonly issues: IssueStore;
  readonly prefs: PrefsStore;
  readonly teamChat: TeamChatStore;
  readonly settings: SettingsStore;
  readonly now?: () => number;
}

/** How long after first use a start key may re-attach to its own session (a lost `joined` reply). */
export const REJOIN_WINDOW_MS = 2 * 60_000;

export const topic = {
  queue: (q: QueueId) => `q/${q}`,
  session: (id: string) => `s/${id}`,
  customer: (id: string) => `c/${id}`,
  team: (id: string) => `t/${id}`,
};

/** The session id of a `s/<session>` topic, else undefined. */
export function sessionOfTopic(t: string): string | undefined {
  return t.startsWith('s/') ? t.slice(2) : undefined;
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('base64url');
}

export class SessionService {
  private publisher: Publisher | undefined;
  private readonly graceTimers = new Map<string, NodeJS.Timeout>();
  private readonly now: () => number;

  constructor(private readonly d: SessionDeps) {
    this.now = d.now ?? Date.now;
  }

  attach(publisher: Publisher): void {
    this.publisher = publisher;
  }

  private get pub(): Publisher {
    if (!this.publisher) throw new Error('session service used before a publisher was attached');
    return this.publisher;
  }

  // ---- who is who -------------------------------------------------------

  actor(userId: string): sm.Actor {
    const user = this.d.users.get(userId);
    if (!user || user.disabled) throw new AppError('AUTH_REQUIRED');
    const queues = new Set<QueueId>([sm.personalQueue(userId)]);
    for (const { team } of this.d.teams.ofUser(userId)) queues.add(sm.teamQueue(team.id));
    return { id: userId, name: user.displayName, queues };
  }

  queueName(q: QueueId): string {
    const [kind, id] = q.split(':') as ['rep' | 'team', string];
    if (kind === 'rep') return this.d.users.get(id)?.displayName ?? '?';
    return this.d.teams.get(id)?.name ?? '?';
  }

  /** Does the queue exist (an enabled rep or a team)? */
  queueExists(q: QueueId): boolean {
    const [kind, id] = q.split(':') as ['rep' | 'team', string];
    if (kind === 'rep') {
      const u = this.d.users.get(id);
      return !!u && !u.disabled;
    }
    return !!this.d.teams.get(id);
  }

  summary(s: sm.SessionRecord): SessionSummary {
    const person = (id: string) => ({ id, name: this.d.users.get(id)?.displayName ?? '?' });
    return {
      id: s.id,
      kind: s.kind,
      source: s.source,
      state: s.state,
      queue: s.queue,
      queueName: this.queueName(s.queue),
      queueKind: s.queue.startsWith('rep:') ? 'personal' : 'team',
      owner: s.owner ? person(s.owner) : null,
      members: s.members.map(person),
      customer: s.customer,
      customerConnected: s.customerConnected,
      createdAt: s.createdAt,
      issue: s.issue,
      invitations: (s.invitations ?? []).map((i) => ({ id: i.id, to: i.to, toName: this.queueName(i.to), by: person(i.by), at: i.at })),
    };
  }

  queuesOf(userId: string): QueueInfo[] {
    const fav = new Set(this.d.prefs.get(userId).favouriteTeams);
    const out: QueueInfo[] = [{ id: sm.personalQueue(userId), kind: 'personal', name: this.d.users.get(userId)?.displayName ?? '', favourite: false }];
    for (const { team } of this.d.teams.ofUser(userId)) out.push({ id: sm.teamQueue(team.id), kind: 'team', name: team.name, favourite: fav.has(team.id) });
    return out;
  }

  targets(): TransferTargets {
    return {
      teams: this.d.teams.list().map((t) => ({ id: sm.teamQueue(t.id), name: t.name })),
      reps: this.d.users
        .list()
        .filter((u) => !u.disabled)
        .map((u) => ({ id: sm.personalQueue(u.id), name: u.displayName, online: this.pub.isOnline(u.id) })),
    };
  }

  /** Everything a console needs at connect, and the topics it must join. */
  snapshot(userId: string): { welcome: Omit<Extract<ApplianceToConsole, { t: 'welcome' }>, 't' | 'v' | 'user' | 'permissions'>; topics: string[] } {
    const actor = this.actor(userId);
    const visible = this.d.sessions.open().filter((s) => sm.canSee(actor, s));
    const queues = this.queuesOf(userId);
    const teamIds = queues.filter((q) => q.kind === 'team').map((q) => q.id.slice(5));
    const topics = [
      ...queues.map((q) => topic.queue(q.id)),
      ...visible.filter((s) => s.members.includes(userId)).map((s) => topic.session(s.id)),
      ...teamIds.map(topic.team),
    ];
    return {
      welcome: {
        queues,
        sessions: visible.map((s) => this.summary(s)),
        teamChat: teamIds.flatMap((t) => this.d.teamChat.recent(t)),
        targets: this.targets(),
      },
      topics,
    };
  }

  // ---- publishing -------------------------------------------------------

  /**
   * Publishes a changed session to everyone who saw it before or sees it now.
   * Joiners are subscribed before and leavers unsubscribed after publishing,
   * so both receive the change that concerns them.
   */
  private publishChange(before: sm.SessionRecord | undefined, after: sm.SessionRecord, event: SessionEvent | undefined): void {
    const summary = this.summary(after);
    const entered = after.state === 'waiting' && (!before || before.queue !== after.queue || before.state !== 'waiting');
    const msg: ApplianceToConsole = { t: 'session', session: summary, entered };
    const was = new Set(before?.members ?? []);
    const is = new Set(after.members);
    for (const m of is) if (!was.has(m)) this.pub.setUserTopic(m, topic.session(after.id), true);
    const queues = new Set<QueueId>([after.queue]);
    if (before) queues.add(before.queue);
    // Invited reps learn of an invitation, and of it going away, through the queue it was sent to.
    for (const i of [...(before?.invitations ?? []), ...(after.invitations ?? [])]) queues.add(i.to);
    for (const q of queues) this.pub.publishConsole(topic.queue(q), msg);
    this.pub.publishConsole(topic.session(after.id), msg);
    if (event) this.pub.publishConsole(topic.session(after.id), { t: 'event', sessionId: after.id, event });
    for (const m of was) if (!is.has(m)) this.pub.setUserTopic(m, topic.session(after.id), false);
    const reps = after.members.map((m) => this.d.users.get(m)?.displayName ?? '?');
    this.pub.publishCustomer(topic.customer(after.id), { t: 'state', state: after.state, reps });
  }

  private apply(before: sm.SessionRecord, t: sm.Transition): sm.SessionRecord {
    const event = this.d.sessions.applySync(t, this.now());
    this.publishChange(before, t.next, event);
    return t.next;
  }

  private load(sessionId: string): sm.SessionRecord {
    const s = this.d.sessions.get(sessionId);
    if (!s) throw new AppError('SESSION_UNKNOWN');
    return s;
  }

  // ---- customers ----------------------------------------------------------

  /**
   * Resolves what a customer presented into a start ticket, refusing unknown,
   * expired and used ones with distinct codes.
   */
  ticketFor(input: { key?: string; token?: string }): { hash: string; ticket: StartTicket } {
    const found = input.key ? this.d.starts.byShortKey(input.key) : input.token ? this.d.starts.byToken(input.token) : undefined;
    if (!found) throw new AppError('KEY_UNKNOWN');
    if (found.ticket.oneTime && found.ticket.usedAt !== null) throw new AppError('KEY_USED');
    if (found.ticket.expiresAt <= this.now()) throw new AppError('KEY_EXPIRED');
    return found;
  }

  /** Starts a session from a ticket; returns it with the customer's resume secret (shown once). */
  startSession(found: { hash: string; ticket: StartTicket }, info: Partial<CustomerInfo>, publicIp: string): { record: sm.SessionRecord; resume: string } {
    const { ticket } = found;
    if (!this.queueExists(ticket.queue)) throw new AppError('QUEUE_UNKNOWN');
    const resume = randomBytes(24).toString('base64url');
    const record: sm.SessionRecord = {
      id: newId(),
      kind: ticket.source === 'click_to_chat' ? 'browser' : 'client',
      source: ticket.source,
      state: 'waiting',
      queue: ticket.queue,
      originTeam: ticket.originTeam,
      owner: null,
      members: [],
      customer: {
        // A name typed on the portal wins over the client's default (the OS user name).
        name: (ticket.customerName || info.name || info.user || 'Customer').slice(0, 100),
        details: ticket.details,
        hostname: info.hostname ?? '',
        os: info.os ?? '',
        user: info.user ?? '',
        privateIps: info.privateIps ?? [],
        publicIp,
      },
      customerConnected: true,
      createdAt: this.now(),
      endedAt: null,
      issue: ticket.issue,
      resumeHash: sha256(resume),
    };
    if (ticket.oneTime) this.d.starts.markUsedSync(found.hash, this.now(), record.id);
    const event = this.d.sessions.createSync(record, { at: this.now(), kind: 'session_created', actor: record.customer.name, params: { queue: this.queueName(record.queue) } });
    const jumped = ticket.source === 'jump' && ticket.repId;
    // A jumped session never waits: it is not announced as new, the accept below announces it active.
    if (!jumped) this.publishChange(undefined, record, event);
    this.d.log.info({ session: record.id, queue: record.queue, source: record.source }, 'session created');
    // A rep who jumped to a jump client owns the session from its start: nobody else is asked to accept it.
    if (jumped && ticket.repId) {
      this.recordEvent(record.id, 'jump_started', this.repName(ticket.repId), { name: record.customer.name });
      const accepted = this.apply(record, sm.accept(record, this.actor(ticket.repId)));
      return { record: accepted, resume };
    }
    return { record, resume };
  }

  /**
   * A Shell Jump connected (F13): a session of kind `ssh`, owned by the rep
   * from its start, whose "customer" is the SSH host. There is no customer
   * socket; `customerConnected` follows the SSH connection.
   */
  startShellJump(userId: string, item: { name: string; host: string; port: number; username: string; originTeam: string | null }): sm.SessionRecord {
    const actor = this.actor(userId);
    const target = `${item.username}@${item.host.includes(':') ? `[${item.host}]` : item.host}:${item.port}`;
    const record: sm.SessionRecord = {
      id: newId(),
      kind: 'ssh',
      source: 'jump',
      state: 'waiting',
      queue: sm.personalQueue(userId),
      originTeam: item.originTeam,
      owner: null,
      members: [],
      customer: { name: item.name.slice(0, 100), details: target, hostname: item.host, os: 'SSH', user: item.username, privateIps: [], publicIp: '' },
      customerConnected: true,
      createdAt: this.now(),
      endedAt: null,
      issue: null,
      // Nobody resumes an SSH session from outside: a random hash nobody holds the secret of.
      resumeHash: sha256(randomBytes(24).toString('base64url')),
    };
    this.d.sessions.createSync(record, { at: this.now(), kind: 'session_created', actor: actor.name, params: { queue: this.queueName(record.queue) } });
    this.recordEvent(record.id, 'shell_jump_started', actor.name, { target });
    this.d.log.info({ session: record.id, source: 'shell_jump' }, 'session created');
    return this.apply(record, sm.accept(record, actor));
  }

  /**
   * A Remote VNC jump connected (F13): a session of kind `vnc`, owned by the
   * rep from its start, whose "customer" is the VNC server. There is no
   * customer socket; `customerConnected` follows the RFB connection.
   */
  startVncJump(userId: string, item: { name: string; host: string; label: string; desktop: string; originTeam: string | null }): sm.SessionRecord {
    const actor = this.actor(userId);
    const record: sm.SessionRecord = {
      id: newId(),
      kind: 'vnc',
      source: 'jump',
      state: 'waiting',
      queue: sm.personalQueue(userId),
      originTeam: item.originTeam,
      owner: null,
      members: [],
      customer: { name: item.name.slice(0, 100), details: `${item.label} ${item.desktop}`.trim().slice(0, 200), hostname: item.host, os: 'VNC', user: '', privateIps: [], publicIp: '' },
      customerConnected: true,
      createdAt: this.now(),
      endedAt: null,
      issue: null,
      // Nobody resumes a VNC session from outside: a random hash nobody holds the secret of.
      resumeHash: sha256(randomBytes(24).toString('base64url')),
    };
    this.d.sessions.createSync(record, { at: this.now(), kind: 'session_created', actor: actor.name, params: { queue: this.queueName(record.queue) } });
    this.recordEvent(record.id, 'vnc_jump_started', actor.name, { target: item.label });
    this.d.log.info({ session: record.id, source: 'remote_vnc' }, 'session created');
    return this.apply(record, sm.accept(record, actor));
  }

  /**
   * A customer whose `joined` reply was lost (the link dropped right after the
   * session was created) comes back with the same key and would get KEY_USED.
   * Within REJOIN_WINDOW_MS of first use, while nobody is connected as that
   * customer, the same key or token re-attaches to its session with a fresh
   * resume secret instead of stranding it.
   */
  rejoin(input: { key?: string; token?: string }): { record: sm.SessionRecord; resume: string } {
    const found = input.key ? this.d.starts.byShortKey(input.key) : input.token ? this.d.starts.byToken(input.token) : undefined;
    const t = found?.ticket;
    const s = t?.sessionId ? this.d.sessions.get(t.sessionId) : undefined;
    if (!t || !s || t.usedAt === null || this.now() - t.usedAt > REJOIN_WINDOW_MS || s.state === 'ended' || s.customerConnected) throw new AppError('KEY_USED');
    const resume = randomBytes(24).toString('base64url');
    const record = this.d.sessions.rotateResumeSync(s, sha256(resume));
    this.d.log.info({ session: s.id }, 'customer re-joined with its start key');
    return { record, resume };
  }

  /** Finds the session a resume secret belongs to, if it is still open. */
  resume(secret: string): sm.SessionRecord {
    const hash = sha256(secret);
    const s = this.d.sessions.byResumeHash(hash);
    if (!s || s.state === 'ended') throw new AppError('RESUME_UNKNOWN');
    return s;
  }

  customerPresence(sessionId: string, connected: boolean): void {
    const before = this.d.sessions.get(sessionId);
    if (!before || before.state === 'ended' || before.customerConnected === connected) return;
    const next = { ...before, customerConnected: connected };
    const event = this.d.sessions.updateSync(next, { at: this.now(), kind: connected ? 'customer_connected' : 'customer_disconnected', actor: before.customer.name, params: {} });
    this.publishChange(before, next, event);
  }

  chatHistory(sessionId: string): ChatMessage[] {
    return this.d.sessions.history('chat', sessionId, HISTORY_LIMIT);
  }

  customerChat(sessionId: string, body: string): Promise<ChatMessage> {
    const s = this.load(sessionId);
    if (s.state === 'ended') throw new AppError('SESSION_ENDED');
    return this.postChat(s, { kind: 'customer', name: s.customer.name }, body);
  }

  /** Publishes only after the message is stored, so nobody sees chat that a crash could lose. */
  private async postChat(s: sm.SessionRecord, from: ChatAuthor, body: string): Promise<ChatMessage> {
    const msg = await this.d.sessions.addChat(s.id, from, body, this.now());
    this.pub.publishConsole(topic.session(s.id), { t: 'chat', sessionId: s.id, msg });
    this.pub.publishCustomer(topic.customer(s.id), { t: 'chat', msg });
    return msg;
  }

  // ---- reps ---------------------------------------------------------------

  accept(userId: string, sessionId: string): void {
    const s = this.load(sessionId);
    this.apply(s, sm.accept(s, this.actor(userId)));
  }

  transfer(userId: string, sessionId: string, to: string): void {
    if (!isQueueId(to) || !this.queueExists(to)) throw new AppError('QUEUE_UNKNOWN');
    const s = this.load(sessionId);
    this.apply(s, sm.transfer(s, this.actor(userId), to, this.queueName(to)));
  }

  pause(userId: string, sessionId: string): void {
    const s = this.load(sessionId);
    this.apply(s, sm.pause(s, this.actor(userId)));
  }

  end(userId: string, sessionId: string): void {
    const s = this.load(sessionId);
    this.apply(s, sm.end(s, this.actor(userId), this.now()));
    this.pub.publishCustomer(topic.customer(s.id), { t: 'end', reason: 'ended' });
    this.pub.closeCustomer(s.id);
    this.d.log.info({ session: s.id }, 'session ended');
  }

  // ---- integrations (F33): an API account acts for the organisation ------

  apiTransfer(sessionId: string, to: string, by: string): void {
    const s = this.load(sessionId);
    if (!isQueueId(to) || !this.queueExists(to)) throw new AppError('QUEUE_UNKNOWN');
    this.apply(s, sm.transferBy(s, by, to, this.queueName(to)));
  }

  apiEnd(sessionId: string, by: string): void {
    const s = this.load(sessionId);
    this.apply(s, sm.endBy(s, by, this.now()));
    this.pub.publishCustomer(topic.customer(s.id), { t: 'end', reason: 'ended' });
    this.pub.closeCustomer(s.id);
  }

  /** A chat line from the integration, shown as a system message. */
  apiChat(sessionId: string, body: string): Promise<ChatMessage> {
    const s = this.load(sessionId);
    if (s.state === 'ended') throw new AppError('SESSION_ENDED');
    return this.postChat(s, { kind: 'system' }, body);
  }

  /** Sets (or, with an empty value, clears) custom attributes; at most 50 per session. */
  apiSetAttributes(sessionId: string, attrs: Readonly<Record<string, string>>): Record<string, string> {
    const s = this.load(sessionId);
    const custom = { ...(s.custom ?? {}) };
    for (const [k, v] of Object.entries(attrs)) {
      if (v === '') delete custom[k];
      else custom[k] = v;
    }
    if (Object.keys(custom).length > 50) throw new AppError('BAD_FIELD', 'at most 50 custom attributes per session');
    this.d.sessions.updateSync({ ...s, custom });
    return custom;
  }

  record(sessionId: string): sm.SessionRecord {
    return this.load(sessionId);
  }

  /**
   * F26: the owner of a click-to-chat session offers the full client. The
   * customer's page gets a one-time download (15 minutes) whose client joins
   * this same session; chat and log carry on.
   */
  offerElevation(userId: string, sessionId: string): { token: string } {
    const s = this.memberSession(userId, sessionId);
    if (s.owner !== userId) throw new AppError('NOT_OWNER');
    if (s.kind !== 'browser') throw new AppError('ALREADY_CLIENT');
    if (!s.customerConnected) throw new AppError('CUSTOMER_OFFLINE');
    const now = this.now();
    const { token } = this.d.starts.createSync(
      { queue: s.queue, source: s.source, repId: userId, customerName: s.customer.name, details: '', issue: null, originTeam: s.originTeam, createdAt: now, expiresAt: now + 15 * 60_000, oneTime: true, elevateSession: s.id },
      false,
    );
    this.pub.publishCustomer(topic.customer(s.id), { t: 'elevate', download: `/download/relaydesk-client.mjs?ak=${token}` });
    this.recordEvent(s.id, 'elevation_offered', this.repName(userId));
    return { token };
  }

  /** The full client arrived with an elevation token: the session becomes a client session, with its system facts. */
  elevate(found: { hash: string; ticket: StartTicket }, info: Partial<CustomerInfo>): { record: sm.SessionRecord; resume: string } {
    const s = this.load(found.ticket.elevateSession!);
    if (s.state === 'ended') throw new AppError('SESSION_ENDED');
    this.d.starts.markUsedSync(found.hash, this.now(), s.id);
    const resume = randomBytes(24).toString('base64url');
    const rotated = this.d.sessions.rotateResumeSync(s, sha256(resume));
    const next: sm.SessionRecord = {
      ...rotated,
      kind: 'client',
      customer: { ...s.customer, hostname: info.hostname ?? '', os: info.os ?? '', user: info.user ?? '', privateIps: info.privateIps ?? [] },
    };
    const event = this.d.sessions.updateSync(next, { at: this.now(), kind: 'customer_elevated', actor: s.customer.name, params: {} });
    this.publishChange(s, next, event);
    return { record: next, resume };
  }

  /** F28: the owner invites a team or a rep to join. */
  invite(userId: string, sessionId: string, to: string): void {
    const s = this.load(sessionId);
    if (!isQueueId(to) || !this.queueExists(to)) throw new AppError('QUEUE_UNKNOWN');
    const memberOfTarget = to.startsWith('rep:') && s.members.includes(to.slice(4));
    this.apply(s, sm.invite(s, this.actor(userId), to, this.queueName(to), newId(), this.now(), memberOfTarget));
  }

  withdrawInvitation(userId: string, sessionId: string, invitationId: string): void {
    const s = this.load(sessionId);
    this.apply(s, sm.withdrawInvitation(s, this.actor(userId), invitationId, (q) => this.queueName(q)));
  }

  answerInvitation(userId: string, sessionId: string, invitationId: string, join: boolean): void {
    const s = this.load(sessionId);
    this.apply(s, sm.answerInvitation(s, this.actor(userId), invitationId, join));
  }

  /** F29: the owner removes another rep; that rep's console drops the session. */
  removeMember(userId: string, sessionId: string, memberId: string): void {
    const s = this.load(sessionId);
    this.apply(s, sm.removeMember(s, this.actor(userId), memberId, this.repName(memberId)));
  }

  /**
   * F29: the owner disconnects the customer and the reps stay. The customer
   * is told the session ended for them (the client exits and removes
   * itself) and their resume secret stops working, so they cannot come back
   * into it; the session goes on among the reps until the owner ends it.
   */
  dismissCustomer(userId: string, sessionId: string): void {
    const s = this.load(sessionId);
    if (s.state === 'ended') throw new AppError('SESSION_ENDED');
    if (s.owner !== userId) throw new AppError(s.members.includes(userId) ? 'NOT_OWNER' : 'SESSION_UNKNOWN');
    if (s.kind === 'client' || s.kind === 'browser') this.pub.publishCustomer(topic.customer(s.id), { t: 'end', reason: 'disconnected' });
    // A Shell Jump's "customer" is its SSH connection: it is closed like a client's socket.
    this.pub.closeCustomer(s.id);
    const rotated = this.d.sessions.rotateResumeSync(s, sha256(randomBytes(24).toString('base64url')));
    const next = { ...rotated, customerConnected: false };
    const event = this.d.sessions.updateSync(next, { at: this.now(), kind: 'customer_dismissed', actor: this.repName(userId), params: {} });
    this.publishChange(s, next, event);
  }

  leave(userId: string, sessionId: string): void {
    const s = this.load(sessionId);
    this.apply(s, sm.leave(s, this.actor(userId)));
  }

  repChat(userId: string, sessionId: string, body: string): Promise<ChatMessage> {
    const s = this.load(sessionId);
    const actor = this.actor(userId);
    if (!s.members.includes(userId) || s.state === 'ended') throw new AppError('NOT_MEMBER');
    return this.postChat(s, { kind: 'rep', id: userId, name: actor.name }, body);
  }

  /**
   * The session, when `userId` is a member of it and it has not ended: what
   * every in-session action (channels, special actions) checks first.
   */
  memberSession(userId: string, sessionId: string): sm.SessionRecord {
    const s = this.load(sessionId);
    if (!sm.canSee(this.actor(userId), s)) throw new AppError('SESSION_UNKNOWN');
    if (s.state === 'ended') throw new AppError('SESSION_ENDED');
    if (!s.members.includes(userId)) throw new AppError('NOT_MEMBER');
    return s;
  }

  /** The session record while it has not ended (no rep check: callers have done theirs). */
  liveSession(sessionId: string): sm.SessionRecord {
    const s = this.load(sessionId);
    if (s.state === 'ended') throw new AppError('SESSION_ENDED');
    return s;
  }

  /** Appends an event to the session's log and shows it to the reps in the session. */
  recordEvent(sessionId: string, kind: SessionEventKind, actor: string | null, params: Record<string, string> = {}): SessionEvent {
    const event = this.d.sessions.addEventSync(sessionId, { at: this.now(), kind, actor, params });
    this.pub.publishConsole(topic.session(sessionId), { t: 'event', sessionId, event });
    return event;
  }

  /** How many sessions wait in queues and how many are being worked on. */
  openCounts(): { waiting: number; active: number } {
    let waiting = 0;
    let active = 0;
    for (const s of this.d.sessions.open()) {
      if (s.state === 'waiting') waiting++;
      else if (s.state === 'active') active++;
    }
    return { waiting, active };
  }

  /** The display name of a rep, for event logs. */
  /** Sends `msg` to every open console of the session's members (e.g. a feature's state such as its shells). */
  publishToMembers(sessionId: string, msg: ApplianceToConsole): void {
    this.pub.publishConsole(topic.session(sessionId), msg);
  }

  repName(userId: string): string {
    return this.d.users.get(userId)?.displayName ?? '?';
  }

  detail(userId: string, sessionId: string): { session: SessionSummary; chat: ChatMessage[]; events: SessionEvent[] } {
    const s = this.load(sessionId);
    const actor = this.actor(userId);
    if (!sm.canSee(actor, s)) throw new AppError('SESSION_UNKNOWN');
    // Reps looking at a waiting session in their queue see its details; chat and log are for members.
    const member = s.members.includes(userId);
    return {
      session: this.summary(s),
      chat: member ? this.d.sessions.history('chat', s.id, HISTORY_LIMIT) : [],
      events: member ? this.d.sessions.history('events', s.id, HISTORY_LIMIT) : [],
    };
  }

  postTeamChat(userId: string, teamId: string, body: string): void {
    const actor = this.actor(userId);
    if (!actor.queues.has(sm.teamQueue(teamId))) throw new AppError('QUEUE_UNKNOWN');
    const msg = this.d.teamChat.addSync(teamId, { id: userId, name: actor.name }, body, this.now());
    this.pub.publishConsole(topic.team(teamId), { t: 'team_chat', msg });
  }

  setFavourite(userId: string, teamId: string, on: boolean): QueueInfo[] {
    const actor = this.actor(userId);
    if (!actor.queues.has(sm.teamQueue(teamId))) throw new AppError('QUEUE_UNKNOWN');
    this.d.prefs.setFavouriteSync(userId, teamId, on);
    return this.queuesOf(userId);
  }

  // ---- presence -------------------------------------------------------------

  graceMs(): number {
    return this.d.settings.sessions().repGraceSeconds * 1000;
  }

  /** A rep's first console socket connected: cancel any pending requeue. */
  repOnline(userId: string): void {
    const t = this.graceTimers.get(userId);
    if (t) clearTimeout(t);
    this.graceTimers.delete(userId);
  }

  /** A rep's last console socket closed (or the appliance just started): requeue after the grace period. */
  repOffline(userId: string): void {
    if (this.graceTimers.has(userId)) return;
    const timer = setTimeout(() => {
      this.graceTimers.delete(userId);
      this.repGone(userId);
    }, this.graceMs());
    timer.unref();
    this.graceTimers.set(userId, timer);
  }

  /** Applies repGone to every open session of `userId` now. */
  repGone(userId: string): void {
    const name = this.d.users.get(userId)?.displayName ?? '?';
    for (const s of this.d.sessions.open()) {
      const t = sm.repGone(s, userId, name);
      if (t) this.apply(s, t);
    }
  }

  /** After a restart nobody is connected: customers are marked away, every member gets a grace period. */
  recoverAfterStart(): void {
    const members = new Set<string>();
    for (const s of this.d.sessions.open()) {
      if (s.customerConnected) this.d.sessions.updateSync({ ...s, customerConnected: false });
      for (const m of s.members) members.add(m);
    }
    for (const m of members) this.repOffline(m);
  }

  stop(): void {
    for (const t of this.graceTimers.values()) clearTimeout(t);
    this.graceTimers.clear();
  }
}
