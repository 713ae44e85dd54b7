/**
 * Keyspace `permissions`: one grant per user (key `user:<id>`) and per team
 * (key `team:<id>`). A user without a stored grant has
 * DEFAULT_USER_PERMISSIONS; a team without one has NO_PERMISSIONS (it adds
 * nothing). `effective(userId)` merges the user's grant with the grants of
 * every team the user belongs to (most permissive wins, see
 * common/permissions.ts). Writes are one transaction each; listeners learn
 * which users' effective permissions may have changed.
 *
 * `effective` is cached per user (reading every team costs about 1 ms with
 * 200 teams; see bench/permissions); the cache is dropped on every grant
 * write and every team change (TeamStore.onChange), the only inputs.
 */
import { DEFAULT_USER_PERMISSIONS, NO_PERMISSIONS, mergePermissions, type RepPermissions } from '../../../common/permissions.ts';
import type { Store } from './db.ts';
import type { TeamStore } from './teams.ts';

export type PermissionsListener = (userIds: readonly string[]) => void;

function copy(p: Readonly<RepPermissions>): RepPermissions {
  // Grants stored before shellJump existed grant none.
  return { ...p, shellJump: p.shellJump === true, allowedPaths: [...p.allowedPaths] };
}

export class PermissionStore {
  private readonly listeners = new Set<PermissionsListener>();
  private readonly cache = new Map<string, RepPermissions>();

  constructor(
    private readonly store: Store,
    private readonly teams: TeamStore,
  ) {
    teams.onChange(() => this.cache.clear());
  }

  /** `fn` is called after a grant changed, with the users whose effective permissions may differ now. */
  onChange(fn: PermissionsListener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Tells listeners that these users' effective permissions may have changed (e.g. team membership). */
  notify(userIds: readonly string[]): void {
    if (userIds.length === 0) return;
    for (const fn of [...this.listeners]) fn([...new Set(userIds)]);
  }

  userGrant(userId: string): RepPermissions {
    return copy((this.store.spaces.permissions.get(`user:${userId}`) as RepPermissions | undefined) ?? DEFAULT_USER_PERMISSIONS);
  }

  teamGrant(teamId: string): RepPermissions {
    return copy((this.store.spaces.permissions.get(`team:${teamId}`) as RepPermissions | undefined) ?? NO_PERMISSIONS);
  }

  setUserGrantSync(userId: string, grant: RepPermissions): RepPermissions {
    this.store.txSync(() => this.store.spaces.permissions.putSync(`user:${userId}`, copy(grant)));
    this.cache.clear();
    this.notify([userId]);
    return this.userGrant(userId);
  }

  setTeamGrantSync(teamId: string, grant: RepPermissions): RepPermissions {
    this.store.txSync(() => this.store.spaces.permissions.putSync(`team:${teamId}`, copy(grant)));
    this.cache.clear();
    this.notify(this.teams.get(teamId)?.members.map((m) => m.userId) ?? []);
    return this.teamGrant(teamId);
  }

  /** Drops a removed team's grant (its former members are told by the caller). */
  removeTeamGrantSync(teamId: string): void {
    this.store.txSync(() => this.store.spaces.permissions.removeSync(`team:${teamId}`));
    this.cache.clear();
  }

  /** The user's own grant merged with the grants of every team they belong to. */
  effective(userId: string): RepPermissions {
    let out = this.cache.get(userId);
    if (!out) {
      out = this.userGrant(userId);
      for (const { team } of this.teams.ofUser(userId)) out = mergePermissions(out, this.teamGrant(team.id));
      this.cache.set(userId, out);
    }
    return copy(out);
  }
}
