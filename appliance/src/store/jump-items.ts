/**
 * Keyspace `jump`: jump items (F12). Key: item id. The jump client's secret
 * is kept only as its SHA-256. Shell Jump items (method `shell_jump`) keep
 * their SSH target instead and have no secret (`secretHash` is empty);
 * Remote VNC items (method `remote_vnc`) keep their VNC host and port.
 */
import type { JumpGroup } from '../../../common/jump.ts';
import type { VncTarget } from '../../../common/remote-vnc.ts';
import type { ShellJumpTarget } from '../../../common/shell-jump.ts';
import type { JumpPolicy } from '../../../common/jump-policy.ts';
import type { Store } from './db.ts';

export interface JumpRecord {
  readonly id: string;
  name: string;
  group: JumpGroup;
  readonly method: 'jump_client' | 'shell_jump' | 'remote_vnc';
  /** Shell Jump items: where the appliance connects (F13). */
  ssh?: ShellJumpTarget;
  /** Remote VNC items: the VNC server the appliance connects to (F13). */
  vnc?: VncTarget;
  hostname: string;
  os: string;
  user: string;
  readonly createdAt: number;
  /** User id of the rep who pinned it. */
  readonly createdBy: string;
  lastAccessed: number | null;
  readonly secretHash: string;
  /** The jump policy that limits when it may be used (F15); absent = any time. */
  policyId?: string | null;
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

/** Keyspace `jumppolicies`: when jump items may be used (F15). Key: policy id. */
export class JumpPolicyStore {
  constructor(private readonly store: Store) {}

  list(): JumpPolicy[] {
    const out: JumpPolicy[] = [];
    for (const { value } of this.store.spaces.jumppolicies.getRange()) out.push(value as JumpPolicy);
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  get(id: string): JumpPolicy | undefined {
    return this.store.spaces.jumppolicies.get(id) as JumpPolicy | undefined;
  }

  putSync(p: JumpPolicy): JumpPolicy {
    this.store.txSync(() => this.store.spaces.jumppolicies.putSync(p.id, p));
    return p;
  }

  /** Removes the policy; items that used it are usable any time again. */
  removeSync(id: string, jumps: JumpStore): boolean {
    return this.store.txSync(() => {
      if (!this.get(id)) return false;
      this.store.spaces.jumppolicies.removeSync(id);
      for (const item of jumps.list()) if (item.policyId === id) this.store.spaces.jump.putSync(item.id, { ...item, policyId: null });
      return true;
    });
  }
}
