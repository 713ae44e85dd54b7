/**
 * Keyspaces `sessions` (id → SessionRecord), `chat` and `events`.
 * Chat and event keys are `<sessionId>/<seq, 10 digits>` so one session's
 * history is one contiguous, ordered key range. A change to a session and
 * the event it causes are written in one transaction.
 */
import type { ChatAuthor, ChatMessage, SessionEvent } from '../../../common/sessions.ts';
import type { SessionRecord, Transition } from '../domain/sessions.ts';
import type { Store } from './db.ts';

function seqKey(sessionId: string, seq: number): string {
  return `${sessionId}/${String(seq).padStart(10, '0')}`;
}

export class SessionStore {
  constructor(private readonly store: Store) {}

  /** `next` with every rep who was ever a member: the stored record's participants plus the new members. */
  private withParticipants(next: SessionRecord): SessionRecord {
    const prev = this.get(next.id);
    const all = new Set([...(prev?.participants ?? prev?.members ?? []), ...(next.participants ?? []), ...next.members]);
    return { ...next, participants: [...all] };
  }

  /** Every stored session, in no particular order (reports filter and sort). */
  *all(): Iterable<SessionRecord> {
    for (const { value } of this.store.spaces.sessions.getRange()) yield value as SessionRecord;
  }

  /** A session's whole chat or event history, oldest first. */
  fullHistory<T extends 'chat' | 'events'>(space: T, sessionId: string): Array<T extends 'chat' ? ChatMessage : SessionEvent> {
    const out: any[] = [];
    for (const { value } of this.store.spaces[space].getRange({ start: `${sessionId}/`, end: `${sessionId}/~` })) out.push(value);
    return out;
  }

  get(id: string): SessionRecord | undefined {
    return this.store.spaces.sessions.get(id) as SessionRecord | undefined;
  }

  /** Replaces a session's resume secret (its old one stops working). */
  rotateResumeSync(record: SessionRecord, newHash: string): SessionRecord {
    return this.store.txSync(() => {
      const next = { ...record, resumeHash: newHash };
      this.store.spaces.starts.removeSync(`r:${record.resumeHash}`);
      this.store.spaces.starts.putSync(`r:${newHash}`, record.id);
      this.store.spaces.sessions.putSync(record.id, next);
      return next;
    });
  }

  /** The session a resume-secret hash belongs to. */
  byResumeHash(hash: string): SessionRecord | undefined {
    const id = this.store.spaces.starts.get(`r:${hash}`) as string | undefined;
    return id ? this.get(id) : undefined;
  }

  /** Sessions that are not ended. */
  open(): SessionRecord[] {
    const out: SessionRecord[] = [];
    for (const { value } of this.store.spaces.sessions.getRange()) if ((value as SessionRecord).state !== 'ended') out.push(value as SessionRecord);
    return out;
  }

  private lastSeq(space: 'chat' | 'events', sessionId: string): number {
    for (const { key } of this.store.spaces[space].getRange({ start: `${sessionId}/~`, end: `${sessionId}/`, reverse: true, limit: 1 })) {
      return Number(String(key).slice(sessionId.length + 1));
    }
    return 0;
  }

  private appendEvent(sessionId: string, e: Omit<SessionEvent, 'seq'>): SessionEvent {
    const event: SessionEvent = { ...e, seq: this.lastSeq('events', sessionId) + 1 };
    this.store.spaces.events.putSync(seqKey(sessionId, event.seq), event);
    return event;
  }

  createSync(record: SessionRecord, event: Omit<SessionEvent, 'seq'>): SessionEvent {
    return this.store.txSync(() => {
      this.store.spaces.sessions.putSync(record.id, this.withParticipants(record));
      // Index for customers reconnecting with their resume secret.
      this.store.spaces.starts.putSync(`r:${record.resumeHash}`, record.id);
      return this.appendEvent(record.id, event);
    });
  }

  /** Writes `t.next` and its event together. */
  applySync(t: Transition, at: number): SessionEvent {
    return this.store.txSync(() => {
      this.store.spaces.sessions.putSync(t.next.id, this.withParticipants(t.next));
      return this.appendEvent(t.next.id, { at, ...t.event });
    });
  }

  /** Appends an event that changes no session state (a rep opened a shell, a file moved…). */
  addEventSync(sessionId: string, event: Omit<SessionEvent, 'seq'>): SessionEvent {
    return this.store.txSync(() => this.appendEvent(sessionId, event));
  }

  /** Updates a record without an event (e.g. customer info) or with one. */
  updateSync(next: SessionRecord, event?: Omit<SessionEvent, 'seq'>): SessionEvent | undefined {
    return this.store.txSync(() => {
      this.store.spaces.sessions.putSync(next.id, this.withParticipants(next));
      return event ? this.appendEvent(next.id, event) : undefined;
    });
  }

  /**
   * Appends a chat message. Resolves once the commit is durable; lmdb-js
   * batches concurrent async transactions into one commit, so a burst of chat
   * costs one disk flush instead of one per message and never blocks the loop.
   */
  addChat(sessionId: string, from: ChatAuthor, body: string, at: number): Promise<ChatMessage> {
    let msg: ChatMessage | undefined;
    return this.store.root
      .transaction(() => {
        msg = { seq: this.lastSeq('chat', sessionId) + 1, at, from, body };
        this.store.spaces.chat.put(seqKey(sessionId, msg.seq), msg);
      })
      .then(() => msg!);
  }

  /** The newest `limit` entries of a session's chat or events, oldest first. */
  history<T extends 'chat' | 'events'>(space: T, sessionId: string, limit: number): Array<T extends 'chat' ? ChatMessage : SessionEvent> {
    const out: any[] = [];
    for (const { value } of this.store.spaces[space].getRange({ start: `${sessionId}/~`, end: `${sessionId}/`, reverse: true, limit })) out.push(value);
    return out.reverse();
  }
}
