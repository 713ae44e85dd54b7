/** Keyspace `teamchat`: team chat messages, key `<teamId>/<seq, 10 digits>`. */
import type { TeamChatMessage } from '../../../common/protocol.ts';
import type { Store } from './db.ts';

/** Messages a console gets per team when it connects. */
export const TEAM_CHAT_HISTORY = 50;

export class TeamChatStore {
  constructor(private readonly store: Store) {}

  addSync(teamId: string, from: { id: string; name: string }, body: string, at: number): TeamChatMessage {
    return this.store.txSync(() => {
      let seq = 1;
      for (const { key } of this.store.spaces.teamchat.getRange({ start: `${teamId}/~`, end: `${teamId}/`, reverse: true, limit: 1 })) {
        seq = Number(String(key).slice(teamId.length + 1)) + 1;
      }
      const msg: TeamChatMessage = { teamId, seq, at, from, body };
      this.store.spaces.teamchat.putSync(`${teamId}/${String(seq).padStart(10, '0')}`, msg);
      return msg;
    });
  }

  recent(teamId: string, limit = TEAM_CHAT_HISTORY): TeamChatMessage[] {
    const out: TeamChatMessage[] = [];
    for (const { value } of this.store.spaces.teamchat.getRange({ start: `${teamId}/~`, end: `${teamId}/`, reverse: true, limit })) out.push(value as TeamChatMessage);
    return out.reverse();
  }
}
