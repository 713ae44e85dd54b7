/**
 * Keyspace `teams` (id → Team). Team names are unique, compared case-insensitively.
 * Listeners (`onChange`) hear the id of every team created, changed or removed,
 * after the change is committed (the permission store drops its cache).
 */
import { AppError } from '../../../common/errors.ts';
import type { Team, TeamMember } from '../domain/accounts.ts';
import type { Store } from './db.ts';
import { newId } from './ids.ts';

export class TeamStore {
  private readonly listeners = new Set<(teamId: string) => void>();

  constructor(private readonly store: Store) {}

  onChange(fn: (teamId: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(teamId: string): void {
    for (const fn of [...this.listeners]) fn(teamId);
  }

  get(id: string): Team | undefined {
    return this.store.spaces.teams.get(id) as Team | undefined;
  }

  list(): Team[] {
    const out: Team[] = [];
    for (const { value } of this.store.spaces.teams.getRange()) out.push(value as Team);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Teams that `userId` belongs to, with the role held in each. */
  ofUser(userId: string): Array<{ team: Team; role: TeamMember['role'] }> {
    const out: Array<{ team: Team; role: TeamMember['role'] }> = [];
    for (const team of this.list()) {
      const m = team.members.find((x) => x.userId === userId);
      if (m) out.push({ team, role: m.role });
    }
    return out;
  }

  private assertNameFree(name: string, exceptId?: string): void {
    const lower = name.toLowerCase();
    if (this.list().some((t) => t.id !== exceptId && t.name.toLowerCase() === lower)) throw new AppError('NAME_TAKEN', name);
  }

  createSync(name: string, members: TeamMember[]): Team {
    const created = this.store.txSync(() => {
      this.assertNameFree(name);
      const team: Team = { id: newId(), name, members, createdAt: Date.now() };
      this.store.spaces.teams.putSync(team.id, team);
      return team;
    });
    this.changed(created.id);
    return created;
  }

  updateSync(id: string, change: (t: Team) => void): Team {
    const updated = this.store.txSync(() => {
      const current = this.get(id);
      if (!current) throw new AppError('UNKNOWN_ID', 'team');
      const next: Team = { ...current, members: current.members.map((m) => ({ ...m })) };
      change(next);
      this.assertNameFree(next.name, id);
      this.store.spaces.teams.putSync(id, next);
      return next;
    });
    this.changed(id);
    return updated;
  }

  removeSync(id: string): void {
    this.store.txSync(() => {
      if (!this.get(id)) throw new AppError('UNKNOWN_ID', 'team');
      this.store.spaces.teams.removeSync(id);
    });
    this.changed(id);
  }
}
