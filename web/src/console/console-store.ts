/**
 * The console's client-side state, fed by the console socket: the rep's
 * queues, the sessions the rep may see, team chat, transfer targets, and per
 * session the chat and event history once opened. Views render from here and
 * subscribe to topics; they never keep their own copy of a session.
 *
 * Permissions: the rep's effective permissions from `welcome`, replaced live
 * by `permissions` messages; feature buttons read `permissions` and listen to
 * the `permissions` topic to grey out what the rep may not do.
 *
 * Visibility (mirrors the appliance's rule): a session is kept while it waits
 * in one of my queues or while I am a member; anything else, and every ended
 * session, is dropped.
 */
import type { ApplianceToConsole, QueueInfo, TeamChatMessage, TransferTargets } from '../../../common/protocol.ts';
import type { ChatMessage, InvitationInfo, QueueId, SessionEvent, SessionSummary } from '../../../common/sessions.ts';
import type { ShellInfo } from '../../../common/shell-protocol.ts';
import { NO_PERMISSIONS, type RepPermissions } from '../../../common/permissions.ts';
import type { JumpItem } from '../../../common/jump.ts';

export type Topic =
  | { kind: 'queues' }
  | { kind: 'sessions' }
  | { kind: 'targets' }
  /** My effective permissions changed (welcome or an administrator's change). */
  | { kind: 'permissions' }
  /** A special action run in one of my sessions ended. */
  | { kind: 'special_action'; result: Extract<ApplianceToConsole, { t: 'special_action_result' }> }
  | { kind: 'team_chat'; teamId: string }
  /** A session entered one of my queues (popup, lit count). */
  | { kind: 'entered'; session: SessionSummary }
  /** I was a member and no longer am, or it ended. */
  | { kind: 'lost'; sessionId: string; ended: boolean }
  | { kind: 'chat'; sessionId: string; msg: ChatMessage }
  | { kind: 'event'; sessionId: string; event: SessionEvent }
  | { kind: 'detail'; sessionId: string }
  /** Someone invited me (or a team of mine) to join their session. */
  | { kind: 'invited'; session: SessionSummary; invitation: InvitationInfo }
  /** Jump items I may see were listed, added, changed or removed. */
  | { kind: 'jump' }
  /** The running command shells of a session changed. */
  | { kind: 'shells'; sessionId: string }
  /** An SSH server asks the rep something during a Shell Jump login (keyboard-interactive). */
  | { kind: 'ssh_prompt'; prompt: Extract<ApplianceToConsole, { t: 'shell_jump_prompt' }> };

export interface SessionHistory {
  chat: ChatMessage[];
  events: SessionEvent[];
}

type Listener = (topic: Topic) => void;

export class ConsoleStore {
  me = { id: '', name: '' };
  /** Whether I am an administrator (may, e.g., override a jump policy). */
  admin = false;
  queues: QueueInfo[] = [];
  targets: TransferTargets = { teams: [], reps: [] };
  /** Nothing until the appliance says otherwise in `welcome`. */
  permissions: RepPermissions = { ...NO_PERMISSIONS, allowedPaths: [] };
  readonly sessions = new Map<string, SessionSummary>();
  readonly teamChat = new Map<string, TeamChatMessage[]>();
  /** Team ids with team chat not read yet. */
  readonly teamChatUnread = new Set<string>();
  /** Chat and events of sessions I opened (kept while I am a member). */
  readonly history = new Map<string, SessionHistory>();
  /** Running command shells per session, as last pushed by the appliance. */
  readonly shells = new Map<string, ShellInfo[]>();
  /** Unread chat messages per session. */
  readonly unread = new Map<string, number>();
  /** Queues whose count lights up: a session entered since the rep last looked. */
  readonly lit = new Set<QueueId>();
  /** Jump items I may see (filled by `jump_list`, kept current by `jump_item` / `jump_gone`). */
  readonly jumpItems = new Map<string, JumpItem>();
  private readonly listeners = new Set<Listener>();

  subscribe(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(topic: Topic): void {
    for (const fn of [...this.listeners]) fn(topic);
  }

  /** The live invitation that reaches me (my own queue or one of my teams'), if any. */
  invitationFor(s: SessionSummary): InvitationInfo | undefined {
    return s.invitations.find((i) => this.queues.some((q) => q.id === i.to));
  }

  /** Sessions I am invited to and not in yet, oldest invitation first. */
  invitations(): Array<{ session: SessionSummary; invitation: InvitationInfo }> {
    const out: Array<{ session: SessionSummary; invitation: InvitationInfo }> = [];
    for (const s of this.sessions.values()) {
      const invitation = this.invitationFor(s);
      if (invitation && !this.isMember(s)) out.push({ session: s, invitation });
    }
    return out.sort((a, b) => a.invitation.at - b.invitation.at);
  }

  isMember(s: SessionSummary): boolean {
    return s.members.some((m) => m.id === this.me.id);
  }

  isOwner(s: SessionSummary): boolean {
    return s.owner?.id === this.me.id;
  }

  private visible(s: SessionSummary): boolean {
    if (s.state === 'ended') return false;
    if (this.isMember(s)) return true;
    if (s.state === 'active' && this.invitationFor(s)) return true;
    return s.state === 'waiting' && this.queues.some((q) => q.id === s.queue);
  }

  /** Sessions I am a member of, oldest first (the Sessions drop-down). */
  mySessions(): SessionSummary[] {
    return [...this.sessions.values()].filter((s) => this.isMember(s)).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** Sessions shown in a queue's table: waiting there, or active there with me in it. */
  inQueue(queue: QueueId): SessionSummary[] {
    return [...this.sessions.values()].filter((s) => s.queue === queue).sort((a, b) => a.createdAt - b.createdAt);
  }

  waitingCount(): number {
    return [...this.sessions.values()].filter((s) => s.state === 'waiting').length;
  }

  totalUnread(): number {
    let n = 0;
    for (const v of this.unread.values()) n += v;
    return n;
  }

  markRead(sessionId: string): void {
    if (!this.unread.has(sessionId)) return;
    this.unread.delete(sessionId);
    this.emit({ kind: 'sessions' });
  }

  markTeamChatRead(teamId: string): void {
    if (this.teamChatUnread.delete(teamId)) this.emit({ kind: 'queues' });
  }

  unlight(queue: QueueId): void {
    if (this.lit.delete(queue)) this.emit({ kind: 'queues' });
  }

  setHistory(session: SessionSummary, history: SessionHistory): void {
    this.upsert(session, false);
    this.history.set(session.id, history);
    this.emit({ kind: 'detail', sessionId: session.id });
  }

  /** Applies one message from the appliance. `readingChat` says whether that session's chat is in view. */
  apply(msg: ApplianceToConsole, readingChat: (sessionId: string) => boolean): void {
    switch (msg.t) {
      case 'welcome':
        this.me = { id: msg.user.id, name: msg.user.displayName };
        this.queues = msg.queues;
        this.targets = msg.targets;
        this.permissions = msg.permissions;
        this.sessions.clear();
        for (const s of msg.sessions) if (this.visible(s)) this.sessions.set(s.id, s);
        this.teamChat.clear();
        for (const m of msg.teamChat) this.pushTeamChat(m);
        for (const id of [...this.history.keys()]) if (!this.sessions.has(id)) this.history.delete(id);
        this.emit({ kind: 'queues' });
        this.emit({ kind: 'targets' });
        this.emit({ kind: 'permissions' });
        this.emit({ kind: 'sessions' });
        return;
      case 'session':
        this.upsert(msg.session, msg.entered);
        return;
      case 'session_gone':
        this.drop(msg.sessionId, false);
        return;
      case 'chat': {
        const h = this.history.get(msg.sessionId);
        if (h && !h.chat.some((c) => c.seq === msg.msg.seq)) h.chat.push(msg.msg);
        const mine = msg.msg.from.kind === 'rep' && msg.msg.from.id === this.me.id;
        if (!mine && !readingChat(msg.sessionId)) this.unread.set(msg.sessionId, (this.unread.get(msg.sessionId) ?? 0) + 1);
        this.emit({ kind: 'chat', sessionId: msg.sessionId, msg: msg.msg });
        this.emit({ kind: 'sessions' });
        return;
      }
      case 'event': {
        const h = this.history.get(msg.sessionId);
        if (h && !h.events.some((e) => e.seq === msg.event.seq)) h.events.push(msg.event);
        this.emit({ kind: 'event', sessionId: msg.sessionId, event: msg.event });
        return;
      }
      case 'team_chat':
        this.pushTeamChat(msg.msg);
        if (msg.msg.from.id !== this.me.id) this.teamChatUnread.add(msg.msg.teamId);
        this.emit({ kind: 'team_chat', teamId: msg.msg.teamId });
        this.emit({ kind: 'queues' });
        return;
      case 'queues':
        this.queues = msg.queues;
        this.emit({ kind: 'queues' });
        return;
      case 'targets':
        this.targets = msg.targets;
        this.emit({ kind: 'targets' });
        return;
      case 'shells':
        this.shells.set(msg.sessionId, msg.shells);
        this.emit({ kind: 'shells', sessionId: msg.sessionId });
        return;
      case 'permissions':
        this.permissions = msg.permissions;
        this.emit({ kind: 'permissions' });
        return;
      case 'special_action_result':
        this.emit({ kind: 'special_action', result: msg });
        return;
      case 'jump_items':
        this.jumpItems.clear();
        for (const item of msg.items) this.jumpItems.set(item.id, item);
        this.emit({ kind: 'jump' });
        return;
      case 'jump_item':
        this.jumpItems.set(msg.item.id, msg.item);
        this.emit({ kind: 'jump' });
        return;
      case 'jump_gone':
        this.jumpItems.delete(msg.itemId);
        this.emit({ kind: 'jump' });
        return;
      case 'shell_jump_prompt':
        this.emit({ kind: 'ssh_prompt', prompt: msg });
        return;
      default:
        return;
    }
  }

  private pushTeamChat(m: TeamChatMessage): void {
    const list = this.teamChat.get(m.teamId) ?? [];
    if (!list.some((x) => x.seq === m.seq)) list.push(m);
    this.teamChat.set(m.teamId, list);
  }

  private upsert(s: SessionSummary, entered: boolean): void {
    const before = this.sessions.get(s.id);
    if (!this.visible(s)) {
      if (before) this.drop(s.id, s.state === 'ended');
      return;
    }
    this.sessions.set(s.id, s);
    const invited = this.invitationFor(s);
    if (invited && !this.isMember(s) && (!before || !before.invitations.some((i) => i.id === invited.id))) this.emit({ kind: 'invited', session: s, invitation: invited });
    if (entered && s.state === 'waiting') {
      this.lit.add(s.queue);
      this.emit({ kind: 'entered', session: s });
    }
    this.emit({ kind: 'sessions' });
  }

  private drop(id: string, ended: boolean): void {
    const before = this.sessions.get(id);
    if (!before) return;
    this.sessions.delete(id);
    this.unread.delete(id);
    this.history.delete(id);
    this.shells.delete(id);
    if (this.isMember(before)) this.emit({ kind: 'lost', sessionId: id, ended });
    this.emit({ kind: 'sessions' });
  }
}
