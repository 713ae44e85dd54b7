/**
 * Keyspace `users` (id → User) and its index `usernames`
 * (lower-cased username → id). Both change together in one transaction.
 */
import { AppError } from '../../../common/errors.ts';
import type { User } from '../domain/accounts.ts';
import type { Store } from './db.ts';
import { newId } from './ids.ts';

export type NewUser = Pick<User, 'username' | 'displayName' | 'admin' | 'passwordHash'>;

export class UserStore {
  constructor(private readonly store: Store) {}

  get(id: string): User | undefined {
    return this.store.spaces.users.get(id) as User | undefined;
  }

  byUsername(username: string): User | undefined {
    const id = this.store.spaces.usernames.get(username.toLowerCase()) as string | undefined;
    return id ? this.get(id) : undefined;
  }

  list(): User[] {
    const out: User[] = [];
    for (const { value } of this.store.spaces.users.getRange()) out.push(value as User);
    return out.sort((a, b) => a.username.localeCompare(b.username));
  }

  count(): number {
    return this.store.spaces.users.getCount();
  }

  createSync(input: NewUser): User {
    return this.store.txSync(() => {
      const key = input.username.toLowerCase();
      if (this.store.spaces.usernames.get(key) !== undefined) throw new AppError('NAME_TAKEN', input.username);
      const user: User = { ...input, id: newId(), disabled: false, createdAt: Date.now(), credentialEpoch: 0 };
      this.store.spaces.users.putSync(user.id, user);
      this.store.spaces.usernames.putSync(key, user.id);
      return user;
    });
  }

  /** Applies `change` to the stored user inside one transaction and returns the result. */
  updateSync(id: string, change: (u: User) => void): User {
    return this.store.txSync(() => {
      const current = this.get(id);
      if (!current) throw new AppError('UNKNOWN_ID', 'user');
      const next: User = { ...current };
      change(next);
      if (next.username.toLowerCase() !== current.username.toLowerCase()) {
        const key = next.username.toLowerCase();
        if (this.store.spaces.usernames.get(key) !== undefined) throw new AppError('NAME_TAKEN', next.username);
        this.store.spaces.usernames.removeSync(current.username.toLowerCase());
        this.store.spaces.usernames.putSync(key, id);
      }
      this.store.spaces.users.putSync(id, next);
      return next;
    });
  }
}
