/**
 * Keyspace `jump`: jump items (F12). Key: item id. The jump client's secret
 * is kept only as its SHA-256.
 */
import type { JumpGroup } from '../../../common/jump.ts';
import type { Store } from './db.ts';

export interface JumpRecord {
  readonly id: string;
  name: string;
  group: JumpGroup;
  readonly method: 'jump_client';
  hostname: string;
  os: string;
  user: string;
  readonly createdAt: number;
  /** User id of the rep who pinned it. */
  readonly createdBy: string;
  lastAccessed: number | null;
  readonly secretHash: string;
}

export class JumpStore {
  constructor(private readonly store: Store) {}

  list(): JumpRecord[] {
    const out: JumpRecord[] = [];
    for (const { value } of this.store.spaces.jump.getRange()) out.push(value as JumpRecord);
    return out;
  }

  get(id: string): JumpRecord | undefined {
    return this.store.spaces.jump.get(id) as JumpRecord | undefined;
  }

  putSync(item: JumpRecord): JumpRecord {
    this.store.txSync(() => this.store.spaces.jump.putSync(item.id, item));
    return item;
  }

  removeSync(id: string): boolean {
    return this.store.txSync(() => {
      if (!this.get(id)) return false;
      this.store.spaces.jump.removeSync(id);
      return true;
    });
  }
}
