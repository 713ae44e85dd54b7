/** Keyspace `prefs`: per-user console preferences (favourite team queues). Key: user id. */
import type { Store } from './db.ts';

export interface Prefs {
  favouriteTeams: string[];
}

export class PrefsStore {
  constructor(private readonly store: Store) {}

  get(userId: string): Prefs {
    return (this.store.spaces.prefs.get(userId) as Prefs | undefined) ?? { favouriteTeams: [] };
  }

  setFavouriteSync(userId: string, teamId: string, on: boolean): Prefs {
    return this.store.txSync(() => {
      const p = this.get(userId);
      const set = new Set(p.favouriteTeams);
      if (on) set.add(teamId);
      else set.delete(teamId);
      const next = { favouriteTeams: [...set] };
      this.store.spaces.prefs.putSync(userId, next);
      return next;
    });
  }
}
