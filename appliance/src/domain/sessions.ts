/**
 * The support-session state machine (F7, F27, F30) and who may see or act on
 * a session. Pure: each transition takes the stored record and the acting
 * rep, checks the rule, and returns the next record plus the event to log,
 * or throws a coded AppError. Nothing here touches storage or sockets.
 *
 *            create                 accept (rep sees queue)
 *   (start) ───────▶ waiting ─────────────────────────────▶ active
 *                     ▲  │ transfer (sees queue)             │ │ │
 *                     │  └──────────▶ waiting (other queue)   │ │ │ end (owner)
 *                     │                                        │ │ └──────────▶ ended
 *                     ├──── transfer (owner) ──────────────────┘ │
 *                     ├──── pause (owner) → owner's personal ────┘
 *                     └──── owner gone past grace → origin team or personal queue
 * A waiting session has no owner, so it cannot be ended; members who are not
 * the owner may leave at any time.
 */
import { AppError } from '../../../common/errors.ts';
import type { CustomerInfo, QueueId, SessionEventKind, SessionKind, SessionSource, SessionState } from '../../../common/sessions.ts';

export interface SessionRecord {
  readonly id: string;
  readonly kind: SessionKind;
  readonly source: SessionSource;
  state: SessionState;
  queue: QueueId;
  /** Team the session first entered (portal issue or team button); it returns there if its rep vanishes. */
  readonly originTeam: string | null;
  owner: string | null;
  members: string[];
  customer: CustomerInfo;
  customerConnected: boolean;
  readonly createdAt: number;
  endedAt: number | null;
  readonly issue: string | null;
  /** SHA-256 of the customer's resume secret. */
  readonly resumeHash: string;
  /** Every rep who was ever a member, kept by the store for reports (absent on records from before it existed). */
  participants?: string[];
  /** Live invitations to join (F28); absent on records from before they existed. */
  invitations?: Invitation[];
  /** Custom attributes an integration set (`session.custom.<code_name>`, F33). */
  custom?: Record<string, string>;
}

/** The owner asks a team's reps (`team:<id>`) or one rep (`rep:<id>`) to join the session. */
export interface Invitation {
  readonly id: string;
  readonly to: QueueId;
  /** The rep who invited (the owner at the time). */
  readonly by: string;
  readonly at: number;
}

export interface Transition {
  readonly next: SessionRecord;
  readonly event: { kind: SessionEventKind; actor: string | null; params: Record<string, string> };
}

/** What the caller knows about the acting rep. */
export interface Actor {
  readonly id: string;
  readonly name: string;
  /** Queues this rep belongs to: own personal queue and each team's. */
  readonly queues: ReadonlySet<QueueId>;
}

export function personalQueue(userId: string): QueueId {
  return `rep:${userId}`;
}

export function teamQueue(teamId: string): QueueId {
  return `team:${teamId}`;
}

/** A rep sees a session while it waits in one of their queues, and while they are a member. */
export function canSee(actor: Actor, s: SessionRecord): boolean {
  if (s.state === 'ended') return false;
  if (s.members.includes(actor.id)) return true;
  if (s.state === 'active' && invitationFor(actor, s)) return true;
  return s.state === 'waiting' && actor.queues.has(s.queue);
}

/** The live invitation that reaches this rep (through their own or a team queue), if any. */
export function invitationFor(actor: Actor, s: SessionRecord): Invitation | undefined {
  return (s.invitations ?? []).find((i) => actor.queues.has(i.to));
}

/** Invitations end whenever ownership moves or the session closes (F28). */
function copy(s: SessionRecord): SessionRecord {
  return { ...s, members: [...s.members], customer: { ...s.customer, privateIps: [...s.customer.privateIps] }, invitations: [...(s.invitations ?? [])] };
}

function mustSee(actor: Actor, s: SessionRecord): void {
  if (!canSee(actor, s)) throw new AppError('SESSION_UNKNOWN');
}

export function accept(s: SessionRecord, actor: Actor): Transition {
  mustSee(actor, s);
  if (s.state !== 'waiting') throw new AppError('SESSION_NOT_WAITING');
  if (!actor.queues.has(s.queue)) throw new AppError('SESSION_UNKNOWN');
  const next = copy(s);
  next.state = 'active';
  next.owner = actor.id;
  next.queue = personalQueue(actor.id);
  if (!next.members.includes(actor.id)) next.members.push(actor.id);
  return { next, event: { kind: 'accepted', actor: actor.name, params: {} } };
}

/** `targetName` is the display name of the queue or rep, for the log. */
export function transfer(s: SessionRecord, actor: Actor, to: QueueId, targetName: string): Transition {
  mustSee(actor, s);
  if (s.state === 'active' && s.owner !== actor.id) throw new AppError('NOT_OWNER');
  if (s.state === 'waiting' && !actor.queues.has(s.queue)) throw new AppError('SESSION_UNKNOWN');
  const next = copy(s);
  // The old owner stays as a participant; owner-only actions are theirs no more (F27).
  next.state = 'waiting';
  next.owner = null;
  next.queue = to;
  next.invitations = [];
  return { next, event: { kind: 'transferred', actor: actor.name, params: { to: targetName } } };
}

export function pause(s: SessionRecord, actor: Actor): Transition {
  mustSee(actor, s);
  if (s.owner !== actor.id) throw new AppError('NOT_OWNER');
  const next = copy(s);
  next.state = 'waiting';
  next.owner = null;
  next.queue = personalQueue(actor.id);
  next.members = next.members.filter((m) => m !== actor.id);
  next.invitations = [];
  return { next, event: { kind: 'paused', actor: actor.name, params: {} } };
}

export function end(s: SessionRecord, actor: Actor, now: number): Transition {
  mustSee(actor, s);
  if (s.owner !== actor.id) throw new AppError('NOT_OWNER');
  const next = copy(s);
  next.state = 'ended';
  next.members = [];
  next.endedAt = now;
  next.invitations = [];
  return { next, event: { kind: 'ended', actor: actor.name, params: {} } };
}

export function leave(s: SessionRecord, actor: Actor): Transition {
  if (!s.members.includes(actor.id) || s.state === 'ended') throw new AppError('NOT_MEMBER');
  if (s.owner === actor.id) throw new AppError('OWNER_CANNOT_LEAVE');
  const next = copy(s);
  next.members = next.members.filter((m) => m !== actor.id);
  return { next, event: { kind: 'rep_left', actor: actor.name, params: {} } };
}

/**
 * An integration (API account, F33) moves a session to a queue. It acts for
 * the organisation, not as a rep: no owner check; `by` names the account in
 * the log. The old owner stays as a participant, as with a rep's transfer.
 */
export function transferBy(s: SessionRecord, by: string, to: QueueId, targetName: string): Transition {
  if (s.state === 'ended') throw new AppError('SESSION_ENDED');
  const next = copy(s);
  next.state = 'waiting';
  next.owner = null;
  next.queue = to;
  next.invitations = [];
  return { next, event: { kind: 'transferred', actor: by, params: { to: targetName } } };
}

/** An integration ends a session (waiting or active). */
export function endBy(s: SessionRecord, by: string, now: number): Transition {
  if (s.state === 'ended') throw new AppError('SESSION_ENDED');
  const next = copy(s);
  next.state = 'ended';
  next.members = [];
  next.endedAt = now;
  next.invitations = [];
  return { next, event: { kind: 'ended', actor: by, params: {} } };
}

/** F28: the owner invites a team (any of its reps may join) or one rep. */
export function invite(s: SessionRecord, actor: Actor, to: QueueId, toName: string, id: string, now: number, memberOfTarget: boolean): Transition {
  mustSee(actor, s);
  if (s.state !== 'active') throw new AppError('SESSION_NOT_ACTIVE');
  if (s.owner !== actor.id) throw new AppError('NOT_OWNER');
  if (to === personalQueue(actor.id)) throw new AppError('BAD_FIELD', 'you are in the session already');
  if (memberOfTarget) throw new AppError('ALREADY_MEMBER');
  if ((s.invitations ?? []).some((i) => i.to === to)) throw new AppError('INVITATION_EXISTS');
  const next = copy(s);
  next.invitations!.push({ id, to, by: actor.id, at: now });
  return { next, event: { kind: 'invited', actor: actor.name, params: { to: toName } } };
}

export function withdrawInvitation(s: SessionRecord, actor: Actor, invitationId: string, toName: (q: QueueId) => string): Transition {
  if (s.owner !== actor.id || s.state === 'ended') throw new AppError('NOT_OWNER');
  const inv = (s.invitations ?? []).find((i) => i.id === invitationId);
  if (!inv) throw new AppError('INVITATION_UNKNOWN');
  const next = copy(s);
  next.invitations = next.invitations!.filter((i) => i.id !== invitationId);
  return { next, event: { kind: 'invitation_withdrawn', actor: actor.name, params: { to: toName(inv.to) } } };
}

/** An invited rep joins (as a member, not the owner) or declines; either way the invitation is used up. */
export function answerInvitation(s: SessionRecord, actor: Actor, invitationId: string, join: boolean): Transition {
  const inv = (s.invitations ?? []).find((i) => i.id === invitationId);
  if (!inv || s.state !== 'active' || !actor.queues.has(inv.to)) throw new AppError('INVITATION_UNKNOWN');
  const next = copy(s);
  next.invitations = next.invitations!.filter((i) => i.id !== invitationId);
  if (!join) return { next, event: { kind: 'invitation_declined', actor: actor.name, params: {} } };
  if (!next.members.includes(actor.id)) next.members.push(actor.id);
  return { next, event: { kind: 'rep_joined', actor: actor.name, params: {} } };
}

/** F29: the owner removes another rep from the session. */
export function removeMember(s: SessionRecord, actor: Actor, memberId: string, memberName: string): Transition {
  if (s.state === 'ended') throw new AppError('SESSION_ENDED');
  if (s.owner !== actor.id) throw new AppError('NOT_OWNER');
  if (memberId === actor.id) throw new AppError('OWNER_CANNOT_LEAVE');
  if (!s.members.includes(memberId)) throw new AppError('NOT_MEMBER', 'that rep is not in this session');
  const next = copy(s);
  next.members = next.members.filter((m) => m !== memberId);
  return { next, event: { kind: 'rep_removed', actor: actor.name, params: { name: memberName } } };
}

/**
 * A rep's console stayed away past the grace period: sessions they own go
 * back to a queue (the team they came from, else the rep's personal queue);
 * sessions they only joined lose them as a member. Returns undefined when
 * the rep had no part in `s`.
 */
export function repGone(s: SessionRecord, repId: string, repName: string): Transition | undefined {
  if (s.state === 'ended' || !s.members.includes(repId)) return undefined;
  const next = copy(s);
  next.members = next.members.filter((m) => m !== repId);
  if (s.owner !== repId) return { next, event: { kind: 'rep_left', actor: repName, params: {} } };
  next.state = 'waiting';
  next.owner = null;
  next.queue = s.originTeam ? teamQueue(s.originTeam) : personalQueue(repId);
  next.invitations = [];
  return { next, event: { kind: 'requeued_after_disconnect', actor: repName, params: {} } };
}
